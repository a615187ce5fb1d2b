"""
The follow-up pages' widgets written directly (common.widget_html) are byte for byte what
Django renders, in every state a page shows them: empty, with saved figures and texts, as
posted with errors, and with text that must be escaped.
"""

from decimal import Decimal

import pytest
from django.utils import translation

from commitments.models import Plan
from common.widget_html import radio_options, widget_html
from indicators.forms import ContributionForm, EntryForm, OutcomeForm
from indicators.models import Indicator

HOSTILE = '<script>alert("x")</script> & \'quoted\' "text"'


@pytest.fixture
def sv():
    with translation.override("sv"):
        yield


@pytest.fixture
def plan(demo) -> Plan:
    return Plan.objects.get(committee=demo, year=2019)


def assert_as_django(form):
    """Every widget of ``form`` as Django renders it; the radio buttons as iterating the field gives them."""
    seen = 0
    for bound_field in form:
        if getattr(bound_field.field.widget, "input_type", "") == "radio":
            expected = [(r.id_for_label, str(r.tag()), r.data) for r in bound_field]
            assert [(i, str(tag), option) for i, tag, option in radio_options(bound_field)] == expected
        else:
            assert str(widget_html(bound_field)) == str(bound_field.as_widget()), bound_field.name
        seen += 1
    assert seen == len(form.fields)


def outcome_form(plan, code, data=None, initial=None):
    indicator = Indicator.objects.get(plan=plan, code=code)
    scale = list(plan.outcome_scale_values())
    return OutcomeForm(data, initial=initial or {"version": 0}, indicator=indicator, scale_values=scale), scale


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["MI08", "MI13", "MI07", "MI05", "MI01"])  # shares and counts by sex, months, text
def test_an_outcome_s_widgets_empty_and_with_saved_figures(plan, sv, code):
    form, scale = outcome_form(plan, code)
    assert_as_django(form)
    initial = {
        "value": Decimal("36.1"), "value_female": 1800, "value_male": Decimal("0.5"), "numerator": 1376,
        "denominator": 3812, "comment": f"<p>{HOSTILE}</p>", "assessment": scale[1].pk,
        "assessment_motivation": HOSTILE, "unavailable_reason": "", "version": 7,
    }  # fmt: skip
    form, _ = outcome_form(plan, code, initial=initial)
    assert_as_django(form)
    if "value" in form.fields:
        assert 'value="36,1"' in str(widget_html(form["value"]))  # as Swedish staff write it


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["MI08", "MI13", "MI01"])
def test_an_outcome_s_widgets_as_posted_with_errors(plan, sv, code):
    prefix = f"o-{code}"
    data = {
        f"{prefix}-value": "abc", f"{prefix}-value_female": "-1", f"{prefix}-numerator": "1,5",
        f"{prefix}-denominator": "1 800", f"{prefix}-comment": "<p>ok</p>", f"{prefix}-assessment": "999999",
        f"{prefix}-assessment_motivation": "x" * 5000, f"{prefix}-unavailable_reason": HOSTILE,
        f"{prefix}-version": "",
    }  # fmt: skip
    form, _ = outcome_form(plan, code, data=data)
    assert not form.is_valid()
    assert form["assessment"].errors
    assert form["assessment_motivation"].errors
    assert_as_django(form)
    assert 'aria-invalid="true"' in str(widget_html(form["assessment_motivation"]))


@pytest.mark.django_db
def test_the_entry_and_goal_forms_widgets(plan, sv):
    scale = list(plan.commitment_scale.values.all())
    saved = {"comment": HOSTILE, "assessment": scale[0].pk, "version": 3}
    assert_as_django(EntryForm(initial=saved, scale_values=scale))
    assert_as_django(EntryForm({"comment": "", "assessment": "x", "version": "y"}, scale_values=scale))
    form = ContributionForm(
        initial={"assessment_sentence": HOSTILE, "version": 1}, year_values=scale, mandate_values=scale,
        standard_sentences=("Målet uppfylls.", ""),
    )  # fmt: skip
    assert_as_django(form)


@pytest.mark.django_db
def test_the_editor_s_help_is_the_paragraph_its_aria_describedby_names(client, editor):
    client.force_login(editor)
    html = client.get("/n/asn/2019-helar/ataganden/A03/AMA/").content.decode()
    assert 'aria-describedby="id_comment_helptext"' in html
    assert html.count('id="id_comment_helptext"') == 1


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"q": HOSTILE, "status": "submitted", "goal": "999999", "department": "x"}])
def test_the_list_s_filter_widgets(demo, reviewer, sv, data):
    from commitments.filters import CommitmentRowFilter
    from commitments.models import ReportingPeriod
    from commitments.selectors import commitment_rows

    period = ReportingPeriod.objects.get(plan__committee=demo, slug="2019-helar")
    rows = commitment_rows(user=reviewer, period=period)
    filterset = CommitmentRowFilter(data, queryset=rows, period=period, departments=None)
    if data:
        filterset.form.is_valid()
        assert filterset.form["goal"].errors  # an unknown goal: shown with its error state
    assert_as_django(filterset.form)
    assert "<option" in str(widget_html(filterset.form["goal"]))
