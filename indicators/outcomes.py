"""Pure rules of indicator outcomes: shares from counts, and the assessment a target proposes."""

from decimal import ROUND_HALF_UP, Decimal

from commitments.models import AssessmentValue

from .models import Indicator


def share_percent(numerator: int | None, denominator: int | None) -> Decimal | None:
    """Return the share in whole per cent, rounded half up as the documents print it (116/628 → 18)."""
    if numerator is None or not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def target_met(*, direction: str, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether ``value`` meets ``target`` in the indicator's direction; None when it cannot be told."""
    if value is None or target is None or direction == Indicator.Direction.NONE:
        return None
    return value >= target if direction == Indicator.Direction.HIGHER else value <= target


def proposed_assessment(
    *, indicator: Indicator, value: Decimal | None, target: Decimal | None, scale_values: list[AssessmentValue]
) -> AssessmentValue | None:
    """
    Return the scale value that the outcome against the target proposes, if any.

    A quantitative target is either met or not (as the committee's rules say); the scale's
    values marked “achieved” and “not achieved” stand for the two.
    """
    met = target_met(direction=indicator.direction, value=value, target=target)
    if met is None:
        return None
    meaning = AssessmentValue.Meaning.ACHIEVED if met else AssessmentValue.Meaning.NOT_ACHIEVED
    return next((v for v in scale_values if v.meaning == meaning), None)
