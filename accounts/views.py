from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView

from .oidc import provider_logout_url, sso_enabled
from .services import user_preferences_update


class LoginView(auth_views.LoginView):
    """
    The login page: the local account form (django-axes counts its failures) and, with single
    sign-on configured, a link "Log in with <provider>" that keeps the page asked for (``next``,
    already checked to be on this site). OIDC_LOCAL_LOGIN=false leaves the link alone.
    """

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["local_login"] = not sso_enabled() or settings.OIDC_LOCAL_LOGIN
        if sso_enabled():
            next_url = context.get(self.redirect_field_name)
            query = f"?{urlencode({'next': next_url})}" if next_url else ""
            context["sso_url"] = reverse("oidc_authentication_init") + query
            context["sso_name"] = settings.OIDC_PROVIDER_NAME or _("single sign-on")
        return context


class LogoutView(auth_views.LogoutView):
    """Log out here and, for a single sign-on login, at the provider too when it has an end-session endpoint."""

    def post(self, request, *args, **kwargs):
        provider_url = provider_logout_url(request)
        response = super().post(request, *args, **kwargs)
        return HttpResponseRedirect(provider_url) if provider_url else response


class PreferencesForm(forms.Form):
    wants_digests = forms.BooleanField(
        label=_("Send me an e-mail digest when departments submit entries for review"), required=False
    )


class PreferencesView(LoginRequiredMixin, FormView):
    """The user's own settings: for now, whether to receive review digests."""

    template_name = "accounts/preferences.html"
    form_class = PreferencesForm

    def get_initial(self):
        return {"wants_digests": self.request.user.wants_digests}

    def form_valid(self, form):
        user_preferences_update(user=self.request.user, wants_digests=form.cleaned_data["wants_digests"])
        messages.success(self.request, _("Your settings are saved."))
        return redirect("accounts:preferences")


preferences_view = PreferencesView.as_view()
login_view = LoginView.as_view()
logout_view = LogoutView.as_view()
