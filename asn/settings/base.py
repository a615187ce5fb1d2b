"""
Settings shared by every environment.

Configuration comes from the environment (django-environ), never from edited files:
https://docs.djangoproject.com/en/5.2/ref/settings/
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import pgettext_lazy
from js_asset import Script
from kombu import Exchange, Queue

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
#: SQLite's settings wherever it is the database (see ``database``).
SQLITE_OPTIONS = {
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
}


#: The database backends that django-prometheus wraps (for its query metrics), by Django's own.
PROMETHEUS_DB_ENGINES = {
    "django.db.backends.postgresql": "django_prometheus.db.backends.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}


def database(url: str) -> dict:
    """
    The database that ``url`` names, each request in one transaction. SQLite (``make run``)
    lets two clients write at once: WAL (readers never wait for the writer), every
    transaction takes the write lock when it begins rather than when it first writes (a
    transaction that read first could not get it later and fails at once with "database is
    locked"), and a writer waits up to 20 s for another's to end. As each request is a
    transaction, requests are then served one after the other, which is what a development
    server with a few users can afford. https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
    """
    config = env.db_url_config(url)
    config["ATOMIC_REQUESTS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    # MONITORING: django-prometheus's wrapper of the same backend counts and times the queries.
    config["ENGINE"] = PROMETHEUS_DB_ENGINES.get(config["ENGINE"], config["ENGINE"])
    return config


DATABASES = {"default": database(env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}

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
    "django_prometheus",  # MONITORING: request, latency and query metrics
]
LOCAL_APPS = [
    "common",  # MONITORING: its AppConfig connects the metrics' and logs' Celery signals
    "accounts",
    "commitments",
    "indicators",
    "kolada",
    "reports",
    "finance",
    "followup",
    "onboarding",
    "demo",
    # The accessibility statement and its report form (tillgänglighetsredogörelse).
    "accessibility",
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

# SINGLE SIGN-ON (OpenID Connect, mozilla-django-oidc; see README "Single sign-on")
# ------------------------------------------------------------------------------
# Off unless OIDC_RP_CLIENT_ID is set: then only local accounts log in, as before.
# https://mozilla-django-oidc.readthedocs.io/en/stable/settings.html
#: The client (application) id and secret the identity provider gave this site.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
SSO_ENABLED = bool(OIDC_RP_CLIENT_ID)
#: The provider's discovery document (…/.well-known/openid-configuration): the endpoints below
#: and the issuer are read from it (once an hour per process) unless they are set themselves.
OIDC_OP_DISCOVERY_URL = env("OIDC_OP_DISCOVERY_URL", default="")
OIDC_OP_ISSUER = env("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
#: RP-initiated logout (end_session_endpoint); empty: logging out ends this site's session only.
OIDC_OP_LOGOUT_ENDPOINT = env("OIDC_OP_LOGOUT_ENDPOINT", default="")
OIDC_DISCOVERY_CACHE_SECONDS = env.int("OIDC_DISCOVERY_CACHE_SECONDS", default=60 * 60)
OIDC_RP_SIGN_ALGO = env("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env("OIDC_RP_SCOPES", default="openid email profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
#: Seconds of clock difference with the provider tolerated when checking a token's times.
OIDC_CLOCK_LEEWAY = env.int("OIDC_CLOCK_LEEWAY", default=60)
#: Seconds to wait for the provider's answer (the library waits for ever by default).
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT", default=10)
#: The name on the login button, "Logga in med <name>" (e.g. "Malmö stad").
OIDC_PROVIDER_NAME = env("OIDC_PROVIDER_NAME", default="")
#: Which claims carry the person's stable id, e-mail address (first present wins) and groups.
OIDC_SUBJECT_CLAIM = env("OIDC_SUBJECT_CLAIM", default="sub")
OIDC_EMAIL_CLAIMS = env.list("OIDC_EMAIL_CLAIMS", default=["email"])
OIDC_GROUPS_CLAIM = env("OIDC_GROUPS_CLAIM", default="groups")
#: Roles managed by the provider's groups: "group=committee:role[:department code]; …".
OIDC_GROUP_ROLES = env("OIDC_GROUP_ROLES", default="")
#: With single sign-on on, whether local accounts may still log in with a password.
OIDC_LOCAL_LOGIN = env.bool("OIDC_LOCAL_LOGIN", default=True)
#: Who a logged-in person without a role should ask for one (e.g. "planeringsenheten, plan@kommun.se").
ACCESS_CONTACT = env("ACCESS_CONTACT", default="")
# Fixed: the library's state and nonce checks stay on; the id token is kept for logging out.
OIDC_USE_NONCE = True
OIDC_VERIFY_SSL = True
OIDC_STORE_ID_TOKEN = True
LOGIN_REDIRECT_URL_FAILURE = "login"
if SSO_ENABLED:
    if not OIDC_LOCAL_LOGIN:
        AUTHENTICATION_BACKENDS.remove("django.contrib.auth.backends.ModelBackend")
    AUTHENTICATION_BACKENDS.append("accounts.oidc.OIDCBackend")

# MIDDLEWARE
# ------------------------------------------------------------------------------
MIDDLEWARE = [
    # MONITORING: django-prometheus counts every request (its After middleware comes last), and
    # the request's id is set before anything logs. The probes (/halsa/, /halsa/live/, /metrics)
    # are answered next, before sessions, CSRF, the HTTPS redirect and the Host check (common/health.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "common.logs.RequestIdMiddleware",
    "common.health.ProbeMiddleware",
    # First of the others, so that it sees every response (also the static files WhiteNoise serves).
    "common.middleware.ResponseHeadersMiddleware",
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
    # django-axes must be last (of those that may refuse a request).
    "axes.middleware.AxesMiddleware",
    # MONITORING: times the request by view (django-prometheus); it must be the very last.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
if SSO_ENABLED:
    # Logging out posts a form whose answer redirects to the provider's end-session endpoint,
    # which form-action must allow (browsers check a form's redirects too).
    _provider = urlsplit(OIDC_OP_LOGOUT_ENDPOINT or OIDC_OP_DISCOVERY_URL)
    if _provider.scheme and _provider.netloc:
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_provider.scheme}://{_provider.netloc}")

# The rich-text editor's preset (common.richtext.EditorWidget): editor-i18n.js, a classic
# script, runs before the (deferred) modules and gives the library its window.gettext.
DJANGO_PROSE_EDITOR_PRESETS = {
    "asn": [
        Script("django_prose_editor/editor.js", type="module"),
        Script("js/editor-i18n.js"),
        Script("js/prose-editor-asn.js", type="module"),
    ],
}

# django-filter: the choice that filters nothing.
FILTERS_EMPTY_CHOICE_LABEL = pgettext_lazy("empty filter choice", "All")

# STATIC AND MEDIA
# ------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where collectstatic writes and WhiteNoise serves from (the image builds it at /app/staticfiles;
# a systemd installation may keep it elsewhere, e.g. /var/lib/asn/static).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

# SEVERAL MACHINES: where generated files live, the shared cache, the queues
# ------------------------------------------------------------------------------
# The files the app makes or keeps (report builds, adopted editions, staged uploads) go
# through Django's storage API only, and are served by the app's views after their checks.
#: "filesystem" (default): MEDIA_ROOT on this machine, for one machine or a shared mount.
#: "s3": an S3-compatible bucket (AWS, MinIO, Ceph, a Swedish cloud) that every web process
#: and worker reaches, with django-storages (``common/s3.py``): private, never served by its
#: own address. https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
STORAGE_BACKEND = env("STORAGE_BACKEND", default="filesystem")


def default_storage_config(backend: str) -> dict:
    """The ``STORAGES["default"]`` of ``backend`` ("filesystem" or "s3"), read from the environment."""
    if backend == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if backend != "s3":
        raise environ.ImproperlyConfigured(f"STORAGE_BACKEND must be 'filesystem' or 's3', not {backend!r}")
    return {
        "BACKEND": "common.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            #: The service's address; empty for AWS itself (e.g. https://s3.example.se, http://minio:9000).
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            #: Empty: boto3 finds credentials itself (an instance role, ~/.aws).
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            #: A folder in the bucket for this installation's files (e.g. "asn"); empty: the bucket's root.
            "location": env("AWS_LOCATION", default=""),
            #: "path" for MinIO and most Ceph gateways (bucket in the path), "virtual" or empty for AWS.
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),
            "verify": env.bool("AWS_S3_VERIFY", default=True),
            #: Each object's ACL; empty: none sent, for a bucket whose ACLs are disabled (AWS's
            #: default for new buckets, private by its owner's policy), which refuses "private".
            "default_acl": env("AWS_DEFAULT_ACL", default="private") or None,
            # No signed addresses: the files are served by the app's views only.
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }


STORAGES = {
    "default": default_storage_config(STORAGE_BACKEND),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


REDIS_CACHE = "common.cache.RedisCache"


def cache_config(url: str) -> dict:
    """
    The cache ``url`` names: ``redis://host:6379/2`` (Django's own Redis cache, keeping its
    redis-py clients: ``common/cache.py``), ``locmemcache://``, ``dummycache://``.
    """
    backend = REDIS_CACHE if url.startswith(("redis://", "rediss://")) else None
    return env.cache_url_config(url, backend=backend)


#: The cache shared by every process: it marks a staged upload taken (``common/uploads.py``)
#: and keeps the pages' reads of a plan until it changes (``common/plan_cache.py``: a change in
#: one process must reach the others), so on several processes it must be Redis (production's
#: default is ``REDIS_URL``). By default here each process's own memory, enough for one
#: process (``make run``, the tests).
#: Sessions are in the database (production reads them through a Redis cache: prod.py) and
#: django-axes counts failed logins there, not in the cache.
CACHES = {"default": cache_config(env("CACHE_URL", default="locmemcache://"))}

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

# Widgets and the follow-up pages' fields through Jinja2, the rest through Django's engine
# (common/renderers.py says why).
FORM_RENDERER = "common.renderers.FormRenderer"

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# A login lasts the working day (10 hours from logging in) and ends when the browser closes.
# Not renewed with each request: that would write the session on every request (the builds
# page asks for its progress every second) and keep a forgotten open tab logged in for ever.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=10 * 60 * 60)  # seconds
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = False
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
#: The browser features the site may use, on every response (``common.middleware``): none of
#: these. Only features Chromium knows: an unknown one is a warning in every page's console.
#: https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Permissions-Policy
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "browsing-topics", "camera", "display-capture", "encrypted-media",
        "gamepad", "geolocation", "gyroscope", "hid", "idle-detection", "local-fonts", "magnetometer",
        "microphone", "midi", "otp-credentials", "payment", "publickey-credentials-create",
        "publickey-credentials-get", "screen-wake-lock", "serial", "usb", "window-management",
        "xr-spatial-tracking",
    )
}  # fmt: skip

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="asn-uppfoljning@localhost")
#: The address of the site as people reach it: the links in e-mails begin with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
#: The site's name in every page's title and header and in the admin (e.g. "ASN uppföljning").
SITE_NAME = env("SITE_NAME", default="Uppföljning")

# UPLOADS: the files the app imports (plan file, finance file), read by common/tabular.py
# ------------------------------------------------------------------------------
# The largest real files (the demo plans of 2019 and 2024, extracted from the committee's
# documents, and the 2024 finance tables) measure: 20 KB as XLSX, 100 KB unpacked, 70 rows
# (Målvärden), 18 columns (Indikatorer), 389 characters in the longest cell, no more than a
# few hundred different texts. Each limit leaves a wide margin above that, for a committee
# ten or a hundred times larger, and stays far below what costs a worker its memory or time.
#: A file larger than this is refused before it is read (250 × the largest real plan file).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
#: Rows of data in a sheet (140 × the longest real sheet).
UPLOAD_MAX_ROWS = env.int("UPLOAD_MAX_ROWS", default=10_000)
#: Columns of a sheet (5 × the widest real sheet; Kommunbidrag grows a column per decision).
UPLOAD_MAX_COLUMNS = env.int("UPLOAD_MAX_COLUMNS", default=100)
#: Characters in any one cell: Excel's own maximum, so no file saved by a spreadsheet is refused.
UPLOAD_MAX_CELL_CHARS = env.int("UPLOAD_MAX_CELL_CHARS", default=32_767)
#: What a workbook's parts unpack to, together (300 × the largest real workbook); the sheet
#: XML that openpyxl streams and the shared strings that it holds in memory are among them.
UPLOAD_MAX_UNPACKED_BYTES = env.int("UPLOAD_MAX_UNPACKED_BYTES", default=30 * 1024 * 1024)
#: Different texts (shared strings) of a workbook: openpyxl keeps them all in memory.
UPLOAD_MAX_SHARED_STRINGS = env.int("UPLOAD_MAX_SHARED_STRINGS", default=200_000)
#: A part of a workbook over 1 MB that unpacks to more than this many times its packed size
#: is a zip bomb (Apache POI's default; XML that Excel writes packs 5 to 20 times).
UPLOAD_MAX_COMPRESSION_RATIO = env.int("UPLOAD_MAX_COMPRESSION_RATIO", default=100)
#: A file staged between an import's preview and its confirmation expires after this long.
UPLOAD_STAGE_SECONDS = env.int("UPLOAD_STAGE_SECONDS", default=60 * 60)
# Django keeps an upload up to this size in memory and spools a larger one to a temporary
# file (Django's default, said here on purpose); the request's other fields are limited to
# DATA_UPLOAD_MAX_MEMORY_SIZE. The upload handler stops keeping a file's bytes beyond
# UPLOAD_MAX_BYTES (it still counts them), so a huge upload neither fills the disk nor
# reaches the reader: its size alone refuses it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "common.uploads.LimitedUploadHandler",
]

# REPORT BUILDS
# ------------------------------------------------------------------------------
#: When the nightly build of every open period's reports starts (Europe/Stockholm).
REPORT_NIGHTLY_HOUR = env.int("REPORT_NIGHTLY_HOUR", default=2)
REPORT_NIGHTLY_MINUTE = env.int("REPORT_NIGHTLY_MINUTE", default=0)
#: A build gets this long (seconds) before Celery stops it (soft: the build fails cleanly).
REPORT_BUILD_SOFT_TIME_LIMIT = env.int("REPORT_BUILD_SOFT_TIME_LIMIT", default=10 * 60)
REPORT_BUILD_TIME_LIMIT = env.int("REPORT_BUILD_TIME_LIMIT", default=11 * 60)
#: A running build writes a sign of life (``heartbeat_at``) this often (seconds), from a
#: thread of its own, so also while one long step (the PDF) renders.
REPORT_BUILD_HEARTBEAT_INTERVAL = env.float("REPORT_BUILD_HEARTBEAT_INTERVAL", default=15)
#: A running build with no sign of life for this long (its worker died) is started again as
#: a new attempt, by the stalled-build task (every minute) or by the next request for it.
REPORT_BUILD_STALE_AFTER = env.float("REPORT_BUILD_STALE_AFTER", default=90)
#: How often (seconds) beat runs the stalled-build task that finds them.
REPORT_BUILD_RECOVERY_EVERY = env.float("REPORT_BUILD_RECOVERY_EVERY", default=60)
#: A queued build that no worker took for this long (its message was lost) is sent again. A
#: queued build writes no sign of life while it waits behind others, hence longer than the above.
REPORT_BUILD_QUEUED_STALE_AFTER = env.float("REPORT_BUILD_QUEUED_STALE_AFTER", default=15 * 60)
#: When a renderer fails, how long (seconds) the build may spend finding the row it fails on
#: (by rendering parts of the document again) to name it on the build page.
REPORT_BUILD_DIAGNOSIS_SECONDS = env.float("REPORT_BUILD_DIAGNOSIS_SECONDS", default=60)
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
#: The queue of the report builds (minutes of CPU and memory each), so that they can have
#: workers (machines) of their own and never hold up mail and the other short tasks, which
#: stay on CELERY_TASK_DEFAULT_QUEUE. ``asn.celery.route_task`` sends them there (it reads
#: this setting when a task is sent). A worker takes both queues unless ``-Q`` names one.
CELERY_REPORTS_QUEUE = env("CELERY_REPORTS_QUEUE", default="asn-reports")
CELERY_TASK_ROUTES = ["asn.celery.route_task"]
# Each queue with an exchange of its own name, as Celery makes for a queue it was not told of.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in
                      dict.fromkeys([CELERY_TASK_DEFAULT_QUEUE, CELERY_REPORTS_QUEUE])]  # fmt: skip
# Builds take seconds to minutes and ack late: a worker reserves one task beyond the one it runs.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged message to another worker after the visibility timeout (one hour
# by default). A build is acknowledged when it ends (acks_late), so the timeout must be longer
# than a build may run (REPORT_BUILD_TIME_LIMIT), or a build still running would be delivered
# a second time; and not much longer, so that the message of a build whose worker died comes
# back soon. (The stalled-build task starts such a build again within a couple of minutes
# anyway, from its heartbeat; the message coming back later then finds it taken or done.)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": REPORT_BUILD_TIME_LIMIT + 60}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": REPORT_BUILD_TIME_LIMIT + 60}
# KOLADA (kolada/, README "Kolada")
# ------------------------------------------------------------------------------
#: Kolada's open API; no key. The tests point it at a local server.
KOLADA_BASE_URL = env("KOLADA_BASE_URL", default="https://api.kolada.se/v3")
#: Seconds to wait for one answer, how many times a failed request is tried again, and the
#: first pause between tries (doubled each time).
KOLADA_TIMEOUT = env.float("KOLADA_TIMEOUT", default=20.0)
KOLADA_RETRIES = env.int("KOLADA_RETRIES", default=3)
KOLADA_BACKOFF = env.float("KOLADA_BACKOFF", default=5.0)
#: At most this many ids (KPIs, years) in one request, and objects on one page (Kolada's maximum is 5000).
KOLADA_MAX_IDS = env.int("KOLADA_MAX_IDS", default=20)
KOLADA_PER_PAGE = env.int("KOLADA_PER_PAGE", default=5000)
#: How many years before the plan year are fetched once, beside the plan year's value.
KOLADA_EARLIER_YEARS = env.int("KOLADA_EARLIER_YEARS", default=2)
KOLADA_FETCH_HOUR = env.int("KOLADA_FETCH_HOUR", default=0)
KOLADA_FETCH_MINUTE = env.int("KOLADA_FETCH_MINUTE", default=30)

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
        # A build whose worker died is started again within REPORT_BUILD_STALE_AFTER + this.
        "schedule": REPORT_BUILD_RECOVERY_EVERY,
    },
    "deadline-reminders": {
        "task": "followup.tasks.deadline_reminders_task",
        "schedule": crontab(hour=env.int("REMINDER_HOUR", default=7), minute=env.int("REMINDER_MINUTE", default=0)),
    },
    # After midnight, before the nightly builds (2:00), so that they may print what was confirmed.
    "kolada-nightly-fetch": {
        "task": "kolada.tasks.nightly_fetch_task",
        "schedule": crontab(hour=KOLADA_FETCH_HOUR, minute=KOLADA_FETCH_MINUTE),
    },
    "kolada-catalogue-refresh": {
        "task": "kolada.tasks.catalogue_refresh_task",
        "schedule": crontab(day_of_week="sunday", hour=KOLADA_FETCH_HOUR, minute=KOLADA_FETCH_MINUTE),
    },
    "staged-uploads-cleanup": {
        "task": "common.tasks.staged_uploads_cleanup_task",
        "schedule": 15 * 60,
    },
}
# common/ is not an app, so autodiscovery does not find its tasks.
CELERY_IMPORTS = ["common.tasks"]

# NOTIFICATIONS
# ------------------------------------------------------------------------------
#: How far back the digest task looks for committees with new submissions.
DIGEST_LOOKBACK_DAYS = env.int("DIGEST_LOOKBACK_DAYS", default=7)
#: Editors are reminded daily from this many days before a period's deadline.
REMINDER_DAYS_BEFORE_DEADLINE = env.int("REMINDER_DAYS_BEFORE_DEADLINE", default=3)

# ACCESSIBILITY STATEMENT (accessibility/)
# ------------------------------------------------------------------------------
#: Reports of accessibility problems taken from one address (IP, as django-axes reads it)
#: an hour; more are refused with a message, so that a flood cannot fill the admins' mail.
ACCESSIBILITY_REPORTS_PER_HOUR = env.int("ACCESSIBILITY_REPORTS_PER_HOUR", default=5)

# LOGGING
# ------------------------------------------------------------------------------
#: ``json``: one JSON object a line (for a log collector; production's default), or ``plain``
#: text. Each record carries the request's id (X-Request-ID) or the Celery task's (common/logs.py).
LOG_FORMAT = env("LOG_FORMAT", default="plain")


def logging_config(log_format: str) -> dict:
    """``LOGGING`` with the records written as ``log_format`` (``json`` or ``plain``)."""
    from common.logs import formatter_config

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "common.logs.ContextFilter"}},
        "formatters": {"default": formatter_config(log_format)},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "default", "filters": ["context"]}},
        "root": {"level": "INFO", "handlers": ["console"]},
        # django-axes logs every login at INFO; failures and lockouts come at WARNING.
        "loggers": {
            "axes": {"level": "WARNING"},
            # WeasyPrint reports every layout step at INFO.
            "weasyprint": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }


LOGGING = logging_config(LOG_FORMAT)

# MONITORING: health, metrics, errors (README: Health and monitoring)
# ------------------------------------------------------------------------------
#: The bearer token Prometheus sends to read /metrics (``Authorization: Bearer …``). Unset:
#: /metrics answers 404 to everyone.
METRICS_TOKEN = env("METRICS_TOKEN", default="")
#: How long (seconds) /halsa/ waits for a Celery worker to answer its ping.
HEALTH_CELERY_TIMEOUT = env.float("HEALTH_CELERY_TIMEOUT", default=2)
#: Errors go to Sentry (or GlitchTip) at this DSN; nothing is sent while it is unset.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="")  # e.g. production, staging
SENTRY_RELEASE = env("SENTRY_RELEASE", default="")  # e.g. the deployed git commit
#: The share of requests and tasks traced for Sentry's performance view (0: none).
SENTRY_TRACES_SAMPLE_RATE = env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0)


def _sentry() -> None:
    from common.sentry import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=SENTRY_ENVIRONMENT,
        release=SENTRY_RELEASE,
        traces_sample_rate=SENTRY_TRACES_SAMPLE_RATE,
    )


_sentry()
