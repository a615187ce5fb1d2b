"""
Single sign-on against a real OpenID Connect provider process (oidc-provider-mock): the whole
authorization code flow through the site's views, with the provider's real keys and tokens.
The browser runs the same flow in tests/browser/test_sso_login.py.
"""

import base64
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import SuspiciousOperation
from django.urls import reverse

from accounts.models import User
from accounts.oidc import OIDCBackend
from commitments.models import Department, Membership
from commitments.sso import group_roles, group_roles_check
from tests.conftest import DEMO_PASSWORD
from tests.oidc_provider import CLIENT_ID, oidc_provider, use_provider

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    with oidc_provider() as running:
        yield running


@pytest.fixture
def sso(settings, provider):
    use_provider(settings, provider)
    return provider


def log_in_through(client, provider, sub: str, *, next_url: str = "") -> tuple:
    """Follow the flow as a browser would: site → provider (logged in as ``sub``) → site's callback."""
    start = client.get(reverse("oidc_authentication_init") + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    assert start["Location"].startswith(f"{provider.url}/oauth2/authorize?")
    back = provider.log_in(start["Location"], sub)
    assert back.startswith("http://testserver/oidc/callback/?")
    parts = urlsplit(back)
    return start, client.get(f"{parts.path}?{parts.query}")


def logged_in_user(client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def login_page_messages(client) -> str:
    return client.get(reverse("login")).content.decode()


# Without a provider -----------------------------------------------------------


def test_without_a_provider_the_login_page_is_as_before(client, reviewer):
    html = client.get(reverse("login")).content.decode()
    assert "Logga in med" not in html
    assert 'name="password"' in html
    assert client.get(reverse("oidc_authentication_init")).status_code == 404
    assert client.get(reverse("oidc_authentication_callback")).status_code == 404
    response = client.post(reverse("login"), {"username": "granskare", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert logged_in_user(client) == reviewer


# The flow ---------------------------------------------------------------------


def test_the_login_page_offers_the_provider_and_keeps_the_local_form(client, sso):
    html = client.get(reverse("login") + "?next=/konto/").content.decode()
    assert f'href="{reverse("oidc_authentication_init")}?next=%2Fkonto%2F"' in html
    assert "Logga in med Testkommunen" in html
    assert "Logga in med ett lokalt konto" in html
    assert 'name="password"' in html


def test_a_member_logs_in_matched_on_email_whatever_its_case(client, sso, reviewer):
    sso.set_user("sub-greta", email="GRANSKARE@Example.org", given_name="Greta", family_name="Granskare")
    users = User.objects.count()
    start, done = log_in_through(client, sso, "sub-greta", next_url="/konto/")

    # State, nonce and PKCE went with the request (the library's checks, left on).
    query = parse_qs(urlsplit(start["Location"]).query)
    assert {"state", "nonce", "code_challenge"} <= set(query)
    assert query["client_id"] == [CLIENT_ID]
    assert done.status_code == 302
    assert done["Location"] == "/konto/"
    assert logged_in_user(client) == reviewer
    assert User.objects.count() == users
    reviewer.refresh_from_db()
    assert reviewer.oidc_subject == "sub-greta"
    assert client.get(reverse("home")).content.decode().count("Välkommen, Greta") == 1


def test_a_changed_email_address_still_finds_the_account_by_its_subject(client, sso, reviewer):
    sso.set_user("sub-greta-2", email="granskare@example.org")
    log_in_through(client, sso, "sub-greta-2")
    client.logout()
    sso.set_user("sub-greta-2", email="greta.granskare@kommun.example", given_name="Greta", family_name="Nygren")
    log_in_through(client, sso, "sub-greta-2")
    assert logged_in_user(client) == reviewer
    reviewer.refresh_from_db()
    assert (reviewer.email, reviewer.last_name) == ("greta.granskare@kommun.example", "Nygren")


def test_a_new_person_gets_an_account_with_no_role_and_is_told_whom_to_ask(client, sso, settings):
    settings.ACCESS_CONTACT = "planeringsenheten, plan@kommun.example"
    sso.set_user("sub-ny", email="Ny.Person@kommun.example", name="Nora Nilsson")
    _start, done = log_in_through(client, sso, "sub-ny")
    assert done["Location"] == "/"
    user = logged_in_user(client)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "ny.person@kommun.example", "Ny.Person@kommun.example", "Nora", "Nilsson",
    )  # fmt: skip
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    html = client.get(reverse("home")).content.decode()
    assert "<h1>Du är inloggad, men du har ingen behörighet ännu</h1>" in html
    assert "Du är inloggad som Nora Nilsson." in html
    assert "Be din nämndadministratör om behörighet." in html
    assert "kontakta planeringsenheten, plan@kommun.example" in html


def test_an_address_tied_to_another_identity_is_refused(client, sso, reviewer):
    User.objects.filter(pk=reviewer.pk).update(oidc_subject="someone-else")
    sso.set_user("sub-intruder", email="granskare@example.org")
    _start, done = log_in_through(client, sso, "sub-intruder")
    assert done["Location"] == reverse("login")
    assert logged_in_user(client) is None
    assert not User.objects.filter(oidc_subject="sub-intruder").exists()
    assert "tillhör en annan inloggning" in login_page_messages(client)


def test_an_inactive_account_is_refused(client, sso, reviewer):
    User.objects.filter(pk=reviewer.pk).update(is_active=False)
    sso.set_user("sub-inactive", email="granskare@example.org")
    _start, done = log_in_through(client, sso, "sub-inactive")
    assert done["Location"] == reverse("login")
    assert logged_in_user(client) is None


def test_next_pointing_to_another_site_is_not_followed(client, sso):
    sso.set_user("sub-next", email="next@kommun.example")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        _start, done = log_in_through(client, sso, "sub-next", next_url=evil)
        assert done["Location"] == "/", evil
        client.logout()
    html = client.get(reverse("login") + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_a_callback_with_another_state_is_refused(client, sso):
    sso.set_user("sub-state", email="state@kommun.example")
    start = client.get(reverse("oidc_authentication_init"))
    back = urlsplit(sso.log_in(start["Location"], "sub-state"))
    query = parse_qs(back.query)
    response = client.get(back.path, {"code": query["code"][0], "state": "forged-state"})
    assert response["Location"] == reverse("login")
    assert logged_in_user(client) is None
    assert "Inloggningen med Testkommunen misslyckades" in login_page_messages(client)
    # The same answer again (a replay) is refused as well: its state was used.
    client.get(back.path, {"code": query["code"][0], "state": query["state"][0]})
    client.logout()
    assert client.get(f"{back.path}?{back.query}")["Location"] == reverse("login")
    assert logged_in_user(client) is None


def test_a_login_cancelled_at_the_provider_says_so(client, sso):
    start = client.get(reverse("oidc_authentication_init"))
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    response = client.get(reverse("oidc_authentication_callback"), {"error": "access_denied", "state": state})
    assert response["Location"] == reverse("login")
    assert "Inloggningen avbröts" in login_page_messages(client)


# Logging out --------------------------------------------------------------------


def test_logging_out_ends_the_session_here_and_at_the_provider(client, sso):
    sso.set_user("sub-out", email="out@kommun.example")
    log_in_through(client, sso, "sub-out")
    id_token = client.session["oidc_id_token"]
    session_key = client.session.session_key
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    end = urlsplit(response["Location"])
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{sso.url}/oauth2/end_session"
    assert parse_qs(end.query) == {
        "id_token_hint": [id_token],
        "post_logout_redirect_uri": ["http://testserver/login/"],
        "client_id": [CLIENT_ID],
    }
    assert not Session.objects.filter(session_key=session_key).exists()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_local_account_logs_out_here_only(client, sso, reviewer):
    client.post(reverse("login"), {"username": "granskare", "password": DEMO_PASSWORD})
    assert logged_in_user(client) == reviewer
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert logged_in_user(client) is None


# Tokens: the backend's checks with the provider's real keys ------------------------


def _tamper(token: str, part: int) -> str:
    pieces = token.split(".")
    if part == 1:
        claims = json.loads(base64.urlsafe_b64decode(pieces[1] + "=" * (-len(pieces[1]) % 4)))
        claims["email"] = "admin@example.org"
        pieces[1] = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    else:
        signature = bytearray(base64.urlsafe_b64decode(pieces[2] + "=" * (-len(pieces[2]) % 4)))
        signature[10] ^= 0x01
        pieces[2] = base64.urlsafe_b64encode(bytes(signature)).rstrip(b"=").decode()
    return ".".join(pieces)


def test_the_backend_accepts_the_providers_token_and_refuses_any_altered_one(sso):
    sso.set_user("sub-token", email="token@kommun.example")
    token = sso.tokens("sub-token", nonce="n-1")["id_token"]
    backend = OIDCBackend()
    assert backend.verify_token(token, nonce="n-1")["email"] == "token@kommun.example"

    with pytest.raises(SuspiciousOperation, match=r"failed|Signature"):
        backend.verify_token(_tamper(token, 2), nonce="n-1")
    with pytest.raises(SuspiciousOperation, match=r"failed|Signature"):
        backend.verify_token(_tamper(token, 1), nonce="n-1")
    with pytest.raises(SuspiciousOperation, match="Nonce"):
        backend.verify_token(token, nonce="another-nonce")

    # Signed with another key, with or without the provider's key id: refused.
    claims = jwt.decode(token, options={"verify_signature": False})
    own_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = requests.get(f"{sso.url}/jwks", timeout=10).json()["keys"][0]["kid"]
    for headers in ({"kid": kid}, {}):
        forged = jwt.encode(claims, own_key, algorithm="RS256", headers=headers)
        with pytest.raises(SuspiciousOperation, match=r"failed|Signature"):
            backend.verify_token(forged, nonce="n-1")
    # A token with no signature at all.
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(unsigned, nonce="n-1")


def test_a_token_issued_to_another_client_is_refused(sso):
    sso.set_user("sub-aud", email="aud@kommun.example")
    token = sso.tokens("sub-aud", nonce="n-2", client_id="another-application")["id_token"]
    with pytest.raises(SuspiciousOperation, match=r"(?i)audience"):
        OIDCBackend().verify_token(token, nonce="n-2")


def test_a_token_from_another_issuer_is_refused(sso, settings):
    sso.set_user("sub-iss", email="iss@kommun.example")
    token = sso.tokens("sub-iss", nonce="n-3")["id_token"]
    settings.OIDC_OP_ISSUER = "https://login.example/other-tenant/v2.0"
    with pytest.raises(SuspiciousOperation, match=r"(?i)issuer"):
        OIDCBackend().verify_token(token, nonce="n-3")


def test_an_expired_token_is_refused(settings):
    with oidc_provider(token_max_age=1) as short_lived:
        use_provider(settings, short_lived, OIDC_CLOCK_LEEWAY=1)
        short_lived.set_user("sub-expiring", email="expiring@kommun.example")
        token = short_lived.tokens("sub-expiring", nonce="n-4")["id_token"]
        expires = jwt.decode(token, options={"verify_signature": False})["exp"]
        assert OIDCBackend().verify_token(token, nonce="n-4")["sub"] == "sub-expiring"
        time.sleep(max(0.0, expires + settings.OIDC_CLOCK_LEEWAY + 1.1 - time.time()))
        with pytest.raises(SuspiciousOperation, match="expired"):
            OIDCBackend().verify_token(token, nonce="n-4")


# Roles from groups ----------------------------------------------------------------


def test_roles_follow_the_mapped_groups_at_each_login(client, sso, settings, demo):
    settings.OIDC_GROUP_ROLES = "g-reviewers=asn:reviewer;\n g-ama-editors = asn:editor:AMA ; g-old=asn:reviewer"
    ama = Department.objects.get(committee=demo, code="AMA")
    sso.set_user("sub-groups", email="groups@kommun.example", groups=["g-ama-editors", "unmapped"])
    log_in_through(client, sso, "sub-groups")
    user = logged_in_user(client)
    assert set(Membership.objects.filter(user=user).values_list("role", "department")) == {("editor", ama.pk)}
    # A role granted in the app that no group maps stays, whatever the groups.
    Membership.objects.create(user=user, committee=demo, department=ama, role="reader")
    client.logout()

    sso.set_user("sub-groups", email="groups@kommun.example", groups=["g-reviewers"])
    log_in_through(client, sso, "sub-groups")
    assert set(Membership.objects.filter(user=user).values_list("role", "department")) == {
        ("reviewer", None), ("reader", ama.pk),
    }  # fmt: skip
    client.logout()

    sso.set_user("sub-groups", email="groups@kommun.example")  # no groups claim at all
    log_in_through(client, sso, "sub-groups")
    assert set(Membership.objects.filter(user=user).values_list("role", "department")) == {("reader", ama.pk)}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("g=asn", "is not group=committee:role"),
        ("=asn:reviewer", "is not group=committee:role"),
        ("g=asn:boss", "the role must be one of"),
        ("g=asn:editor", "editors and readers name a department"),
        ("g=asn:reviewer:AMA", "editors and readers name a department"),
    ],
)
def test_a_wrong_group_mapping_is_a_system_check_error(settings, text, error):
    with pytest.raises(ValueError, match=error):
        group_roles(text)
    settings.OIDC_GROUP_ROLES = text
    assert [e.id for e in group_roles_check()] == ["commitments.E101"]


# Settings ---------------------------------------------------------------------


def _settings_in_a_process(settings_module: str, **environ) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.AUTHENTICATION_BACKENDS, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **environ}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    backends, form_action = json.loads(result.stdout)
    return {"backends": backends, "form_action": form_action}


def test_the_environment_turns_single_sign_on_and_local_login_on_and_off():
    off = _settings_in_a_process("asn.settings.test")
    assert off["backends"] == ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
    assert off["form_action"] == ["'self'"]
    discovery = "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration"
    on = _settings_in_a_process("asn.settings.test", OIDC_RP_CLIENT_ID="app-id", OIDC_OP_DISCOVERY_URL=discovery)
    assert on["backends"] == [*off["backends"], "accounts.oidc.OIDCBackend"]
    assert on["form_action"] == ["'self'", "https://login.microsoftonline.com"]
    sso_only = _settings_in_a_process(
        "asn.settings.test", OIDC_RP_CLIENT_ID="app-id", OIDC_OP_DISCOVERY_URL=discovery, OIDC_LOCAL_LOGIN="false"
    )
    assert sso_only["backends"] == ["axes.backends.AxesStandaloneBackend", "accounts.oidc.OIDCBackend"]


def test_with_local_login_off_the_page_offers_the_provider_alone(client, sso, settings, reviewer):
    settings.OIDC_LOCAL_LOGIN = False
    settings.AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "accounts.oidc.OIDCBackend"]
    html = client.get(reverse("login")).content.decode()
    assert "Logga in med Testkommunen" in html
    assert 'name="password"' not in html
    client.post(reverse("login"), {"username": "granskare", "password": DEMO_PASSWORD})
    assert logged_in_user(client) is None


def test_check_deploy_with_single_sign_on_prints_no_warning():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "asn.settings.prod",
        "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-for-the-check",
        "ALLOWED_HOSTS": "uppfoljning.example.org",
        "DATABASE_URL": "postgres://u:p@127.0.0.1:5432/asn",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://uppfoljning.example.org",
        "OIDC_RP_CLIENT_ID": "app-id",
        "OIDC_RP_CLIENT_SECRET": "app-secret",
        "OIDC_OP_DISCOVERY_URL": "https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration",
        "OIDC_PROVIDER_NAME": "Exempelkommunen",
        "OIDC_GROUP_ROLES": "group-id=asn:reviewer",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_single_sign_on_without_a_provider_address_is_a_system_check_error(settings):
    from accounts.oidc import sso_settings_check

    settings.OIDC_RP_CLIENT_ID = "app-id"
    assert [e.id for e in sso_settings_check()] == ["accounts.E101"]
    settings.OIDC_OP_DISCOVERY_URL = "https://login.example/.well-known/openid-configuration"
    assert sso_settings_check() == []


def test_an_address_shared_by_several_accounts_is_refused_and_nothing_changes(db):
    from accounts.services import SsoAccountError, sso_user_for_claims
    from tests.factories import UserFactory

    first = UserFactory(email="delad@kommun.example")
    UserFactory(email="Delad@Kommun.example")
    with pytest.raises(SsoAccountError) as refused:
        sso_user_for_claims({"sub": "sub-shared", "email": "DELAD@kommun.example"})
    assert str(refused.value) == (
        "Flera konton har e-postadressen DELAD@kommun.example. Be din nämndadministratör att rätta det."
    )
    first.refresh_from_db()
    assert first.oidc_subject == ""
    assert not User.objects.filter(oidc_subject="sub-shared").exists()
