from django.urls import path

from . import views

app_name = "followup"

period = "<slug:committee>/<slug:period>/"
entry = f"{period}ataganden/<str:commitment>/<str:department>/"
urlpatterns = [
    path("<slug:committee>/sok/", views.search_view, name="search"),
    path(f"{period}ataganden/", views.commitment_list_view, name="list"),
    path(f"{period}oversikt/", views.period_overview_view, name="overview"),
    path(f"{period}export/<slug:part>/", views.followup_export_view, name="export"),
    path(f"{period}status/", views.period_status_view, name="period_status"),
    path(f"{period}ataganden/godkann/", views.bulk_approve_view, name="bulk_approve"),
    path(entry, views.entry_view, name="entry"),
    path(f"{entry}meddelande/", views.entry_message_view, name="entry_message"),
    path(f"{entry}historik/", views.entry_history_view, name="entry_history"),
    path(f"{period}bidrag/", views.contribution_list_view, name="contribution_list"),
    path(f"{period}bidrag/<str:goal>/<str:department>/", views.contribution_view, name="contribution"),
    path(
        f"{period}bidrag/<str:goal>/<str:department>/historik/",
        views.contribution_history_view,
        name="contribution_history",
    ),
    path(f"{period}rapport/texter/", views.section_text_list_view, name="section_texts"),
    path(f"{period}rapport/texter/<int:section>/", views.section_text_view, name="section_text"),
]
