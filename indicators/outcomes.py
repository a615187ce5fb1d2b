"""Pure rules of indicator outcomes: shares from counts, and the assessment a target proposes."""

from decimal import ROUND_HALF_UP, Decimal

from commitments.models import AssessmentValue

from .models import Indicator, Target

HUNDRED = Decimal(100)


def share_percent(numerator: int | None, denominator: int | None) -> Decimal | None:
    """Return the share in whole per cent, rounded half up as the documents print it (116/628 → 18)."""
    if numerator is None or not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def target_comparator(*, direction: str, comparator: str) -> str | None:
    """
    How a target is read: its own comparator, else the indicator's direction (higher is
    better: at least; lower: at most); None when neither says.
    """
    if comparator:
        return comparator
    return {
        Indicator.Direction.HIGHER: Target.Comparator.AT_LEAST,
        Indicator.Direction.LOWER: Target.Comparator.AT_MOST,
    }.get(direction)


def target_met(*, comparator: str | None, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether ``value`` meets ``target`` read with ``comparator``; None when it cannot be told."""
    if value is None or target is None or comparator is None:
        return None
    if comparator == Target.Comparator.AT_LEAST:
        return value >= target
    if comparator == Target.Comparator.AT_MOST:
        return value <= target
    return value == target


def target_share(*, comparator: str | None, value: Decimal | None, target: Decimal | None) -> Decimal | None:
    """
    The share of the target reached, in per cent: value/target×100 for an at-least target,
    target/value×100 for an at-most target, 100 or 0 for an exact one. None when it cannot be told.

    Where a ratio means nothing (a target of 0 or below, a negative outcome, an outcome of 0
    against an at-most target) the share is 100 when the target is met and 0 when not.
    Otherwise a met target is reached by 100 or more, a missed one by less, never below 0.
    """
    met = target_met(comparator=comparator, value=value, target=target)
    if met is None:
        return None
    if comparator == Target.Comparator.EXACTLY:
        return HUNDRED if met else Decimal(0)
    numerator, denominator = (value, target) if comparator == Target.Comparator.AT_LEAST else (target, value)
    if numerator < 0 or denominator <= 0:
        return HUNDRED if met else Decimal(0)
    return HUNDRED * numerator / denominator


def proposed_assessment(
    *, indicator: Indicator, value: Decimal | None, target: Target | None, scale_values: list[AssessmentValue]
) -> AssessmentValue | None:
    """
    Return the scale value that the outcome against the target proposes, if any.

    A text target, no target, no outcome, or a plain target of an indicator without
    direction propose nothing. If the scale's levels have rules (a share of the target,
    ``min_share``), the level with the highest share that the outcome reaches is proposed.
    Without rules, a target is either met or not (as ASN's rules say): the levels whose
    meaning is “achieved” and “not achieved” stand for the two. A level that means “not
    followed up” is never proposed.
    """
    if target is None or target.value is None:
        return None
    comparator = target_comparator(direction=indicator.direction, comparator=target.comparator)
    levels = [v for v in scale_values if not v.not_followed_up]
    rules = [v for v in levels if v.min_share is not None]
    if rules:
        share = target_share(comparator=comparator, value=value, target=target.value)
        if share is None:
            return None
        reached = [v for v in rules if v.min_share <= share]
        return max(reached, key=lambda v: v.min_share, default=None)
    met = target_met(comparator=comparator, value=value, target=target.value)
    if met is None:
        return None
    meaning = AssessmentValue.Meaning.ACHIEVED if met else AssessmentValue.Meaning.NOT_ACHIEVED
    return next((v for v in levels if v.meaning == meaning), None)
