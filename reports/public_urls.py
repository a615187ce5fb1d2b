"""The public addresses of the adopted editions: no login, stable for as long as the edition exists."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("<slug:committee>/", views.public_editions_view, name="editions"),
    path("<slug:committee>/<slug:period>/<slug:kind>/", views.public_edition_view, name="edition"),
    path("<slug:committee>/<slug:period>/<slug:kind>/<slug:fmt>/", views.public_edition_file_view, name="file"),
]
