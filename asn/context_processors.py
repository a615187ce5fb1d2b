from django.conf import settings


def site(request):
    """The site's name for the base layout (``SITE_NAME``; not ``site_name``: the login view sets that to the host)."""
    return {"service_name": settings.SITE_NAME}
