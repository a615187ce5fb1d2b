from django.urls import path

from . import views

app_name = "commitments"

urlpatterns = [
    path("<slug:committee>/logg/", views.event_log_view, name="event_log"),
    path("<slug:committee>/logg/<int:event>/", views.event_subject_view, name="event_subject"),
]
