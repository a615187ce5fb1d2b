from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("<slug:committee>/logg/", views.event_log_view, name="event_log"),
    path("<slug:committee>/<slug:period>/ataganden/", views.commitment_list_view, name="list"),
    path("<slug:committee>/<slug:period>/status/", views.period_status_view, name="period_status"),
]
