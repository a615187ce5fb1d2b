"""Tests: PostgreSQL and Redis from the environment (see the Makefile), fast hashing, locmem mail."""

from .base import *  # noqa: F403
from .base import STORAGES, database, env

SECRET_KEY = env("SECRET_KEY", default="test-only-insecure-key")
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": database(env("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/asn"))}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)  # workers in the tests say false
CELERY_TASK_EAGER_PROPAGATES = True
# The generated files where STORAGE_BACKEND says (the file system unless it names s3);
# static files from the apps' folders, not the manifest that collectstatic writes.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
# Serve static files from the apps' folders without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Never Kolada itself: a test that reads Kolada starts a local server and names it (the discard
# port answers nothing); no pause between tries.
KOLADA_BASE_URL = env("KOLADA_BASE_URL", default="http://127.0.0.1:9/v3")
KOLADA_BACKOFF = env.float("KOLADA_BACKOFF", default=0.0)
KOLADA_TIMEOUT = env.float("KOLADA_TIMEOUT", default=2.0)
