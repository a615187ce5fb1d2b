"""The follow-up document read from the demo: chapters, commitments, outcomes, in fixed queries."""

import pytest

from commitments.models import ProgressEntry, ReportingPeriod
from reports import formatting
from reports.document import CommitmentTable, IndicatorTable
from reports.selectors import follow_up_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def jan_aug(demo):
    return ReportingPeriod.objects.select_related("plan__committee").get(slug="2019-jan-aug")


def test_the_demo_follow_up_has_the_seeds_chapters_commitments_and_outcomes(jan_aug):
    document = follow_up_document(period=jan_aug)
    assert document.organisation == "Malmö stad"
    assert document.committee == "Arbetsmarknads- och socialnämnden"
    assert [s.number for s in document.sections] == [str(n) for n in range(1, 19)]
    assert document.sections[0].heading == "Inledning"
    assert document.sections[1].heading == "Arbetsmarknads- och socialnämnden ska utveckla dialogen med Malmöborna"
    rows = [r for s in document.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows]
    assert [r.code for r in rows] == [f"A{n:02}" for n in range(1, 35)]
    assert sum(1 for r in rows if r.assessment and r.assessment.symbol == "●") == 11
    assert sum(1 for r in rows if r.assessment and r.assessment.symbol == "◆") == 3
    indicators = [r for s in document.sections for b in s.blocks if isinstance(b, IndicatorTable) for r in b.rows]
    assert [(r.code, r.outcome) for r in indicators] == [
        ("AI1", "18\u00a0%"), ("AI2", "21\u00a0%"), ("AI3", "6\u00a0%"), ("AI4", "22\u00a0%"), ("AI5", ""),
    ]  # fmt: skip
    ai3 = indicators[2].breakdown
    assert ai3.header == ("", "Samtliga", "Kvinnor", "Män")
    assert ai3.rows[0][1:] == ("1\u00a0376", "700", "676")
    assert ai3.rows[2][1:] == ("6\u00a0%", "9\u00a0%", "3\u00a0%")
    assert indicators[4].breakdown is None


def test_only_approved_content_unless_a_draft_is_asked_for(jan_aug, reviewer):
    from commitments.workflow import reviewable_transition

    entry = ProgressEntry.objects.get(period=jan_aug, commitment__code="A05")
    reviewable_transition(obj=entry, action="reopen", user=reviewer, reason="Kontroll")
    final = follow_up_document(period=jan_aug)
    draft = follow_up_document(period=jan_aug, draft=True)
    codes = lambda d: [r.code for s in d.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows]  # noqa: E731
    assert "A05" not in codes(final)
    assert "A05" in codes(draft)
    assert draft.draft is True


def test_the_selector_reads_in_a_fixed_number_of_queries(jan_aug, django_assert_num_queries):
    from tests.factories import CommitmentFactory, GoalFactory

    with django_assert_num_queries(5) as small:
        follow_up_document(period=jan_aug)
    goal = GoalFactory(goal_area=jan_aug.plan.goal_areas.first(), plan=jan_aug.plan)
    for _ in range(4):
        CommitmentFactory(goal=goal, plan=jan_aug.plan)
    with django_assert_num_queries(len(small.captured_queries)):
        document = follow_up_document(period=jan_aug)
    assert len(document.sections) == 19


def test_comments_are_sanitised_in_the_document(jan_aug):
    ProgressEntry.objects.filter(period=jan_aug, commitment__code="A02").update(
        comment='<p>Ok</p><script>alert(1)</script><a href="javascript:x()">l</a>'
    )
    document = follow_up_document(period=jan_aug)
    html = next(r for s in document.sections for b in s.blocks if isinstance(b, CommitmentTable) for r in b.rows
                if r.code == "A02").comment.html  # fmt: skip
    assert "<script" not in html
    assert "javascript:" not in html


def test_swedish_figures():
    from decimal import Decimal

    assert formatting.number(Decimal("1376")) == "1\u00a0376"
    assert formatting.number(Decimal("36.1000")) == "36,1"
    assert formatting.with_unit(Decimal(18), "%") == "18\u00a0%"
    assert formatting.with_unit(Decimal(1729), "") == "1\u00a0729"
    assert formatting.number(None) == ""


def test_the_html_rendering_has_every_chapter_commitment_and_figure(jan_aug):
    from reports.renderers.html import render_html

    html = render_html(follow_up_document(period=jan_aug))
    assert '<html lang="sv">' in html
    assert "Uppföljning av åtaganden januari–augusti 2019" in html
    assert html.index("Arbetsmarknads- och socialnämnden ska utveckla dialogen") < html.index("Fler Malmöbor")
    assert html.count('<table class="commitments">') == 17
    assert "<i>Hela familjen</i>" in html
    assert "1\u00a0376" in html
    assert "<script" not in html
