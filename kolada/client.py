"""
A client of Kolada's open API (https://api.kolada.se/v3; the layout is v2's, documented in the
public repository Hypergene/kolada, README.rst): the KPI catalogue and the data of KPIs for a
municipality or an organisational unit, by year and gender.

What it relies on (README "Kolada" lists where each was read): every answer is JSON
``{"values": [...], "count": n, "next_page": url}``, with ``next_page`` absent (or empty) on the
last page; ``per_page`` limits a page (5000 at most); ids and years are comma-separated in the
path; a data object is ``{"kpi", "municipality" | "ou", "period", "values": [{"gender", "value",
"status", "count"}]}`` with at most one value per gender, T (total), K (kvinnor) and M (män).
No answer is trusted beyond that: anything else raises ``KoladaError``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

GENDERS = ("T", "K", "M")
#: A guard against an answer whose ``next_page`` never ends.
MAX_PAGES = 200


class KoladaError(Exception):
    """Kolada could not be read, or answered what the documentation does not describe; the message is for people."""


@dataclass(frozen=True)
class Kpi:
    id: str
    title: str
    description: str = ""
    is_divided_by_gender: bool = False
    municipality_type: str = ""
    has_ou_data: bool = False


@dataclass(frozen=True)
class GenderValue:
    value: Decimal | None
    status: str = ""


@dataclass(frozen=True)
class DataPoint:
    """A KPI's values for one municipality (or unit) and year, by gender (T, K, M)."""

    kpi: str
    area: str
    year: int
    values: dict[str, GenderValue] = field(default_factory=dict)


def _chunks(items: Iterable[str], size: int) -> Iterator[list[str]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _decimal(raw) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise KoladaError(_("Kolada answered a value that is not a number: %(value)r.") % {"value": raw})
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise KoladaError(_("Kolada answered a value that is not a number: %(value)r.") % {"value": raw}) from None
    if not value.is_finite():
        raise KoladaError(_("Kolada answered a value that is not a number: %(value)r.") % {"value": raw})
    return value


class KoladaClient:
    """
    Read Kolada: at most ``max_ids`` ids (KPIs, areas or years) in one request, every page
    followed, each request with a timeout and retried with a growing pause on a timeout, a
    lost connection or a server error (5xx, 429); a 4xx other than 429 is not retried.
    """

    def __init__(
        self,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
        max_ids: int | None = None,
        per_page: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.base_url = (base_url or settings.KOLADA_BASE_URL).rstrip("/")
        self.timeout = settings.KOLADA_TIMEOUT if timeout is None else timeout
        self.retries = settings.KOLADA_RETRIES if retries is None else retries
        self.backoff = settings.KOLADA_BACKOFF if backoff is None else backoff
        self.max_ids = max_ids or settings.KOLADA_MAX_IDS
        self.per_page = per_page or settings.KOLADA_PER_PAGE
        self.sleep = sleep
        self.requests = 0  # how many HTTP requests were made (for the log and the tests)
        self._http = httpx.Client(
            timeout=self.timeout, transport=transport, headers={"Accept": "application/json"}, follow_redirects=True
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- transport --------------------------------------------------------------------

    def _get(self, url: str, params: dict | None = None) -> dict:
        """GET one page as JSON, retrying what may pass; raise ``KoladaError`` with a message for people."""
        attempt = 0
        while True:
            attempt += 1
            self.requests += 1
            try:
                response = self._http.get(url, params=params)
            except httpx.TimeoutException:
                problem = _("Kolada did not answer within %(seconds)s seconds.") % {"seconds": f"{self.timeout:g}"}
            except httpx.TransportError as error:
                problem = _("Kolada could not be reached (%(error)s).") % {"error": error.__class__.__name__}
            else:
                if response.status_code == 200:
                    try:
                        data = response.json()
                    except ValueError:
                        raise KoladaError(_("Kolada answered something other than JSON.")) from None
                    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
                        raise KoladaError(_("Kolada's answer has no list of values."))
                    return data
                problem = _("Kolada answered HTTP %(status)s for %(url)s.") % {
                    "status": response.status_code,
                    "url": response.request.url.path,
                }
                if response.status_code < 500 and response.status_code != 429:
                    raise KoladaError(problem)
            if attempt > self.retries:
                raise KoladaError(problem)
            pause = self.backoff * 2 ** (attempt - 1)
            logger.warning("Kolada: %s Trying again in %.1f s (attempt %s).", problem, pause, attempt + 1)
            self.sleep(pause)

    def _pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every object of every page of ``path``, following ``next_page``."""
        url: str | None = f"{self.base_url}/{path}"
        params = {"per_page": self.per_page, **(params or {})}
        seen: set[str] = set()
        for _page in range(MAX_PAGES):
            data = self._get(url, params)
            for item in data["values"]:
                if not isinstance(item, dict):
                    raise KoladaError(_("Kolada's answer holds something other than objects."))
                yield item
            following = data.get("next_page") or None
            if following is None:
                return
            if not isinstance(following, str) or following in seen:
                raise KoladaError(_("Kolada's answer points to a next page it has already given."))
            seen.add(following)
            url, params = following, None  # the next page's address carries its parameters
        raise KoladaError(_("Kolada's answer goes on beyond %(pages)s pages.") % {"pages": MAX_PAGES})

    # --- metadata ---------------------------------------------------------------------

    def kpis(self, ids: Iterable[str] | None = None, *, title: str | None = None) -> list[Kpi]:
        """The catalogue's KPIs: those of ``ids`` (an unknown id is absent), all, or those titled ``title``."""
        if ids is not None:
            items = [item for chunk in _chunks(sorted(set(ids)), self.max_ids)
                     for item in self._pages("kpi/" + quote(",".join(chunk), safe=","))]  # fmt: skip
        else:
            items = list(self._pages("kpi", {"title": title} if title else None))
        kpis = []
        for item in items:
            if not isinstance(item.get("id"), str) or not isinstance(item.get("title"), str):
                raise KoladaError(_("A KPI in Kolada's answer has no id or title."))
            kpis.append(
                Kpi(
                    id=item["id"],
                    title=item["title"],
                    description=item.get("description") or "",
                    is_divided_by_gender=bool(item.get("is_divided_by_gender")),
                    municipality_type=item.get("municipality_type") or "",
                    has_ou_data=bool(item.get("has_ou_data")),
                )
            )
        return kpis

    # --- data -------------------------------------------------------------------------

    def data(self, *, kpis: Iterable[str], area: str, years: Iterable[int], unit: bool = False) -> list[DataPoint]:
        """
        The values of ``kpis`` for the municipality ``area`` (``unit``: the organisational unit)
        in ``years``; a year without data is simply absent. Requests are split so that none names
        more than ``max_ids`` KPIs or years.
        """
        kind, key = ("oudata", "ou") if unit else ("data", "municipality")
        points = []
        year_list = [str(y) for y in sorted(set(years))]
        for kpi_chunk in _chunks(sorted(set(kpis)), self.max_ids):
            for year_chunk in _chunks(year_list, self.max_ids):
                ids = (",".join(kpi_chunk), quote(area, safe=""), ",".join(year_chunk))
                path = "/".join((kind, "kpi", ids[0], key, ids[1], "year", ids[2]))
                for item in self._pages(path):
                    points.append(self._point(item, key))
        return points

    @staticmethod
    def _point(item: dict, key: str) -> DataPoint:
        area = item.get(key)
        try:
            year = int(item.get("period"))
        except (TypeError, ValueError):
            raise KoladaError(_("A value in Kolada's answer has no year.")) from None
        if not (isinstance(item.get("kpi"), str) and isinstance(area, str) and isinstance(item.get("values"), list)):
            raise KoladaError(_("A value in Kolada's answer lacks its KPI, area or values."))
        values = {}
        for entry in item["values"]:
            gender = entry.get("gender") if isinstance(entry, dict) else None
            if gender == "F":  # the v2 documentation writes "T|K|F" in one place: F, female, is K
                gender = "K"
            if gender not in GENDERS:
                continue
            values[gender] = GenderValue(_decimal(entry.get("value")), str(entry.get("status") or ""))
        return DataPoint(kpi=item["kpi"], area=area, year=year, values=values)
