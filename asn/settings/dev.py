"""Local development: SQLite, eager Celery, mail to the console. No services needed."""

from .base import *  # noqa: F403
from .base import STORAGES, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
# The generated files where STORAGE_BACKEND says (the file system unless it names s3);
# static files from the apps' folders, not the manifest that collectstatic writes.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# SQLite has no deferrable unique constraints: the orders of a plan's rows are then checked
# by forms and the plan import only (PostgreSQL, used in tests and production, has them).
SILENCED_SYSTEM_CHECKS = ["models.W038"]

# Serve static files from the apps' folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
