"""
gunicorn's configuration in production: ``gunicorn -c asn/gunicorn.conf.py``.

Everything that differs between machines comes from the environment. Settings:
https://docs.gunicorn.org/en/stable/settings.html
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
#: Where it listens: behind the reverse proxy, or 0.0.0.0:8000 in a container.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
#: Synchronous workers, each with a few threads: the pages wait on the database, and the
#: documents are built by Celery, not here.
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 8)))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
#: A request that takes longer is stopped (the plan import of a large file takes seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
#: A worker is replaced after this many requests (with jitter, so not all at once).
max_requests = 2000
max_requests_jitter = 200
# The access log and errors to standard output, the request's time in milliseconds last.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
