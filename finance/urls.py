from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("<slug:committee>/<slug:period>/ekonomi/", views.finance_tables_view, name="tables"),
]
