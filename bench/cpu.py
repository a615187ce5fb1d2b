"""
Server CPU per request of the busiest page types: ``python -m bench.cpu [--profile PAGE]``.

On the synthetic city of ``bench.pages`` plus the demo committee (whose entry page A05 has
five outcomes by sex), requests each page type through Django's WSGI handler in this process
and prints the median CPU time (``time.process_time``: this process only, so other load on
the machine does not count) and the number of queries. With ``--profile PAGE`` it prints
the 30 functions with the most cumulative time of that page instead (cProfile). The
template rendering is not instrumented as in the test suite, so the figures are those of a
production process, less the network and gunicorn.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time
from html.parser import HTMLParser
from urllib.parse import urlencode

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asn.settings.test")
django.setup()

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, teardown_test_environment

from accounts.models import User
from bench.database import throwaway_database
from bench.pages import build_city, submit_half
from commitments.models import Membership

RUNS = int(os.environ.get("BENCH_CPU_RUNS", "30"))


class FormData(HTMLParser):
    """The fields of the page's own form (the one that warns of unsaved changes) as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.inside, self.data, self.textarea = False, {}, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = "data-warn-unsaved" in a
        if not self.inside or "name" not in a or "disabled" in a:
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.data[a["name"]] = a.get("value", "")
        elif tag == "input" and "checked" in a:
            self.data[a["name"]] = a.get("value", "on")
        elif tag == "textarea":
            self.textarea = a["name"]
            self.data[a["name"]] = ""

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.inside = False


def form_data(html: str) -> dict:
    parser = FormData()
    parser.feed(html)
    return parser.data


def pages(samples) -> list[tuple[str, str, str, dict | None]]:
    """(name, username, url, post data or None) of each page type measured."""
    city = samples["period"]
    base = f"/n/{city.plan.committee.slug}/{city.slug}/ataganden/"
    entry = f"{base}{samples['commitment'].code}/{samples['department'].code}/"
    demo_entry = "/n/asn/2019-helar/ataganden/A05/AMA/"
    submitted = samples["submitted"]
    review = f"{base}{submitted.commitment.code}/{submitted.department.code}/"
    many = samples["many_outcomes"]
    many_entry = f"{base}{many.code}/{many.departments.get().code}/"
    return [
        ("list, editor (city, 153 rows of a committee)", samples["editor"].username, base, None),
        ("list, reviewer, to review (city)", samples["reviewer"].username, f"{base}?status=submitted", None),
        ("list, reviewer, all rows (city)", samples["reviewer"].username, base, None),
        ("entry page (city, one indicator)", samples["editor"].username, entry, None),
        ("entry page, reviewer, submitted (city)", samples["reviewer"].username, review, None),
        ("entry page (city, five outcomes)", samples["many_editor"].username, many_entry, None),
        ("save draft (city, five outcomes)", samples["many_editor"].username, many_entry, {}),
        ("entry page (demo A05, five outcomes)", "redaktor", demo_entry, None),
        ("save draft (demo A05, five outcomes)", "redaktor", demo_entry, {}),
        ("entry page, reviewer (demo A05, five outcomes)", "granskare", demo_entry, None),
        ("list, editor (demo)", "redaktor", "/n/asn/2019-helar/ataganden/", None),
    ]


def editor_of(commitment) -> User:
    """A new editor of the department responsible for ``commitment``."""
    department = commitment.departments.get()
    user = User.objects.create(username=f"red-{department.committee.slug}-{department.code}")
    Membership.objects.create(user=user, committee=department.committee, department=department, role="editor")
    return user


def measure(client: Client, url: str, post: dict | None, runs: int, profile: cProfile.Profile | None = None):
    cpu = []
    queries = 0
    for i in range(runs + 3):
        if post is not None:
            data = form_data(client.get(url).content.decode())
            data["comment"] = f"<p>Version {i} av kommentaren.</p>"
            data["action"] = "save"
        start = time.process_time()
        if profile:
            profile.enable()
        with CaptureQueriesContext(connection) as captured:
            response = (
                # Form-encoded, as a browser posts a form without files (the test client's default is multipart).
                client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
                if post is not None
                else client.get(url)
            )
        if profile:
            profile.disable()
        spent = time.process_time() - start
        if response.status_code not in (200, 302):
            raise RuntimeError(f"{url} answered {response.status_code}")
        if i >= 3:  # warm-up excluded
            cpu.append(spent * 1000)
            queries = len(captured.captured_queries)
    return statistics.median(cpu), min(cpu), queries


def main(argv: list[str]) -> int:
    only = argv[argv.index("--profile") + 1] if "--profile" in argv else None
    with throwaway_database():
        samples = build_city()
        samples["submitted"] = submit_half(samples["period"])[0]
        samples["many_editor"] = editor_of(samples["many_outcomes"])
        call_command("load_demo", password="bench-only-password", verbosity=0)
        teardown_test_environment()  # plain template rendering, as in production
        settings.ALLOWED_HOSTS = ["testserver"]
        settings.DEBUG = False
        print(f"{'page':<46} {'CPU ms (median)':>15} {'min':>6} {'queries':>8}")
        for name, username, url, post in pages(samples):
            if only and only not in name:
                continue
            client = Client()
            client.force_login(User.objects.get(username=username))
            profile = cProfile.Profile(time.process_time) if only else None
            median, least, queries = measure(client, url, post, RUNS, profile)
            print(f"{name:<46} {median:>15.1f} {least:>6.1f} {queries:>8}")
            if profile:
                if os.environ.get("BENCH_CPU_PROFILE"):  # a file for pstats or snakeviz
                    profile.dump_stats(os.environ["BENCH_CPU_PROFILE"])
                pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
