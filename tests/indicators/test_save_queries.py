"""A page's save costs a fixed number of queries, however many of its outcomes changed."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import Outcome
from tests.indicators.test_entry_views import entry_form_data, entry_url


def save_queries(client, changed_outcomes: int, round_: int) -> int:
    url = entry_url()
    data = entry_form_data(client, url, comment=f"<p>Kommentar {round_}</p>")
    codes = sorted({name.split("-")[1] for name in data if name.startswith("o-")})
    assert len(codes) == 5, codes
    for code in codes[:changed_outcomes]:
        data[f"o-{code}-comment"] = f"<p>Utfallet {code}, omgång {round_}</p>"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return len(queries.captured_queries)


def test_saving_outcomes_costs_the_same_queries_for_one_or_five(client, editor):
    client.force_login(editor)
    first = save_queries(client, 1, 1)  # creates the entry and one outcome
    save_queries(client, 5, 2)  # creates the other four outcomes
    one = save_queries(client, 1, 3)
    five = save_queries(client, 5, 4)
    assert Outcome.objects.filter(period__slug="2019-helar", comment__contains="omgång 4").count() == 5
    assert one == five, (first, one, five)
