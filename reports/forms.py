"""The forms of the reports app: what committee admins and departments write for a report."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.richtext import rich_text_field


class IntroductionForm(forms.Form):
    introduction = rich_text_field(_("Introduction"))


class SectionTextForm(forms.Form):
    """A department's text of a report section; ``version`` is the one the writer started from."""

    comment = rich_text_field(_("Text"))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
