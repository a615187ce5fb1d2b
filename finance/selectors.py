"""
The finance tables of a period as plain data, with computed totals and flagged differences.

``finance_tables`` reads them in a fixed number of queries and returns dataclasses with no
Django objects inside, for the page here and for the report's document model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from commitments.models import ReportingPeriod

from .models import (
    AreaResult,
    BudgetChangeLine,
    BudgetDecision,
    FinanceReport,
    Grant,
    ResultItem,
    RowKind,
)

#: A stated figure may differ this much from the computed one before it is flagged: the
#: documents round each figure from kronor.
TOLERANCE = 1

Cell = int | str | None


@dataclass(frozen=True)
class FinanceColumn:
    """A column after the label column; text columns (a grant's grantor) are not numeric."""

    heading: str
    numeric: bool = True


@dataclass(frozen=True)
class FinanceFlag:
    """A stated figure that differs from the computed one by more than 1 tkr."""

    row: str  # the row's label
    column: str  # the column's heading
    stated: int | None
    computed: int
    difference: int  # stated − computed (a stated None counts as 0)


@dataclass(frozen=True)
class FinanceRow:
    label: str
    #: One per column: int (tkr) or None ("-") in numeric columns, str in text columns.
    cells: tuple[Cell, ...]
    kind: str  # RowKind: "normal" | "sub" | "total"
    #: One per column: what the table computes for this cell (a total, a difference), else None.
    computed: tuple[int | None, ...]
    flags: tuple[FinanceFlag, ...] = ()
    #: The operational area's code, the line's code, or "".
    code: str = ""


@dataclass(frozen=True)
class FinanceTable:
    #: areas, operating_budget, causes, changes, investments, budget_changes, income_statement,
    #: grants_targeted or grants_other
    key: str
    caption: str
    label_heading: str  # the heading of the first column, which holds the rows' labels
    columns: tuple[FinanceColumn, ...]
    rows: tuple[FinanceRow, ...]
    #: One per column: the sum of the normal rows (sub-rows and totals left out); None for text columns.
    totals: tuple[int | None, ...]
    flags: tuple[FinanceFlag, ...]


def _sum(values) -> int | None:
    values = [v for v in values if isinstance(v, int)]
    return sum(values) if values else None


def _minus(a: int | None, b: int | None) -> int | None:
    if a is None and b is None:
        return None
    return (a or 0) - (b or 0)


def _table(
    key: str,
    caption: str,
    label_heading: str,
    columns: Sequence[FinanceColumn],
    rows: Sequence[tuple[str, str, tuple[Cell, ...], str]],
    derive: Callable[[tuple[Cell, ...]], tuple[int | None, ...]] | None = None,
    compute_total: Callable[[str], tuple[int | None, ...]] | None = None,
) -> FinanceTable:
    """
    Build a table from rows of (label, kind, cells, code): sum the normal rows, compute each
    total row (the column sums, or ``compute_total(code)``) and each normal row's derived
    cells (``derive``), and flag every stated figure more than 1 tkr off.
    """
    width = len(columns)
    totals = tuple(
        _sum(cells[i] for _label, kind, cells, _code in rows if kind == RowKind.NORMAL) if columns[i].numeric else None
        for i in range(width)
    )
    built, flags = [], []
    for label, kind, cells, code in rows:
        if kind == RowKind.TOTAL:
            computed = compute_total(code) if compute_total else totals
        elif kind == RowKind.NORMAL and derive:
            computed = derive(cells)
        else:
            computed = (None,) * width
        row_flags = tuple(
            FinanceFlag(label, columns[i].heading, cells[i], computed[i], (cells[i] or 0) - computed[i])
            for i in range(width)
            if computed[i] is not None and abs((cells[i] or 0) - computed[i]) > TOLERANCE
        )
        flags += row_flags
        built.append(FinanceRow(label, tuple(cells), kind, tuple(computed), row_flags, code))
    return FinanceTable(key, caption, label_heading, tuple(columns), tuple(built), totals, tuple(flags))


def decision_heading(decision: BudgetDecision, year: int) -> str:
    """Return the decision's column heading: as the file gives it, or made from the decision."""
    if decision.heading:
        return decision.heading
    month = str(MONTHS[decision.month]) if decision.month else ""
    values = {"body": decision.body, "month": month, "year": year}
    if decision.occasion == BudgetDecision.Occasion.BUDGET:
        return _("Committee budget %(year)s") % values
    if decision.occasion and month:
        return _("Decision %(body)s at %(occasion)s, %(month)s %(year)s") % {
            **values,
            "occasion": decision.occasion.upper(),
        }
    if month:
        return _("Decision in %(body)s %(month)s %(year)s") % values
    return _("Decision in %(body)s %(year)s") % values


def _area_code(row) -> str:
    return row.operational_area.code if row.operational_area_id else ""


def finance_tables(period: ReportingPeriod) -> list[FinanceTable]:
    """
    Return the period's finance tables in the document's order, with their totals computed
    and their differences flagged; tables without rows are left out, and a period without
    finance data has none. Ten queries at most, however many rows there are.
    """
    with_area = ("operational_area",)
    report = (
        FinanceReport.objects.filter(period_id=period.pk)
        .select_related("period__plan")
        .prefetch_related(
            Prefetch("area_results", queryset=AreaResult.objects.select_related(*with_area)),
            "operating_budget",
            Prefetch("result_items", queryset=ResultItem.objects.select_related(*with_area)),
            "investments",
            "decisions",
            Prefetch(
                "budget_change_lines",
                queryset=BudgetChangeLine.objects.select_related(*with_area).prefetch_related("amounts"),
            ),
            "income_statement",
            "grants",
        )
        .first()
    )
    if report is None:
        return []
    year = report.period.plan.year
    amount = FinanceColumn(_("Outcome"))
    tables = [
        _table(
            "areas",
            _("Budget deviation per operational area"),
            _("OPERATIONAL AREA (SEK thousand)"),
            [FinanceColumn(_("Municipal grant")), FinanceColumn(_("Outcome budget deviation"))],
            [
                (r.label, r.kind, (r.municipal_grant, r.budget_deviation), _area_code(r))
                for r in report.area_results.all()
            ],
        ),
        _table(
            "operating_budget",
            _("Operating budget"),
            _("SEK thousand"),
            [amount, FinanceColumn(_("Forecast DR")), FinanceColumn(pgettext("finance", "Change"))],
            [(r.label, r.kind, (r.outcome, r.forecast, r.change), r.line) for r in report.operating_budget.all()],
            derive=lambda c: (None, None, _minus(c[0], c[1])),
        ),
    ]
    items = list(report.result_items.all())
    for table, key, caption, heading in (
        (ResultItem.Table.CAUSES, "causes", _("Causes of the year's result"),
         _("Important causes of the year's result")),
        (ResultItem.Table.CHANGES, "changes", _("Changes compared with the interim report"),
         _("Important changes compared with the interim report")),
    ):  # fmt: skip
        rows = [(r.label, r.kind, (r.amount,), _area_code(r)) for r in items if r.table == table]
        tables.append(_table(key, caption, heading, [amount], rows))
    tables.append(
        _table(
            "investments",
            _("Investment frame"),
            _("SEK thousand"),
            [amount, FinanceColumn(_("Budget")), FinanceColumn(pgettext("finance", "Deviation"))],
            [(r.label, r.kind, (r.outcome, r.budget, r.deviation), "") for r in report.investments.all()],
            derive=lambda c: (None, None, _minus(c[1], c[0])),
        )
    )
    decisions = list(report.decisions.all())
    change_rows = []
    for line in report.budget_change_lines.all():
        by_decision = {a.decision_id: a.amount for a in line.amounts.all()}
        cells = (*(by_decision.get(d.pk) for d in decisions), line.stated_total)
        change_rows.append((line.label, line.kind, cells, _area_code(line)))
    tables.append(
        _table(
            "budget_changes",
            _("Changes of the municipal grant during %(year)s (SEK thousand)") % {"year": year},
            _("Operational area"),
            [
                *(FinanceColumn(decision_heading(d, year)) for d in decisions),
                FinanceColumn(_("TOTAL full year %(year)s") % {"year": year}),
            ],
            change_rows,
            derive=lambda c: (*(None,) * (len(c) - 1), _sum(c[:-1])),
        )
    )
    lines = list(report.income_statement.all())
    by_code = {line.code.casefold(): line for line in lines}

    def subtotal(code: str) -> tuple[int | None, ...]:
        parts = [by_code[c.casefold()] for c in by_code[code.casefold()].sum_codes() if c.casefold() in by_code]
        return tuple(_sum(getattr(p, name) for p in parts) for name in ("outcome", "budget", "deviation"))

    tables.append(
        _table(
            "income_statement",
            _("Income statement"),
            _("SEK thousand"),
            [amount, FinanceColumn(_("Budget")), FinanceColumn(pgettext("finance", "Deviation"))],
            [(r.label, r.kind, (r.outcome, r.budget, r.deviation), r.code) for r in lines],
            derive=lambda c: (None, None, _minus(c[0], c[1])),
            compute_total=subtotal,
        )
    )
    grants = list(report.grants.all())
    for grant_kind, key, caption, heading in (
        (Grant.GrantKind.TARGETED, "grants_targeted", _("Targeted state grants"),
         _("TARGETED STATE GRANTS, name/purpose")),
        (Grant.GrantKind.OTHER, "grants_other", _("Other grants"), _("OTHER GRANTS, name/purpose")),
    ):  # fmt: skip
        rows = [(r.label, r.kind, (r.grantor, r.amount), "") for r in grants if r.grant_kind == grant_kind]
        columns = [
            FinanceColumn(_("Responsible authority/grantor"), numeric=False),
            FinanceColumn(_("Outcome (SEK thousand)")),
        ]
        tables.append(_table(key, caption, heading, columns, rows))
    return [t for t in tables if t.rows]


def finance_report_for(period: ReportingPeriod) -> FinanceReport | None:
    """Return the period's finance import (who imported which file, when), or None."""
    return FinanceReport.objects.filter(period_id=period.pk).select_related("imported_by").first()
