from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from commitments import views as commitment_views

urlpatterns = [
    path("", commitment_views.home_view, name="home"),
    # Browsers ask for /favicon.ico whatever the page links; the icon is an SVG among the static files.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"), permanent=True), name="favicon"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
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
