"""A committee whose indicators' table has its own columns (not ASN's): "Källa: Kolada" follows the table too."""

from decimal import Decimal

import pytest
from django.utils import timezone

from kolada.models import Proposal
from reports.assembly import report_document
from reports.document import RichText, Table
from tests.reports.test_goal_follow_up import FOLLOW_UP, shaped  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def source_after_tables(section) -> list[tuple[str, bool]]:
    blocks = list(section.blocks)
    return [
        (block.rows[0][0], isinstance(nxt, RichText) and "Källa: Kolada" in nxt.html)
        for block, nxt in zip(blocks, [*blocks[1:], None], strict=True)
        if isinstance(block, Table)
    ]


def test_the_table_with_kolada_s_value_names_its_source_the_others_do_not(shaped):  # noqa: F811
    """The plan's share (82 % approved) is Kolada's value; the complaints are linked but have no figure."""
    for indicator in (shaped.share, shaped.complaints):
        indicator.kolada_kpi = "U09400"
        indicator.save(update_fields=["kolada_kpi"])
    Proposal.objects.create(
        indicator=shaped.share, year=2024, kpi="U09400", area="0180", value=Decimal("82"), fetched_at=timezone.now()
    )
    document = report_document(period=shaped.period, kind=FOLLOW_UP)
    visitors, satisfied = document.sections[1].subsections
    assert source_after_tables(visitors) == [("Andel besökare som är nöjda", True)]
    assert source_after_tables(satisfied) == [("Andel klagomål", False)]
    # Kolada revised it after the department used it: the printed value is still Kolada's.
    Proposal.objects.filter(indicator=shaped.share).update(
        value=Decimal("83"), previous_value=Decimal("82"), revised_at=timezone.now()
    )
    visitors = report_document(period=shaped.period, kind=FOLLOW_UP).sections[1].subsections[0]
    assert source_after_tables(visitors) == [("Andel besökare som är nöjda", True)]
