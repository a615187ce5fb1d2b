# Sourced by test.sh and bench.sh: find or start PostgreSQL and Redis, export
# DATABASE_URL, REDIS_URL and the Celery URLs, and stop what was started on exit.
#
# Servers are found in this order: DATABASE_URL / REDIS_URL if they answer; else the
# standard loopback ports (5432, 6379); else the Debian packages are installed and
# private instances started on free loopback ports in a temporary directory, and stopped
# again on exit, also when the tests fail or the run is interrupted.
PY=.venv/bin/python
tmp=$(mktemp -d -t asn-test-XXXXXX)
pg_started= redis_pid= child_pid=

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

cleanup() {
  [ -z "$child_pid" ] || kill -TERM -- "-$child_pid" 2>/dev/null || kill -TERM "$child_pid" 2>/dev/null || true
  [ -z "$pg_started" ] || as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$tmp/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  [ -z "$redis_pid" ] || kill "$redis_pid" 2>/dev/null || true
  as_root rm -rf "$tmp" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { $PY -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"; }
pg_answers() { $PY -c "import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$1" >/dev/null 2>&1; }
redis_answers() { $PY -c "import sys, redis; redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()" "$1" >/dev/null 2>&1; }

# PostgreSQL
if [ -n "${DATABASE_URL:-}" ] && pg_answers "$DATABASE_URL"; then
  echo "PostgreSQL: DATABASE_URL"
elif pg_answers "postgres://postgres@127.0.0.1:5432/postgres"; then
  # A name of this run's own, so that two runs on one server keep to their own test databases.
  export DATABASE_URL="postgres://postgres@127.0.0.1:5432/asn_$$"
  echo "PostgreSQL: 127.0.0.1:5432"
else
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$PG_BIN" ]; then apt_install postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  D="$tmp/pg" port=$(free_port)
  as_root chmod 755 "$tmp"
  as_root install -d -o postgres -g postgres -m 700 "$D" "$D/data" "$D/sock"
  as_root runuser -u postgres -- "$PG_BIN/initdb" -D "$D/data" -U postgres -E UTF8 --locale=C.UTF-8 --auth=trust >/dev/null
  pg_started=1
  as_root runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$D/data" -l "$D/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -k '$D/sock'" start >/dev/null
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/asn"
  echo "PostgreSQL: private instance on 127.0.0.1:$port"
fi

# Redis
if [ -n "${REDIS_URL:-}" ] && redis_answers "$REDIS_URL"; then
  echo "Redis: REDIS_URL"
elif redis_answers "redis://127.0.0.1:6379/0"; then
  export REDIS_URL="redis://127.0.0.1:6379/15"
  echo "Redis: 127.0.0.1:6379"
else
  command -v redis-server >/dev/null || apt_install redis-server
  port=$(free_port)
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$tmp/redis.pid" --dir "$tmp" >/dev/null
  for _ in $(seq 100); do [ -s "$tmp/redis.pid" ] && redis_answers "redis://127.0.0.1:$port/0" && break; sleep 0.1; done
  redis_pid=$(cat "$tmp/redis.pid" 2>/dev/null || true)
  [ -n "$redis_pid" ] || { echo "Redis did not start on port $port." >&2; exit 1; }
  export REDIS_URL="redis://127.0.0.1:$port/0"
  echo "Redis: private instance on 127.0.0.1:$port"
fi
export CELERY_BROKER_URL="$REDIS_URL" CELERY_RESULT_BACKEND="$REDIS_URL"

