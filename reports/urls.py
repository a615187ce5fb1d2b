from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("<slug:committee>/<slug:period>/rapport/", views.report_view, name="contents"),
    path("<slug:committee>/<slug:period>/rapport/<int:section>/", views.report_view, name="section"),
]
