"""Forms of the follow-up pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from common.search import MAX_QUERY_LENGTH


class SearchForm(forms.Form):
    """The committee's search: one field, its words as a web search takes them."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("Search for at most %(limit_value)d characters (you wrote %(show_value)d).")},
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def clean_q(self) -> str:
        query = " ".join(self.cleaned_data["q"].split())
        if not query:
            raise forms.ValidationError(_("Write what you are looking for."), code="required")
        return query
