from django import forms
from django.utils.translation import gettext_lazy as _

from common.text import PLAIN_TEXT_MAX_LENGTH, PlainTextFormField, limit_hint


class ReportForm(forms.Form):
    """A problem with the service's accessibility, as anyone may report it (Digg's "meddelandefunktion")."""

    name = PlainTextFormField(
        label=_("Your name (optional)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Your e-mail address (optional)"),
        required=False,
        max_length=254,
        help_text=_("Fill it in if you want an answer."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    page = PlainTextFormField(
        label=_("Which page or part of the service is it about? (optional)"),
        max_length=500,
        required=False,
        help_text=_("For example the page's address or its heading."),
    )
    description = PlainTextFormField(
        label=_("Describe the problem"),
        max_length=PLAIN_TEXT_MAX_LENGTH,
        required=True,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Beside the field's own message for a text over its limit.
        self.fields["description"].error_messages["required"] = _("Describe the problem you met.")
        self.fields["description"].help_text = _(
            "What did you try to do, and what went wrong? Tell us if you use an assistive technology. %(limit)s"
        ) % {"limit": limit_hint(PLAIN_TEXT_MAX_LENGTH)}
