"""Page titles name their period and department; filters offer "Alla"; history diffs say what changed."""

import pytest
from django.urls import reverse

from commitments.history import text_diff

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def title(response) -> str:
    html = response.content.decode()
    return html[html.index("<title>") + 7 : html.index("</title>")]


def test_entry_titles_differ_by_period(editor_client):
    whole = editor_client.get(reverse("followup:entry", args=["asn", "2019-helar", "A05", "AMA"]))
    part = editor_client.get(reverse("followup:entry", args=["asn", "2019-jan-aug", "A05", "AMA"]))
    assert title(whole).startswith("A05 – Arbetsmarknadsavdelningen, helår 2019")
    assert title(part) != title(whole)


def test_history_title_names_department_and_period(editor_client):
    response = editor_client.get(reverse("followup:entry_history", args=["asn", "2019-helar", "A05", "AMA"]))
    assert title(response).startswith("Historik för A05, Arbetsmarknadsavdelningen, helår 2019")


def test_log_title_names_its_period_filter(client, reviewer):
    from commitments.models import ReportingPeriod

    client.force_login(reviewer)
    url = reverse("commitments:event_log", args=["asn"])
    period = ReportingPeriod.objects.get(slug="2019-helar")
    assert "helår" not in title(client.get(url))
    filtered = client.get(url, {"period": period.pk})
    assert "helår 2019" in title(filtered)
    assert '<option value="" selected>Alla</option>' in client.get(url).content.decode()


def test_diff_says_removed_and_added_to_screen_readers():
    html = text_diff("<p>Arbetet har börjat</p>", "<p>Arbetet har avslutats</p>")
    assert '<del><span class="visually-hidden">borttaget: </span>börjat</del>' in html
    assert '<ins><span class="visually-hidden">tillagt: </span>avslutats</ins>' in html
