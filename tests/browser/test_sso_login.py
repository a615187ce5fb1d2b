"""
Single sign-on in Chromium against a real OpenID Connect provider process: the login page's
button, the provider's page, back to the start page; the page for someone with no role yet;
logging out here and at the provider.
"""

import pytest
from playwright.sync_api import expect

from accounts.models import User
from tests.browser.test_login_keyboard import serious_violations
from tests.oidc_provider import oidc_provider, use_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    use_provider(settings, provider)
    return provider


def log_in_at_provider(page, live_server, sub: str) -> None:
    page.goto(f"{live_server.url}/login/")
    assert serious_violations(page) == []
    page.get_by_role("link", name="Logga in med Testkommunen").click()
    page.wait_for_url("**/oauth2/authorize?**")
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()


def test_a_member_logs_in_through_the_provider_and_out_of_both(page, live_server, sso, reviewer):
    sso.set_user("sub-greta-browser", email="Granskare@Example.org", given_name="Greta", family_name="Granskare")
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    log_in_at_provider(page, live_server, "sub-greta-browser")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Välkommen, Greta")
    expect(page.get_by_role("heading", name="Arbetsmarknads- och socialnämnden")).to_be_visible()
    reviewer.refresh_from_db()
    assert reviewer.oidc_subject == "sub-greta-browser"

    # Logging out ends this site's session and sends the browser to the provider's end-session
    # endpoint with the ID token, which sends it back to the login page.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{sso.url}/oauth2/end_session?**")
    assert "id_token_hint=" in page.url
    assert "post_logout_redirect_uri=" in page.url
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{live_server.url}/login/")
    page.goto(f"{live_server.url}/")
    page.wait_for_url(f"{live_server.url}/login/?next=/")
    assert csp_errors == []


def test_a_person_without_a_role_is_told_so_in_plain_swedish(page, live_server, sso):
    sso.set_user("sub-new-browser", email="ny.medarbetare@kommun.example", name="Nils Nyberg")
    log_in_at_provider(page, live_server, "sub-new-browser")

    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du är inloggad, men du har ingen behörighet ännu")
    expect(page.get_by_text("Du är inloggad som Nils Nyberg.")).to_be_visible()
    expect(page.get_by_text("Be din nämndadministratör om behörighet.")).to_be_visible()
    assert serious_violations(page) == []
    assert User.objects.get(oidc_subject="sub-new-browser").memberships.count() == 0
