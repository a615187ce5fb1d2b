from django.urls import path

from . import views

app_name = "accessibility"

urlpatterns = [
    path("", views.statement_view, name="statement"),
    path("tack/", views.thanks_view, name="thanks"),
]
