"""
The pages show the hostile payloads as text and run none of them: in Chromium, every page
where the texts of ``seed.py`` show (the department's entry, goal follow-up and section
text pages with their histories, the lists, the review and log pages, the report pages, the
introduction, the admin's lists and forms, and the built HTML document) is opened once,
with many payloads on each, and watched for a dialog, a call of ``window.__xss``, a request
that a payload names, a title a payload set, a Content Security Policy violation, and any
element or attribute that a payload brought into the page.
"""

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.urls import reverse

from commitments.models import Commitment, Goal, ReportingPeriod
from indicators.models import Indicator
from reports import services
from reports.models import ReportBuild, ReportKind
from tests.browser.test_department_entry import log_in

from .conftest import MARKER
from .seed import sections_with_payloads, seed_hostile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: What a payload could have brought into the page: handlers, script URLs, live elements, markers outside text.
FIND_INJECTED = r"""
() => {
  const found = [];
  const textAttributes = new Set(["value", "title", "aria-label", "placeholder", "alt", "data-initial", "content"]);
  const urlAttributes = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcset", "background"]);
  const live = new Set(["SCRIPT", "STYLE", "IFRAME", "OBJECT", "EMBED", "META", "BASE", "LINK", "SVG", "MATH",
                        "VIDEO", "AUDIO", "MARQUEE", "FOREIGNOBJECT", "ANIMATE", "SET"]);
  const marker = /xss\d{3}/;
  for (const el of document.querySelectorAll("*")) {
    const tag = el.tagName.toUpperCase();
    for (const attribute of el.attributes) {
      const name = attribute.name.toLowerCase(), value = attribute.value;
      if (name.startsWith("on")) found.push(`<${tag} ${name}="${value.slice(0, 80)}">`);
      if (urlAttributes.has(name) && /^\s*(javascript|vbscript|data:text)/i.test(value))
        found.push(`<${tag} ${name}="${value.slice(0, 80)}">`);
      if (name === "style" && /url\s*\(|expression/i.test(value)) found.push(`<${tag} style="${value.slice(0, 80)}">`);
      if (marker.test(value) && !textAttributes.has(name)) found.push(`<${tag} ${name}="${value.slice(0, 80)}">`);
    }
    if (live.has(tag) && marker.test(el.outerHTML)) found.push(el.outerHTML.slice(0, 120));
  }
  return found;
}
"""
#: What the page shows as text: its visible text and what its form fields hold.
PAGE_TEXT = """
() => document.body.innerText + "\\n" +
  [...document.querySelectorAll("input, textarea")].map(field => field.value).join("\\n")
"""


def squeeze(text: str) -> str:
    return "".join(text.split())


class Watch:
    """Everything a payload could do in the browser, recorded per page."""

    def __init__(self, context, live_server, hit_recorder, payloads):
        self.live_server, self.hit_recorder = live_server, hit_recorder
        self.payload_style_hashes = {
            "sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
            for payload in payloads
            for style in re.findall(r"style=\"([^\"]*)\"", payload.text)
        }
        self.calls, self.dialogs, self.requests, self.csp = [], [], [], []
        context.expose_function("__xss", lambda marker=None: self.calls.append(str(marker)))
        self.page = context.new_page()
        self.page.on("dialog", self._dialog)
        self.page.on("console", self._console)
        self.page.on("request", self._request)
        self.problems: list[str] = []

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _console(self, message):
        text = message.text
        if "Content Security Policy" not in text and "Refused to" not in text:
            return
        # The editor applies an inline style of its own; a payload's style attribute has a hash of its own.
        style = re.search(r"Applying inline style.*?'(sha256-[^']+)'", text)
        if style is None or style[1] in self.payload_style_hashes:
            self.csp.append(text[:200])

    def _request(self, request):
        if MARKER.search(request.url) or request.url.startswith(self.hit_recorder.base):
            self.requests.append(request.url)

    def visit(self, path: str, *, shows: list[str] = ()) -> None:
        """Open ``path``, let it settle, and note what ran, loaded or was brought in, and which texts are missing."""
        response = self.page.goto(path if path.startswith("file:") else self.live_server.url + path)
        assert response is not None, path
        assert path.startswith("file:") or response.ok, f"{path}: {response.status}"
        self.page.wait_for_load_state("networkidle")
        self.page.mouse.move(200, 300)  # hover handlers, if any got in
        self.page.mouse.move(600, 500)
        self.page.wait_for_timeout(50)
        title = self.page.title()
        found = [
            *(f"__xss({c}) called" for c in self.calls),
            *(f"dialog {d!r}" for d in self.dialogs),
            *(f"request to {r}" for r in self.requests),
            *(f"CSP: {c}" for c in self.csp),
            *(["title set to " + title] if MARKER.fullmatch(title.strip()) else []),
            *self.page.evaluate(FIND_INJECTED),
        ]
        text = squeeze(self.page.evaluate(PAGE_TEXT))
        found += [f"not shown as text: {s[:60]!r}" for s in shows if squeeze(s) not in text]
        self.problems += [f"{path}: {problem}" for problem in found]
        self.calls.clear(), self.dialogs.clear(), self.requests.clear(), self.csp.clear()


@pytest.fixture
def seeded(demo, hostile_payloads):
    return seed_hostile(demo, hostile_payloads)


@pytest.fixture
def watch(browser, live_server, hit_recorder, hostile_payloads):
    context = browser.new_context(locale="sv-SE", viewport={"width": 1280, "height": 900})
    yield Watch(context, live_server, hit_recorder, hostile_payloads)
    context.close()


def shown_on(seeded, page: str) -> list[str]:
    """The thread's messages of a row's page, which the page always shows, in plain text."""
    return [p.payload.text for p in seeded.plain("thread message") if p.page == page]


def test_the_department_pages_show_the_payloads_as_text_and_run_none(seeded, watch, hit_recorder):
    log_in(watch.page, watch.live_server, "redaktor")
    watch.visit("/")
    watch.visit("/n/asn/2019-helar/ataganden/")
    for page in seeded.entry_pages:
        if "/AMA/" in page:
            watch.visit(page, shows=shown_on(seeded, page))
            watch.visit(page + "historik/")
    watch.visit("/n/asn/2024-helar/bidrag/")
    for page in seeded.contribution_pages:
        if "/AMA/" in page:
            watch.visit(page, shows=shown_on(seeded, page))
            watch.visit(page + "historik/")
    watch.visit("/n/asn/2024-helar/rapport/texter/")
    assert watch.problems == []
    assert hit_recorder.markers() == set()


def test_the_review_pages_show_the_payloads_as_text_and_run_none(seeded, watch, hit_recorder):
    log_in(watch.page, watch.live_server, "granskare")
    for path in ("/n/asn/2019-helar/ataganden/", "/n/asn/2019-helar/ataganden/?status=submitted",
                 "/n/asn/2019-helar/ataganden/?status=returned",
                 "/n/asn/2019-jan-aug/ataganden/", "/n/asn/logg/"):  # fmt: skip
        watch.visit(path)
    for page in seeded.entry_pages:
        if "/AMA/" not in page:
            watch.visit(page, shows=shown_on(seeded, page))
            watch.visit(page + "historik/")
    for page in seeded.contribution_pages:
        if "/AMA/" not in page:
            watch.visit(page, shows=shown_on(seeded, page))
    for page in seeded.section_text_pages:
        watch.visit(page, shows=shown_on(seeded, page))
    reopened = {p.page for p in seeded.plain("reopen reason") if "/2019-jan-aug/" in p.page}
    for page in sorted(reopened):
        watch.visit(page, shows=shown_on(seeded, page))
    assert watch.problems == []
    assert hit_recorder.markers() == set()


def test_the_report_admin_and_document_pages_show_the_payloads_as_text_and_run_none(
    seeded, watch, hit_recorder, committee_admin
):
    helar = ReportingPeriod.objects.get(plan__committee__slug="asn", slug="2019-helar")
    build = services.build_request(
        period=helar, kind=ReportKind.FOLLOW_UP, trigger=ReportBuild.Trigger.MANUAL, user=committee_admin, draft=True
    )  # the task runs at once (Celery eager, the transaction committed)
    build.refresh_from_db()
    assert build.status == "done", build.error
    log_in(watch.page, watch.live_server, "admin")
    introduction = seeded.plain("report occasion")[0].payload.text
    watch.visit("/n/asn/2019-helar/rapport/inledning/", shows=[introduction])
    watch.visit("/n/asn/2019-helar/rapport/byggen/")
    watch.visit("/n/asn/2019-helar/status/")
    # The built document as a reader opens the downloaded file: without the site's CSP to stop anything.
    watch.visit(Path(build.html.path).as_uri(), shows=[p.payload.text for p in seeded.plain("commitment text")][:5])
    for period in ("2019-helar", "2024-helar"):
        watch.visit(f"/n/asn/{period}/rapport/")
        for link in watch.page.locator("main a[href*='/rapport/']").evaluate_all("links => links.map(a => a.href)"):
            if re.search(r"/rapport/\d+/$", link):
                watch.visit(link.removeprefix(watch.live_server.url))
    for section in sections_with_payloads(seeded)[:3]:
        watch.visit(reverse("admin:reports_reportsection_change", args=[section.pk]))
    goals = Goal.objects.filter(text__regex=MARKER.pattern)
    commitments = Commitment.objects.filter(text__regex=MARKER.pattern)
    indicators = Indicator.objects.filter(name__regex=MARKER.pattern)
    for name in ("commitments_goal", "commitments_commitment", "commitments_goalarea", "commitments_department",
                 "commitments_committee", "indicators_indicator",
                 "reports_reportsection"):  # fmt: skip
        watch.visit(reverse(f"admin:{name}_changelist") + "?all=")
    for model, objects in (("commitments_goal", goals), ("commitments_commitment", commitments),
                           ("indicators_indicator", indicators)):  # fmt: skip
        for obj in objects[:2]:
            watch.visit(reverse(f"admin:{model}_change", args=[obj.pk]))
    assert watch.problems == []
    assert hit_recorder.markers() == set()
