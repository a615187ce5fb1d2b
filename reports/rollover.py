"""
The reports' part of the year rollover (``indicators.rollover``): the plan's report templates
and key-figure tables go with it to the next year, in the same transaction.
"""

from __future__ import annotations

from django.dispatch import receiver

from commitments.models import Goal, Plan
from indicators.rollover import RolloverKind, RolloverResult, plan_copied

from .models import KeyFigureTable, KeyFigureTableRow, ReportSection, SectionText


@receiver(plan_copied, dispatch_uid="reports.copy_report_templates")
def copy_report_templates(
    *, plan: Plan, new_plan: Plan, goals: dict[int, Goal], result: RolloverResult, **kwargs
) -> None:
    """
    Copy the plan's report sections (the tree, with their writing departments and
    instructions) and its key-figure tables (with their rows, shown with the copy of their
    goal, over the same years: their captions name them) to ``new_plan``. The texts written
    for the old year's periods stay with it.
    """
    sections = list(ReportSection.objects.filter(plan=plan).order_by("kind", "sort_order", "pk"))
    copies: dict[int, ReportSection] = {}
    pending = sections
    while pending:  # a level at a time: parents before their children
        ready = [s for s in pending if s.parent_id is None or s.parent_id in copies]
        made = ReportSection.objects.bulk_create(
            ReportSection(
                plan=new_plan,
                kind=s.kind,
                parent=copies.get(s.parent_id),
                sort_order=s.sort_order,
                heading=s.heading,
                numbered=s.numbered,
                source=s.source,
                parameter=s.parameter,
                department_id=s.department_id,
                instructions=s.instructions,
            )
            for s in ready
        )
        copies.update({s.pk: copy for s, copy in zip(ready, made, strict=True)})
        pending = [s for s in pending if s.pk not in copies]
    result.created.append(
        RolloverKind(
            key="report_sections",
            label=str(ReportSection._meta.verbose_name_plural),
            items=[s.heading or s.get_source_display() for s in sections],
        )
    )

    tables = list(KeyFigureTable.objects.filter(plan=plan).prefetch_related("rows").order_by("code"))
    table_copies = KeyFigureTable.objects.bulk_create(
        KeyFigureTable(
            plan=new_plan,
            code=t.code,
            caption=t.caption,
            goal=goals.get(t.goal_id),
            first_year=t.first_year,
            last_year=t.last_year,
            chart=t.chart,
        )
        for t in tables
    )
    KeyFigureTableRow.objects.bulk_create(
        KeyFigureTableRow(table=copy, figure_id=row.figure_id, sort_order=row.sort_order)
        for table, copy in zip(tables, table_copies, strict=True)
        for row in table.rows.all()
    )
    result.created.append(
        RolloverKind(
            key="key_figure_tables",
            label=str(KeyFigureTable._meta.verbose_name_plural),
            items=[table.code for table in tables],
        )
    )
    result.not_copied.append(
        (str(SectionText._meta.verbose_name_plural), SectionText.objects.filter(section__plan=plan).count())
    )
