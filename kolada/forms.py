"""Kolada's value put into a posted outcome form, so that "Använd värdet" saves it as any typed value."""

from __future__ import annotations

from django.http import QueryDict

from indicators.models import Indicator

from .models import Proposal
from .selectors import shown_figure

#: The fields that "Använd värdet" empties: counts would give another share, and a reason why
#: there is no outcome cannot stand beside one.
CLEARED = ("numerator", "numerator_female", "numerator_male", "denominator", "denominator_female",
           "denominator_male", "unavailable_reason")  # fmt: skip


def posted_with_proposal(data: QueryDict, *, prefix: str, indicator: Indicator, proposal: Proposal) -> QueryDict:
    """
    Return a copy of the posted page with Kolada's figures in the outcome form ``prefix``, as
    if the department had typed them (the comment and assessment as posted). The page then
    saves it as a draft through its one save, with every check of a typed value.
    """
    data = data.copy()
    figures = {"value": proposal.value}
    if indicator.disaggregation != Indicator.Disaggregation.NONE:
        figures |= {"value_female": proposal.value_female, "value_male": proposal.value_male}
    for name, value in figures.items():
        data[f"{prefix}-{name}"] = shown_figure(value)
    for name in CLEARED:
        if f"{prefix}-{name}" in data:
            data[f"{prefix}-{name}"] = ""
    return data
