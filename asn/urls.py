from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from commitments import views as commitment_views

urlpatterns = [
    path("", commitment_views.home_view, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("konto/", include("accounts.urls")),
    path("n/", include("commitments.urls")),
    path("n/", include("followup.urls")),
    path("n/", include("reports.urls")),
    path("n/", include("finance.urls")),
    path("publicerat/", include("reports.public_urls")),
]
