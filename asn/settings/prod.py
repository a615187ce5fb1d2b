"""Production: every secret and address comes from the environment, with no default."""

from .base import *  # noqa: F403
from .base import REDIS_CACHE, cache_config, database, env, logging_config

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
# DEPLOYMENT (rotating the secret key; README "Deployment"): the previous keys, comma-separated.
# Logins (sessions) and other signed values made with one of them stay valid while it is
# listed here; new ones are signed with SECRET_KEY. Empty once every old session has expired.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key-fallbacks
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
#: The address of the site as people reach it, for the links in e-mails (e.g. https://uppfoljning.example.se).
SITE_URL = env("SITE_URL")
DATABASES = {"default": database(env("DATABASE_URL"))}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = False
# SEVERAL MACHINES: one cache for every web process and worker (see base.py), Redis by default.
CACHES = {"default": cache_config(env("CACHE_URL", default=REDIS_URL))}
# SPEED: a request reads its session from the shared cache, not from the database (one query
# less a request); it is still written through to the database. Only with a shared cache:
# with each process's own memory, a session ended in one process would live on in another's.
# https://docs.djangoproject.com/en/5.2/topics/http/sessions/#using-cached-sessions
if CACHES["default"]["BACKEND"] == REDIS_CACHE:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# SECURITY: https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_REFERRER_POLICY = "same-origin"

# Behind a reverse proxy, django-axes must see the client's address, not the proxy's, or a
# lockout would hit everyone: set AXES_IPWARE_PROXY_COUNT to the number of proxies in front.
# Without it only REMOTE_ADDR is trusted, so clients cannot spoof X-Forwarded-For.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=0) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# DEPLOYMENT: the SMTP relay the e-mails go through (digests, reminders, returned entries);
# Django's defaults are localhost:25 without login, which a container does not have.
# https://docs.djangoproject.com/en/5.2/ref/settings/#email-host
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
#: STARTTLS on a plain port (587); EMAIL_USE_SSL for implicit TLS (465). Not both.
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
#: Seconds before a silent relay fails the sending task instead of holding a worker for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# MONITORING: one JSON object a log line in production, for the log collector (README: Health and monitoring).
LOG_FORMAT = env("LOG_FORMAT", default="json")
LOGGING = logging_config(LOG_FORMAT)
# The probes (/halsa/, /halsa/live/, /metrics) are answered before SecurityMiddleware, so they
# are not redirected to HTTPS: the load balancer may probe over plain HTTP (common/health.py).
