import os

import pytest
from django.core.management import call_command

from accounts.models import User
from commitments.models import Committee

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# beside one unless told that this is deliberate. Tests only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

DEMO_PASSWORD = "demo-pass-123"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(db) -> Committee:
    """The demo committee ASN with its 2019 plan, loaded through load_demo."""
    call_command("load_demo", password=DEMO_PASSWORD, stdout=open(os.devnull, "w"))
    return Committee.objects.get(slug="asn")


@pytest.fixture
def committee_admin(demo) -> User:
    return User.objects.get(username="admin")


@pytest.fixture
def reviewer(demo) -> User:
    return User.objects.get(username="granskare")


@pytest.fixture
def editor(demo) -> User:
    return User.objects.get(username="redaktor")


@pytest.fixture
def reader(demo) -> User:
    return User.objects.get(username="lasare")
