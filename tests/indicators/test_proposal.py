"""The proposed assessment: the target's comparator, and a scale's rules (shares of the target) when it has them."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commitments.models import AssessmentValue, Department, ReportingPeriod
from indicators.models import Indicator, Target
from indicators.outcomes import proposed_assessment, target_share
from indicators.selectors import outcome_get_or_new
from indicators.services import outcome_proposed_assessment, outcome_save

AT_LEAST, AT_MOST, EXACTLY, DIRECTION = (
    Target.Comparator.AT_LEAST,
    Target.Comparator.AT_MOST,
    Target.Comparator.EXACTLY,
    Target.Comparator.DIRECTION,
)
HIGHER, LOWER, NONE = Indicator.Direction.HIGHER, Indicator.Direction.LOWER, Indicator.Direction.NONE


def level(code, *, meaning="", min_share=None, not_followed_up=False, order=0) -> AssessmentValue:
    return AssessmentValue(
        code=code,
        label=code,
        meaning=meaning,
        min_share=None if min_share is None else Decimal(min_share),
        not_followed_up=not_followed_up,
        sort_order=order,
    )


#: ASN's scale: three meanings, no rules.
ASN = [
    level("uppnatt", meaning=AssessmentValue.Meaning.ACHIEVED, order=1),
    level("delvis", meaning=AssessmentValue.Meaning.PARTLY, order=2),
    level("ej", meaning=AssessmentValue.Meaning.NOT_ACHIEVED, order=3),
]
#: A four-level scale by share of the target, and a level that means “not followed up”.
FOUR = [
    level("ej-uppfoljt", not_followed_up=True, order=0),
    level("uppnatt", min_share=100, order=1),
    level("nastan", min_share=90, order=2),
    level("delvis", min_share=50, order=3),
    level("ej", min_share=0, order=4),
]


def propose(value, target=None, *, comparator=DIRECTION, direction=HIGHER, scale=FOUR, text=""):
    indicator = Indicator(direction=direction)
    goal = None
    if target is not None or text:
        goal = Target(
            indicator=indicator,
            comparator=comparator,
            value=None if target is None else Decimal(target),
            text=text,
            year=2019,
        )
    chosen = proposed_assessment(
        indicator=indicator, value=None if value is None else Decimal(value), target=goal, scale_values=scale
    )
    return chosen.code if chosen else None


# A scale without rules: met or not, as before.


@pytest.mark.parametrize(
    ("value", "target", "comparator", "direction", "expected"),
    [
        ("45", "40", DIRECTION, HIGHER, "uppnatt"),
        ("40", "40", DIRECTION, HIGHER, "uppnatt"),
        ("39", "40", DIRECTION, HIGHER, "ej"),
        ("5", "6", DIRECTION, LOWER, "uppnatt"),
        ("7", "6", DIRECTION, LOWER, "ej"),
        ("5", "6", DIRECTION, NONE, None),
        # The comparator is read before the direction.
        ("7", "6", AT_LEAST, LOWER, "uppnatt"),
        ("5", "6", AT_MOST, HIGHER, "uppnatt"),
        ("7", "6", AT_MOST, HIGHER, "ej"),
        ("5", "6", AT_MOST, NONE, "uppnatt"),
        ("6", "6", EXACTLY, NONE, "uppnatt"),
        ("6.0001", "6", EXACTLY, HIGHER, "ej"),
        ("5", "6", EXACTLY, HIGHER, "ej"),
    ],
)
def test_a_scale_without_rules_proposes_met_or_not(value, target, comparator, direction, expected):
    assert propose(value, target, comparator=comparator, direction=direction, scale=ASN) == expected


@pytest.mark.parametrize("scale", [ASN, FOUR])
def test_no_target_a_text_target_or_no_outcome_propose_nothing(scale):
    assert propose("45", None, scale=scale) is None
    assert propose("45", None, text="Basårsmätning", scale=scale) is None
    assert propose(None, "40", scale=scale) is None
    assert propose(None, "40", comparator=AT_MOST, scale=scale) is None


def test_a_scale_without_the_meaning_proposes_nothing():
    assert propose("45", "40", scale=[level("ok", meaning=AssessmentValue.Meaning.PARTLY)]) is None


def test_a_not_followed_up_level_is_never_proposed_even_with_a_meaning():
    scale = [
        level("nej", meaning=AssessmentValue.Meaning.NOT_ACHIEVED, not_followed_up=True),
        *ASN,
    ]
    assert propose("39", "40", scale=scale) == "ej"


# A scale with rules: the level with the highest share reached.


@pytest.mark.parametrize(
    ("value", "target", "comparator", "direction", "expected"),
    [
        # At least (or higher is better): value/target.
        ("80", "80", AT_LEAST, NONE, "uppnatt"),
        ("96", "80", AT_LEAST, NONE, "uppnatt"),
        ("72", "80", AT_LEAST, NONE, "nastan"),  # 90 % exactly: the threshold is reached
        ("71.99", "80", AT_LEAST, NONE, "delvis"),
        ("40", "80", AT_LEAST, NONE, "delvis"),  # 50 % exactly
        ("39.99", "80", AT_LEAST, NONE, "ej"),
        ("0", "80", AT_LEAST, NONE, "ej"),
        ("72", "80", DIRECTION, HIGHER, "nastan"),
        # At most (or lower is better): target/value.
        ("5", "5", AT_MOST, NONE, "uppnatt"),
        ("4", "5", AT_MOST, NONE, "uppnatt"),
        ("0", "5", AT_MOST, NONE, "uppnatt"),  # nothing at all reaches an at-most target fully
        ("5.5", "5", AT_MOST, NONE, "nastan"),  # 90.9 %
        ("10", "5", AT_MOST, NONE, "delvis"),  # 50 % exactly
        ("10.01", "5", AT_MOST, NONE, "ej"),
        ("5.5", "5", DIRECTION, LOWER, "nastan"),
        # Exactly: all or nothing.
        ("80", "80", EXACTLY, HIGHER, "uppnatt"),
        ("79", "80", EXACTLY, HIGHER, "ej"),
        ("81", "80", EXACTLY, HIGHER, "ej"),
        # A target of 0.
        ("0", "0", AT_LEAST, NONE, "uppnatt"),
        ("3", "0", AT_LEAST, NONE, "uppnatt"),
        ("-1", "0", AT_LEAST, NONE, "ej"),
        ("0", "0", AT_MOST, NONE, "uppnatt"),
        ("1", "0", AT_MOST, NONE, "ej"),
        # Negative values: no ratio, met or not.
        ("-2", "-3", AT_LEAST, NONE, "uppnatt"),
        ("-6", "-3", AT_LEAST, NONE, "ej"),  # not 200 %
        ("-5", "80", AT_LEAST, NONE, "ej"),
        ("-6", "-3", AT_MOST, NONE, "uppnatt"),
        ("-1", "-3", AT_MOST, NONE, "ej"),
        ("-1", "5", AT_MOST, NONE, "uppnatt"),
        # No direction and no comparator: nothing.
        ("72", "80", DIRECTION, NONE, None),
    ],
)
def test_a_scale_with_rules_proposes_the_highest_share_reached(value, target, comparator, direction, expected):
    assert propose(value, target, comparator=comparator, direction=direction) == expected


def test_rules_without_a_level_for_low_shares_propose_nothing_below_them():
    scale = [level("uppnatt", min_share=100), level("nastan", min_share=90)]
    assert propose("72", "80", scale=scale) == "nastan"
    assert propose("71", "80", scale=scale) is None


def test_rules_are_read_by_share_not_by_order_and_a_level_above_100_is_for_exceeding():
    scale = [
        level("ej", min_share=0, order=1),
        level("overtraffat", min_share=120, order=2),
        level("uppnatt", min_share=100, order=3),
    ]
    assert propose("96", "80", scale=scale) == "overtraffat"
    assert propose("95.99", "80", scale=scale) == "uppnatt"
    assert propose("79", "80", scale=scale) == "ej"


def test_one_rule_makes_the_scale_follow_rules_and_meanings_without_rules_are_not_proposed():
    scale = [*ASN, level("nastan", min_share=90)]
    assert propose("72", "80", scale=scale) == "nastan"
    assert propose("45", "40", scale=scale) == "nastan"  # the only rule reached; “achieved” has none
    assert propose("10", "80", scale=scale) is None


@pytest.mark.parametrize(
    ("value", "target", "comparator", "share"),
    [
        ("72", "80", AT_LEAST, "90"),
        ("120", "80", AT_LEAST, "150"),
        ("10", "5", AT_MOST, "50"),
        ("4", "5", AT_MOST, "125"),
        ("0", "5", AT_MOST, "100"),
        ("80", "80", EXACTLY, "100"),
        ("80.5", "80", EXACTLY, "0"),
        ("3", "0", AT_LEAST, "100"),
        ("1", "0", AT_MOST, "0"),
        ("-6", "-3", AT_LEAST, "0"),
    ],
)
def test_target_share(value, target, comparator, share):
    assert target_share(comparator=comparator, value=Decimal(value), target=Decimal(target)) == Decimal(share)


def test_target_share_needs_a_comparator_value_and_target():
    assert target_share(comparator=None, value=Decimal(1), target=Decimal(1)) is None
    assert target_share(comparator=AT_LEAST, value=None, target=Decimal(1)) is None
    assert target_share(comparator=AT_LEAST, value=Decimal(1), target=None) is None


# Through the service: a scale with rules, and overriding the proposal still needs a motivation.


@pytest.fixture
def helar(demo) -> ReportingPeriod:
    return ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")


@pytest.fixture
def four_levels(helar) -> dict[str, AssessmentValue]:
    """The plan's commitment scale given the four-level rules and a “not followed up” level."""
    scale = helar.plan.commitment_scale
    values = {v.meaning: v for v in scale.values.all()}
    for meaning, share in (("achieved", 100), ("partly", 90), ("not_achieved", 0)):
        values[meaning].min_share = Decimal(share)
        values[meaning].save()
    top = max(v.sort_order for v in values.values())
    values["not_followed_up"] = AssessmentValue.objects.create(
        scale=scale, code="ej-uppfoljt", label="Ej uppföljt", symbol="–", not_followed_up=True, sort_order=top + 1
    )
    return values


def test_the_service_proposes_by_the_rules_and_an_override_needs_a_motivation(helar, editor, four_levels):
    indicator = Indicator.objects.get(plan=helar.plan, code="MI08")  # target 40 %, higher is better
    outcome = outcome_get_or_new(indicator=indicator, period=helar, department=Department.objects.get(code="AMA"))
    assert outcome_proposed_assessment(outcome=outcome, value=Decimal(36)) == four_levels["partly"]
    assert outcome_proposed_assessment(outcome=outcome, value=Decimal("35.9")) == four_levels["not_achieved"]
    target = indicator.targets.get(year=2019, part="")
    target.comparator = AT_MOST
    target.save()
    assert outcome_proposed_assessment(outcome=outcome, value=Decimal(36)) == four_levels["achieved"]
    target.comparator = DIRECTION
    target.save()

    with pytest.raises(ValidationError) as error:
        outcome_save(
            outcome=outcome,
            user=editor,
            data={"value": Decimal(36), "assessment": four_levels["not_followed_up"]},
            expected_version=0,
        )
    assert four_levels["partly"].label in error.value.message_dict["assessment_motivation"][0]
    saved = outcome_save(
        outcome=outcome,
        user=editor,
        data={"value": Decimal(36), "assessment": four_levels["partly"]},
        expected_version=0,
    )
    assert saved.assessment == four_levels["partly"]
    assert saved.assessment_motivation == ""
