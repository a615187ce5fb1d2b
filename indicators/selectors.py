"""Reads of indicators and of the plan as a whole."""

import tablib

from commitments.models import Plan

from .plan_files import SHEETS


def plan_export(*, plan: Plan) -> tablib.Databook:
    """
    Return the whole plan as a workbook, a sheet per entity, in the import format.

    The number of queries does not depend on the size of the plan.
    """
    book = tablib.Databook()
    for sheet in SHEETS:
        resource = sheet.resource_class(plan)
        data = resource.export(resource.get_queryset())
        data.title = sheet.title
        book.add_sheet(data)
    return book
