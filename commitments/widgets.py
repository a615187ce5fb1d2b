"""
Import/export widgets that read what Swedish staff type in Excel and answer in Swedish.

Each ``clean`` raises ``ValueError`` with a message for the user; django-import-export
turns it into a validation error of the row and column.
"""

from decimal import Decimal

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from import_export import widgets

from common.text import clean_text

from .numbers import parse_number


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class TextWidget(widgets.CharWidget):
    """
    Text with surrounding whitespace removed and cleaned (``common.text.clean_text``);
    numbers from Excel become their digits.
    """

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return clean_text(str(value)).strip()


class NumberWidget(widgets.Widget):
    """
    A decimal number written the Swedish way: “36,1”, “5 800”, “33 %”; blank is none.
    ``message`` (with ``%(value)s``) replaces “… is not a number” where a column says more.
    """

    def __init__(self, message=None, **kwargs) -> None:
        self.message = message
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        if isinstance(value, bool):
            raise ValueError(self.unreadable(value))
        try:
            return parse_number(str(value))
        except ValueError:
            raise ValueError(self.unreadable(value)) from None

    def unreadable(self, value) -> str:
        return (self.message or _("“%(value)s” is not a number.")) % {"value": value}

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        value = Decimal(value)
        return int(value) if value == value.to_integral_value() else float(value)


class WholeNumberWidget(NumberWidget):
    """A whole number such as an order or a year."""

    def clean(self, value, row=None, **kwargs):
        number = super().clean(value, row, **kwargs)
        if number is None:
            return None
        if number != number.to_integral_value() or number < 0:
            raise ValueError(_("“%(value)s” is not a whole number.") % {"value": value})
        return int(number)


class YesNoWidget(widgets.Widget):
    """“ja” or “nej”; blank means ``blank``."""

    TRUE = {"ja", "j", "x", "1", "true", "sant"}
    FALSE = {"nej", "n", "0", "false", "falskt"}

    def __init__(self, blank: bool = False) -> None:
        self.blank = blank
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        if value is True or value is False:
            return value
        if is_blank(value):
            return self.blank
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write “ja” or “nej”, not “%(value)s”.") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return "ja" if value else "nej"


class ChoiceWidget(widgets.Widget):
    """One of a fixed set of words in the file, each standing for a stored value."""

    def __init__(self, tokens: dict[str, str], default: str | None = None) -> None:
        self.tokens = tokens  # word in the file -> stored value
        self.values = {v: k for k, v in reversed(tokens.items())}
        self.default = default
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        if is_blank(value) and self.default is not None:
            return self.default
        text = "" if value is None else str(value).strip().lower()
        if text in self.tokens:
            return self.tokens[text]
        allowed = ", ".join(f"“{t}”" for t in dict.fromkeys(self.values.values()))
        raise ValueError(
            _("“%(value)s” is not allowed here. Allowed: %(allowed)s.")
            % {"value": "" if value is None else value, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return self.values.get(value, value or "")


class CodeWidget(widgets.ForeignKeyWidget):
    """A row of the same plan or committee, named by its code."""

    def __init__(self, model: type[Model], scope) -> None:
        # ``scope`` returns the queryset to look in, evaluated per import.
        self.scope = scope
        super().__init__(model, field="code")

    def get_queryset(self, value, row, *args, **kwargs) -> QuerySet:
        return self.scope()

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return None
        code = TextWidget().clean(value)
        try:
            return self.get_queryset(value, row).get(code=code)
        except self.model.DoesNotExist:
            raise ValueError(
                _("Unknown %(what)s code “%(code)s”.") % {"what": self.model._meta.verbose_name, "code": code}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value.code if value is not None else ""


class CodeListWidget(widgets.ManyToManyWidget):
    """Several rows named by their codes, separated by commas."""

    def __init__(self, model: type[Model], scope) -> None:
        self.scope = scope
        super().__init__(model, separator=",", field="code")

    def clean(self, value, row=None, **kwargs):
        if is_blank(value):
            return self.model.objects.none()
        codes = [c.strip() for c in str(value).split(self.separator) if c.strip()]
        found = {obj.code: obj for obj in self.scope().filter(code__in=codes)}
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValueError(
                _("Unknown %(what)s code(s): %(codes)s.")
                % {"what": self.model._meta.verbose_name, "codes": ", ".join(unknown)}
            )
        return [found[c] for c in dict.fromkeys(codes)]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return ", ".join(sorted(o.code for o in value.all()))
