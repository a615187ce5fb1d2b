"""
A page's save costs a fixed number of queries, however many of its outcomes changed or are
new; and saving them at once keeps every rule of the one workflow (history, conflicts).
"""

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from commitments.models import Commitment, Department, ProgressEntry, ReportingPeriod
from commitments.selectors import progress_entry_get_or_new
from commitments.services import progress_entry_save
from commitments.workflow import Conflict, reviewable_page_save
from indicators.models import Indicator, Outcome
from indicators.selectors import outcome_get_or_new
from indicators.services import OutcomeEdit, outcome_changes
from tests.factories import IndicatorFactory, TargetFactory
from tests.indicators.test_entry_views import entry_form_data, entry_url
from tests.indicators.test_goal_follow_up import kultur, page_url  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

#: A first save of outcomes inserts them in one query, with one for their history, in a savepoint
#: of its own (so that losing a concurrent first save to another is a conflict, not an error).
FIRST_SAVE_EXTRA = 4


def posted(client, url, data) -> int:
    """Post the page and return how many queries the request cost."""
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return len(queries.captured_queries)


def save_queries(client, changed_outcomes: int, round_: int, url=None) -> int:
    url = url or entry_url()
    data = entry_form_data(client, url, comment=f"<p>Kommentar {round_}</p>")
    codes = sorted({name.split("-")[1] for name in data if name.startswith("o-")})
    assert len(codes) == 5, codes
    for code in codes[:changed_outcomes]:
        data[f"o-{code}-comment"] = f"<p>Utfallet {code}, omgång {round_}</p>"
    return posted(client, url, data)


def test_saving_outcomes_costs_the_same_queries_for_one_or_five(client, editor):
    client.force_login(editor)
    first = save_queries(client, 1, 1)  # creates the entry and one outcome
    save_queries(client, 5, 2)  # creates the other four outcomes
    one = save_queries(client, 1, 3)
    five = save_queries(client, 5, 4)
    assert Outcome.objects.filter(period__slug="2019-helar", comment__contains="omgång 4").count() == 5
    assert one == five, (first, one, five)
    # Each outcome's save is in its history, by the editor, as a save (no change reason: not a transition).
    for outcome in Outcome.objects.filter(period__slug="2019-helar", comment__contains="omgång 4"):
        last = outcome.history.first()
        assert (last.history_user, last.history_change_reason, last.history_type) == (editor, None, "~")
        assert (last.version, last.comment, outcome.updated_by) == (outcome.version, outcome.comment, editor)
        assert outcome.history.count() == outcome.version


def test_new_outcomes_beside_changed_ones_cost_the_same_queries_however_many(client, editor):
    client.force_login(editor)
    url = entry_url()
    data = entry_form_data(client, url, comment="<p>Först</p>")
    codes = sorted({name.split("-")[1] for name in data if name.startswith("o-")})
    for code in codes[:2]:
        data[f"o-{code}-comment"] = f"<p>{code} först</p>"
    posted(client, url, data)  # the entry and two outcomes

    def save(changed, new, round_):
        data = entry_form_data(client, url)
        for code in changed + new:
            data[f"o-{code}-comment"] = f"<p>{code}, omgång {round_}</p>"
        return posted(client, url, data)

    one_and_one = save(codes[:1], codes[2:3], 1)
    three_and_two = save(codes[:3], codes[3:5], 2)
    only_changed = save(codes[:5], [], 3)
    assert one_and_one == three_and_two, (one_and_one, three_and_two)
    # A first save costs a fixed few queries more, however many outcomes it creates.
    assert one_and_one == only_changed + FIRST_SAVE_EXTRA, (one_and_one, only_changed)
    saved = {o.indicator.code: o for o in Outcome.objects.filter(period__slug="2019-helar", department__code="AMA")}
    for code in codes:
        assert saved[code].comment == f"<p>{code}, omgång 3</p>"
        assert saved[code].history.last().history_type == "+"
        assert saved[code].history.last().history_user == editor


def test_a_goal_page_saves_one_or_three_outcomes_in_the_same_queries(client, kultur):  # noqa: F811
    k = kultur
    third = IndicatorFactory(goal=k["goal"], code="UTS", name="Antal utställningar", unit="antal")
    TargetFactory(indicator=third, year=k["plan"].year, value=12, comparator="at_least")
    user = k["users"]["bib"]
    client.force_login(user)
    url = page_url(k)
    data = entry_form_data(client, url, comment="<p>Målet följs upp.</p>")
    codes = ["BES", "LAN", "UTS"]
    for code in codes:
        data[f"o-{code}-value"] = "10"
    posted(client, url, data)  # the follow-up and its three outcomes

    def save(changed, round_):
        data = entry_form_data(client, url)
        for code in changed:
            data[f"o-{code}-comment"] = f"<p>{code}, omgång {round_}</p>"
        return posted(client, url, data)

    one = save(codes[:1], 1)
    three = save(codes, 2)
    assert one == three, (one, three)
    outcomes = Outcome.objects.filter(period=k["period"], department=k["bib"], comment__contains="omgång 2")
    assert outcomes.count() == 3
    assert {o.history.first().history_user for o in outcomes} == {user}


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_pages_creating_the_same_outcome_end_in_one_saved_and_one_conflict_naming_it(demo):
    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    commitment = Commitment.objects.get(plan=period.plan, code="A05")
    department = Department.objects.get(code="AMA")
    editor = User.objects.get(username="redaktor")
    entry = progress_entry_save(
        entry=progress_entry_get_or_new(commitment=commitment, period=period, department=department),
        user=editor, comment="<p>Start</p>", assessment=None, expected_version=0,
    )  # fmt: skip
    indicators = list(Indicator.objects.filter(plan=period.plan, code__in=["AI1", "AI2"]).order_by("code"))
    barrier = threading.Barrier(2)
    results = []

    def page(text):
        try:
            row = ProgressEntry.objects.select_related("period__plan", "department").get(pk=entry.pk)
            edits = [
                OutcomeEdit(i.code, outcome_get_or_new(indicator=i, period=period, department=department),
                            {"comment": f"<p>{text}</p>"}, 0)
                for i in indicators
            ]  # fmt: skip
            changes = outcome_changes(user=editor, department=row.department, period=row.period, edits=edits)
            barrier.wait(timeout=10)
            reviewable_page_save(user=editor, row=row, changes=changes)
            results.append("saved")
        except Conflict as error:
            results.append(f"conflict {error.target} {bool(error.current.pk)}")
        finally:
            connection.close()

    threads = [threading.Thread(target=page, args=(t,)) for t in ("Anna", "Bo")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(results) == ["conflict AI1 True", "saved"]
    saved = Outcome.objects.filter(period=period, department=department, indicator__in=indicators)
    assert saved.count() == 2
    assert len({o.comment for o in saved}) == 1  # both from the page that was saved, nothing of the other
