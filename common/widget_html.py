"""
The HTML of the plain widgets of the follow-up pages, written directly.

Django renders each widget by building its context (``BoundField.as_widget`` →
``Widget.get_context``) and a template (``django/forms/jinja2/.../input.html`` and
``attrs.html``). An entry page with five outcomes has some 60 widgets, and that machinery was
about a third of the page's server time (``python -m bench.cpu``). These functions give the
same bytes for the widgets the pages use (text and hidden inputs, textareas, the rich-text
editor's, radio buttons, the lists' filter selects),
from the same attributes (``BoundField.build_widget_attrs``: required, disabled, aria-invalid,
aria-describedby), without a template; any other widget is rendered by Django as before.
``tests/test_widget_html.py`` compares them with Django's own rendering.
"""

from __future__ import annotations

import functools

from django import forms
from django.utils.safestring import SafeString, mark_safe
from markupsafe import Markup, escape

from .richtext import EditorWidget

#: The widgets written here (exact types: a subclass may render otherwise).
_INPUTS = (forms.TextInput, forms.HiddenInput)


@functools.lru_cache(maxsize=16)
def _escaped_config(config: str) -> Markup:
    """An editor's configuration as its attribute holds it: 3 kB of JSON, escaped once (one per language)."""
    return escape(config)


def _attrs(attrs: dict) -> str:
    """As ``django/forms/jinja2/django/forms/widgets/attrs.html``: ``True`` is a bare name, ``False`` left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _given_attrs(bound_field, widget) -> dict:
    """The attributes ``BoundField.as_widget`` passes the widget (required, aria-*, id), in its order."""
    attrs = bound_field.build_widget_attrs({}, widget)
    if bound_field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound_field.auto_id)
    return attrs


def widget_html(bound_field) -> SafeString:
    """``str(bound_field)``: the field's widget with its value, attributes and id."""
    field = bound_field.field
    widget = field.widget
    kind = type(widget)
    if kind is forms.Select and not widget.allow_multiple_selected:
        return _select(bound_field, widget)
    if kind not in _INPUTS and kind is not forms.Textarea and kind is not EditorWidget:
        return bound_field.as_widget()
    if field.localize:
        widget.is_localized = True
    attrs = widget.build_attrs(widget.attrs, _given_attrs(bound_field, widget))
    if kind is EditorWidget:
        attribute, config = widget.config_attribute()
        attrs[attribute] = _escaped_config(config)
    attrs = _attrs(attrs)
    value = widget.format_value(bound_field.value())
    name = escape(bound_field.html_name)
    if kind is not forms.TextInput and kind is not forms.HiddenInput:  # a textarea
        return mark_safe(f'<textarea name="{name}"{attrs}>\n{escape(value) if value else ""}</textarea>')  # noqa: S308
    shown = "" if value is None else f' value="{escape(value)}"'
    return mark_safe(f'<input type="{escape(widget.input_type)}" name="{name}"{shown}{attrs}>')  # noqa: S308 -- escaped


def radio_options(bound_field) -> list[tuple[str, SafeString, dict]]:
    """
    The radio buttons of a ``RadioSelect`` field as (id, the input's HTML, the option), as
    iterating over the bound field gives them (``radio.id_for_label``, ``radio.tag()``,
    ``radio.data``); the option also carries what the widget's ``create_option`` adds (the
    assessment levels' ``colour``).
    """
    widget = bound_field.field.widget
    id_ = widget.attrs.get("id") or bound_field.auto_id
    base = bound_field.build_widget_attrs({"id": id_} if id_ else {})
    value = widget.format_value(bound_field.value())
    options = []
    for group in widget.optgroups(bound_field.html_name, value, base):
        for option in group[1]:
            attrs = option["attrs"]
            shown = "" if option["value"] is None else f' value="{escape(option["value"])}"'
            tag = f'<input type="{escape(option["type"])}" name="{escape(option["name"])}"{shown}{_attrs(attrs)}>'
            options.append((attrs.get("id"), mark_safe(tag), option))  # noqa: S308 -- escaped
    return options


def _select(bound_field, widget) -> SafeString:
    """As ``django/forms/jinja2/django/forms/widgets/select.html`` with ``select_option.html`` for each option."""
    extra = _given_attrs(bound_field, widget)
    value = widget.format_value(bound_field.value())
    parts = [f'<select name="{escape(bound_field.html_name)}"{_attrs(widget.build_attrs(widget.attrs, extra))}>']
    for group_name, options, _index in widget.optgroups(bound_field.html_name, value, extra):
        if group_name:
            parts.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in options:
            attrs = _attrs(option["attrs"])
            parts.append(f'\n  <option value="{escape(option["value"])}"{attrs}>{escape(option["label"])}</option>')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 -- escaped
