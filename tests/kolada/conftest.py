import pytest
from django.utils.translation import override

from indicators.models import Indicator

from .server import hand_made, kolada_server

KPI = "/v3/kpi/N31816"
DATA = "/v3/data/kpi/N31816/municipality/1280/year/2017,2018,2019"
PLAN_YEAR = "/v3/data/kpi/N31816/municipality/1280/year/2019"


@pytest.fixture(autouse=True)
def swedish():
    """Messages as people read them (the site's language), whatever test ran before in the process."""
    with override("sv"):
        yield


@pytest.fixture
def kolada(settings):
    """The local stand-in for Kolada, answering the demo's linked indicator (MI03, N31816, Malmö) as documented."""
    with kolada_server() as server:
        settings.KOLADA_BASE_URL = server.base
        settings.KOLADA_RETRIES = 1
        server.set(KPI, hand_made("kpi_N31816.json"))
        server.set(DATA, hand_made("data_N31816_1280.json"))
        server.set(PLAN_YEAR, hand_made("data_N31816_1280.json"))
        yield server


@pytest.fixture
def mi03(demo) -> Indicator:
    return Indicator.objects.get(plan__year=2019, code="MI03")
