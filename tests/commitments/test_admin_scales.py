"""A scale's levels in the admin: colour, rule (share of the target) and “not followed up”, with clear messages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commitments.models import AssessmentScale, AssessmentValue, Plan

pytestmark = pytest.mark.django_db

LEVEL_FIELDS = (
    "sort_order",
    "code",
    "symbol",
    "label",
    "meaning",
    "colour",
    "min_share",
    "not_followed_up",
    "sentence",
)


@pytest.fixture
def scale(demo) -> AssessmentScale:
    return Plan.objects.get(committee=demo, year=2019).commitment_scale


def scale_post(scale: AssessmentScale, levels: list[dict]) -> dict:
    """The scale's change form as posted: the scale's own fields and one inline form per level (existing first)."""
    data = {
        "committee": scale.committee_id,
        "code": scale.code,
        "name": scale.name,
        "applies_to": scale.applies_to,
        "description": scale.description,
    }
    existing = list(scale.values.order_by("sort_order"))
    data |= {
        "values-TOTAL_FORMS": len(levels),
        "values-INITIAL_FORMS": len(existing),
        "values-MIN_NUM_FORMS": 0,
        "values-MAX_NUM_FORMS": 1000,
    }
    for index, level in enumerate(levels):
        prefix = f"values-{index}-"
        if index < len(existing):
            data[prefix + "id"] = existing[index].pk
            data[prefix + "scale"] = scale.pk
        for name in LEVEL_FIELDS:
            value = level.get(name)
            if name == "not_followed_up":
                if value:
                    data[prefix + name] = "on"
            elif value is not None:
                data[prefix + name] = value
        if level.get("DELETE"):
            data[prefix + "DELETE"] = "on"
    return data


def levels_of(scale: AssessmentScale, **changes_by_code) -> list[dict]:
    """The scale's levels as form values, with changes by code."""
    levels = []
    for value in scale.values.order_by("sort_order"):
        level = {name: getattr(value, name) for name in LEVEL_FIELDS}
        level["min_share"] = "" if value.min_share is None else str(value.min_share)
        level.update(changes_by_code.get(value.code, {}))
        levels.append(level)
    return levels


def post(client, scale, levels):
    return client.post(reverse("admin:commitments_assessmentscale_change", args=[scale.pk]), scale_post(scale, levels))


def snapshot(scale) -> list:
    return sorted(map(repr, AssessmentValue.objects.filter(scale=scale).values_list()))


def test_the_scale_page_offers_colour_rule_and_not_followed_up(client, committee_admin, scale):
    client.force_login(committee_admin)
    html = client.get(reverse("admin:commitments_assessmentscale_change", args=[scale.pk])).content.decode()
    for name in ("colour", "min_share", "not_followed_up"):
        assert f'name="values-0-{name}"' in html
    assert "föreslås från denna andel av målvärdet" in html.lower()


def test_rules_colours_and_a_not_followed_up_level_are_saved(client, committee_admin, scale):
    codes = [v.code for v in scale.values.order_by("sort_order")]
    levels = levels_of(
        scale,
        **{
            codes[0]: {"min_share": "100", "colour": "#1b5e20"},
            codes[1]: {"min_share": "90", "colour": "#8a5a00"},
            codes[2]: {"min_share": "0"},
        },
    )
    levels.append(
        {"sort_order": 9, "code": "ej-uppfoljt", "label": "Ej uppföljt", "symbol": "–", "not_followed_up": True}
    )
    client.force_login(committee_admin)
    response = post(client, scale, levels)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    saved = {v.code: v for v in scale.values.all()}
    assert saved[codes[0]].min_share == Decimal(100)
    assert saved[codes[0]].colour == "#1b5e20"
    assert saved[codes[1]].min_share == Decimal(90)
    assert saved["ej-uppfoljt"].not_followed_up
    assert saved["ej-uppfoljt"].min_share is None


def test_two_levels_with_the_same_share_are_refused(client, committee_admin, scale):
    codes = [v.code for v in scale.values.order_by("sort_order")]
    before = snapshot(scale)
    levels = levels_of(scale, **{codes[0]: {"min_share": "90"}, codes[1]: {"min_share": "90.00"}})
    client.force_login(committee_admin)
    response = post(client, scale, levels)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    labels = [v.label for v in scale.values.order_by("sort_order")]
    assert formset.non_form_errors() == [
        f"Nivåerna {labels[0]}, {labels[1]} föreslås alla från 90 % av målvärdet: ge varje nivå en egen andel."
    ]
    assert snapshot(scale) == before


def test_the_same_share_on_a_level_being_deleted_is_no_clash(client, committee_admin, scale):
    levels = levels_of(scale)
    levels.append({"sort_order": 8, "code": "bort", "label": "Bort", "min_share": "90", "DELETE": True})
    levels.append({"sort_order": 9, "code": "nastan", "label": "Nästan", "min_share": "90"})
    client.force_login(committee_admin)
    response = post(client, scale, levels)
    assert response.status_code == 302
    assert scale.values.get(code="nastan").min_share == Decimal(90)
    assert not scale.values.filter(code="bort").exists()


def test_a_not_followed_up_level_with_a_rule_is_refused_with_a_message(client, committee_admin, scale):
    before = snapshot(scale)
    levels = levels_of(scale)
    levels.append(
        {"sort_order": 9, "code": "ej-uppfoljt", "label": "Ej uppföljt", "not_followed_up": True, "min_share": "0"}
    )
    client.force_login(committee_admin)
    response = post(client, scale, levels)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.errors[-1] == {
        "min_share": ["En nivå som betyder ”ej följt upp” föreslås aldrig: lämna dess andel av målvärdet tom."]
    }
    assert snapshot(scale) == before


def test_a_colour_not_written_as_rrggbb_is_refused(client, committee_admin, scale):
    before = snapshot(scale)
    codes = [v.code for v in scale.values.order_by("sort_order")]
    client.force_login(committee_admin)
    response = post(client, scale, levels_of(scale, **{codes[0]: {"colour": "grön"}}))
    assert response.status_code == 200
    assert "colour" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert snapshot(scale) == before
