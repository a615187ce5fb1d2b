"""Report builds in this process (Celery eager): the current-build rule, the hash, retries, the pages."""

import re
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from commitments.models import ProgressEntry, ReportingPeriod
from commitments.services import progress_entry_save
from commitments.workflow import reviewable_transition
from reports import services
from reports.assembly import follow_up_document
from reports.diff import build_changes
from reports.models import ReportBuild, ReportDefinition, ReportKind
from reports.selectors import current_build

pytestmark = pytest.mark.django_db

KIND = ReportKind.FOLLOW_UP


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


def build_now(period, *, capture, user=None, draft=False) -> ReportBuild:
    """Request a build and run its task (eager) when the request's transaction commits."""
    with capture(execute=True):
        build = services.build_request(
            period=period, kind=KIND, draft=draft, trigger=ReportBuild.Trigger.MANUAL, user=user
        )
    build.refresh_from_db()
    return build


def rewrite_entry(period, code, comment, *, reviewer) -> ProgressEntry:
    """Reopen an approved entry, let its department's editor rewrite it, submit and approve it again."""
    entry = ProgressEntry.objects.get(period=period, commitment__code=code)
    entry = reviewable_transition(obj=entry, action="reopen", user=reviewer, reason="Komplettera")
    editor = User.objects.get(memberships__department=entry.department, memberships__role="editor")
    entry = progress_entry_save(
        entry=entry, user=editor, comment=comment, assessment=entry.assessment, expected_version=entry.version
    )
    entry = reviewable_transition(obj=entry, action="submit", user=editor)
    return reviewable_transition(obj=entry, action="approve", user=reviewer)


def test_a_build_stores_every_format_and_becomes_current(jan_aug, committee_admin, django_capture_on_commit_callbacks):
    build = build_now(jan_aug, capture=django_capture_on_commit_callbacks, user=committee_admin)
    assert (build.status, build.progress, build.attempts) == ("done", 100, 1)
    assert build.requested_by == committee_admin
    assert build.trigger == "manual"
    assert build.started_at <= build.finished_at
    assert len(build.content_hash) == 64
    assert build.content["title"].startswith("Uppföljning av åtaganden")
    for field, magic in (("html", b"<!DOCTYPE html>"), ("docx", b"PK"), ("pdf", b"%PDF")):
        name = getattr(build, field).name
        assert name.startswith(f"reports/asn/2019-jan-aug/ataganden/{build.pk}/")
        with default_storage.open(name) as file:
            assert file.read(20).startswith(magic)
    assert current_build(period=jan_aug, kind=KIND) == build


def test_nothing_changed_means_no_new_build(jan_aug, django_capture_on_commit_callbacks):
    first = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    second = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    assert second.status == "unchanged"
    assert not second.pdf
    assert second.content is None
    assert current_build(period=jan_aug, kind=KIND) == first


def test_an_approved_change_makes_a_new_current_build_and_the_changes_name_it(
    jan_aug, reviewer, django_capture_on_commit_callbacks
):
    first = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    rewrite_entry(jan_aug, "A05", "<p>Helt ny text om ungdomarna.</p>", reviewer=reviewer)
    second = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    assert second.status == "done"
    assert second.content_hash != first.content_hash
    assert current_build(period=jan_aug, kind=KIND) == second
    changes = build_changes(first.content, second.content)
    assert len(changes) == 1
    (change,) = changes
    assert change.kind == "changed"
    assert change.section.startswith("5 Fler ungdomar")
    assert "A05" not in change.what
    assert "(Arbetsmarknadsavdelningen)" in change.what
    assert change.text.startswith(
        '<del><span class="visually-hidden">borttaget: </span>Inom ramen för Ung Malmö bedrivs samverkan'
    )
    kept_and_added = re.sub(r'<del>.*?</del>|</?ins>|<span class="visually-hidden">tillagt: </span>', "", change.text)
    assert kept_and_added == "Helt ny text om ungdomarna."


def test_the_changes_list_figures_and_removed_entries():
    def document(outcome, entries):
        return {
            "sections": [
                {
                    "number": "2", "heading": "Mål", "subsections": [],
                    "blocks": [
                        {"type": "CommitmentTable", "rows": [
                            {"code": c, "text": f"Åtagande {c}", "department": "Avd", "assessment": None,
                             "comment": {"html": "<p>x</p>"}} for c in entries
                        ]},
                        {"type": "IndicatorTable", "rows": [
                            {"code": "I1", "name": "Andel", "department": "Avd", "outcome": outcome,
                             "comment": [{"type": "RichText", "html": ""}]}
                        ]},
                    ],
                }
            ]
        }  # fmt: skip

    changes = build_changes(document("18 %", ["A1", "A2"]), document("19 %", ["A1"]))
    assert [(c.kind, c.what) for c in changes] == [
        ("changed", "Indikator Andel (Avd)"), ("removed", "Åtagande Åtagande A2 (Avd)")
    ]  # fmt: skip
    assert changes[0].details == [("Utfall", "18 %", "19 %")]


def broken(fmt: str, error: BaseException):
    """A renderer that fails on ``fmt``: a fault injected into our own code."""
    real_render = services.render

    def render(document, name):
        if name == fmt:
            raise error
        return real_render(document, name)

    return render


def test_a_failed_build_leaves_the_current_one_and_waits_for_its_retry_in_the_queue(
    jan_aug, reviewer, committee_admin, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    first = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    rewrite_entry(jan_aug, "A05", "<p>Ändrad.</p>", reviewer=reviewer)
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    monkeypatch.setattr(services, "render", broken("pdf", OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        services.build_run(build_id=build.pk, task_id="task-1")
    build.refresh_from_db()
    # Back in the queue for its retry: still the report's one build under way, no files.
    # A fault of the server: the page says so, the log has the rest.
    assert (build.status, bool(build.pdf)) == ("queued", False)
    assert build.error == (
        "Försök 1 misslyckades på grund av ett fel på servern (OSError). Driften hittar detaljerna i loggen."
    )
    assert current_build(period=jan_aug, kind=KIND) == first
    assert services.build_request(period=jan_aug, kind=KIND, trigger="manual", user=committee_admin) == build
    monkeypatch.undo()
    assert services.build_run(build_id=build.pk, task_id="task-1").status == "done"
    build.refresh_from_db()
    assert (build.attempts, build.error) == (2, "")
    assert build.pdf.name.startswith(f"reports/asn/2019-jan-aug/ataganden/{build.pk}/2/")
    assert current_build(period=jan_aug, kind=KIND) == build


def test_the_last_attempt_or_running_out_of_time_ends_the_build_as_failed(jan_aug, monkeypatch, settings):
    from celery.exceptions import SoftTimeLimitExceeded

    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    out_of_time = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    monkeypatch.setattr(services, "render", broken("pdf", SoftTimeLimitExceeded()))
    with pytest.raises(SoftTimeLimitExceeded):
        services.build_run(build_id=out_of_time.pk, task_id="t")
    out_of_time.refresh_from_db()
    assert (out_of_time.status, out_of_time.attempts) == ("failed", 1)
    assert out_of_time.finished_at is not None

    last = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly", draft=True, attempts=2)
    monkeypatch.setattr(services, "render", broken("docx", OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        services.build_run(build_id=last.pk, task_id="t")
    last.refresh_from_db()
    assert (last.status, last.attempts) == ("failed", 3)
    assert services.build_run(build_id=last.pk, task_id="t") is None  # a late retry changes nothing


def test_a_running_build_is_claimed_again_only_by_its_own_task(jan_aug, settings):
    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    assert services.build_claim(build_id=build.pk, task_id="a") == 1
    assert services.build_claim(build_id=build.pk, task_id="b") is None  # running: someone else's
    ReportBuild.objects.filter(pk=build.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    assert services.build_claim(build_id=build.pk, task_id="b") is None  # stalled: recovery queues it first
    assert services.build_claim(build_id=build.pk, task_id="a") == 2  # delivered again after its pool process died
    assert services.build_claim(build_id=build.pk, task_id="a") == 3
    assert services.build_claim(build_id=build.pk, task_id="a") is None  # tried REPORT_BUILD_MAX_ATTEMPTS times


def test_an_attempt_that_lost_its_build_changes_nothing(jan_aug, django_capture_on_commit_callbacks, settings):
    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    assert services.build_claim(build_id=build.pk, task_id="stalled") == 1
    ReportBuild.objects.filter(pk=build.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.stalled_builds_recover() == 1
    assert services.build_claim(build_id=build.pk, task_id="new") == 2
    # The stalled attempt wakes up: its writes name attempt 1 and match nothing.
    mine = ReportBuild.objects.filter(pk=build.pk, task_id="stalled", attempts=1, status="running")
    with pytest.raises(services.Superseded):
        services._progress(mine, 50, "PDF")
    build.refresh_from_db()
    assert (build.task_id, build.attempts, build.progress) == ("new", 2, 0)
    assert len(sent) == 1


def test_stalled_builds_are_sent_again_once_and_give_up_after_the_last_attempt(
    jan_aug, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    stalled = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    services.build_claim(build_id=stalled.pk, task_id="died")
    ReportBuild.objects.filter(pk=stalled.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.stalled_builds_recover() == 1
        assert services.stalled_builds_recover() == 0  # a second run (or beat overlapping) sends nothing more
    assert len(sent) == 1
    stalled.refresh_from_db()
    assert stalled.status == "queued"
    sent[0]()  # the task runs (eager)
    stalled.refresh_from_db()
    assert (stalled.status, stalled.attempts) == ("done", 2)

    hopeless = ReportBuild.objects.create(
        period=jan_aug, kind=KIND, trigger="nightly", draft=True, status="running", attempts=3,
        heartbeat_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    assert services.stalled_builds_recover() == 0
    hopeless.refresh_from_db()
    assert hopeless.status == "failed"
    assert hopeless.error == "Avbrutet efter 3 försök: servern som byggde rapporten slutade svara."
    assert hopeless.finished_at is not None


def test_a_running_build_silent_for_a_couple_of_minutes_is_started_again_but_one_waiting_in_the_queue_is_not(
    jan_aug, django_capture_on_commit_callbacks
):
    dead = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    services.build_claim(build_id=dead.pk, task_id="died")
    long_ago = timezone.now() - timedelta(seconds=100)  # the default settings: taken for dead after 90 s
    ReportBuild.objects.filter(pk=dead.pk).update(heartbeat_at=long_ago)
    # Queued as long, behind other builds: it has no heartbeat to write while it waits.
    waiting = ReportBuild.objects.create(
        period=jan_aug, kind=KIND, draft=True, trigger="nightly", heartbeat_at=long_ago
    )
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert services.stalled_builds_recover() == 1
    assert len(sent) == 1
    dead.refresh_from_db()
    waiting.refresh_from_db()
    assert (dead.status, dead.attempts) == ("queued", 1)
    assert (waiting.status, waiting.heartbeat_at) == ("queued", long_ago)


def test_a_request_starts_a_stalled_build_again_but_joins_a_live_one(
    jan_aug, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_BUILD_MAX_ATTEMPTS = 3
    request = lambda **kw: services.build_request(period=jan_aug, kind=KIND, trigger="nightly", **kw)  # noqa: E731
    with django_capture_on_commit_callbacks(execute=False):
        build = request()
    services.build_claim(build_id=build.pk, task_id="live")
    # A heartbeat or two late: still alive, the request joins it.
    ReportBuild.objects.filter(pk=build.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=30))
    with django_capture_on_commit_callbacks(execute=False) as sent:
        assert request() == build
    assert not sent
    build.refresh_from_db()
    assert (build.status, build.attempts, build.task_id) == ("running", 1, "live")
    # No sign of life for longer than REPORT_BUILD_STALE_AFTER: the request starts a new attempt.
    ReportBuild.objects.filter(pk=build.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=100))
    with django_capture_on_commit_callbacks(execute=True) as sent:
        assert request() == build
    assert len(sent) == 1
    build.refresh_from_db()
    assert (build.status, build.attempts) == ("done", 2)
    # After its last attempt a stalled build ends as failed and the request makes a new build.
    stuck = ReportBuild.objects.create(
        period=jan_aug, kind=KIND, draft=True, trigger="nightly", status="running", attempts=3,
        heartbeat_at=timezone.now() - timedelta(seconds=100),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False) as sent:
        new = request(draft=True)
    stuck.refresh_from_db()
    assert new != stuck
    assert (stuck.status, new.status, len(sent)) == ("failed", "queued", 1)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_while_one_step_renders(demo, monkeypatch, settings):
    import time

    settings.REPORT_BUILD_HEARTBEAT_INTERVAL = 0.1
    period = ReportingPeriod.objects.get(slug="2019-jan-aug")
    build = ReportBuild.objects.create(period=period, kind=KIND, trigger="nightly")
    seen = []
    real_render = services.render

    def slow_render(document, fmt):  # a PDF that takes a second, watched from outside the build
        if fmt == "pdf":
            for _step in range(10):
                time.sleep(0.1)
                seen.append(ReportBuild.objects.values_list("heartbeat_at", flat=True).get(pk=build.pk))
        return real_render(document, fmt)

    monkeypatch.setattr(services, "render", slow_render)
    assert services.build_run(build_id=build.pk, task_id="t").status == "done"
    assert len(set(seen)) >= 5  # written again and again during the one step
    assert seen == sorted(seen)


def commitment_codes(document) -> set[str]:
    from reports.document import CommitmentTable

    def walk(sections):
        for section in sections:
            for block in section.blocks:
                if isinstance(block, CommitmentTable):
                    yield from (row.code for row in block.rows)
            yield from walk(section.subsections)

    return set(walk(document.sections))


def broken_on_row(fmt: str, code: str, error: Exception):
    """A renderer that fails on ``fmt`` when the document holds commitment ``code`` (as lxml fails on a bad text)."""
    real_render = services.render

    def render(document, name):
        if name == fmt and code in commitment_codes(document):
            raise error
        return real_render(document, name)

    return render


def test_a_failed_build_names_its_cause_and_the_row_on_the_build_page(client, jan_aug, committee_admin, monkeypatch):
    import html

    message = "All strings must be XML compatible: Unicode or ASCII, no NULL bytes or control characters"
    monkeypatch.setattr(services, "render", broken_on_row("docx", "A03", ValueError(message)))
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly", attempts=2)
    with pytest.raises(services.BuildFailure):
        services.build_run(build_id=build.pk, task_id="t")
    build.refresh_from_db()
    department = ProgressEntry.objects.get(period=jan_aug, commitment__code="A03").department.name
    expected = f"Försök 3 misslyckades när Word-filen skrevs. Åtagande A03, {department}: {message} (ValueError)"
    assert (build.status, build.error) == ("failed", expected)
    client.force_login(committee_admin)
    page = html.unescape(client.get(reverse("reports:builds", args=["asn", "2019-jan-aug"])).content.decode())
    assert expected in page
    assert "Traceback" not in page
    status_url = reverse("reports:build_status", args=["asn", "2019-jan-aug", build.pk])
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert expected in html.unescape(fragment.content.decode())


def test_a_failure_while_reading_a_row_names_the_row(jan_aug, monkeypatch):
    from reports.assembly import follow_up

    entry = ProgressEntry.objects.select_related("department").get(period=jan_aug, commitment__code="A05")
    real_sanitize = follow_up.sanitize_rich_text

    def sanitize(value, *args, **kwargs):  # a fault injected where the assembly reads the entry's comment
        if value == entry.comment:
            raise ValueError("unexpected markup")
        return real_sanitize(value, *args, **kwargs)

    monkeypatch.setattr(follow_up, "sanitize_rich_text", sanitize)
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly")
    with pytest.raises(services.BuildFailure):
        services.build_run(build_id=build.pk, task_id="t")
    build.refresh_from_db()
    assert build.status == "queued"  # for its retry
    expected = f"Försök 1 misslyckades. Åtagande A05, {entry.department.name}: unexpected markup (ValueError)"
    assert build.error == expected


def test_the_row_a_renderer_fails_on_is_found_among_every_kind_of_row(jan_aug):
    from reports.failures import failing_row, short

    document = follow_up_document(period=jan_aug)
    rendered = []

    def render_failing_on(predicate):
        def render(part, fmt):
            rendered.append(part)
            if predicate(part):
                raise ValueError("bad")

        return render

    def has(part, kind, test):
        return any(test(row) for row in _rows(part, kind))

    indicator = list(_rows(document, "IndicatorTable"))[2]
    found = failing_row(document, "docx", ValueError(), render=render_failing_on(
        lambda part: has(part, "IndicatorTable", lambda row: row is indicator)))  # fmt: skip
    assert found == f"Indikator {short(indicator.name)}, {indicator.department}"
    rows = len(list(_rows(document, "CommitmentTable"))) + len(list(_rows(document, "IndicatorTable")))
    assert len(rendered) <= 2 + rows.bit_length()  # halving, not one render per row
    # A failure without any row (the headings alone fail), or of another kind: no row to name.
    assert failing_row(document, "docx", ValueError(), render=render_failing_on(lambda part: True)) is None
    assert failing_row(document, "docx", KeyError(), render=render_failing_on(lambda part: True)) is None


def _rows(document, kind: str):
    def walk(sections):
        for section in sections:
            for block in section.blocks:
                if type(block).__name__ == kind:
                    yield from block.rows
            yield from walk(section.subsections)

    return walk(document.sections)


def test_a_report_has_one_build_under_way_at_a_time(jan_aug, committee_admin):
    first = services.build_request(period=jan_aug, kind=KIND, trigger="manual", user=committee_admin)
    again = services.build_request(period=jan_aug, kind=KIND, trigger="nightly")
    draft = services.build_request(period=jan_aug, kind=KIND, trigger="manual", user=committee_admin, draft=True)
    assert again == first
    assert draft != first
    assert ReportBuild.objects.filter(period=jan_aug).count() == 2


def test_only_committee_admins_start_builds(jan_aug, reviewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.build_request(period=jan_aug, kind=KIND, trigger="manual", user=reviewer)
    assert not ReportBuild.objects.exists()


def test_the_nightly_run_requests_the_open_periods_only(demo):
    builds = services.nightly_builds_request()
    assert [(b.period.slug, b.kind, b.draft, b.trigger) for b in builds] == [
        ("2019-helar", "ataganden", False, "nightly"),
        ("2019-helar", "namndsbudget", False, "nightly"),
    ]
    assert services.nightly_builds_request() == builds  # still queued: the same builds


def test_a_draft_says_utkast_and_never_becomes_current(
    jan_aug, reviewer, committee_admin, django_capture_on_commit_callbacks
):
    import pikepdf

    entry = ProgressEntry.objects.get(period=jan_aug, commitment__code="A05")
    reviewable_transition(obj=entry, action="reopen", user=reviewer, reason="Komplettera")
    draft = build_now(jan_aug, capture=django_capture_on_commit_callbacks, user=committee_admin, draft=True)
    assert draft.status == "done"
    assert draft.pdf.name.endswith("-utkast.pdf")
    assert current_build(period=jan_aug, kind=KIND) is None
    with draft.pdf.open("rb") as file, pikepdf.open(file) as pdf:
        pages = len(pdf.pages)
    with draft.html.open("rb") as file:
        assert "Utkast" in file.read().decode()
    pages_text = _pdf_text(draft.pdf.path).split("\f")[:pages]
    assert len(pages_text) == pages
    assert all("UTKAST" in page for page in pages_text)  # on every page


def _pdf_text(path) -> str:
    import subprocess

    command = ["pdftotext", "-enc", "UTF-8", str(path), "-"]
    return subprocess.run(command, capture_output=True, check=True).stdout.decode()


# The pages ---------------------------------------------------------------------------------------


def test_the_admin_starts_a_build_and_watches_it_finish(
    client, jan_aug, committee_admin, django_capture_on_commit_callbacks
):
    client.force_login(committee_admin)
    url = reverse("reports:builds", args=["asn", "2019-jan-aug"])
    page = client.get(url).content.decode()
    assert "Bygg den godkända rapporten" in page
    assert "Ingen godkänd version ännu." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"kind": "ataganden"})
    assert response.status_code == 302
    build = ReportBuild.objects.get()
    status_url = reverse("reports:build_status", args=["asn", "2019-jan-aug", build.pk])
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 286  # done: htmx stops polling
    assert "Ladda ned PDF" in fragment.content.decode()
    pdf = client.get(reverse("reports:build_file", args=["asn", "2019-jan-aug", build.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert 'attachment; filename="uppfoljning-av-ataganden' in pdf["Content-Disposition"]


def test_a_running_build_keeps_polling(client, jan_aug, reviewer):
    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly", status="running", progress=45)
    client.force_login(reviewer)
    page = client.get(reverse("reports:builds", args=["asn", "2019-jan-aug"])).content.decode()
    status_url = reverse("reports:build_status", args=["asn", "2019-jan-aug", build.pk])
    assert f'hx-get="{status_url}" hx-trigger="every 1s"' in page
    assert 'value="45"' in page
    assert "Bygg den godkända rapporten" not in page  # reviewers follow; committee admins build
    fragment = client.get(status_url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'value="45"' in fragment.content.decode()


def test_draft_files_are_for_reviewers_and_admins_only(client, jan_aug, reader, reviewer):
    from django.core.files.base import ContentFile

    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="manual", draft=True, status="done")
    build.pdf.save("utkast.pdf", ContentFile(b"%PDF-1.7"))
    url = reverse("reports:build_file", args=["asn", "2019-jan-aug", build.pk, "pdf"])
    client.force_login(reader)
    assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get(url).status_code == 200
    assert client.get(url.replace("/pdf/", "/exe/")).status_code == 404


def test_the_changes_page_shows_what_an_approval_changed(
    client, jan_aug, reviewer, django_capture_on_commit_callbacks
):
    build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    rewrite_entry(jan_aug, "A05", "<p>Helt ny text.</p>", reviewer=reviewer)
    second = build_now(jan_aug, capture=django_capture_on_commit_callbacks)
    client.force_login(reviewer)
    page = client.get(reverse("reports:build_changes", args=["asn", "2019-jan-aug", second.pk])).content.decode()
    assert "Ändrat:" in page
    assert "Arbetsmarknadsavdelningen" in page
    assert "<ins>" in page
    assert "Helt" in page


def test_the_admin_writes_the_introduction_and_it_is_sanitised(client, jan_aug, committee_admin):
    client.force_login(committee_admin)
    url = reverse("reports:introduction", args=["asn", "2019-jan-aug"])
    assert "Arbetsmarknads- och socialförvaltningens åtaganden" in client.get(url).content.decode()
    response = client.post(url, {"introduction": "<p>Ny inledning<script>alert(1)</script></p>"})
    assert response.status_code == 302
    assert ReportDefinition.objects.get(period=jan_aug, kind=KIND).introduction == "<p>Ny inledning</p>"
    intro = follow_up_document(period=jan_aug).sections[0].blocks[0]
    assert intro.html == "<p>Ny inledning</p>"


def test_an_introduction_too_long_is_refused_and_kept_in_the_form(client, jan_aug, committee_admin):
    client.force_login(committee_admin)
    url = reverse("reports:introduction", args=["asn", "2019-jan-aug"])
    text = "<p>" + "ord " * 40000 + "</p>"
    response = client.post(url, {"introduction": text})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Texten är för lång" in page
    assert "ord ord ord" in page
    assert ReportDefinition.objects.get(period=jan_aug, kind=KIND).introduction.startswith("<p>Arbetsmarknads")


def test_the_renderers_read_only_the_document(jan_aug, django_assert_num_queries):
    from reports.renderers import render

    document = follow_up_document(period=jan_aug, draft=True)
    with django_assert_num_queries(0):
        for fmt in ("html", "docx", "pdf"):
            render(document, fmt)


def test_a_draft_docx_says_utkast_in_the_page_header(jan_aug):
    import io

    from docx import Document as WordDocument

    from reports.renderers import render

    draft = follow_up_document(period=jan_aug, draft=True)
    word = WordDocument(io.BytesIO(render(draft, "docx")))
    # The committee on the left, the title on the right, and UTKAST after it.
    assert word.sections[0].header.paragraphs[0].text == f"{draft.committee}\t{draft.title} UTKAST"
    approved = WordDocument(io.BytesIO(render(follow_up_document(period=jan_aug), "docx")))
    assert "UTKAST" not in approved.sections[0].header.paragraphs[0].text


def test_a_member_downloads_the_approved_build_and_nothing_of_another_committee(client, jan_aug, reader):
    from django.core.files.base import ContentFile

    from tests.factories import CommitteeFactory, UserFactory

    build = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly", status="done")
    build.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.7"))
    unchanged = ReportBuild.objects.create(period=jan_aug, kind=KIND, trigger="nightly", status="unchanged")
    url = reverse("reports:build_file", args=["asn", "2019-jan-aug", build.pk, "pdf"])
    client.force_login(reader)
    assert client.get(url).status_code == 200
    assert client.get(url.replace("/pdf/", "/docx/")).status_code == 404  # no such file in this build
    assert client.get(url.replace(str(build.pk), str(unchanged.pk))).status_code == 404
    outsider = UserFactory()
    outsider.memberships.create(committee=CommitteeFactory(), role="reviewer")
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_settings_must_let_a_live_build_miss_heartbeats_and_redis_wait_for_the_time_limit(settings):
    from reports.checks import build_time_limits_check

    assert build_time_limits_check(None) == []
    assert settings.REPORT_BUILD_STALE_AFTER <= 120  # a dead worker's build is found within minutes
    assert settings.CELERY_BEAT_SCHEDULE["stalled-report-builds"]["schedule"] <= 60
    settings.REPORT_BUILD_STALE_AFTER = 2 * settings.REPORT_BUILD_HEARTBEAT_INTERVAL
    assert [e.id for e in build_time_limits_check(None)] == ["reports.E001"]
    settings.REPORT_BUILD_STALE_AFTER = 90
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": settings.REPORT_BUILD_TIME_LIMIT}
    assert [e.id for e in build_time_limits_check(None)] == ["reports.E003"]
