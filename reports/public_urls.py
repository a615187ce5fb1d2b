"""The public addresses of the adopted editions: no login, stable for as long as the edition exists."""

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    # The permanent address of a file: the edition's number, whatever the committee's and the
    # period's short names become ("upplaga" is therefore no committee's short name).
    path("upplaga/<int:edition>/<slug:fmt>/", views.public_edition_file_view, name="permanent_file"),
    path("<slug:committee>/", views.public_editions_view, name="editions"),
    path("<slug:committee>/<slug:period>/<slug:kind>/", views.public_edition_view, name="edition"),
    path("<slug:committee>/<slug:period>/<slug:kind>/<slug:fmt>/", views.public_edition_file_view, name="file"),
]
