"""The Kolada client against a local server serving hand-made answers (``responses/``): no internet."""

from decimal import Decimal

import pytest

from kolada.client import KoladaClient, KoladaError

from .server import Reply, hand_made, kolada_server

DATA = "/v3/data/kpi/N31816/municipality/1280/year/2017,2018,2019"


@pytest.fixture
def server():
    with kolada_server() as server:
        yield server


def client(server, **options) -> KoladaClient:
    options = {"retries": 2, "backoff": 0.0, "timeout": 1.0, **options}
    return KoladaClient(base_url=server.base, **options)


def test_data_are_read_by_year_and_gender_as_decimals(server):
    server.set(DATA, hand_made("data_N31816_1280.json"))
    points = client(server).data(kpis=["N31816"], area="1280", years=[2019, 2017, 2018])
    assert [(p.kpi, p.area, p.year) for p in points] == [("N31816", "1280", y) for y in (2017, 2018, 2019)]
    latest = points[-1].values
    assert (latest["T"].value, latest["K"].value, latest["M"].value) == (
        Decimal("41.2"),
        Decimal("42.0"),
        Decimal("40.3"),
    )
    assert latest["T"].status == "Preliminär"
    assert server.requests == [f"{DATA}?per_page=5000"]


def test_every_page_is_followed_by_next_page(server):
    server.set(DATA, hand_made("data_paged_1.json"))
    server.set(f"{DATA}?page=2&per_page=2", hand_made("data_paged_2.json"))
    points = client(server, per_page=2).data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])
    assert [p.year for p in points] == [2017, 2018, 2019]
    assert server.requests == [f"{DATA}?per_page=2", f"{DATA}?page=2&per_page=2"]


def test_a_next_page_that_points_back_is_refused_not_followed_for_ever(server):
    looping = hand_made("data_paged_1.json") | {
        "next_page": "{base}/data/kpi/N31816/municipality/1280/year/2017,2018,2019?page=1"
    }
    server.set(DATA, looping)
    server.set(f"{DATA}?page=1", looping)
    with pytest.raises(KoladaError, match="som redan har hämtats"):
        client(server).data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])
    assert len(server.requests) == 2


def test_ids_are_split_into_requests_of_at_most_max_ids(server):
    for path in ("/v3/kpi/N00001,N00002", "/v3/kpi/N00003,N00004", "/v3/kpi/N00005"):
        server.set(path, {"values": [], "count": 0})
    kpis = client(server, max_ids=2).kpis(ids=[f"N{n:05d}" for n in (5, 4, 3, 2, 1)])
    assert kpis == []
    assert [r.split("?")[0] for r in server.requests] == [
        "/v3/kpi/N00001,N00002",
        "/v3/kpi/N00003,N00004",
        "/v3/kpi/N00005",
    ]


def test_years_are_split_as_the_kpis_are(server):
    server.set("/v3/data/kpi/N31816/municipality/1280/year/2017,2018", {"values": [], "count": 0})
    server.set("/v3/data/kpi/N31816/municipality/1280/year/2019", hand_made("data_N31816_1280_2019_revised.json"))
    points = client(server, max_ids=2).data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])
    assert [(p.year, p.values["T"].value) for p in points] == [(2019, Decimal("42.0"))]


def test_an_organisational_unit_is_read_from_oudata(server):
    body = hand_made("data_N31816_1280_2019_revised.json")
    body["values"][0] = {k: v for k, v in body["values"][0].items() if k != "municipality"} | {"ou": "V15E128000101"}
    server.set("/v3/oudata/kpi/N31816/ou/V15E128000101/year/2019", body)
    [point] = client(server).data(kpis=["N31816"], area="V15E128000101", years=[2019], unit=True)
    assert (point.area, point.values["T"].value) == ("V15E128000101", Decimal("42.0"))


def test_a_server_error_is_tried_again_with_a_growing_pause(server):
    server.set(DATA, Reply("oops", status=500), Reply("oops", status=503), Reply(hand_made("data_N31816_1280.json")))
    pauses = []
    kolada = client(server, retries=3, backoff=0.5, sleep=pauses.append)
    assert len(kolada.data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])) == 3
    assert pauses == [0.5, 1.0]
    assert kolada.requests == 3


def test_a_server_error_that_stays_is_an_error_after_the_retries(server):
    server.set(DATA, Reply("oops", status=500))
    kolada = client(server, retries=2)
    with pytest.raises(KoladaError, match=f"Kolada svarade HTTP 500 på {DATA}"):
        kolada.data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])
    assert kolada.requests == 3


def test_a_bad_request_is_not_tried_again(server):
    server.set(DATA, Reply({"error": "bad"}, status=400))
    kolada = client(server, retries=3)
    with pytest.raises(KoladaError, match="HTTP 400"):
        kolada.data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])
    assert kolada.requests == 1


def test_a_slow_answer_times_out_and_is_tried_again(server):
    server.set(DATA, Reply(hand_made("data_N31816_1280.json"), delay=0.6), Reply(hand_made("data_N31816_1280.json")))
    kolada = client(server, timeout=0.2, retries=1)
    assert len(kolada.data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])) == 3
    assert kolada.requests == 2


def test_a_server_that_never_answers_in_time_is_an_error(server):
    server.set(DATA, Reply(hand_made("data_N31816_1280.json"), delay=0.6))
    with pytest.raises(KoladaError, match=r"svarade inte inom 0\.2 sekunder"):
        client(server, timeout=0.2, retries=1).data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])


def test_an_unreachable_server_is_an_error():
    kolada = KoladaClient(base_url="http://127.0.0.1:9/v3", retries=1, backoff=0.0, timeout=0.5)
    with pytest.raises(KoladaError, match=r"Det gick inte att nå Kolada \(ConnectError\)"):
        kolada.kpis(ids=["N31816"])
    assert kolada.requests == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<html>maintenance</html>", "något annat än JSON"),
        ({"count": 0}, "saknar en lista med värden"),
        (
            {
                "values": [
                    {
                        "kpi": "N31816",
                        "municipality": "1280",
                        "period": 2019,
                        "values": [{"gender": "T", "value": "x"}],
                    }
                ]
            },
            "inte är ett tal",
        ),
        ({"values": [{"kpi": "N31816", "municipality": "1280", "values": []}]}, "saknar år"),
    ],
)
def test_an_answer_outside_the_documented_layout_is_an_error(server, body, message):
    server.set(DATA, body)
    with pytest.raises(KoladaError, match=message):
        client(server).data(kpis=["N31816"], area="1280", years=[2017, 2018, 2019])


def test_the_catalogue_is_read_over_its_pages(server):
    server.set("/v3/kpi", hand_made("catalogue_1.json"))
    server.set("/v3/kpi?page=2&per_page=2", hand_made("catalogue_2.json"))
    kpis = client(server).kpis()
    assert [(k.id, k.is_divided_by_gender) for k in kpis] == [("N31816", False), ("N31807", True), ("U33400", True)]
