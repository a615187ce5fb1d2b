# ASN uppföljning: one image for every process (web, worker, beat, migrate, manage), chosen by
# the command given to deploy/entrypoint.sh. Build: docker build -t asn-uppfoljning .
# See README "Deployment".
FROM python:3.11-slim-bookworm

# WeasyPrint's libraries (pango, harfbuzz's subsetter) and the fonts the documents are set in,
# the same Debian packages scripts/test.sh installs for the tests.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/*

# The user the processes run as: no login, no home of its own, owns nothing but the media folder.
RUN groupadd --system --gid 10001 asn \
 && useradd --system --uid 10001 --gid asn --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin asn

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# The dependencies first, in a layer of their own that a change to the code does not rebuild.
RUN python -m venv /opt/venv
COPY requirements/ /app/requirements/
RUN pip install -r /app/requirements/prod.txt

WORKDIR /app
# The code belongs to root and is read-only to the processes. The compiled translations
# (locale/*/LC_MESSAGES/django.mo) are committed, so no compilemessages step.
COPY . /app

# Static files, hashed and compressed, built into the image with the production settings.
# collectstatic reads neither the database nor Redis, but asn.settings.prod requires these
# variables to be set: they get placeholder values in this one step only (they are not in
# the image's environment, and no real secret is needed to build the image).
RUN SECRET_KEY=collectstatic-only-not-a-secret \
    ALLOWED_HOSTS=localhost \
    SITE_URL=https://localhost \
    DATABASE_URL=postgres://collectstatic@localhost/unused \
    REDIS_URL=redis://localhost:6379/0 \
    DJANGO_SETTINGS_MODULE=asn.settings.prod \
    python manage.py collectstatic --noinput --verbosity 1 \
 && install -d -o asn -g asn -m 0750 /data/media

ENV DJANGO_SETTINGS_MODULE=asn.settings.prod \
    MEDIA_ROOT=/data/media \
    GUNICORN_BIND=0.0.0.0:8000 \
    MPLCONFIGDIR=/tmp/matplotlib \
    XDG_CACHE_HOME=/tmp/.cache \
    CELERY_BEAT_SCHEDULE_FILE=/tmp/celerybeat-schedule

USER asn:asn
VOLUME ["/data/media"]
EXPOSE 8000
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
