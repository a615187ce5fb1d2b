"""
Is the web process answering? ``python deploy/healthcheck.py [PATH]``: exit 0 when a GET of PATH
(``/halsa/live/`` by default, the liveness probe) on gunicorn's own address answers 200, else 1 with the reason.

Used by compose's healthcheck (and usable from a monitoring agent on the host). The request
carries the public host name (from SITE_URL, so ALLOWED_HOSTS lets it in) and, when SITE_URL is
https, X-Forwarded-Proto: https as the reverse proxy would (so SECURE_SSL_REDIRECT does not
answer with a redirect). Standard library only: it starts in a fraction of Django's time.
When the health endpoint (/halsa/) exists, give its path instead.
"""

import http.client
import os
import sys
from urllib.parse import urlsplit


def main(path: str = "/halsa/live/") -> int:
    address = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")[0]
    host, _, port = address.rpartition(":")
    if host in ("0.0.0.0", "", "[::]"):  # noqa: S104 (where gunicorn listens, not what we bind)
        host = "127.0.0.1"
    site = urlsplit(os.environ.get("SITE_URL", "http://localhost"))
    headers = {"Host": site.netloc}
    if site.scheme == "https":
        headers["X-Forwarded-Proto"] = "https"
    try:
        connection = http.client.HTTPConnection(host.strip("[]"), int(port), timeout=10)
        connection.request("GET", path, headers=headers)
        status = connection.getresponse().status
    except OSError as error:
        print(f"healthcheck: {address}{path}: {error}", file=sys.stderr)  # noqa: T201
        return 1
    if status != 200:
        print(f"healthcheck: {address}{path} answered {status}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
