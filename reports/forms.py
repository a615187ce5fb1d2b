"""The forms of the reports app: what committee admins and departments write for a report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.richtext import rich_text_field
from common.text import PlainTextFormField


class IntroductionForm(forms.Form):
    """What the committee admin writes for a report: chapter 1, the occasion line, whether it has a contents list."""

    CONTENTS = (("", _("As the kind of report has it")), ("yes", _("Yes")), ("no", _("No")))

    introduction = rich_text_field(_("Introduction"))
    occasion = PlainTextFormField(
        label=_("Occasion (a line under the title)"),
        widget=forms.TextInput,
        help_text=_("What the document is for, e.g. “Underlag för Dialog – ASN 20190222”. May be empty."),
        required=False,
        max_length=200,
    )
    contents = forms.ChoiceField(
        label=_("Contents list"),
        help_text=_("The follow-up of commitments and the annual analysis have one, the plan proposal none."),
        choices=CONTENTS,
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, introduction: bool = True, **kwargs):
        """``introduction``: whether the report has an introduction section to write (else no such field)."""
        super().__init__(*args, **kwargs)
        if not introduction:
            del self.fields["introduction"]

    def clean_contents(self) -> bool | None:
        return {"yes": True, "no": False}.get(self.cleaned_data.get("contents") or "")


class SectionTextForm(forms.Form):
    """A department's text of a report section; ``version`` is the one the writer started from."""

    comment = rich_text_field(_("Text"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AdoptForm(forms.Form):
    """What a committee admin records when the committee adopted a report: the meeting, the § and the diarienummer."""

    decided_on = forms.DateField(
        label=_("Date of the meeting"), help_text=_("As YYYY-MM-DD, e.g. 2019-09-25."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    paragraph = forms.CharField(label=_("Paragraph (§)"), max_length=20, help_text=_("As in the minutes, e.g. § 187."))
    diarienummer = forms.CharField(
        label=_("Diarienummer"), max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )  # fmt: skip

    def __init__(self, *args, committee, **kwargs):
        super().__init__(*args, **kwargs)
        example = committee.diarienummer_example
        field = self.fields["diarienummer"]
        field.help_text = _("E.g. %(example)s.") % {"example": example} if example else _("As in the register.")
