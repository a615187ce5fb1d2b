"""
The committee file: a committee's set-up as one JSON file (``docs/committee-file.md``).

Three steps, each usable on its own:

- ``committee_file_read(content)``: the file's limits (size, nesting) before it costs memory,
  then the JSON itself; raises ``CommitteeFileError``.
- ``committee_file_check(data)``: the shape of every key (known, required, of the right type,
  valid for its model field) and the references between them (a plan's scale, a department's
  parent, a user's department); returns every problem at once, each naming its key path
  (``scales[1].levels[0].colour``).
- ``committee_file_load(data, dry_run=...)``: checks, then creates or updates the rows in one
  transaction, matched on codes, slugs, years and user names; nothing is deleted. A row that
  the models refuse (``full_clean``) is a problem with its key path; any problem, or a dry
  run, rolls everything back.

The top-level keys are ``SECTIONS``, one entry each (its shape, its cross-checks, its apply
function), in the order they are applied: to add a key, add a ``Section``.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.models import (
    AssessmentScale,
    AssessmentValue,
    Committee,
    Department,
    MandatePeriod,
    Membership,
    Plan,
    ReportingPeriod,
)
from common.plan_cache import plan_data_changed
from common.text import clean_text
from reports.models import ReportLayout

#: Larger files are refused before they are read.
MAX_BYTES = 2 * 1024 * 1024
#: Deeper nesting of lists and objects is refused before the JSON is parsed.
MAX_DEPTH = 12
#: More lists and objects are refused before the JSON is parsed: each costs memory, and its
#: checks time (2 MB of empty objects took 48 s and 970 MB). The demo's committee file has
#: 55; a committee with hundreds of departments and users stays far below.
MAX_CONTAINERS = 10_000
#: A key with this name may stand in any object, for a note; it is not read.
COMMENT_KEY = "_comment"


class CommitteeFileError(Exception):
    """The file cannot be loaded; ``problems`` says why, each with its key path."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    path: str  # e.g. "scales[1].levels[0].colour"; empty for the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# The shape of the file
# ------------------------------------------------------------------------------

#: What each type is called in a message ("Expected …").
TYPE_WORDS = {
    "text": gettext_lazy("text in quotation marks"),
    "integer": gettext_lazy("a whole number"),
    "number": gettext_lazy("a number, e.g. 90 or 92.5"),
    "boolean": gettext_lazy("true or false"),
    "date": gettext_lazy('a date written YYYY-MM-DD in quotation marks, e.g. "2025-09-15"'),
    "list": gettext_lazy("a list in square brackets [ … ]"),
    "object": gettext_lazy("an object in braces { … }"),
}
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_type(value: Any, kind: str) -> bool:
    if kind in ("text", "date"):
        return isinstance(value, str)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float | Decimal) and not isinstance(value, bool)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    return isinstance(value, dict)


def _found(value: Any) -> str:
    """What a JSON value is, for a message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("true or false")
    if isinstance(value, int):
        return _("a whole number")
    if isinstance(value, float | Decimal):
        return _("a number")
    if isinstance(value, str):
        return _("text")
    if isinstance(value, list):
        return _("a list")
    return _("an object")


@dataclass(frozen=True)
class Key:
    """One key of an object in the file: its type, whether it must be there, what checks its value."""

    kind: str  # a key of TYPE_WORDS
    required: bool = False
    null: bool = False  # whether null is accepted (it clears the value)
    field: models.Field | None = None  # the model field whose validation the value also gets
    keys: dict[str, Key] | None = None  # of an object
    item: Key | None = None  # of a list


def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _text(model, name, required=False, null=False) -> Key:
    return Key("text", required=required, null=null, field=_field(model, name))


User = get_user_model()

COMMITTEE = Key(
    "object",
    required=True,
    keys={
        "slug": _text(Committee, "slug", required=True),
        "name": _text(Committee, "name", required=True),
        "short_name": _text(Committee, "short_name"),
        "organisation": _text(Committee, "organisation", required=True),
        "diarienummer_pattern": _text(Committee, "diarienummer_pattern"),
        "diarienummer_example": _text(Committee, "diarienummer_example"),
        "kolada_municipality": _text(Committee, "kolada_municipality"),
        "kolada_unit": _text(Committee, "kolada_unit"),
    },
)
MANDATE_PERIODS = Key(
    "list",
    item=Key(
        "object",
        keys={
            "start_year": Key("integer", required=True, field=_field(MandatePeriod, "start_year")),
            "end_year": Key("integer", required=True, field=_field(MandatePeriod, "end_year")),
        },
    ),
)
DEPARTMENTS = Key(
    "list",
    item=Key(
        "object",
        keys={
            "code": _text(Department, "code", required=True),
            "name": _text(Department, "name", required=True),
            "kind": _text(Department, "kind"),
            "parent": Key("text", null=True),
            "sort_order": Key("integer", field=_field(Department, "sort_order")),
        },
    ),
)
LEVEL = Key(
    "object",
    keys={
        "code": _text(AssessmentValue, "code", required=True),
        "label": _text(AssessmentValue, "label", required=True),
        "symbol": _text(AssessmentValue, "symbol"),
        "sentence": _text(AssessmentValue, "sentence"),
        "meaning": _text(AssessmentValue, "meaning"),
        "colour": _text(AssessmentValue, "colour"),
        "min_share": Key("number", null=True, field=_field(AssessmentValue, "min_share")),
        "not_followed_up": Key("boolean"),
    },
)
SCALES = Key(
    "list",
    item=Key(
        "object",
        keys={
            "code": _text(AssessmentScale, "code", required=True),
            "name": _text(AssessmentScale, "name", required=True),
            "applies_to": _text(AssessmentScale, "applies_to", required=True),
            "description": _text(AssessmentScale, "description"),
            "levels": Key("list", required=True, item=LEVEL),
        },
    ),
)
PERIOD = Key(
    "object",
    keys={
        "slug": _text(ReportingPeriod, "slug", required=True),
        "name": _text(ReportingPeriod, "name", required=True),
        "start": Key("date", required=True),
        "end": Key("date", required=True),
        "deadline": Key("date", required=True),
        "status": _text(ReportingPeriod, "status"),
    },
)
PLAN_SCALE_KEYS = ("commitment_scale", "goal_year_scale", "goal_mandate_scale")
PLANS = Key(
    "list",
    item=Key(
        "object",
        keys={
            "year": Key("integer", required=True, field=_field(Plan, "year")),
            "status": _text(Plan, "status"),
            "registration_number": _text(Plan, "registration_number"),
            "adopted_on": Key("date", null=True),
            **{name: Key("text", null=True) for name in PLAN_SCALE_KEYS},
            "periods": Key("list", item=PERIOD),
        },
    ),
)
USERS = Key(
    "list",
    item=Key(
        "object",
        keys={
            "username": _text(User, "username", required=True),
            "first_name": _text(User, "first_name"),
            "last_name": _text(User, "last_name"),
            "email": _text(User, "email"),
            "is_staff": Key("boolean"),
            "role": _text(Membership, "role", required=True),
            "department": Key("text", null=True),
        },
    ),
)

REPORT_LAYOUTS = Key(
    "list",
    item=Key(
        "object",
        keys={
            "kind": _text(ReportLayout, "kind", required=True),
            **{
                name: _text(ReportLayout, name)
                for name in (
                    "title", "goal_area_word", "goal_word", "commitment_word", "indicator_word",
                    "goal_indicator_word", "commitment_indicator_word", "chapters", "indicators", "target_years",
                )
            },
            "show_goal_follow_up": Key("boolean"),
            "show_commitments": Key("boolean"),
            "columns": Key("list", item=Key("text")),
            "prior_years": Key("integer", field=_field(ReportLayout, "prior_years")),
        },
    ),
)  # fmt: skip


@dataclass
class Record:
    """What loading did (or would do) to one row."""

    model: type[models.Model]
    path: str
    label: str
    status: str  # "new", "changed" or "unchanged"
    changed: list[str] = field(default_factory=list)  # the keys whose value changed


@dataclass
class LoadResult:
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    committee: Committee | None = None
    #: The file's users who cannot log in with a password (new ones never can until one is set).
    without_password: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(r.status != "unchanged" for r in self.records)

    def counts(self) -> list[tuple[type[models.Model], dict[str, int]]]:
        """Per model, in the order loaded: how many rows are new, changed and unchanged."""
        counts: dict[type[models.Model], dict[str, int]] = {}
        for r in self.records:
            counts.setdefault(r.model, {"new": 0, "changed": 0, "unchanged": 0})[r.status] += 1
        return list(counts.items())


class Context:
    """The state of one check or load: the data, the problems so far, the rows made."""

    def __init__(self, data: dict, dry_run: bool = False) -> None:
        self.data = data
        self.problems: list[Problem] = []
        self.result = LoadResult(problems=self.problems, dry_run=dry_run)
        self.committee: Committee | None = None
        self.departments: dict[str, Department] = {}
        self.scales: dict[str, AssessmentScale] = {}

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, str(message)))

    def has_problem(self, path: str, *, besides: tuple[str, ...] = ()) -> bool:
        """Whether a problem was found at ``path`` or inside it, not counting those inside its keys ``besides``."""
        inner = [f"{path}.{name}" for name in besides]
        return any(_inside(p.path, path) and not any(_inside(p.path, i) for i in inner) for p in self.problems)

    def upsert(
        self,
        path: str,
        model: type[models.Model],
        lookup: dict,
        values: dict,
        *,
        obj: models.Model | None = None,
        new: Callable[[models.Model], None] | None = None,
    ) -> models.Model | None:
        """
        Create or update one row (``obj``, else the one ``lookup`` finds), validated by its
        model; an unchanged row is not written. ``new`` prepares a new row. A row the model
        refuses is a problem at ``path`` (or at its key, where the field is one of the file's)
        and returns None.
        """
        obj = obj or model.objects.filter(**lookup).first()
        is_new = obj is None
        if is_new:
            obj = model(**lookup)
            if new is not None:
                new(obj)
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, values[name])
        if is_new or changed:
            try:
                obj.full_clean()
            except ValidationError as error:
                keys = _keys_at(path)
                for name, messages in error.message_dict.items():
                    # A field the file does not set (the committee, a level's order) is the row's problem.
                    where = f"{path}.{name}" if name in keys else path
                    for message in messages:
                        self.problem(where, message)
                return None
            obj.save()
        status = "new" if is_new else "changed" if changed else "unchanged"
        self.result.records.append(Record(model, path, str(obj), status, [] if is_new else changed))
        return obj


def _inside(path: str, outer: str) -> bool:
    return path == outer or path.startswith((f"{outer}.", f"{outer}["))


def _keys_at(path: str) -> set[str]:
    """The file's keys of the object at ``path`` (``scales[0].levels[1]``)."""
    node: Key | None = Key("object", keys={s.key: s.shape for s in SECTIONS})
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if node is None:
            return set()
        node = node.item if part.startswith("[") else (node.keys or {}).get(part)
    return set(node.keys or {}) if node is not None else set()


# Shape checks
# ------------------------------------------------------------------------------


def _check_value(ctx: Context, path: str, value: Any, key: Key) -> None:
    expected = TYPE_WORDS[key.kind]
    if value is None:
        if not key.null:
            ctx.problem(path, _("Expected %(expected)s, not null.") % {"expected": expected})
        return
    if not _is_type(value, key.kind):
        ctx.problem(path, _("Expected %(expected)s, not %(found)s.") % {"expected": expected, "found": _found(value)})
        return
    if key.kind == "object":
        _check_object(ctx, path, value, key.keys or {})
    elif key.kind == "list":
        for index, item in enumerate(value):
            _check_value(ctx, f"{path}[{index}]", item, key.item)
    elif key.kind == "date":
        if not DATE_RE.match(value) or _date(value) is None:
            ctx.problem(path, _("Expected %(expected)s, not “%(value)s”.") % {"expected": expected, "value": value})
    elif key.field is not None:
        _check_field(ctx, path, value, key.field)


def _check_field(ctx: Context, path: str, value: Any, model_field: models.Field) -> None:
    """The model field's own validation: length, form (a code, a colour), choices."""
    if model_field.choices and value not in {"", None}:
        allowed = [str(choice) for choice, _label in model_field.flatchoices if choice != ""]
        if value not in allowed:
            ctx.problem(
                path,
                _("“%(value)s” is not one of the accepted values: %(allowed)s.")
                % {"value": value, "allowed": ", ".join(allowed)},
            )
            return
    try:
        model_field.clean(value, None)
    except ValidationError as error:
        for message in error.messages:
            ctx.problem(path, message)


def _check_object(ctx: Context, path: str, value: dict, keys: dict[str, Key]) -> None:
    def at(name: str) -> str:
        return f"{path}.{name}" if path else name

    for name in getattr(value, "duplicates", ()):
        ctx.problem(at(name), _("The key is given twice in the same object."))
    for name in value:
        if name not in keys and name != COMMENT_KEY:
            ctx.problem(at(name), _("Unknown key. The keys here are: %(keys)s.") % {"keys": ", ".join(keys)})
    for name, key in keys.items():
        if name in value:
            _check_value(ctx, at(name), value[name], key)
        elif key.required:
            ctx.problem(at(name), _("The key is missing: give %(expected)s.") % {"expected": TYPE_WORDS[key.kind]})


def _date(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _items(ctx: Context, key: str) -> list[tuple[str, dict]]:
    """The objects of a top-level list, each with its path."""
    value = ctx.data.get(key)
    if not isinstance(value, list):
        return []
    return [(f"{key}[{i}]", item) for i, item in enumerate(value) if isinstance(item, dict)]


def _unique(ctx: Context, items: list[tuple[str, dict]], name: str, what: str) -> None:
    """Each value of ``name`` once among ``items``."""
    seen: dict[Any, str] = {}
    for path, item in items:
        value = item.get(name)
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        if value in seen:
            ctx.problem(
                f"{path}.{name}",
                _("“%(value)s” is given twice as %(what)s (also at %(other)s).")
                % {"what": what, "value": value, "other": seen[value]},
            )
        else:
            seen[value] = path


def _codes(ctx: Context, key: str) -> set[str]:
    return {item["code"] for _path, item in _items(ctx, key) if isinstance(item.get("code"), str)}


# One function per top-level key: cross-checks (references, duplicates) and apply
# ------------------------------------------------------------------------------


def check_committee(ctx: Context) -> None:
    """One object: its shape says it all."""


def apply_committee(ctx: Context) -> None:
    if ctx.has_problem("committee"):
        return
    spec = ctx.data["committee"]
    values = {name: spec[name] for name in COMMITTEE.keys if name in spec and name != "slug"}
    ctx.committee = ctx.upsert("committee", Committee, {"slug": spec["slug"]}, values)
    ctx.result.committee = ctx.committee


def check_mandate_periods(ctx: Context) -> None:
    _unique(ctx, _items(ctx, "mandate_periods"), "start_year", _("first year"))


def apply_mandate_periods(ctx: Context) -> None:
    for path, item in _items(ctx, "mandate_periods"):
        if ctx.has_problem(path):
            continue
        existing = MandatePeriod.objects.filter(start_year=item["start_year"]).first()
        if existing is not None and existing.end_year != item["end_year"]:
            # Shared by every committee of the installation: one committee's file does not move it.
            ctx.problem(
                f"{path}.end_year",
                _(
                    "The mandate period from %(start)s exists already and ends %(end)s. Mandate periods are "
                    "shared by all committees: write %(end)s, or change the period in the admin."
                )
                % {"start": existing.start_year, "end": existing.end_year},
            )
            continue
        ctx.upsert(path, MandatePeriod, {"start_year": item["start_year"]}, {"end_year": item["end_year"]})


def check_departments(ctx: Context) -> None:
    items = _items(ctx, "departments")
    _unique(ctx, items, "code", _("code"))
    codes = _codes(ctx, "departments")
    parents = {}
    for path, item in items:
        parent = item.get("parent")
        if isinstance(parent, str):
            if parent not in codes:
                ctx.problem(
                    f"{path}.parent",
                    _(
                        "“%(code)s” is not a department in this file: write the code of one under "
                        "“departments”, or null."
                    )
                    % {"code": parent},
                )
            elif isinstance(item.get("code"), str):
                parents[item["code"]] = (parent, path)
    reported: set[str] = set()
    for code in parents:
        chain, current = [code], parents[code][0]
        while current in parents and current not in chain:
            chain.append(current)
            current = parents[current][0]
        if current == code and code not in reported:
            reported.update(chain)
            ctx.problem(
                f"{parents[code][1]}.parent",
                _("The departments' parents go round in a circle: %(codes)s.") % {"codes": " → ".join([*chain, code])},
            )


def apply_departments(ctx: Context) -> None:
    """Parents before their children, wherever the file lists them."""
    if ctx.committee is None:
        return
    pending = {
        item["code"]: (index, path, item)
        for index, (path, item) in enumerate(_items(ctx, "departments"))
        if isinstance(item.get("code"), str)
    }

    def made(code: str) -> Department | None:
        if code not in pending:  # made already, refused, or in a circle (reported)
            return ctx.departments.get(code)
        index, path, item = pending.pop(code)
        if ctx.has_problem(path):
            return None
        parent = made(item["parent"]) if item.get("parent") is not None else None
        if item.get("parent") is not None and parent is None:
            return None  # the parent's problem is reported
        values = {name: item[name] for name in ("name", "kind") if name in item}
        values["parent"] = parent
        values["sort_order"] = item.get("sort_order", index)
        department = ctx.upsert(path, Department, {"committee": ctx.committee, "code": code}, values)
        if department is not None:
            ctx.departments[code] = department
        return department

    for code in list(pending):
        made(code)


def check_scales(ctx: Context) -> None:
    _unique(ctx, _items(ctx, "scales"), "code", _("code"))
    for path, scale in _items(ctx, "scales"):
        levels = scale.get("levels")
        if isinstance(levels, list):
            paths = [(f"{path}.levels[{i}]", level) for i, level in enumerate(levels) if isinstance(level, dict)]
            _unique(ctx, paths, "code", _("code"))
            if not levels:
                ctx.problem(f"{path}.levels", _("A scale has at least one level."))


def apply_scales(ctx: Context) -> None:
    if ctx.committee is None:
        return
    for path, item in _items(ctx, "scales"):
        if ctx.has_problem(path, besides=("levels",)):
            continue
        values = {name: item[name] for name in ("name", "applies_to", "description") if name in item}
        scale = ctx.upsert(path, AssessmentScale, {"committee": ctx.committee, "code": item["code"]}, values)
        if scale is None:
            continue
        ctx.scales[item["code"]] = scale
        levels = item.get("levels")
        if isinstance(levels, list):
            _apply_levels(ctx, path, scale, levels)


def _apply_levels(ctx: Context, path: str, scale: AssessmentScale, levels: list) -> None:
    """The levels in the file's order (1, 2, …); levels only in the database keep their order after them."""
    given = [(f"{path}.levels[{n}]", level) for n, level in enumerate(levels)]
    given = [(p, level) for p, level in given if isinstance(level, dict) and isinstance(level.get("code"), str)]
    current = {level.code: level for level in scale.values.order_by("sort_order")}
    order: dict[str, int] = {}
    for code in [level["code"] for _p, level in given] + list(current):
        order.setdefault(code, len(order) + 1)
    moved = [level for level in current.values() if level.sort_order != order[level.code]]
    if moved:  # out of the way first: the order is unique within the scale
        top = max(level.sort_order for level in current.values()) + len(order)
        AssessmentValue.objects.filter(pk__in=[level.pk for level in moved]).update(
            sort_order=models.F("sort_order") + top
        )
    for level_path, level in given:
        if ctx.has_problem(level_path):
            continue
        values = {name: level[name] for name in LEVEL.keys if name in level and name != "code"}
        if values.get("min_share") is not None:
            values["min_share"] = Decimal(str(values["min_share"]))
        values["sort_order"] = order[level["code"]]
        lookup = {"scale": scale, "code": level["code"]}
        ctx.upsert(level_path, AssessmentValue, lookup, values, obj=current.pop(level["code"], None))
    for level in current.values():  # only in the database
        if level.sort_order != order[level.code]:
            level.sort_order = order[level.code]
            level.save(update_fields=["sort_order"])


def check_plans(ctx: Context) -> None:
    items = _items(ctx, "plans")
    _unique(ctx, items, "year", _("year"))
    scales = _codes(ctx, "scales")
    for path, plan in items:
        for name in PLAN_SCALE_KEYS:
            code = plan.get(name)
            if isinstance(code, str) and code not in scales:
                ctx.problem(
                    f"{path}.{name}",
                    _("“%(code)s” is not a scale in this file: write the code of one under “scales”, or null.")
                    % {"code": code},
                )
        periods = plan.get("periods")
        if isinstance(periods, list):
            period_items = [(f"{path}.periods[{i}]", p) for i, p in enumerate(periods) if isinstance(p, dict)]
            _unique(ctx, period_items, "slug", _("slug"))


def apply_plans(ctx: Context) -> None:
    if ctx.committee is None:
        return
    for path, item in _items(ctx, "plans"):
        if ctx.has_problem(path, besides=("periods",)):
            continue
        if any(item.get(name) is not None and item[name] not in ctx.scales for name in PLAN_SCALE_KEYS):
            continue  # the scale's problem is reported
        values: dict[str, Any] = {name: item[name] for name in ("status", "registration_number") if name in item}
        if "adopted_on" in item:
            values["adopted_on"] = _date(item["adopted_on"]) if item["adopted_on"] is not None else None
        values.update({name: ctx.scales.get(item[name]) for name in PLAN_SCALE_KEYS if name in item})
        values["mandate_period"] = MandatePeriod.objects.filter(
            start_year__lte=item["year"], end_year__gte=item["year"]
        ).first()
        plan = ctx.upsert(path, Plan, {"committee": ctx.committee, "year": item["year"]}, values)
        if plan is not None and isinstance(item.get("periods"), list):
            _apply_periods(ctx, path, plan, item["periods"])


def _apply_periods(ctx: Context, path: str, plan: Plan, periods: list) -> None:
    for n, period in enumerate(periods):
        period_path = f"{path}.periods[{n}]"
        if ctx.has_problem(period_path):
            continue
        values: dict[str, Any] = {"name": period["name"]}
        values.update({name: _date(period[name]) for name in ("start", "end", "deadline")})
        if "status" in period:
            values["status"] = period["status"]
        ctx.upsert(period_path, ReportingPeriod, {"plan": plan, "slug": period["slug"]}, values)


def check_users(ctx: Context) -> None:
    items = _items(ctx, "users")
    _unique(ctx, items, "username", _("user name"))
    departments = _codes(ctx, "departments")
    with_department = {Membership.Role.EDITOR, Membership.Role.READER}
    for path, user in items:
        role, department = user.get("role"), user.get("department")
        if role in with_department and department is None:
            ctx.problem(
                f"{path}.department",
                _("An editor or a reader belongs to a department: write its code (from “departments”)."),
            )
        elif role in Membership.Role.values and role not in with_department and department is not None:
            ctx.problem(
                f"{path}.department",
                _("A reviewer or a committee admin acts for the whole committee: write null or leave the key out."),
            )
        elif isinstance(department, str) and department not in departments:
            ctx.problem(
                f"{path}.department",
                _("“%(code)s” is not a department in this file: write the code of one under “departments”.")
                % {"code": department},
            )


def apply_users(ctx: Context) -> None:
    if ctx.committee is None:
        return
    for path, item in _items(ctx, "users"):
        if ctx.has_problem(path):
            continue
        department = None
        if item.get("department") is not None:
            department = ctx.departments.get(item["department"])
            if department is None:
                continue  # the department's problem is reported
        values = {name: item[name] for name in ("first_name", "last_name", "email", "is_staff") if name in item}
        # Never a password from the file: a new user has none until one is set (or signs in otherwise).
        user = ctx.upsert(
            path, User, {"username": item["username"]}, values, new=lambda obj: obj.set_unusable_password()
        )
        if user is None:
            continue
        if not user.has_usable_password():
            ctx.result.without_password.append(user.username)
        lookup = {"user": user, "committee": ctx.committee, "department": department, "role": item["role"]}
        ctx.upsert(path, Membership, lookup, {})


def check_report_layouts(ctx: Context) -> None:
    _unique(ctx, _items(ctx, "report_layouts"), "kind", _("kind of report"))


def apply_report_layouts(ctx: Context) -> None:
    """Each layout by its kind; a key left out keeps its value (a new layout: the model's default)."""
    if ctx.committee is None:
        return
    for path, item in _items(ctx, "report_layouts"):
        if ctx.has_problem(path):
            continue
        values = {name: value for name, value in item.items() if name in REPORT_LAYOUTS.item.keys and name != "kind"}
        ctx.upsert(path, ReportLayout, {"committee": ctx.committee, "kind": item["kind"]}, values)


@dataclass(frozen=True)
class Section:
    """A top-level key of the file: its shape, its checks across items, and how it is loaded."""

    key: str
    shape: Key
    check: Callable[[Context], None]
    apply: Callable[[Context], None]


#: The file's top-level keys, in the order they are applied (each may use what those before it made).
SECTIONS: tuple[Section, ...] = (
    Section("committee", COMMITTEE, check_committee, apply_committee),
    Section("mandate_periods", MANDATE_PERIODS, check_mandate_periods, apply_mandate_periods),
    Section("departments", DEPARTMENTS, check_departments, apply_departments),
    Section("scales", SCALES, check_scales, apply_scales),
    Section("plans", PLANS, check_plans, apply_plans),
    Section("users", USERS, check_users, apply_users),
    Section("report_layouts", REPORT_LAYOUTS, check_report_layouts, apply_report_layouts),
)


# Reading, checking, loading
# ------------------------------------------------------------------------------


class _JsonObject(dict):
    """A JSON object that remembers the keys it was given twice (JSON itself keeps the last)."""

    duplicates: tuple[str, ...] = ()


def _cleaned(value: Any) -> Any:
    """A text of the file as it is stored (``clean_text``), in a list too; objects are cleaned as they are read."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item) for item in value]
    return value


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    obj = _JsonObject()
    duplicates = []
    for key, value in pairs:
        key, value = clean_text(key), _cleaned(value)
        if key in obj:
            duplicates.append(key)
        obj[key] = value
    obj.duplicates = tuple(duplicates)
    return obj


def _refuse_constant(name: str) -> None:
    raise ValueError(name)


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def committee_file_read(content: bytes) -> dict:
    """Read the file's bytes into its data; a file that cannot be read raises ``CommitteeFileError``."""
    if len(content) > MAX_BYTES:
        raise CommitteeFileError(
            [Problem("", _("The file is larger than %(limit)s MB.") % {"limit": MAX_BYTES // (1024 * 1024)})]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CommitteeFileError([Problem("", _("The file is not UTF-8 text."))]) from None
    depth = containers = 0
    for match in _TOKENS.finditer(text):  # before parsing: nesting costs the parser's stack
        bracket = match.group()
        if bracket in ("[", "{"):
            depth += 1
            containers += 1
            if containers > MAX_CONTAINERS:
                raise CommitteeFileError(
                    [
                        Problem(
                            "",
                            _("The file has more than %(max)s lists and objects.")
                            % {"max": number_format(MAX_CONTAINERS, force_grouping=True)},
                        )
                    ]
                )
            if depth > MAX_DEPTH:
                raise CommitteeFileError(
                    [Problem("", _("Lists and objects nest deeper than %(depth)s levels.") % {"depth": MAX_DEPTH})]
                )
        elif bracket in ("]", "}"):
            depth -= 1
    try:
        data = json.loads(text, object_pairs_hook=_object_pairs, parse_float=Decimal, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise CommitteeFileError(
            [
                Problem(
                    "",
                    _("The file is not valid JSON: the error is at line %(line)s, column %(column)s.")
                    % {"line": error.lineno, "column": error.colno},
                )
            ]
        ) from None
    except ValueError as error:  # NaN, Infinity
        raise CommitteeFileError(
            [Problem("", _("The file is not valid JSON: %(word)s is not a number in JSON.") % {"word": error})]
        ) from None
    if not isinstance(data, dict):
        raise CommitteeFileError(
            [Problem("", _("The file holds %(found)s; it must hold one object { … }.") % {"found": _found(data)})]
        )
    return data


def _check(ctx: Context) -> None:
    _check_object(ctx, "", ctx.data, {section.key: section.shape for section in SECTIONS})
    for section in SECTIONS:
        section.check(ctx)


def committee_file_check(data: dict) -> list[Problem]:
    """Every problem of the file's shape and references, each with its key path (the database is not read)."""
    ctx = Context(data)
    _check(ctx)
    return ctx.problems


def committee_file_load(data: dict, *, dry_run: bool = False) -> LoadResult:
    """
    Create or update the committee the file describes, in one transaction; with problems (in
    ``result.problems``), or with ``dry_run``, nothing is changed. The records say what was
    (or would be) new, changed and unchanged.
    """
    ctx = Context(data, dry_run=dry_run)
    _check(ctx)
    with transaction.atomic():
        plan_data_changed()  # some parts are written in bulk, which sends no signals
        # Applied even when the checks found problems, to find the models' own as well; the
        # parts with problems are skipped, and everything is rolled back.
        for section in SECTIONS:
            section.apply(ctx)
        if ctx.problems or dry_run:
            transaction.set_rollback(True)
    if ctx.problems:
        ctx.result.records = []
    return ctx.result


def committee_file_summary(result: LoadResult) -> list[str]:
    """The lines that say what loading did (or would do): per kind of row, then the rows that change."""
    lines = []
    for model, counts in result.counts():
        lines.append(
            _("%(kind)s: %(new)s new, %(changed)s changed, %(unchanged)s unchanged")
            % {"kind": capfirst(model._meta.verbose_name_plural), **counts}
        )
    for record in result.records:
        if record.status == "new":
            lines.append(_("  new: %(path)s %(label)s") % {"path": record.path, "label": record.label})
        elif record.status == "changed":
            lines.append(
                _("  changed: %(path)s %(label)s (%(keys)s)")
                % {"path": record.path, "label": record.label, "keys": ", ".join(record.changed)}
            )
    return lines
