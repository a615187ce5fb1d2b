from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from .services import user_preferences_update


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
