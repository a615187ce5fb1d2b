"""WSGI entry point (gunicorn asn.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.prod")

application = get_wsgi_application()
