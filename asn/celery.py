"""The Celery application: configured from Django settings with the CELERY_ prefix."""

import os

from celery import Celery

# As in wsgi.py: a process that names no settings gets production's, which have no defaults.
# manage.py chooses the development settings for itself.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.prod")

app = Celery("asn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
