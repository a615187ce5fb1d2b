from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from accounts import oidc
from accounts import views as account_views
from commitments import views as commitment_views

urlpatterns = [
    path("", commitment_views.home_view, name="home"),
    # Browsers ask for /favicon.ico whatever the page links; the icon is an SVG among the static files.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True), name="favicon"),
    path("login/", account_views.login_view, name="login"),
    path("logout/", account_views.logout_view, name="logout"),
    # Single sign-on (404 unless OIDC_RP_CLIENT_ID is set); the provider sends people back to the callback.
    path("oidc/authenticate/", oidc.AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.AuthenticationCallbackView.as_view(), name="oidc_authentication_callback"),
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("n/", include("commitments.urls")),
    path("n/", include("followup.urls")),
    path("n/", include("reports.urls")),
    path("n/", include("finance.urls")),
    path("publicerat/", include("reports.public_urls")),
    # The accessibility statement: public, linked from every page's footer.
    path("tillganglighet/", include("accessibility.urls")),
]
