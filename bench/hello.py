"""
The floor of the load section of ``make bench``: the least a WSGI app can do, served by the
same gunicorn as the project (``bench.load``), and the CPU header that both carry.

``measured`` tells in an ``X-Bench-CPU-Ms`` header the CPU time that the thread serving the
request spent on it until its headers were sent (for Django's responses, all of it: the page
is rendered before the headers go). ``time.thread_time`` counts this thread only, so the
worker's other threads and waits for the GIL or the database are not in it.
"""

import time

CPU_HEADER = "X-Bench-CPU-Ms"


def measured(app):
    def wrapper(environ, start_response):
        started = time.thread_time()

        def start_response_with_cpu(status, headers, exc_info=None):
            headers.append((CPU_HEADER, f"{(time.thread_time() - started) * 1000:.2f}"))
            return start_response(status, headers, exc_info)

        return app(environ, start_response_with_cpu)

    return wrapper


def hello_world(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"Hello, world\n"]


application = measured(hello_world)
