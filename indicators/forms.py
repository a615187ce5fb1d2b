"""Forms of the entry page: they check the shape of the input; the services check the rest."""

from django import forms
from django.utils.translation import gettext_lazy as _

from commitments.models import AssessmentValue
from commitments.numbers import parse_number
from common.richtext import rich_text_field
from common.text import PLAIN_TEXT_MAX_LENGTH, SENTENCE_MAX_LENGTH, plain_text_field

from .models import Indicator

GROUP_LABELS = {
    Indicator.Disaggregation.WOMEN_MEN: (_("Women"), _("Men")),
    Indicator.Disaggregation.GIRLS_BOYS: (_("Girls"), _("Boys")),
}


class AssessmentRadioSelect(forms.RadioSelect):
    """The scale's levels as radio buttons; each option carries its level's colour (``colour``), if any."""

    def __init__(self, colours: dict[str, str], **kwargs) -> None:
        self.colours = colours
        super().__init__(**kwargs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex=subindex, attrs=attrs)
        option["colour"] = self.colours.get(str(value), "")
        return option


class AssessmentField(forms.TypedChoiceField):
    """A choice among the scale's values, already read, so that rendering asks the database nothing."""

    def __init__(self, scale_values, **kwargs):
        self.by_pk = {str(v.pk): v for v in scale_values}
        choices = [("", _("No assessment"))] + [(str(v.pk), f"{v.symbol} {v.label}".strip()) for v in scale_values]
        widget = AssessmentRadioSelect(colours={str(v.pk): v.colour for v in scale_values if v.colour})
        super().__init__(choices=choices, coerce=self.by_pk.get, empty_value=None, required=False,
                         widget=widget, **kwargs)  # fmt: skip

    def prepare_value(self, value):
        return str(value.pk) if isinstance(value, AssessmentValue) else value

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial) or "") != str(data or "")


def assessment_field(scale_values, label) -> AssessmentField:
    return AssessmentField(scale_values, label=label)


class EntryForm(forms.Form):
    comment = rich_text_field(_("Comment"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, scale_values, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"] = assessment_field(scale_values, _("Assessment"))
        self.order_fields(["comment", "assessment", "version"])


class SwedishDecimalField(forms.DecimalField):
    """A decimal number as Swedish staff type it (“36,1”, “1 800”), shown with a decimal comma."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_number(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class SwedishIntegerField(forms.IntegerField):
    """A whole number as Swedish staff type it (“1 376”)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            number = parse_number(value)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if number != number.to_integral_value():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int(number)


def number_field(label, *, whole: bool = False) -> forms.Field:
    if whole:
        return SwedishIntegerField(label=label, required=False, min_value=0, localize=True)
    return SwedishDecimalField(
        label=label, required=False, min_value=0, max_digits=16, decimal_places=4, localize=True
    )


class OutcomeForm(forms.Form):
    """The outcome of one indicator: fields by its unit and breakdown by sex."""

    def __init__(self, *args, indicator: Indicator, scale_values, **kwargs):
        kwargs.setdefault("prefix", f"o-{indicator.code}")
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        split = GROUP_LABELS.get(indicator.disaggregation)
        unit = indicator.unit_suffix
        total_label = _("All") if split else _("Outcome")
        self.fields["value"] = number_field(f"{total_label} ({unit})" if unit else total_label)
        if split:
            self.fields["value_female"] = number_field(f"{split[0]} ({unit})" if unit else split[0])
            self.fields["value_male"] = number_field(f"{split[1]} ({unit})" if unit else split[1])
        self.count_groups = []
        if indicator.unit == Indicator.Unit.PERCENT:
            groups = [("", _("All"))] + ([("_female", split[0]), ("_male", split[1])] if split else [])
            for suffix, group in groups:
                self.fields[f"numerator{suffix}"] = number_field(_("Count, %(group)s") % {"group": group}, whole=True)
                self.fields[f"denominator{suffix}"] = number_field(
                    _("Total, %(group)s") % {"group": group}, whole=True
                )
                self.count_groups.append((group, self[f"numerator{suffix}"], self[f"denominator{suffix}"]))
        self.fields["unavailable_reason"] = plain_text_field(
            _("If there is no outcome for the period: why"), max_length=SENTENCE_MAX_LENGTH, rows=2
        )
        self.fields["comment"] = rich_text_field(_("Comment on the outcome"))
        self.fields["assessment"] = assessment_field(scale_values, _("Assessment"))
        self.fields["assessment_motivation"] = plain_text_field(
            _("Motivation, if you chose another assessment than the proposed one"),
            max_length=PLAIN_TEXT_MAX_LENGTH,
            rows=2,
        )
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def value_fields(self):
        return [self[name] for name in ("value", "value_female", "value_male") if name in self.fields]


class ContributionForm(forms.Form):
    """A department's follow-up of its contribution to a goal, with the year's and the mandate period's assessments."""

    comment = rich_text_field(_("Follow-up of the contribution"))
    assessment_sentence = plain_text_field(
        _("The assessment for the year in a sentence"), max_length=SENTENCE_MAX_LENGTH, rows=2,
        help_text=_("As the document prints it. Leave empty for the standard sentence: “%(sentence)s”"),
    )  # fmt: skip
    assessment_motivation = plain_text_field(
        _("Grounds for the assessment for the year"), max_length=PLAIN_TEXT_MAX_LENGTH, rows=3
    )
    mandate_sentence = plain_text_field(
        _("The assessment for the mandate period in a sentence"), max_length=SENTENCE_MAX_LENGTH, rows=2,
        help_text=_("As the document prints it. Leave empty for the standard sentence: “%(sentence)s”"),
    )  # fmt: skip
    mandate_motivation = plain_text_field(
        _("Grounds for the assessment for the mandate period"), max_length=PLAIN_TEXT_MAX_LENGTH, rows=3
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(
        self, *args, year_values, mandate_values, assessed=True, contribution=True, standard_sentences=("", ""),
        **kwargs,
    ):  # fmt: skip
        """
        ``assessed``: the goal is assessed (not a priority or budget assignment, followed up
        in text only); ``contribution``: what is followed up is the committee's contribution
        (to a city council goal, a priority, a budget assignment), else its own goal itself.
        Without a scale for the mandate period there is no assessment over it.
        """
        super().__init__(*args, **kwargs)
        if not contribution:
            self.fields["comment"].label = _("Follow-up of the goal")
        if not assessed:
            for name in ("assessment_sentence", "assessment_motivation", "mandate_sentence", "mandate_motivation"):
                del self.fields[name]
            return
        for name, sentence in zip(("assessment_sentence", "mandate_sentence"), standard_sentences, strict=True):
            field = self.fields[name]
            if sentence:
                field.help_text = field.help_text % {"sentence": sentence}
            else:
                field.help_text = _("As the document prints it. Leave empty for the scale's standard sentence.")
        self.fields["assessment"] = assessment_field(
            year_values,
            _("Assessment of the contribution for the year")
            if contribution
            else _("Assessment of the goal for the year"),
        )
        if mandate_values:
            self.fields["mandate_assessment"] = assessment_field(
                mandate_values, _("Assessment of the expected progress over the mandate period")
            )
        else:
            del self.fields["mandate_sentence"], self.fields["mandate_motivation"]
        self.order_fields(
            [
                "comment",
                "assessment",
                "assessment_sentence",
                "assessment_motivation",
                "mandate_assessment",
                "mandate_sentence",
                "mandate_motivation",
                "version",
            ]
        )
