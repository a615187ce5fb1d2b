#!/bin/sh
# Start one of ASN uppföljning's processes: the container's ENTRYPOINT, and what the systemd
# units in deploy/systemd/ run. Usage: entrypoint.sh SUBCOMMAND [ARGUMENTS...]
#
#   web        gunicorn with deploy/gunicorn.conf.py (GUNICORN_* from the environment)
#   worker     a Celery worker: report builds, e-mail, imports (CELERY_WORKER_CONCURRENCY)
#   beat       Celery beat, the schedule (exactly one, ever; CELERY_BEAT_SCHEDULE_FILE)
#   migrate    apply the database migrations, then exit (never done by the others)
#   manage     any manage.py command, e.g. `manage createsuperuser`, `manage check --deploy`
#   help       this text
#
# Nothing here migrates implicitly: migrations are a step of their own (`migrate`), run once
# per release before the new processes start, so that two containers starting at once never
# race on the schema and a failed migration stops the release instead of a web process.
#
# Settings come from the environment only (see .env.example). The Django settings module is
# production's unless DJANGO_SETTINGS_MODULE names another. `python` is the first on PATH
# (the image's virtualenv, or the one the systemd units put on PATH).
set -eu

cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-asn.settings.prod}"

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
}

command="${1:-}"
[ $# -gt 0 ] && shift

case "$command" in
  web)
    exec python -m gunicorn -c deploy/gunicorn.conf.py "$@"
    ;;
  worker)
    exec python -m celery -A asn worker \
      --loglevel="${CELERY_LOGLEVEL:-INFO}" \
      --concurrency="${CELERY_WORKER_CONCURRENCY:-2}" \
      --max-tasks-per-child="${CELERY_WORKER_MAX_TASKS_PER_CHILD:-100}" \
      "$@"
    ;;
  beat)
    exec python -m celery -A asn beat \
      --loglevel="${CELERY_LOGLEVEL:-INFO}" \
      --schedule="${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" \
      "$@"
    ;;
  migrate)
    exec python manage.py migrate --noinput "$@"
    ;;
  manage)
    if [ $# -eq 0 ]; then
      echo "entrypoint.sh: manage needs a command, e.g. 'manage check --deploy'." >&2
      exit 64
    fi
    exec python manage.py "$@"
    ;;
  help | -h | --help)
    usage
    ;;
  "")
    echo "entrypoint.sh: no subcommand given." >&2
    usage >&2
    exit 64
    ;;
  *)
    echo "entrypoint.sh: unknown subcommand '$command'." >&2
    usage >&2
    exit 64
    ;;
esac
