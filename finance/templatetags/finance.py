from django import template

from finance.formatting import tkr as format_tkr

register = template.Library()


@register.filter
def tkr(value):
    """Format an amount in tkr; text (a grantor's name) passes through."""
    if isinstance(value, str):
        return value
    return format_tkr(value)


@register.filter
def cells(row, table):
    """Return a row's cells with their column, computed value and flag, for a template to walk."""
    flags = {f.column: f for f in row.flags}
    return [
        {"column": column, "value": value, "computed": computed, "flag": flags.get(column.heading)}
        for column, value, computed in zip(table.columns, row.cells, row.computed, strict=True)
    ]
