"""
The simulated users of the load section of ``make bench`` (``bench.load`` runs this file as a
script, with locust as a library), and the hello-world users of its floor.

Editors of several committees log in once and loop: their department's list of commitments →
an entry page → save a draft (the entry form as the browser posts it: its CSRF token, the
version it read, a new comment) → the entry page again (the browser follows the redirect).
Reviewers log in once and loop: the review list (the committee's list filtered on
"submitted") → a submitted entry's page. Each step waits 0.5–1.5 s, as a person reads.
The entry pages with five outcomes by sex (``bench.pages.MANY_OUTCOMES``: about a third of
D1's editors' pages, an eighth of all) and their saves are counted apart, as
"entry page (5 outcomes)" and "save draft (5 outcomes)".

The server is production's (``asn.settings.prod``) behind a TLS-terminating proxy, as it runs:
the users send ``X-Forwarded-Proto: https`` (``SECURE_PROXY_SSL_HEADER``) and the Origin and
Referer a browser sends to https, and their cookie jar sends the Secure cookies over the
proxy's plain hop. The accounts (``BENCH_LOAD_ACCOUNTS``, a JSON file that ``bench.load``
writes) are distinct per simulated user until they run out; then they are shared, and a save
that meets another's newer version gets the honest conflict answer (409), which is counted as
"save draft (conflict)", not as a failure.

Each response of the measured servers carries ``X-Bench-CPU-Ms``, the CPU time the serving
thread spent on it (``bench.wsgi``); the run sums it by page type.

Run: ``python bench/locustfile.py PLAN.json RESULT.json`` (see ``bench.load``).
"""

import itertools
import json
import os
import random
import re
import sys
import time
from collections import defaultdict

from locust import HttpUser, between, events, task

# lxml (already a dependency, for python-docx) reads the entry form as a browser would.
import lxml.html  # isort: skip

THINK = between(0.5, 1.5)
CPU_HEADER = "X-Bench-CPU-Ms"
ENTRY_LINK = re.compile(r'href="(/n/[^"/]+/[^"/]+/ataganden/[^"/]+/([^"/]+)/)"')
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _accounts() -> dict:
    path = os.environ.get("BENCH_LOAD_ACCOUNTS")
    if not path:
        return {"password": "", "editors": [], "reviewers": []}
    with open(path) as file:
        return json.load(file)


ACCOUNTS = _accounts()
#: The entry pages with five outcomes by sex (``bench.pages.MANY_OUTCOMES``), counted apart.
MANY_OUTCOMES = set(ACCOUNTS.get("many_outcomes", []))
_next_editor = itertools.cycle(ACCOUNTS["editors"] or [None])
_next_reviewer = itertools.cycle(ACCOUNTS["reviewers"] or [None])
#: Simulated users who have tried to log in (the run waits for all of them before it measures).
logged_in = 0


def browser_values(form) -> list[tuple[str, str]]:
    """What a browser sends of a form, its buttons aside (lxml's ``form_values`` sends "on" for a radio valued "")."""
    values = []
    for field in form.inputs:
        name, tag, kind = field.get("name"), field.tag, (field.get("type") or "text").lower()
        if not name or field.get("disabled") is not None:
            continue
        if tag == "input" and kind in ("submit", "button", "image", "reset", "file"):
            continue
        if tag == "input" and kind in ("radio", "checkbox"):
            if field.get("checked") is not None:
                values.append((name, field.get("value", "on")))
        elif tag == "select":
            chosen = field.xpath(".//option[@selected]") or field.xpath(".//option")[:1]
            values += [(name, o.get("value", o.text_content())) for o in chosen]
        else:
            values.append((name, field.value or ""))
    return values


class BrowserUser(HttpUser):
    abstract = True
    wait_time = THINK

    #: The accounts this kind of user takes in turn (a cycle over the plan's list).
    accounts = itertools.cycle([None])

    def on_start(self):
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        self.client.headers.update({"X-Forwarded-Proto": "https", "User-Agent": "asn-bench-load"})
        self.account = next(self.accounts)
        self.ok = self.account is not None and self.log_in(self.account["username"])

    def behind_the_proxy(self) -> None:
        """
        Send the Secure cookies on the plain loopback hop: the proxy in front would have received
        them over https. (requests copies the jar for each request, so a cookie policy would not do.)
        """
        for cookie in self.client.cookies:
            cookie.secure = False

    def page(self, path: str, name: str) -> str | None:
        """GET a page as a browser would; a login page or an error instead of it is a failure."""
        self.behind_the_proxy()
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                # 0: no answer at all (the connection dropped, e.g. a worker stopped at its timeout).
                response.failure(f"{response.status_code} {response.error or ''}".strip())
                return None
            if "/login/" in response.url and "/login/" not in path:
                response.failure("logged out")
                return None
            return response.text

    def post(self, path: str, data, name: str, referer: str):
        headers = {"Origin": self.origin, "Referer": self.origin + referer}
        self.behind_the_proxy()
        return self.client.post(
            path, data=data, headers=headers, name=name, allow_redirects=False, catch_response=True
        )

    def log_in(self, username: str) -> bool:
        global logged_in
        try:
            html = self.page("/login/", "log in")
            token = CSRF_INPUT.search(html or "")
            if not token:
                return False
            data = {"csrfmiddlewaretoken": token.group(1), "username": username, "password": ACCOUNTS["password"]}
            with self.post("/login/", data, "log in", "/login/") as response:
                if response.status_code != 302 or "/login/" in response.headers.get("Location", ""):
                    response.failure(f"login of {username} answered {response.status_code}")
                    return False
            return True
        finally:
            logged_in += 1


class Editor(BrowserUser):
    """An editor of one department: list → entry page → save a draft."""

    weight = 3

    accounts = _next_editor

    @task
    def loop(self):
        if not self.ok:
            self.wait()
            return
        html = self.page(self.account["list"], "editor list")
        links = [url for url, department in ENTRY_LINK.findall(html or "") if department == self.account["department"]]
        if not links:
            return
        url = random.choice(links)  # noqa: S311 (not a secret)
        self.wait()
        html = self.page(url, self.entry_page(url))
        if html is None:
            return
        self.wait()
        self.save_draft(url, html)

    @staticmethod
    def entry_page(url: str) -> str:
        return "entry page (5 outcomes)" if url in MANY_OUTCOMES else "entry page (editor)"

    def save_draft(self, url: str, html: str) -> None:
        doc = lxml.html.fromstring(html)
        form = next((f for f in doc.forms if "version" in f.inputs), None)
        save = form is not None and form.xpath(".//button[@name='action'][@value='save']")
        if not save:
            return  # not writable now (submitted or approved): the page has no form
        values = [(k, v) for k, v in browser_values(form) if k != "comment"]
        stamp = time.strftime("%H:%M:%S")
        values += [("comment", f"<p>Arbetet går enligt plan ({stamp}). {'Vi följer upp varje månad. ' * 20}</p>")]
        values += [("action", "save")]
        name = "save draft (5 outcomes)" if url in MANY_OUTCOMES else "save draft"
        with self.post(url, values, name, url) as response:
            if response.status_code == 409:
                response.request_meta["name"] = "save draft (conflict)"
                response.success()
                return
            if response.status_code != 302:
                # The error summary says why (a form this file posts wrongly, or a bug).
                summary = lxml.html.fromstring(response.text).xpath("//*[@id='error-summary-heading']/..//li")
                response.failure(f"{response.status_code} {' '.join(li.text_content() for li in summary)}".strip())
                return
        self.page(url, self.entry_page(url))


class Reviewer(BrowserUser):
    """A reviewer of one committee: the list of submitted entries → one of them."""

    weight = 1

    accounts = _next_reviewer

    @task
    def loop(self):
        if not self.ok:
            self.wait()
            return
        html = self.page(self.account["list"] + "?status=submitted", "review list")
        links = [url for url, _ in ENTRY_LINK.findall(html or "")]
        if not links:
            return
        self.wait()
        self.page(random.choice(links), "entry page (reviewer)")  # noqa: S311 (not a secret)


class Hello(BrowserUser):
    """The floor: the same think time against a hello-world WSGI app on the same gunicorn."""

    @task
    def hello(self):
        self.page("/", "hello world")


# The driver: locust as a library, one step after the other
# ------------------------------------------------------------------------------
TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat") as file:
            return file.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def gunicorn_cpu(master: int) -> float:
    """CPU seconds of a gunicorn master and its workers; a replaced worker's time is in the master's cutime/cstime."""
    total = 0.0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        fields = _stat(int(name))
        if fields and (int(name) == master or int(fields[1]) == master):
            total += sum(int(x) for x in fields[11:15]) / TICKS
    return total


def database_cpu_spent(before: dict[int, float], after: dict[int, float]) -> float:
    """
    CPU seconds the backends spent between two ``database_cpu`` readings: each backend's
    growth, a new one's whole time. Those that ended meanwhile are lost (an undercount), and a
    new process that took an ended one's pid counts from its start, never negatively.
    """
    spent = 0.0
    for pid, seconds in after.items():
        earlier = before.get(pid)
        spent += seconds - earlier if earlier is not None and seconds >= earlier else seconds
    return spent


def database_cpu(database: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend connected to ``database``, by pid."""
    needle = f" {database} ".encode()
    total = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as file:
                title = file.read()
        except OSError:
            continue
        if title.startswith(b"postgres: ") and needle in title:
            fields = _stat(int(name))
            if fields:
                total[int(name)] = sum(int(x) for x in fields[11:13]) / TICKS
    return total


def run(plan: dict) -> list[dict]:
    import gevent
    from locust.env import Environment

    cpu_by_name = defaultdict(list)

    def on_request(name, response=None, **kwargs):
        value = response.headers.get(CPU_HEADER) if response is not None else None
        if value is not None:
            cpu_by_name[name].append(float(value))

    events.request.add_listener(on_request)
    results = []
    for server in plan["servers"]:
        classes = [Hello] if server["kind"] == "floor" else [Editor, Reviewer]
        env = Environment(user_classes=classes, host=server["host"], events=events)
        runner = env.create_local_runner()
        previous = 0
        for users in plan["users"]:
            before = logged_in
            runner.start(users, spawn_rate=max(users, 10))
            # On a machine too busy to log everyone in within this, the step is measured anyway, and says so.
            deadline = time.monotonic() + plan.get("login_seconds", 60)
            while runner.user_count < users and time.monotonic() < deadline:
                gevent.sleep(0.2)
            if server["kind"] == "app":
                # Wait for every new user's login (PBKDF2 on the server), then warm up.
                while logged_in - before < users - previous and time.monotonic() < deadline:
                    gevent.sleep(0.2)
            pending = users - previous - (logged_in - before) if server["kind"] == "app" else 0
            gevent.sleep(plan["warmup"])
            # Failures before the measured window (logins, warm-up) are told too, not only counted.
            before_window = [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in env.stats.errors.values()]
            env.stats.reset_all()
            cpu_by_name.clear()
            started = time.monotonic()
            app0 = gunicorn_cpu(server["pid"])
            db0 = database_cpu(plan["database"]) if server["kind"] == "app" else {}
            gevent.sleep(plan["seconds"])
            app1 = gunicorn_cpu(server["pid"])
            db1 = database_cpu(plan["database"]) if server["kind"] == "app" else {}
            elapsed = time.monotonic() - started
            rows = []
            for (name, _method), entry in sorted(env.stats.entries.items()):
                rows.append({
                    "page": name,
                    "requests": entry.num_requests,
                    "failures": entry.num_failures,
                    "p50": entry.get_response_time_percentile(0.5) if entry.num_requests else None,
                    "p95": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
                    "cpu_ms": sum(cpu_by_name[name]) / len(cpu_by_name[name]) if cpu_by_name[name] else None,
                })  # fmt: skip
            total = env.stats.total
            results.append({
                "kind": server["kind"],
                "users": users,
                "seconds": elapsed,
                "rows": rows,
                "requests": total.num_requests,
                "failures": total.num_failures,
                "p50": total.get_response_time_percentile(0.5) if total.num_requests else None,
                "p95": total.get_response_time_percentile(0.95) if total.num_requests else None,
                "server_cpu_s": app1 - app0,
                "db_cpu_s": database_cpu_spent(db0, db1) if server["kind"] == "app" else 0.0,
                "errors": [f"{e.method} {e.name}: {e.error} ×{e.occurrences}" for e in env.stats.errors.values()],
                "errors_before": before_window,
                "pending_logins": pending,
            })  # fmt: skip
            previous = users
        runner.quit()
    return results


def main(argv: list[str]) -> int:
    with open(argv[1]) as file:
        plan = json.load(file)
    results = run(plan)
    with open(argv[2], "w") as file:
        json.dump(results, file)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
