"""
Settings shared by every environment.

Configuration comes from the environment (django-environ), never from edited files:
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
TIME_ZONE = "Europe/Stockholm"
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska")]
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
ROOT_URLCONF = "asn.urls"
WSGI_APPLICATION = "asn.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# DATABASES
# ------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# APPS
# ------------------------------------------------------------------------------
DJANGO_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "asn.apps.AsnAdminConfig",
]
THIRD_PARTY_APPS = [
    "django_htmx",
    "axes",
    "csp",
    "django_filters",
    "django_prose_editor",
    "import_export",
    "simple_history",
]
LOCAL_APPS = [
    "accounts",
    "commitments",
    "indicators",
    "reports",
    "finance",
    "followup",
    "onboarding",
    "demo",
]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first, so that a locked-out user is refused before the password check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Failed logins (django-axes): https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # A text holding NUL gets a 400 that says why, after the CSRF check (PostgreSQL cannot store it).
    "common.middleware.RefuseNulMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # django-axes must be last.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp 4): no inline script, except an element that carries
# the request's nonce (the rich-text editor's import map).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# TEMPLATES
# ------------------------------------------------------------------------------
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commitments.context_processors.memberships",
                "asn.context_processors.site",
            ],
        },
    }
]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="asn-uppfoljning@localhost")
#: The address of the site as people reach it: the links in e-mails begin with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
#: The site's name in every page's title and header and in the admin (e.g. "ASN uppföljning").
SITE_NAME = env("SITE_NAME", default="Uppföljning")

# REPORT BUILDS
# ------------------------------------------------------------------------------
#: When the nightly build of every open period's reports starts (Europe/Stockholm).
REPORT_NIGHTLY_HOUR = env.int("REPORT_NIGHTLY_HOUR", default=2)
REPORT_NIGHTLY_MINUTE = env.int("REPORT_NIGHTLY_MINUTE", default=0)
#: A build gets this long (seconds) before Celery stops it (soft: the build fails cleanly).
REPORT_BUILD_SOFT_TIME_LIMIT = env.int("REPORT_BUILD_SOFT_TIME_LIMIT", default=10 * 60)
REPORT_BUILD_TIME_LIMIT = env.int("REPORT_BUILD_TIME_LIMIT", default=11 * 60)
#: A build with no sign of life for this long (its worker died) is started again.
REPORT_BUILD_STALE_AFTER = env.int("REPORT_BUILD_STALE_AFTER", default=12 * 60)
#: How often a build is tried before it stays failed.
REPORT_BUILD_MAX_ATTEMPTS = env.int("REPORT_BUILD_MAX_ATTEMPTS", default=3)

# CELERY: https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ------------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TIMEZONE = TIME_ZONE
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="asn")
# Builds take seconds to minutes and ack late: a worker reserves one task beyond the one it runs.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery beat: https://docs.celeryq.dev/en/stable/userguide/periodic-tasks.html
CELERY_BEAT_SCHEDULE = {
    "submission-digests": {
        "task": "commitments.tasks.submission_digests_task",
        "schedule": env.int("DIGEST_EVERY_SECONDS", default=15 * 60),
    },
    "nightly-report-builds": {
        "task": "reports.tasks.nightly_builds_task",
        "schedule": crontab(hour=REPORT_NIGHTLY_HOUR, minute=REPORT_NIGHTLY_MINUTE),
    },
    "stalled-report-builds": {
        "task": "reports.tasks.stalled_builds_task",
        "schedule": 5 * 60,
    },
    "deadline-reminders": {
        "task": "followup.tasks.deadline_reminders_task",
        "schedule": crontab(hour=env.int("REMINDER_HOUR", default=7), minute=env.int("REMINDER_MINUTE", default=0)),
    },
}

# NOTIFICATIONS
# ------------------------------------------------------------------------------
#: How far back the digest task looks for committees with new submissions.
DIGEST_LOOKBACK_DAYS = env.int("DIGEST_LOOKBACK_DAYS", default=7)
#: Editors are reminded daily from this many days before a period's deadline.
REMINDER_DAYS_BEFORE_DEADLINE = env.int("REMINDER_DAYS_BEFORE_DEADLINE", default=3)

# LOGGING
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"level": "INFO", "handlers": ["console"]},
    # django-axes logs every login at INFO; failures and lockouts come at WARNING.
    "loggers": {
        "axes": {"level": "WARNING"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
