"""The committee's search: Swedish full text on PostgreSQL, substrings elsewhere, scoped to what the user reads."""

from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from commitments.models import Commitment, Department, Membership, ProgressEntry, ReportingPeriod
from commitments.selectors import commitment_search, entry_search, progress_entry_get_or_new
from commitments.services import progress_entry_save
from common.search import MAX_QUERY_LENGTH, snippet
from followup.selectors import committee_search
from tests.factories import CommitmentFactory, CommitteeFactory, DepartmentFactory, ReportingPeriodFactory

pytestmark = pytest.mark.django_db

WORD = "xylofonkonserterna"


def write_entry(comment: str, code: str = "A05", department: str = "AMA", user: str = "redaktor") -> ProgressEntry:
    period = ReportingPeriod.objects.get(slug="2019-helar")
    entry = progress_entry_get_or_new(
        commitment=Commitment.objects.get(plan=period.plan, code=code), period=period,
        department=Department.objects.get(code=department),
    )  # fmt: skip
    return progress_entry_save(
        entry=entry, user=User.objects.get(username=user), comment=comment, assessment=None,
        expected_version=entry.version,
    )  # fmt: skip


def hits(groups, kind: str):
    return next(group for group in groups if group.kind == kind).hits


def test_swedish_stemming_finds_another_form_of_the_word(demo):
    """ "arbetsmarknadsinsatserna" (in no text of the demo) finds the commitments that say "arbetsmarknadsinsatser"."""
    found = commitment_search(committee=demo, query="arbetsmarknadsinsatserna", full_text=True)
    assert found
    assert all("arbetsmarknadsinsats" in c.text.lower() for c in found)
    # The substring search cannot: the word as typed is in none of them.
    assert commitment_search(committee=demo, query="arbetsmarknadsinsatserna", full_text=False) == []


def test_stop_words_alone_find_nothing_and_raise_nothing(demo, reviewer):
    groups = committee_search(user=reviewer, committee=demo, query="och att", full_text=True)
    assert sum(len(g.hits) for g in groups) == 0


def test_the_fallback_finds_substrings_and_marks_them(demo):
    found = commitment_search(committee=demo, query="MARKNADSinsats", full_text=False)
    assert found
    assert all("marknadsinsats" in c.text.lower() for c in found)
    assert "<mark>marknadsinsats</mark>" in snippet(found[0], "MARKNADSinsats").lower()


def test_the_fallback_looks_in_the_text_of_a_comment_not_in_its_tags(demo, reviewer):
    write_entry(f"<p><strong>{WORD}</strong> i januari</p>")
    assert [e.commitment.code for e in entry_search(user=reviewer, committee=demo, query=WORD, full_text=False)] == [
        "A05"
    ]
    assert entry_search(user=reviewer, committee=demo, query="strong", full_text=False) == []


@pytest.mark.parametrize("full_text", [True, False])
def test_results_link_to_their_pages(demo, reviewer, full_text):
    write_entry(f"<p>Vi ordnade {WORD} för deltagarna.</p>")
    groups = committee_search(user=reviewer, committee=demo, query=WORD, full_text=full_text)
    (entry,) = hits(groups, "entries")
    assert entry.url == reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"])
    assert entry.where.endswith("helår 2019") or "2019" in entry.where
    assert f"<mark>{WORD}</mark>" in entry.snippet

    commitment = Commitment.objects.get(plan__year=2019, code="A05", plan__committee=demo)
    groups = committee_search(user=reviewer, committee=demo, query=commitment.text[:40], full_text=full_text)
    urls = [hit.url for hit in hits(groups, "commitments")]
    assert any(url.startswith("/n/asn/2019-") and url.endswith("/ataganden/?q=A05") for url in urls)


def test_goals_link_to_their_pages(demo, reviewer):
    groups = committee_search(user=reviewer, committee=demo, query="KF05", full_text=False)
    goal_urls = [hit.url for hit in hits(groups, "goals")]
    # KF05 of 2024 is followed up by departments: its page is among the goals' follow-ups.
    assert reverse("followup:contribution_list", args=["asn", "2024-helar"]) in goal_urls


def test_another_committees_rows_never_appear(demo, reviewer):
    other = CommitteeFactory()
    CommitmentFactory(goal__goal_area__plan__committee=other, text=f"Andra nämndens {WORD}.")
    ReportingPeriodFactory(plan=other.plans.get())
    for full_text in (True, False):
        groups = committee_search(user=reviewer, committee=demo, query=WORD, full_text=full_text)
        assert sum(len(g.hits) for g in groups) == 0
        assert len(hits(committee_search(user=reviewer, committee=other, query=WORD, full_text=full_text),
                        "commitments")) == 1  # fmt: skip


def test_an_outsider_gets_404_for_the_committees_search(demo, client):
    outsider = User.objects.create_user("utomstaende", password="x")
    Membership.objects.create(user=outsider, committee=CommitteeFactory(), role="reviewer")
    client.force_login(outsider)
    assert client.get(reverse("followup:search", args=["asn"]), {"q": "insatser"}).status_code == 404


@pytest.mark.parametrize("full_text", [True, False])
def test_entries_only_of_the_departments_the_user_reads(demo, full_text):
    write_entry(f"<p>AMA:s {WORD}.</p>")
    search = lambda username: hits(  # noqa: E731
        committee_search(user=User.objects.get(username=username), committee=demo, query=WORD, full_text=full_text),
        "entries",
    )
    assert len(search("lasare")) == 1  # AMA's reader
    assert len(search("granskare")) == 1
    assert search("redaktor-ebb") == []  # another department's editor


def test_the_page_escapes_a_hostile_comment_and_query(demo, reviewer, client):
    entry = write_entry(f"<p>{WORD}</p>")
    # Past the sanitiser, as an old or imported text might be.
    ProgressEntry.objects.filter(pk=entry.pk).update(
        comment=f'<p>{WORD} <img src=x onerror="alert(1)"></p><script>alert(2)</script>&lt;b&gt;fet&lt;/b&gt;'
    )
    client.force_login(reviewer)
    response = client.get(reverse("followup:search", args=["asn"]), {"q": f'{WORD} "<script>alert(3)</script>'})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert" not in body
    assert "<img" not in body
    assert "<b>fet" not in body
    assert "&lt;script&gt;alert(3)" in body  # the query, echoed escaped
    response = client.get(reverse("followup:search", args=["asn"]), {"q": WORD})
    body = response.content.decode()
    assert f"<mark>{WORD}</mark>" in body
    assert "onerror" not in body
    assert "<script>alert" not in body
    # Without full text, the excerpt is cut from the same text: tags gone, entities shown as text.
    (found,) = entry_search(user=reviewer, committee=demo, query=WORD, full_text=False)
    excerpt = snippet(found, WORD)
    assert "<img" not in excerpt
    assert "<script" not in excerpt
    assert "onerror" not in excerpt
    assert "&lt;b&gt;fet&lt;/b&gt;" in excerpt


def test_a_headline_is_escaped_around_its_marks():
    row = SimpleNamespace(search_headline="a <b>&lt;i&gt; \ue000ord\ue001 & \ue000fler")
    assert snippet(row, "ord") == "a &lt;b&gt;&lt;i&gt; <mark>ord</mark> &amp; <mark>fler</mark>"


def test_an_empty_or_too_long_query_is_refused_in_swedish(demo, reviewer, client):
    client.force_login(reviewer)
    url = reverse("followup:search", args=["asn"])
    body = client.get(url, {"q": "   "}).content.decode()
    assert "Skriv vad du letar efter." in body
    body = client.get(url, {"q": "a" * (MAX_QUERY_LENGTH + 1)}).content.decode()
    assert f"Sök på högst {MAX_QUERY_LENGTH} tecken (du skrev {MAX_QUERY_LENGTH + 1})." in body
    assert "träff" not in body
    # Without a query, the page only offers the field.
    response = client.get(url)
    assert response.status_code == 200
    assert 'role="status"' not in response.content.decode()


def test_the_search_makes_one_query_per_kind(demo, reviewer):
    write_entry(f"<p>{WORD} insatser</p>")
    reviewer = User.objects.get(pk=reviewer.pk)
    committee_search(user=reviewer, committee=demo, query="x", full_text=True)  # the user's roles, read once
    for query in ("insatser", "försörjningsstöd or kvinnor"):
        with CaptureQueriesContext(connection) as queries:
            groups = committee_search(user=reviewer, committee=demo, query=query, full_text=True)
        assert len(queries) == 7  # the periods, then one query per kind
        assert sum(len(g.hits) for g in groups) > 5


def test_the_header_offers_the_search_of_the_pages_committee(demo, reviewer, client):
    client.force_login(reviewer)
    body = client.get(reverse("followup:list", args=["asn", "2019-helar"])).content.decode()
    assert '<search class="site-search">' in body
    assert f'action="{reverse("followup:search", args=["asn"])}"' in body


def test_a_department_without_the_right_sees_no_other_departments_contributions(demo, reviewer):
    """A reader of a new department, in no row of the demo, finds plan rows but no text of any department."""
    department = DepartmentFactory(committee=demo)
    reader = User.objects.create_user("ny-lasare", password="x")
    Membership.objects.create(user=reader, committee=demo, department=department, role="reader")
    groups = committee_search(user=reader, committee=demo, query="insatser", full_text=True)
    assert hits(groups, "commitments")
    everything = committee_search(user=reviewer, committee=demo, query="insatser", full_text=True)
    assert hits(everything, "entries")
    assert hits(everything, "contributions")
    assert hits(groups, "entries") == []
    assert hits(groups, "contributions") == []


@pytest.mark.parametrize("full_text", [True, False])
def test_an_outcomes_comment_is_found_and_links_to_the_page_it_is_written_on(demo, client, full_text):
    from indicators.models import Outcome

    outcome = (
        Outcome.objects.filter(period__plan__committee=demo, department__code="AMA")
        .select_related("indicator", "period__plan", "department")
        .first()
    )
    Outcome.objects.filter(pk=outcome.pk).update(comment=f"<p>Utfallet visar {WORD} i <em>Malmö</em>.</p>")
    for username, found in (("granskare", 1), ("lasare", 1), ("redaktor-ebb", 0)):  # AMA's reader; another's editor
        user = User.objects.get(username=username)
        groups = committee_search(user=user, committee=demo, query=WORD, full_text=full_text)
        assert len(hits(groups, "outcomes")) == found, username
    (hit,) = hits(committee_search(user=User.objects.get(username="granskare"), committee=demo, query=WORD,
                                   full_text=full_text), "outcomes")  # fmt: skip
    assert hit.url == outcome.get_absolute_url()  # as the outcome finds its own page, without its queries
    assert f"<mark>{WORD}</mark>" in hit.snippet
    assert "<em>" not in hit.snippet
    client.force_login(User.objects.get(username="granskare"))
    assert WORD in client.get(hit.url).content.decode()


@pytest.mark.parametrize(
    ("index", "search"),
    [
        ("entry_search_vector", "entry_search"),
        ("contribution_search_vector", "contribution_search"),
        ("outcome_search_vector", "outcome_search"),
    ],
)
def test_the_searches_of_what_departments_write_can_use_their_gin_index(demo, reviewer, index, search):
    """An expression index serves only a query of its very expression: the planner must be able to use it."""
    import commitments.selectors
    import indicators.selectors
    from common.search import text_search

    module = indicators.selectors if search == "outcome_search" else commitments.selectors
    captured = {}

    def keep(queryset, **kwargs):
        captured.update(model=queryset.model, kwargs=kwargs)
        return text_search(queryset, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(module, "text_search", keep)
        getattr(module, search)(user=reviewer, committee=demo, query="insatser", full_text=True)
    # The search's own expression, on the table alone; the planner may only read it whole or by a bitmap (the
    # demo's tables are small enough to be read whole, so that is made dear): the index, if it is the same expression.
    model = captured["model"]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {model._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    try:
        plan = text_search(model.objects.all(), **captured["kwargs"]).explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = on")
            cursor.execute("SET LOCAL enable_indexscan = on")
    assert f"Bitmap Index Scan on {index}" in plan
