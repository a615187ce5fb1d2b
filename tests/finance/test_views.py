import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finance.models import FinanceReport, InvestmentLine

from .conftest import DEMO_FINANCE, set_cell, workbook_bytes

URL = reverse("finance:tables", args=["asn", "2024-helar"])
IMPORT = reverse("admin:finance_financereport_import")


def test_a_reviewer_reads_the_tables_with_captions_and_row_headers(client, reviewer):
    client.force_login(reviewer)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<caption") == 9
    assert '<caption id="table-areas">Budgetavvikelse per verksamhetsområde</caption>' in html
    assert '<th scope="row">Individ- och familjeomsorg (IFO)</th>' in html
    assert '<td class="num">1\u00a0822\u00a0631</td>' in html
    assert '<td class="num">\u221291\u00a0106</td>' in html
    assert '<td class="num">-</td>' in html  # the income statement's budget for Finansiella intäkter
    assert "Beräknat: SUMMA" in html
    assert "avviker" not in html.replace("markerad ”avviker”", "")


def test_an_editor_is_refused(client, editor):
    client.force_login(editor)
    assert client.get(URL).status_code == 403


def test_a_flagged_difference_is_marked_in_text(client, reviewer, committee_admin, period, finance_dir):
    from finance.services import finance_import

    set_cell(finance_dir, "orsaker", 9, "utfall", "-4 010")
    finance_import(period=period, file=finance_dir, user=committee_admin)
    client.force_login(reviewer)
    html = client.get(URL).content.decode()
    assert "<mark>\u22124\u00a0010 <strong>(avviker)</strong></mark>" in html
    assert "Avviker: ”Summa budgetavvikelser”, Utfall: angivet \u22124\u00a0010, beräknat \u22124\u00a0004" in html


def test_the_admin_previews_then_imports_the_file(client, committee_admin, period, finance_dir):
    set_cell(finance_dir, "investeringar", 2, "utfall", "9 000")
    set_cell(finance_dir, "investeringar", 2, "avvikelse", "6 000")
    client.force_login(committee_admin)
    upload = SimpleUploadedFile("ekonomi.xlsx", workbook_bytes(finance_dir))
    response = client.post(IMPORT, {"period": period.pk, "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Förhandsgranskning" in html
    assert '<th scope="row">Investeringsram</th><td>1</td><td>0</td>' in html
    assert InvestmentLine.objects.get(report__period=period).outcome == 8470  # nothing yet
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    response = client.post(IMPORT, {"confirm": "1", "token": token})
    assert response.status_code == 302
    assert InvestmentLine.objects.get(report__period=period).outcome == 9000
    assert FinanceReport.objects.get(period=period).file_name == "ekonomi.xlsx"


def test_the_admin_preview_lists_every_error_and_offers_no_confirm(client, committee_admin, period, finance_dir):
    set_cell(finance_dir, "verksamhetsomraden", 3, "kommunbidrag", "okänt")
    before = FinanceReport.objects.get(period=period).digest
    client.force_login(committee_admin)
    upload = SimpleUploadedFile("ekonomi.xlsx", workbook_bytes(finance_dir))
    html = client.post(IMPORT, {"period": period.pk, "file": upload}).content.decode()
    assert "Inget har ändrats" in html or "Ingenting har ändrats" in html
    assert "<td>Verksamhetsområden</td><td>3</td><td>kommunbidrag</td>" in html
    assert 'name="confirm"' not in html
    assert FinanceReport.objects.get(period=period).digest == before


def test_a_confirm_without_a_preview_changes_nothing(client, committee_admin, period):
    client.force_login(committee_admin)
    before = FinanceReport.objects.get(period=period).updated_at
    response = client.post(IMPORT, {"confirm": "1", "token": "guess"})
    assert response.status_code == 302
    assert FinanceReport.objects.get(period=period).updated_at == before


def test_the_unchanged_demo_file_previews_as_no_change(client, committee_admin, period):
    client.force_login(committee_admin)
    upload = SimpleUploadedFile("ekonomi.xlsx", workbook_bytes(DEMO_FINANCE))
    html = client.post(IMPORT, {"period": period.pk, "file": upload}).content.decode()
    assert "importen ändrar ingenting" in html


def test_the_admin_lists_the_imports_with_a_link_to_import(client, committee_admin):
    client.force_login(committee_admin)
    html = client.get(reverse("admin:finance_financereport_changelist")).content.decode()
    assert IMPORT in html
    assert URL in html
