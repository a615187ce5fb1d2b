"""What every response says to the browser beside its content: caching, permissions, the login's lifetime."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

STATIC = "/static/js/unsaved-changes.js"


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("home", []),
        ("commitments:event_log", ["asn"]),
        ("followup:list", ["asn", "2019-jan-aug"]),
        ("reports:builds", ["asn", "2019-jan-aug"]),
    ],
)
def test_a_logged_in_users_pages_are_kept_in_no_cache(client, committee_admin, name, args):
    client.force_login(committee_admin)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_only_what_is_private_to_a_logged_in_user_is_kept_out_of_caches(client, committee_admin):
    # The public list of adopted editions, for a visitor who has not logged in: cacheable.
    response = client.get(reverse("public:editions", args=["asn"]))
    assert response.status_code == 200
    assert "no-store" not in cache_control(response)
    client.force_login(committee_admin)
    # The same page for a logged-in user shows who is logged in.
    assert {"private", "no-store"} <= cache_control(client.get(reverse("public:editions", args=["asn"])))
    # A static file, also for a logged-in user: cacheable.
    response = client.get(STATIC)
    assert response.status_code == 200
    assert not {"private", "no-store"} & cache_control(response)
    # A page that says how it is cached keeps what it says (the admin's never_cache).
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert "max-age=0" in cache_control(response)


@pytest.mark.parametrize("url", ["/login/", "/", STATIC, "/ingen-sida/"])
def test_every_response_denies_the_browser_features_the_site_does_not_use(client, editor, url):
    if url == "/":
        client.force_login(editor)
    response = client.get(url)
    policy = {part.strip() for part in response["Permissions-Policy"].split(",")}
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in policy


def test_a_login_lasts_a_working_day_and_ends_with_the_browser(client, editor):
    before = timezone.now()
    response = client.post(reverse("login"), {"username": "redaktor", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    # No expiry on the cookie: the browser forgets it when it closes.
    assert not cookie["expires"]
    assert not cookie["max-age"]
    session = Session.objects.get(session_key=cookie.value)
    assert session.expire_date <= before + timedelta(hours=10, minutes=1)
    assert session.expire_date >= before + timedelta(hours=8)
