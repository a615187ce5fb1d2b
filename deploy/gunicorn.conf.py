"""
gunicorn's configuration in production: ``gunicorn -c deploy/gunicorn.conf.py`` (what
``deploy/entrypoint.sh web`` runs, in the container and under systemd alike).

Everything that differs between machines comes from the environment (``GUNICORN_*``, see
``.env.example``). Settings: https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os

import gunicorn
import gunicorn.http.wsgi

# The Server header names no software and no version. gunicorn (27.0) has no setting for it:
# each response writes ``gunicorn.http.wsgi.SERVER``, which that module copies from
# ``gunicorn.SERVER`` when it is first imported. Setting only ``gunicorn.SERVER`` works as
# long as nothing imported ``gunicorn.http.wsgi`` before this file is read, so both are set.
# This file is read in the master, before it forks its workers, which inherit the change.
SERVER_HEADER = "webserver"
gunicorn.SERVER = SERVER_HEADER
gunicorn.http.wsgi.SERVER = SERVER_HEADER

wsgi_app = "asn.wsgi:application"
#: Where it listens: behind the reverse proxy (127.0.0.1:8000), or 0.0.0.0:8000 in a container.
#: Several addresses separated by commas. Under systemd socket activation (asn-web.socket)
#: gunicorn takes the socket systemd hands it and ignores this.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
#: Synchronous workers, each with a few threads: the pages wait on the database, and the
#: documents are built by Celery, not here.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
#: A request that takes longer is stopped (the plan import of a large file takes seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
#: On SIGTERM (a restart, a new container) requests under way get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 30))
#: Seconds an idle keep-alive connection from the reverse proxy stays open.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
#: A worker is replaced after this many requests, plus up to the jitter so that they are not
#: all replaced at once: whatever memory a worker gathers over time is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", 200))
#: The addresses whose X-Forwarded-* headers gunicorn believes (the reverse proxy's). In
#: compose the proxy is another container, so set it to its address or network there.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
#: The workers' heartbeat files in memory, not on the container's overlay disk, where a slow
#: write could make the master think a worker hangs (gunicorn's advice for Docker).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (memory, not a shared temp dir)
#: gunicorn 25+ opens a control socket under $HOME or $XDG_RUNTIME_DIR for ``gunicornc``. It is
#: not used here, and a read-only or missing home (container, ProtectHome=) would refuse it.
control_socket_disable = True
#: The access log and errors to standard output (the container's log, or the journal under
#: systemd), the request's time in milliseconds last.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
#: The process name in ps/top: asn-web (with setproctitle installed; harmless without it).
proc_name = "asn-web"


# MONITORING: with PROMETHEUS_MULTIPROC_DIR (README: Health and monitoring) each worker writes its
# metrics to files there; a worker that ended must be marked dead, or its gauges stay.
def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
