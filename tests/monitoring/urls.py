"""The site's pages and one that fails, for the error report test."""

from django.urls import path

from asn.urls import urlpatterns as site_urlpatterns


def failing_view(request):
    raise RuntimeError("A view failed on purpose")


urlpatterns = [*site_urlpatterns, path("test-failure/", failing_view)]
