from django.conf import settings


def site(request):
    """The site's name for the base layout (``SITE_NAME``; not ``site_name``, which the login view sets to the host)."""
    return {"service_name": settings.SITE_NAME}
