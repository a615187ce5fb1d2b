from django.urls import path

from . import views

app_name = "reports"

report = "<slug:committee>/<slug:period>/rapport/"
urlpatterns = [
    path(report, views.report_view, name="contents"),
    path(f"{report}<int:section>/", views.report_view, name="section"),
    path(f"{report}inledning/", views.introduction_view, name="introduction"),
    path(f"{report}byggen/", views.builds_view, name="builds"),
    path(f"{report}byggen/<int:build>/", views.build_status_view, name="build_status"),
    path(f"{report}byggen/<int:build>/andringar/", views.build_changes_view, name="build_changes"),
    path(f"{report}byggen/<int:build>/<slug:fmt>/", views.build_file_view, name="build_file"),
    path(f"{report}anta/<slug:kind>/", views.adopt_view, name="adopt"),
    path(f"{report}antagen/<slug:kind>/andringar/", views.edition_changes_view, name="edition_changes"),
]
