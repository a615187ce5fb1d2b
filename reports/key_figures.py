"""
Key figures in the reports: each key-figure table of a plan as blocks of the document model,
a data table (the values per year, and the change from the year before) with a chart of the
same figures where the table asks for one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext as _

from commitments.models import Plan

from . import formatting
from .document import Block, Chart, ChartSeries, Table
from .models import KeyFigure, KeyFigureTable, KeyFigureTableRow, KeyFigureValue

#: Tables over more years than this are drawn as lines; up to it as bars grouped by year.
MAX_BAR_YEARS = 6


def key_figure_tables(plan: Plan) -> list[tuple[KeyFigureTable, list[Block]]]:
    """
    Return every key-figure table of ``plan`` with its blocks, in the order of their codes.
    Two queries, whatever the number of tables, rows and values.
    """
    rows = (
        KeyFigureTableRow.objects.filter(table__plan=plan)
        .select_related("table", "figure")
        .order_by("table__code", "table_id", "sort_order", "pk")
    )
    tables: dict[int, tuple[KeyFigureTable, list[KeyFigure]]] = {}
    for row in rows:
        tables.setdefault(row.table_id, (row.table, []))[1].append(row.figure)
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    shown = KeyFigureTableRow.objects.filter(table__plan=plan).values("figure_id")
    for figure_id, year, value in (
        KeyFigureValue.objects.filter(figure_id__in=shown).order_by().values_list("figure_id", "year", "value")
    ):
        values[figure_id][year] = value
    return [
        (table, key_figure_table_blocks(table, [(figure, values[figure.pk]) for figure in figures]))
        for table, figures in tables.values()
    ]


def change_from_previous(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """The change from ``previous`` to ``current`` in per cent; None without both (or from zero)."""
    if current is None or previous is None or previous == 0:
        return None
    return (Decimal(current) - Decimal(previous)) / abs(Decimal(previous)) * 100


def key_figure_table_blocks(
    table: KeyFigureTable, figures: Sequence[tuple[KeyFigure, Mapping[int, Decimal]]]
) -> list[Block]:
    """
    Return one key-figure table as blocks, reading no database: ``figures`` are its rows in
    order, each with its values by year (the year before ``first_year`` too, for the first
    change). A row per figure, then its change row if the figure names one ("-16,4 %",
    one decimal; empty where the year before has no value). With ``table.chart``, one chart
    block that carries the table beside it (the chart's title captions both); else the
    table alone.
    """
    years = list(range(table.first_year, table.last_year + 1))
    rows = []
    for figure, values in figures:
        rows.append(
            (figure.name, *(formatting.with_unit(values.get(y), figure.unit, decimals=figure.decimals) for y in years))
        )
        if figure.change_label:
            changes = (change_from_previous(values.get(y), values.get(y - 1)) for y in years)
            rows.append((figure.change_label, *(formatting.with_unit(c, "%", decimals=1) for c in changes)))
    data = Table(
        caption=table.caption,
        header=("", *(str(y) for y in years)),
        rows=tuple(rows),
        numeric=(False, *(True for _ in years)),
    )
    if not table.chart or not figures:
        return [data]
    # One axis: the figures that share the first one's unit (a share beside a count would mislead).
    unit = figures[0][0].unit
    charted = [(figure, values) for figure, values in figures if figure.unit == unit]
    kind = "bar" if len(years) <= MAX_BAR_YEARS else "line"
    chart = Chart(
        title=table.caption,
        description=chart_description(kind, years, charted, unit),
        kind=kind,
        unit=unit,
        categories=tuple(str(y) for y in years),
        series=tuple(
            ChartSeries(
                name=figure.name,
                values=tuple(None if values.get(y) is None else float(values[y]) for y in years),
            )
            for figure, values in charted
        ),
        table=replace(data, caption=""),  # the chart's title is the caption of both
    )
    return [chart]


def chart_description(
    kind: str, years: Sequence[int], figures: Sequence[tuple[KeyFigure, Mapping[int, Decimal]]], unit: str
) -> str:
    """
    The text alternative of a chart, written out from its data: "Stapeldiagram: Unika
    hushåll resp. år 2022–2024: 11 201, 10 022, 9 753. …".
    """
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    parts = []
    for figure, values in figures:
        shown = [formatting.with_unit(values.get(y), unit, decimals=figure.decimals) or _("no value") for y in years]
        parts.append(
            _("%(name)s %(years)s: %(values)s.") % {"name": figure.name, "years": span, "values": ", ".join(shown)}
        )
    label = _("Bar chart") if kind == "bar" else _("Line chart")
    return _("%(kind)s: %(series)s") % {"kind": label, "series": " ".join(parts)}
