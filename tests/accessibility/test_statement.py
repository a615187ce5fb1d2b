"""The accessibility statement: public, its facts from the admin, its report form reaching the site's admins."""

import datetime

import pytest
from django.urls import reverse

from accessibility.models import AccessibilityReport, AccessibilityStatement
from accessibility.selectors import site_admin_emails
from accounts.models import User
from commitments.models import Membership
from tests.factories import CommitteeFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/tillganglighet/"


@pytest.fixture
def statement(db) -> AccessibilityStatement:
    """The statement the data migration made (its defaults)."""
    return AccessibilityStatement.objects.get(pk=1)


def test_the_url_is_the_documented_one():
    assert reverse("accessibility:statement") == URL


def test_the_migration_made_one_statement_in_swedish(statement):
    assert AccessibilityStatement.objects.count() == 1
    assert statement.conformance == AccessibilityStatement.Conformance.PARTIAL
    assert "axe-core" in statement.test_method
    assert "tangentbord" in statement.test_method
    assert statement.shortcoming_list  # known shortcomings listed from the start


def test_anonymous_reads_the_statement_in_digg_s_model(client, statement, demo):
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    for heading in (
        "Tillgänglighet för",
        "Hur tillgänglig är tjänsten?",
        "Vad kan du göra om du inte kan använda delar av tjänsten?",
        "Rapportera brister i tjänstens tillgänglighet",
        "Rapportera en brist",
        "Tillsyn",
        "Teknisk information om tjänstens tillgänglighet",
        "Innehåll som inte är tillgängligt",
        "Hur vi testat tjänsten",
    ):
        assert heading in html, heading
    assert 'href="https://www.digg.se/tdosanmalan"' in html
    assert "delvis förenlig med lagen om tillgänglighet till digital offentlig service" in html
    assert "WCAG 2.1" in html
    assert "EN 301 549" in html
    # No organisation filled in: the committees' one (the demo's), not a placeholder.
    assert "Malmö stad står bakom den här tjänsten" in html
    for item in statement.shortcoming_list:
        assert f"<li>{item}</li>" in html
    assert "Senaste bedömningen gjordes den 30 november 2026." in html


def test_what_the_admins_change_is_what_the_page_says(client, statement, committee_admin):
    client.force_login(committee_admin)
    change = reverse("admin:accessibility_accessibilitystatement_change", args=[1])
    assert client.get(change).status_code == 200
    answer = client.post(
        change,
        {
            "organisation": "Exempelkommunen",
            "conformance": "none",
            "shortcomings": "- Tabellen över utfall saknar rubrikceller.\n\n• Filmen saknar textning.",
            "exempt_content": "Protokoll från före 2018 (9 §).",
            "test_method": "Extern granskning av Funktionstestarna AB.",
            "reviewed_on": "2026-10-15",
            "contact_email": "tillganglighet@example.org",
            "contact_phone": "040-34 10 00",
            "response_days": "3",
        },
    )
    assert answer.status_code == 302, answer.context["adminform"].form.errors if answer.context else answer
    client.logout()
    html = client.get(URL).content.decode()
    assert "Exempelkommunen står bakom den här tjänsten" in html
    assert "inte förenlig med lagen om tillgänglighet till digital offentlig service" in html
    assert "delvis förenlig" not in html
    assert "<li>Tabellen över utfall saknar rubrikceller.</li>" in html
    assert "<li>Filmen saknar textning.</li>" in html
    assert "Innehåll som inte omfattas av lagkraven" in html
    assert "Protokoll från före 2018 (9 §)." in html
    assert "<p>Extern granskning av Funktionstestarna AB.</p>" in html
    assert "axe-core" not in html
    assert "Senaste bedömningen gjordes den 15 oktober 2026." in html
    assert 'href="mailto:tillganglighet@example.org"' in html
    assert 'href="tel:040341000"' in html
    assert "Svarstiden är normalt 3 arbetsdagar." in html
    # Saving dates the statement: today.
    today = AccessibilityStatement.objects.get().updated_on
    assert today == datetime.date.today()  # noqa: DTZ011 (auto_now uses the server's date)
    assert f"Redogörelsen uppdaterades senast den {today.day} " in html


def test_without_a_saved_statement_the_page_shows_the_defaults(client, statement):
    statement.delete()
    html = client.get(URL).content.decode()
    assert "delvis förenlig" in html
    assert "axe-core" in html


def test_only_site_admins_edit_the_statement_and_none_deletes_it(client, statement, committee_admin, reviewer):
    change = reverse("admin:accessibility_accessibilitystatement_change", args=[1])
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)  # reaches the admin, but manages no plan
    assert client.get(change).status_code == 403
    client.force_login(committee_admin)
    assert client.get(reverse("admin:accessibility_accessibilitystatement_add")).status_code == 403  # one only
    assert client.get(reverse("admin:accessibility_accessibilitystatement_delete", args=[1])).status_code == 403


# The form ---------------------------------------------------------------------------------


def report(client, remote_addr: str = "127.0.0.1", **fields):
    data = {"name": "", "email": "", "page": "", "description": "", **fields}
    return client.post(URL, data, REMOTE_ADDR=remote_addr)


def test_a_report_without_description_is_refused_in_swedish(client, statement, mailoutbox):
    answer = report(client, name="Kim", email="kim@example.org", page="/login/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Din rapport skickades inte" in html
    assert "Beskriv problemet du stötte på." in html
    assert 'aria-invalid="true"' in html
    assert AccessibilityReport.objects.count() == 0
    assert mailoutbox == []


def test_a_report_with_a_bad_address_is_refused_in_swedish(client, statement, mailoutbox):
    answer = report(client, email="kim(at)example", description="Knappen syns inte i mörkt läge.")
    html = answer.content.decode()
    assert "Fyll i en giltig e-postadress." in html
    assert "Knappen syns inte i mörkt läge." in html  # what they wrote is kept
    assert AccessibilityReport.objects.count() == 0
    assert mailoutbox == []


def test_a_too_long_description_is_refused(client, statement, mailoutbox):
    answer = report(client, description="x" * 4_001)
    assert "Högst4000tecken(nu4001)" in answer.content.decode().replace("\xa0", "").replace(" ", "")
    assert AccessibilityReport.objects.count() == 0


@pytest.fixture
def site_admins(demo, committee_admin):
    """Admins of two committees, a superuser who is also one, and people who must not get the mail."""
    other = CommitteeFactory()
    other_admin = UserFactory(username="admin2", email="admin2@example.org")
    MembershipFactory(user=other_admin, committee=other, role=Membership.Role.COMMITTEE_ADMIN)
    root = UserFactory(username="root", email="root@example.org", is_superuser=True, is_staff=True)
    MembershipFactory(user=root, committee=demo, role=Membership.Role.COMMITTEE_ADMIN)
    MembershipFactory(user=root, committee=other, role=Membership.Role.COMMITTEE_ADMIN)
    # The same person's address twice, written differently: one mail.
    twin = UserFactory(username="admin-twin", email="ADMIN2@example.org")
    MembershipFactory(user=twin, committee=demo, role=Membership.Role.COMMITTEE_ADMIN)
    gone = UserFactory(username="gone", email="gone@example.org", is_active=False)
    MembershipFactory(user=gone, committee=other, role=Membership.Role.COMMITTEE_ADMIN)
    mute = UserFactory(username="mute", email="")
    MembershipFactory(user=mute, committee=other, role=Membership.Role.COMMITTEE_ADMIN)
    return {committee_admin.email, "admin2@example.org", "root@example.org"}


def test_the_report_goes_to_every_committee_admin_and_superuser_once(site_admins, reviewer):
    assert {e.lower() for e in site_admin_emails()} == site_admins
    assert len(site_admin_emails()) == len(site_admins)
    assert reviewer.email not in site_admin_emails()


def test_a_valid_report_is_stored_and_mailed_to_the_admins(
    client, statement, site_admins, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = report(
            client,
            name="Kim Andersson",
            email="kim@example.org",
            page="/publicerat/asn/",
            description="Länken till <PDF> & Word-filen\x0bsäger inte att den öppnar en fil.",
        )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("accessibility:thanks")
    stored = AccessibilityReport.objects.get()
    # The text rule of common/text.py: Word's line break (U+000B) becomes a line break.
    assert stored.description.startswith("Länken till <PDF> & Word-filen\nsäger inte")
    assert (stored.name, stored.email, stored.page) == ("Kim Andersson", "kim@example.org", "/publicerat/asn/")
    assert stored.mailed_at is not None
    assert stored.client
    assert "127.0.0.1" not in stored.client  # the address is not kept
    # One mail to each admin, alone in its "To" (no admin sees the others' addresses).
    assert all(len(m.to) == 1 for m in mailoutbox)
    assert len(mailoutbox) == len(site_admins)
    assert {m.to[0].lower() for m in mailoutbox} == site_admins
    mail = mailoutbox[0]
    assert mail.reply_to == ["kim@example.org"]
    assert "Tillgänglighetsproblem rapporterat" in mail.subject
    assert "/publicerat/asn/" in mail.subject
    assert "säger inte att den öppnar en fil." in mail.body
    assert "<PDF> & Word-filen" in mail.body  # plain text, not HTML-escaped
    assert f"/admin/accessibility/accessibilityreport/{stored.pk}/change/" in mail.body
    thanks = client.get(answer["Location"]).content.decode()
    assert "Tack för din rapport" in thanks
    assert "inom 10 arbetsdagar" in thanks


def test_a_report_is_mailed_once(client, statement, site_admins, mailoutbox, django_capture_on_commit_callbacks):
    from accessibility.services import report_notice_send

    with django_capture_on_commit_callbacks(execute=True):
        report(client, description="Fokus syns inte på knappen Spara.")
    sent = len(mailoutbox)
    assert sent == len(site_admins)
    assert report_notice_send(report_id=AccessibilityReport.objects.get().pk) == 0
    assert len(mailoutbox) == sent


def test_a_report_with_nul_is_refused_and_nothing_stored(client, statement, mailoutbox):
    answer = report(client, description="Text\x00")
    assert answer.status_code == 400
    assert AccessibilityReport.objects.count() == 0


def test_one_address_sends_at_most_the_hourly_cap(
    client, statement, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ACCESSIBILITY_REPORTS_PER_HOUR = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            assert report(client, description=f"Brist {n}").status_code == 302
        refused = report(client, description="Brist 3")
    assert refused.status_code == 429
    assert "många rapporter från din anslutning" in refused.content.decode()
    assert AccessibilityReport.objects.count() == 2
    assert len(mailoutbox) == 2 * len(site_admin_emails())  # each report taken went to each admin
    # Another address is not held back; an hour later the first may send again.
    assert report(client, description="Brist 4", remote_addr="10.1.2.3").status_code == 302
    AccessibilityReport.objects.update(created_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert report(client, description="Brist 5").status_code == 302
    assert AccessibilityReport.objects.count() == 4


def test_the_form_carries_csrf_protection(statement):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" in strict.get(URL).content.decode()
    assert strict.post(URL, {"description": "Brist"}).status_code == 403
    assert AccessibilityReport.objects.count() == 0


def test_the_reports_are_listed_for_the_admins(client, statement, committee_admin, editor):
    AccessibilityReport.objects.create(description="Kontrasten är för låg i sidfoten.", client="x", page="/")
    changelist = reverse("admin:accessibility_accessibilityreport_changelist")
    client.force_login(committee_admin)
    assert "Kontrasten är för låg i sidfoten." in client.get(changelist).content.decode()
    client.force_login(editor)
    assert client.get(changelist).status_code == 302  # not an admin user: to the admin's login


def test_the_form_names_the_page_the_reader_came_from(client, statement):
    came_from = client.get(URL, HTTP_REFERER="http://testserver/publicerat/asn/").context["form"]
    assert came_from["page"].value() == "/publicerat/asn/"
    linked = client.get(URL, {"sida": "/n/asn/2019-helar/ataganden/"}).context["form"]
    assert linked["page"].value() == "/n/asn/2019-helar/ataganden/"
    # Another site's page is not this service's.
    elsewhere = client.get(URL, HTTP_REFERER="https://example.org/publicerat/asn/").context["form"]
    assert elsewhere["page"].value() == ""


# The footer link ---------------------------------------------------------------------------


def footer_links(html: str) -> bool:
    footer = html[html.index('<footer class="site-footer">') :]
    return f'<a href="{URL}">Tillgänglighet</a>' in footer


def test_the_login_page_links_the_statement(client, demo):
    assert footer_links(client.get("/login/").content.decode())


@pytest.mark.parametrize("username", ["admin", "granskare", "redaktor", "lasare"])
def test_each_role_s_start_page_links_the_statement(client, demo, username):
    client.force_login(User.objects.get(username=username))
    assert footer_links(client.get("/").content.decode())


def test_a_public_report_page_links_the_statement(client, demo):
    assert footer_links(client.get("/publicerat/asn/").content.decode())


def test_the_admin_links_the_statement(client, committee_admin):
    client.force_login(committee_admin)
    assert f'<a href="{URL}">Tillgänglighet</a>' in client.get("/admin/").content.decode()
