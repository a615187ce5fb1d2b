"""
Every URL of the project × every role × GET and POST, against one table of expected answers.

The URLs come from the URLconf, so a new view without a row here fails this test. Django's
own admin views are left to Django (and to the scoped-admin tests); the project's own admin
views (the plan file) are in the table.
"""

import datetime
from unittest import mock

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import User
from commitments.models import Event, Membership, Plan, ReportingPeriod
from tests.factories import CommitteeFactory, UserFactory, report_outcomes_missing

ROLES = ("anonymous", "editor", "other_editor", "reader", "reviewer", "committee_admin", "outsider")

# name -> {role: (GET status, POST status)}; "*" stands for every role not named.
EXPECTED = {
    "home": {"anonymous": (302, 302), "*": (200, 405)},
    "accounts:preferences": {"anonymous": (302, 302), "*": (200, 302)},
    "login": {"anonymous": (200, 200), "*": (302, 302)},
    "favicon": {"*": (301, 301)},
    "logout": {"*": (405, 302)},
    # Single sign-on is off here (no OIDC_RP_CLIENT_ID): not found. tests/accounts/test_sso.py runs it.
    "oidc_authentication_init": {"*": (404, 405)},
    "oidc_authentication_callback": {"*": (404, 405)},
    "commitments:event_log": {
        "anonymous": (302, 302),
        "reviewer": (200, 405),
        "committee_admin": (200, 405),
        "*": (404, 405),
    },
    "commitments:event_subject": {
        "anonymous": (302, 302),
        "reviewer": (302, 405),  # to the page of what the step concerns
        "committee_admin": (302, 405),
        "*": (404, 405),
    },
    "followup:period_status": {
        "anonymous": (302, 302),
        "committee_admin": (200, 403),  # the confirmation page; the empty post (no action) is refused
        "outsider": (404, 404),
        "*": (403, 403),
    },
    "reports:contents": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "reports:section": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "reports:introduction": {
        "anonymous": (302, 302),
        "committee_admin": (200, 302),  # the empty text is valid: the standard sentence is used
        "outsider": (404, 404),
        "*": (403, 403),
    },
    "reports:builds": {
        "anonymous": (302, 302),
        "committee_admin": (200, 302),  # starts a build and goes back to the list
        "reviewer": (200, 403),  # follows the builds; starts none
        "outsider": (404, 404),
        "*": (403, 403),
    },
    "reports:build_status": {
        "anonymous": (302, 302),
        "committee_admin": (302, 405),  # without htmx: back to the builds page
        "reviewer": (302, 405),
        "outsider": (404, 405),
        "*": (403, 405),
    },
    "reports:build_changes": {
        "anonymous": (302, 302),
        "committee_admin": (200, 405),
        "reviewer": (200, 405),
        "outsider": (404, 405),
        "*": (403, 405),
    },
    "reports:build_file": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "reports:adopt": {
        "anonymous": (302, 302),
        "committee_admin": (200, 400),  # the confirmation page; the empty post is refused with the form
        "outsider": (404, 404),
        "*": (403, 403),
    },
    "reports:edition_changes": {
        "anonymous": (302, 302),
        "committee_admin": (200, 405),
        "reviewer": (200, 405),
        "outsider": (404, 405),
        "*": (403, 405),
    },
    # The adopted editions are public: anyone reads them, no one posts.
    "public:editions": {"*": (200, 405)},
    "public:edition": {"*": (200, 405)},
    "public:file": {"*": (200, 405)},
    "public:permanent_file": {"*": (200, 405)},
    # The accessibility statement is public; its empty report is shown again with the form's errors.
    "accessibility:statement": {"*": (200, 200)},
    "accessibility:thanks": {"*": (200, 405)},
    "followup:list": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    # The committee's search: its members; what each finds is scoped in the search itself.
    "followup:search": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "followup:contribution_list": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    # Everyone who reads the list reads its overview (of the rows they read: editors and readers their own).
    "followup:overview": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "followup:contribution": {
        "anonymous": (302, 302),
        "other_editor": (200, 409),  # EBB writes KF05, approved in the demo: a post saves nothing
        "editor": (404, 404),  # AMA's editor and reader do not read EBB's text
        "reader": (404, 404),
        "outsider": (404, 404),
        "*": (200, 403),  # reviewers and admins read it; they act only with a review action
    },
    "followup:contribution_history": {
        "anonymous": (302, 302),
        "editor": (404, 405),  # AMA's editor and reader do not read EBB's follow-up
        "reader": (404, 405),
        "outsider": (404, 405),
        "*": (200, 405),
    },
    "followup:section_texts": {"anonymous": (302, 302), "outsider": (404, 405), "*": (200, 405)},
    "followup:section_text": {
        "anonymous": (302, 302),
        "editor": (200, 409),  # AMA writes "Konjunktur och arbetsmarknad", approved in the demo: nothing saved
        "reader": (200, 403),  # AMA's reader reads it
        "other_editor": (404, 404),
        "outsider": (404, 404),
        "*": (200, 403),  # reviewers and admins read it; they act only with a review action
    },
    "followup:entry": {
        "anonymous": (302, 302),
        "editor": (200, 409),  # its department's, but submitted: a post saves nothing and says why
        "other_editor": (404, 404),
        "outsider": (404, 404),
        "*": (200, 403),
    },
    # The committee's whole follow-up as a file: for those who oversee it (reviewers, admins).
    "followup:export": {
        "anonymous": (302, 302),
        "reviewer": (200, 405),
        "committee_admin": (200, 405),
        "outsider": (404, 405),
        "*": (403, 405),
    },
    "followup:bulk_approve": {
        "anonymous": (302, 302),
        "reviewer": (405, 302),  # approves what is ticked (here nothing) and goes back to the list
        "outsider": (405, 404),
        "*": (405, 403),
    },
    "followup:entry_message": {
        "anonymous": (302, 302),
        "editor": (405, 302),  # the department's editors and the reviewers write in the thread
        "reviewer": (405, 302),
        "other_editor": (405, 404),
        "outsider": (405, 404),
        "*": (405, 403),
    },
    "followup:entry_history": {
        "anonymous": (302, 302),
        "other_editor": (404, 405),
        "outsider": (404, 405),
        "*": (200, 405),
    },
    "finance:tables": {
        "anonymous": (302, 302),
        "reviewer": (200, 405),  # reviewers and committee admins read the finance tables
        "committee_admin": (200, 405),
        "outsider": (404, 405),
        "*": (403, 405),
    },
    "admin:finance_financereport_import": {"committee_admin": (200, 200), "*": (302, 302)},
    "admin:commitments_plan_import": {"committee_admin": (200, 200), "*": (302, 302)},
    "admin:commitments_plan_export": {"committee_admin": (200, 200), "*": (302, 302)},
    # The empty post only previews: the copy is made by the confirm button.
    "admin:commitments_plan_rollover": {"committee_admin": (200, 200), "*": (302, 302)},
}


#: The views Django's admin makes for every site and model; the project's own admin views are all others.
DJANGO_ADMIN_SITE_VIEWS = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n",
                           "view_on_site", "autocomplete", "app_list"}  # fmt: skip
DJANGO_ADMIN_MODEL_SUFFIXES = ("_changelist", "_add", "_change", "_delete", "_history")


def is_djangos_admin_view(name: str) -> bool:
    return name in DJANGO_ADMIN_SITE_VIEWS or name.endswith(DJANGO_ADMIN_MODEL_SUFFIXES)


def project_url_names() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern):
                if namespace == "admin:" and (pattern.name is None or is_djangos_admin_view(pattern.name)):
                    continue  # Django's admin (its unnamed ones redirect to the named change view)
                assert pattern.name, f"Every view needs a URL name: {pattern}"
                names.append(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_a_rule():
    missing = sorted(set(project_url_names()) - set(EXPECTED))
    assert missing == [], f"Add these URLs to the permission table: {missing}"


@pytest.fixture
def users(demo) -> dict[str, User | None]:
    # The entry the table's entry URLs name: written and submitted by AMA's editor.
    from commitments.models import Commitment, Department, ReportingPeriod
    from commitments.selectors import progress_entry_get_or_new
    from commitments.services import progress_entry_save
    from commitments.workflow import reviewable_transition

    editor = User.objects.get(username="redaktor")
    period = ReportingPeriod.objects.get(slug="2019-helar")
    entry = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=period.plan, code="A05"), period=period,
        department=Department.objects.get(code="AMA"),
    )  # fmt: skip
    entry = progress_entry_save(entry=entry, user=editor, comment="<p>Text</p>", assessment=None, expected_version=0)
    report_outcomes_missing(entry, editor)
    reviewable_transition(obj=entry, action="submit", user=editor)
    outsider = UserFactory(username="utomstaende")
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    return {
        "anonymous": None,
        "editor": User.objects.get(username="redaktor"),
        "other_editor": User.objects.get(username="redaktor-ebb"),
        "reader": User.objects.get(username="lasare"),
        "reviewer": User.objects.get(username="granskare"),
        "committee_admin": User.objects.get(username="admin"),
        "outsider": outsider,
    }


def approved_build(demo) -> int:
    """A finished approved build of the January–August report (its files, not a real rendering)."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reports.assembly import follow_up_document
    from reports.document import to_data
    from reports.models import ReportBuild
    from reports.selectors import outcome_figures
    from reports.services import build_fingerprint

    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-jan-aug")
    content = to_data(follow_up_document(period=period))
    figures = outcome_figures(period=period, kind="ataganden")
    build = ReportBuild.objects.create(
        period=period, kind="ataganden", trigger="nightly", status="done", finished_at=timezone.now(),
        content=content, figures=figures, content_hash=build_fingerprint(content=content, figures=figures),
    )  # fmt: skip
    build.pdf.save("rapport.pdf", ContentFile(b"%PDF-1.7"))
    return build.pk


def adopted_edition(demo) -> None:
    """The January–August follow-up adopted from an approved build (its files written, not real renderings)."""
    from reports.adoption import report_adopt
    from reports.models import ReportBuild

    build = ReportBuild.objects.get(pk=approved_build(demo))
    with mock.patch("reports.adoption.render", lambda document, fmt: fmt.encode()):
        report_adopt(
            user=None, period=build.period, kind="ataganden", decided_on=datetime.date(2019, 9, 25),
            paragraph="§ 187", diarienummer="ASN-2019-1234",
        )  # fmt: skip


def section_pk(heading: str) -> int:
    from reports.models import ReportSection

    return ReportSection.objects.get(plan__year=2024, heading=heading).pk


def url_for(name: str, demo) -> str:
    from django.urls import reverse

    plan = Plan.objects.get(committee=demo, year=2019)
    if name.startswith("public:") or name == "reports:edition_changes":
        adopted_edition(demo)
        edition = ["asn", "2019-jan-aug", "ataganden"]
        if name == "public:permanent_file":
            from reports.models import AdoptedEdition

            return reverse(name, args=[AdoptedEdition.objects.get().pk, "pdf"])
        args = {"public:editions": ["asn"], "public:file": [*edition, "pdf"]}.get(name, edition)
        return reverse(name, args=args)
    if name == "reports:adopt":
        return reverse(name, args=["asn", "2019-jan-aug", "ataganden"])
    if name.startswith("reports:build_"):
        build = approved_build(demo)
        return reverse(name, args=["asn", "2019-jan-aug", build, *(["pdf"] if name == "reports:build_file" else [])])
    args = {
        "followup:list": ["asn", "2019-helar"],
        "followup:search": ["asn"],
        "followup:overview": ["asn", "2019-helar"],
        "commitments:event_log": ["asn"],
        "commitments:event_subject": ["asn", Event.objects.filter(committee=demo).latest("pk").pk],
        "reports:contents": ["asn", "2019-jan-aug"],
        "reports:section": ["asn", "2019-jan-aug", 5],
        "reports:introduction": ["asn", "2019-jan-aug"],
        "followup:contribution_list": ["asn", "2024-helar"],
        "followup:contribution": ["asn", "2024-helar", "KF05", "EBB"],
        "followup:contribution_history": ["asn", "2024-helar", "KF05", "EBB"],
        "reports:builds": ["asn", "2019-jan-aug"],
        "followup:period_status": ["asn", "2019-helar"],
        "followup:entry": ["asn", "2019-helar", "A05", "AMA"],
        "followup:entry_history": ["asn", "2019-helar", "A05", "AMA"],
        "followup:entry_message": ["asn", "2019-helar", "A05", "AMA"],
        "followup:bulk_approve": ["asn", "2019-helar"],
        "followup:export": ["asn", "2019-helar", "xlsx"],
        "finance:tables": ["asn", "2024-helar"],
        "followup:section_texts": ["asn", "2024-helar"],
        "followup:section_text": ["asn", "2024-helar", section_pk("Konjunktur och arbetsmarknad")],
        "admin:commitments_plan_import": [plan.pk],
        "admin:commitments_plan_export": [plan.pk, "xlsx"],
        "admin:commitments_plan_rollover": [plan.pk],
    }.get(name, [])
    return reverse(name, args=args)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_role_gets_the_expected_answer(name, users, demo):
    url = url_for(name, demo)
    failures = []
    for role in ROLES:
        expected = EXPECTED[name].get(role, EXPECTED[name].get("*"))
        client = Client()
        if users[role] is not None:
            client.force_login(users[role])
        got = (client.get(url).status_code, client.post(url, {}).status_code)
        if got != expected:
            failures.append(f"{role}: expected {expected}, got {got}")
    assert failures == [], f"{name} ({url}): " + "; ".join(failures)
