from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("<slug:committee>/<slug:period>/bidrag/", views.contribution_list_view, name="contribution_list"),
    path(
        "<slug:committee>/<slug:period>/bidrag/<str:goal>/<str:department>/",
        views.contribution_view,
        name="contribution",
    ),
    path("<slug:committee>/<slug:period>/ataganden/godkann/", views.bulk_approve_view, name="bulk_approve"),
    path(
        "<slug:committee>/<slug:period>/ataganden/<str:commitment>/<str:department>/",
        views.entry_view,
        name="entry",
    ),
    path(
        "<slug:committee>/<slug:period>/ataganden/<str:commitment>/<str:department>/granska/",
        views.entry_review_view,
        name="entry_review",
    ),
    path(
        "<slug:committee>/<slug:period>/ataganden/<str:commitment>/<str:department>/meddelande/",
        views.entry_message_view,
        name="entry_message",
    ),
    path(
        "<slug:committee>/<slug:period>/ataganden/<str:commitment>/<str:department>/historik/",
        views.entry_history_view,
        name="entry_history",
    ),
]
