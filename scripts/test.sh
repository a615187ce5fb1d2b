#!/usr/bin/env bash
# Run the whole test suite against real PostgreSQL, Redis and Chromium.
#
# Servers are found in this order: DATABASE_URL / REDIS_URL if they answer; else the
# standard loopback ports (5432, 6379); else the Debian packages are installed and
# private instances started in a temporary directory, and stopped again on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
started=()
tmp=$(mktemp -d -t asn-test-XXXXXX)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

cleanup() {
  for what in "${started[@]:-}"; do
    case "$what" in
      postgres) as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -m fast -w stop >/dev/null 2>&1 || true ;;
      redis) redis-cli -p 56379 shutdown nosave >/dev/null 2>&1 || true ;;
    esac
  done
  as_root rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT

pg_answers() { $PY -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$1" >/dev/null 2>&1; }
redis_answers() { $PY -c "import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$1" >/dev/null 2>&1; }

# PostgreSQL
if [ -n "${DATABASE_URL:-}" ] && pg_answers "$DATABASE_URL"; then
  echo "PostgreSQL: DATABASE_URL"
elif pg_answers "postgres://postgres@127.0.0.1:5432/postgres"; then
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/asn"
  echo "PostgreSQL: 127.0.0.1:5432"
else
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PG_BIN" ]; then apt_install postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  D="$tmp/pg"
  as_root install -d -o postgres -g postgres -m 700 "$tmp/pg" "$D/data" "$D/sock"
  as_root chmod 755 "$tmp"
  as_root runuser -u postgres -- "$PG_BIN/initdb" -D "$D/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null
  as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 30 \
    -o "-p 55432 -c listen_addresses=127.0.0.1 -k $D/sock" start >/dev/null
  started+=(postgres)
  export DATABASE_URL="postgres://postgres@127.0.0.1:55432/asn"
  echo "PostgreSQL: private instance on 127.0.0.1:55432"
fi

# Redis
if [ -n "${REDIS_URL:-}" ] && redis_answers "$REDIS_URL"; then
  echo "Redis: REDIS_URL"
elif redis_answers "redis://127.0.0.1:6379/0"; then
  export REDIS_URL="redis://127.0.0.1:6379/15"
  echo "Redis: 127.0.0.1:6379"
else
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --port 56379 --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$tmp/redis.pid" --dir "$tmp" >/dev/null
  started+=(redis)
  for _ in $(seq 50); do redis_answers "redis://127.0.0.1:56379/0" && break; sleep 0.1; done
  export REDIS_URL="redis://127.0.0.1:56379/0"
  echo "Redis: private instance on 127.0.0.1:56379"
fi
export CELERY_BROKER_URL="$REDIS_URL" CELERY_RESULT_BACKEND="$REDIS_URL"

# Chromium for the browser tests, msgfmt for the translation check.
command -v chromium >/dev/null || apt_install chromium fonts-liberation2
command -v msgfmt >/dev/null || apt_install gettext

set +e
.venv/bin/pytest -n 2 "$@"
status=$?
set -e
if [ "$status" = 5 ]; then
  echo "pytest collected no tests: that is a failure." >&2
  status=1
fi
exit "$status"
