"""
The one review workflow and the one way to save what departments write.

Entries, indicator outcomes, goal follow-ups and report texts are ``Reviewable``: they move
draft → submitted → approved, or submitted → returned → submitted again; a reviewer can
reopen an approved row with a reason, which returns it. Each save names the version it
started from (optimistic locking), so that nothing is overwritten without the writer
seeing it. Every save and transition is kept in the row's history with the user who made
it, and every transition is an ``Event`` on record in the same transaction.

The rules live here and nowhere else: which actions a user has on a row in its state
(``available_actions``), who may write a row now (``can_write``), what must be written
before a row is submitted (``submission_problems``), who may approve it (``own_work``:
by default nobody approves what they wrote or submitted themselves), and that the rows that
belong to another (an entry's outcomes, registered with ``register_parts``) move with it on
every path: pages, bulk approval, admin actions and services alike. Such a row is read-only
while the rows that hold it (``register_owners``) are all submitted or approved: it cannot be
saved or submitted on its own behind its owner's back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.text import PLAIN_TEXT_MAX_LENGTH, clean_text

from .events import event_transition
from .models import EDITABLE_STATES, Event, EventType, Reviewable, ReviewStatus
from .permissions import can_edit_department, can_review

if TYPE_CHECKING:
    from accounts.models import User

R = TypeVar("R", bound=Reviewable)

#: action -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (EDITABLE_STATES, ReviewStatus.SUBMITTED),
    "approve": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.APPROVED),
    "return": (frozenset({ReviewStatus.SUBMITTED}), ReviewStatus.RETURNED),
    "reopen": (frozenset({ReviewStatus.APPROVED}), ReviewStatus.RETURNED),
}
#: The actions of reviewers; the others are the department's.
REVIEWER_ACTIONS = frozenset({"approve", "return", "reopen"})
#: The actions that need a reason, given to the department.
ACTIONS_WITH_REASON = frozenset({"return", "reopen"})
ACTION_LABELS = {
    "submit": gettext_lazy("submit"),
    "approve": gettext_lazy("approve"),
    "return": gettext_lazy("return"),
    "reopen": gettext_lazy("reopen"),
}
#: What a reviewer is told after each review action.
REVIEW_DONE = {
    "approve": gettext_lazy("Approved."),
    "return": gettext_lazy("Returned to the department with your reason."),
    "reopen": gettext_lazy("Reopened: the department can change it again."),
}


@dataclass(frozen=True)
class Action:
    """A step a user can take on a row now, as a page offers it."""

    name: str
    label: str
    #: The label of the reason the step needs ("" when it needs none).
    reason_label: str = ""
    primary: bool = False

    @property
    def needs_reason(self) -> bool:
        return bool(self.reason_label)


DEPARTMENT_ACTIONS = (
    Action("save", gettext_lazy("Save draft"), primary=True),
    Action("submit", gettext_lazy("Save and submit for review")),
)
REVIEW_ACTIONS = {
    "approve": Action("approve", gettext_lazy("Approve"), primary=True),
    "return": Action("return", gettext_lazy("Return"), gettext_lazy("Reason for returning it to the department")),
    "reopen": Action("reopen", gettext_lazy("Reopen"), gettext_lazy("Reason for reopening it")),
}


@dataclass(frozen=True)
class Problem:
    """Something that stops a save or a submission: on which part of a page (``target``), which field, why."""

    target: str
    field: str | None
    message: str


class WorkflowError(Exception):
    """A write that the workflow refuses; the message is for the user."""


class InvalidTransition(WorkflowError):
    pass


class OwnWork(InvalidTransition):
    """An approval by someone who wrote or submitted the row, where the committee does not allow it."""


class Locked(WorkflowError):
    """The period is closed, or the row is submitted or approved."""


class Conflict(WorkflowError):
    """Someone saved the row after the version this save started from."""

    def __init__(self, current: Reviewable) -> None:
        self.current = current
        super().__init__(_("Someone else saved this after you opened it."))


class Invalid(WorkflowError):
    """A save or submission refused for the ``problems`` it names, all of them; nothing was changed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(" ".join(str(p.message) for p in problems))


class Incomplete(Invalid):
    """A submission of a row (or of the rows that belong to it) with something still missing."""


@dataclass(frozen=True)
class Parts:
    """The rows that belong to a reviewable row, and what must be true of them before it is submitted."""

    #: Return the saved rows that move with the row (e.g. an entry's outcomes).
    children: Callable[[Reviewable], Iterable[Reviewable]]
    #: Return what is missing among them (the targets are the pages' names for the rows).
    problems: Callable[[Reviewable], list[Problem]]


_PARTS: dict[type[Reviewable], Parts] = {}
#: model -> a function returning, for a row, each row that holds it, or None where that row is not written yet.
_OWNERS: dict[type[Reviewable], Callable[[Reviewable], list[Reviewable | None]]] = {}


def register_parts(model: type[Reviewable], parts: Parts) -> None:
    """Say which rows belong to each ``model`` row (called from the owning app's ``ready()``)."""
    _PARTS[model] = parts


def register_owners(model: type[Reviewable], owners: Callable[[Reviewable], list[Reviewable | None]]) -> None:
    """
    Say which rows hold each ``model`` row (the inverse of ``register_parts``): ``owners``
    returns one item per page the row is written on, the row of that page or None while
    that page's row is not written yet.
    """
    _OWNERS[model] = owners


def owners_of(obj: Reviewable, *, lock: bool = False) -> list[Reviewable | None]:
    """Return the rows that hold ``obj`` (None for one not written yet), locked with ``lock``, in the order of pks."""
    owners = _OWNERS.get(type(obj))
    if owners is None:
        return []
    held = owners(obj)
    rows = sorted((o for o in held if o is not None), key=lambda o: (type(o).__name__, o.pk))
    if lock:
        # Owners first, then the row: the order in which a transition of the owner locks them.
        rows = [_locked(o) for o in rows]
    return rows + [None] * sum(1 for o in held if o is None)


def children_of(obj: Reviewable) -> list[Reviewable]:
    """Return the saved rows that move with ``obj`` through the workflow."""
    parts = _PARTS.get(type(obj))
    return list(parts.children(obj)) if parts else []


def submission_problems(obj: Reviewable) -> list[Problem]:
    """Return everything that must be written before ``obj`` can be submitted, all at once."""
    problems = [
        Problem("", field, message) for field, messages in obj.submission_problems().items() for message in messages
    ]
    parts = _PARTS.get(type(obj))
    return problems + (parts.problems(obj) if parts else [])


def can_write(user: User, obj: Reviewable) -> bool:
    """Whether ``user`` may change ``obj`` now: an editor of its department, while it is open for them."""
    return can_edit_department(user, obj.department) and not why_not_writable(obj)


def own_work(obj: Reviewable, user: User, children: list[Reviewable] | None = None) -> bool:
    """
    Whether ``user`` wrote or submitted what an approval of ``obj`` would approve: they
    submitted it last, saved its text last, or moved it last (``updated_by``), or did either
    on one of the rows that belong to it (an entry's outcomes) and stand where it stands.
    ``children``: those rows (``children_of``) when the caller has just read them.
    """
    if obj.pk is None:
        return False
    if children is None:
        children = children_of(obj)
    # The rows that belong to it count where they are approved with it (not those approved before, say
    # with another entry that shares them).
    rows = [obj, *(child for child in children if child.status == obj.status)]
    if any(row.updated_by_id == user.pk for row in rows):
        return True
    submitter = (
        Event.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            type=EventType.of(obj.event_subject, "submit"),
        )
        .order_by("-created_at", "-pk")
        .values_list("actor_id", flat=True)
        .first()
    )
    if submitter == user.pk:
        return True
    by_model: dict[type[Reviewable], list[int]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row.pk)
    for model, pks in by_model.items():
        # A save leaves no change reason in the history; a transition leaves its reason, "" when none.
        saves = (
            model.history.filter(id__in=pks, history_change_reason__isnull=True)
            .order_by("id", "-history_date", "-history_id")
            .values_list("id", "history_user_id")
        )
        last_saver: dict[int, int | None] = {}
        for pk, saver in saves:
            last_saver.setdefault(pk, saver)
        if user.pk in last_saver.values():
            return True
    return False


def why_not_approvable(obj: Reviewable, user: User, children: list[Reviewable] | None = None) -> str:
    """
    Return why ``user`` may not approve ``obj`` although a reviewer: their own work; "" when they
    may. ``children`` as for ``own_work``.
    """
    if obj.period.plan.committee.approve_own_work or not own_work(obj, user, children):
        return ""
    return _("You submitted or wrote it yourself; another reviewer must approve it.")


def available_actions(obj: Reviewable, user: User, children: list[Reviewable] | None = None) -> list[Action]:
    """
    Return the steps ``user`` can take on ``obj`` in its present state, in the order a page
    shows them: the department's save and submit while it may write, the reviewers' steps
    that the state allows (a reviewer may also act after the period closed), but not the
    approval of their own work unless the committee allows it. ``children`` as for ``own_work``.
    """
    actions = list(DEPARTMENT_ACTIONS) if can_write(user, obj) else []
    if obj.pk is not None and can_review(user, obj.period.plan.committee_id):
        names = [name for name in REVIEW_ACTIONS if obj.status in TRANSITIONS[name][0]]
        if "approve" in names and why_not_approvable(obj, user, children):
            names.remove("approve")
        actions += [REVIEW_ACTIONS[name] for name in names]
    return actions


def why_not_writable(obj: Reviewable, owners: list[Reviewable | None] | None = None) -> str:
    """
    Return why the department cannot change ``obj`` now, and what to do; "" when it can.
    ``owners`` are the rows that hold it, if already read (``owners_of``).
    """
    if obj.status == ReviewStatus.SUBMITTED:
        return _("It is submitted for review. If something must change, ask a reviewer to return it.")
    if obj.status == ReviewStatus.APPROVED:
        return _("It is approved. If something must change, ask a reviewer to reopen it.")
    if not obj.is_open_for_department():
        return _(
            "The period is closed for entries. If something must change, ask a reviewer or the committee's "
            "administrator: a reviewer can return it to you, an administrator can reopen the period."
        )
    if owners is None:
        owners = owners_of(obj)
    # Held by rows that are all submitted or approved: no page is left that would take it along.
    if owners and all(o is not None and o.status not in EDITABLE_STATES for o in owners):
        owner = owners[0]
        if owner.status == ReviewStatus.APPROVED:
            return _(
                "It belongs to %(row)s, which is approved. If something must change, ask a reviewer to reopen it."
            ) % {"row": owner.event_label}
        return _(
            "It belongs to %(row)s, which is submitted for review. If something must change, ask a reviewer "
            "to return it."
        ) % {"row": owner.event_label}
    return ""


def check_editable(obj: Reviewable, owners: list[Reviewable | None] | None = None) -> None:
    """Raise ``Locked`` unless the department may change ``obj`` now, saying why and what to do."""
    reason = why_not_writable(obj, owners)
    if reason:
        raise Locked(reason)


@dataclass(eq=False)
class Change:
    """
    One part of a page to save: the row as the page read it (new or saved), the version the
    user started from, and the values its service checked (``values``), or why it refused
    them (``error``, shown beside the part). ``saved`` is the row once written.
    """

    target: str
    obj: Reviewable
    expected_version: int
    values: dict = field(default_factory=dict)
    error: ValidationError | None = None
    saved: Reviewable | None = None


def reviewable_save(*, obj: R, expected_version: int, values: dict, user: User) -> R:
    """
    Save ``values`` on ``obj`` (new or existing), if nobody saved it since ``expected_version``.

    A new row has version 0 until its first save. The row is locked for the comparison, so
    two concurrent saves from the same version leave one saved and one ``Conflict``; two
    first saves of the same row race on its unique key and end the same way. A row that is
    submitted or approved, or whose owners are (``why_not_writable``), raises ``Locked``.
    An owner's transition locks its saved parts after itself, so it waits for the save of one
    and then takes it along; a new part locks its owners first instead. A page saves all its
    parts at once with ``reviewable_page_save``, by the same rules.
    """
    change = Change("", obj, expected_version, values)
    with transaction.atomic():
        _save_changes([change], user=user, holder=None)
    if change.error is not None:
        raise change.error
    return change.saved


def _loaded_relations(obj: Reviewable) -> list[str]:
    """The foreign keys of ``obj`` set to rows read in this request: ``full_clean`` needs not read them again."""
    return [
        f.name
        for f in obj._meta.concrete_fields
        if f.is_relation and getattr(obj, f.attname) is not None and f.is_cached(obj)
    ]


def _keep_related(fresh: Reviewable, read: Reviewable) -> Reviewable:
    """Give the row read again under lock the related rows the page had read (its period, department, …)."""
    for f in fresh._meta.concrete_fields:
        same = f.is_relation and getattr(fresh, f.attname) == getattr(read, f.attname)
        if same and f.is_cached(read) and not f.is_cached(fresh):
            f.set_cached_value(fresh, f.get_cached_value(read))
    return fresh


def _with_target(error: WorkflowError, target: str) -> WorkflowError:
    error.target = target
    return error


def _save_changes(changes: list[Change], *, user: User, holder: Reviewable | None) -> None:
    """
    Lock, check and write ``changes`` (those without an ``error``) in a fixed number of
    queries, whatever their number; a ``full_clean`` refusal goes to the change's ``error``.

    ``holder`` is the page's row, already locked, which holds every other change's row
    (``register_parts``): a part is open while its row is and the holder is (the holder is
    one of its owners, so the part is never held by rows that are all submitted or
    approved while the holder is open); the holder's lock also keeps its transitions out
    until this commits (owner first, then the parts, each kind in one query by pk: the
    order in which a transition locks them). With no holder (one row saved on its own), a
    new row locks its owners first, and an existing row is checked against them as read.
    Raise ``Locked`` or ``Conflict`` for the first part, in page order, that stops the save.
    """
    ready = [c for c in changes if c.error is None]

    def is_holder(obj: Reviewable) -> bool:
        if holder is None:
            return False
        return obj is holder or (obj.pk is not None and type(obj) is type(holder) and obj.pk == holder.pk)

    existing: dict[type[Reviewable], list[int]] = {}
    for change in ready:
        if change.obj.pk is not None and not is_holder(change.obj):
            existing.setdefault(type(change.obj), []).append(change.obj.pk)
    if holder is None:
        # One row on its own: a new one locks its owners first (owner first, then the row).
        new_owners = {id(c): owners_of(c.obj, lock=True) for c in ready if c.obj.pk is None}
    locked: dict[tuple[type[Reviewable], int], Reviewable] = {}
    for model in sorted(existing, key=lambda m: m.__name__):
        for row in model.objects.select_for_update(of=("self",)).filter(pk__in=existing[model]).order_by("pk"):
            locked[(model, row.pk)] = row
    now = timezone.now()
    for change in ready:
        model = type(change.obj)
        if is_holder(change.obj):
            obj, owners = (holder if holder.pk is not None else change.obj), None
        elif change.obj.pk is not None:
            obj = _keep_related(locked[(model, change.obj.pk)], change.obj)
            owners = [holder if holder.pk is not None else None] if holder is not None else None
        else:
            obj = change.obj
            owners = [holder if holder.pk is not None else None] if holder is not None else new_owners[id(change)]
        # A row that no longer takes changes is refused as such: merging with it would not help.
        try:
            check_editable(obj, owners)
        except Locked as error:
            raise _with_target(error, change.target) from None
        if obj.version != change.expected_version:
            raise _with_target(Conflict(obj), change.target)
        for name, value in change.values.items():
            setattr(obj, name, value)
        obj.version += 1
        obj.updated_by = user
        obj.updated_at = now
        obj._history_user = user
        # The unique key is left to the database, so that a concurrent first save is a conflict.
        try:
            obj.full_clean(exclude=_loaded_relations(obj), validate_constraints=False)
        except ValidationError as error:
            change.error = error
            continue
        change.saved = obj
    _write([c for c in ready if c.saved is not None], user=user)


def _write(changes: list[Change], *, user: User) -> None:
    """Write the checked rows, each kind in one query (and one for their history), new rows in theirs."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    kinds: dict[type[Reviewable], list[Change]] = {}
    for change in changes:
        kinds.setdefault(type(change.saved), []).append(change)
    for model, group in kinds.items():
        updated = [c for c in group if c.saved.pk is not None]
        if updated:
            fields = {"version", "updated_by", "updated_at"}.union(*(c.values for c in updated))
            bulk_update_with_history(
                [c.saved for c in updated], model, sorted(fields), default_user=user, default_change_reason=None
            )
        created = [c for c in group if c.saved.pk is None]
        if created:
            try:
                with transaction.atomic():
                    bulk_create_with_history(
                        [c.saved for c in created], model, default_user=user, default_change_reason=None
                    )
            except IntegrityError:
                # A concurrent first save of one of them won the unique key: that one is a conflict.
                for change in created:
                    change.saved.pk = None
                    key = {f"{name}_id": getattr(change.saved, f"{name}_id") for name in model.natural_key_fields}
                    current = model.objects.filter(**key).first()
                    if current is not None:
                        raise _with_target(Conflict(current), change.target) from None
                raise


def problems_from(error: ValidationError, target: str) -> list[Problem]:
    """Return a ``ValidationError``'s messages as problems of the page part ``target``."""
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    return [
        Problem(target, None if field == "__all__" else field, message)
        for field, messages in by_field.items()
        for message in messages
    ]


def reviewable_page_save(
    *,
    user: User,
    row: R,
    changes: list[Change],
    submit: bool = False,
    problems: list[Problem] = (),
) -> R:
    """
    Save what a department changed on one page, all or nothing, and with ``submit`` submit
    the page's row (with the rows that belong to it) in the same step.

    ``changes`` are the page's parts that changed, as their services checked them
    (``Change``); the part with target "" is ``row`` itself, the others rows that ``row``
    holds (its parts, ``register_parts``). ``problems`` are those already found in the
    input. Every part is tried and the submission checked even when something is wrong, so
    that ``Invalid`` names everything at once; then nothing is kept. A ``Conflict`` or
    ``Locked`` stops at once (its ``target`` says where).

    The page's row is locked first (it holds the others: the order in which its transitions
    lock them), then the saved parts, each kind in one query; then everything is written,
    each kind in one query: the cost does not grow with the number of parts. The page's row
    is checked again after its parts are checked, also when only its parts changed: a page
    read before its row was submitted or approved elsewhere saves nothing.
    """
    problems = list(problems)
    with transaction.atomic():
        holder = row
        if changes and row.pk is not None:
            holder = _keep_related(_locked(row), row)
        if changes:
            _save_changes(changes, user=user, holder=holder)
        for change in changes:
            if change.error is not None:
                problems += problems_from(change.error, change.target)
            elif change.target == "":
                row = change.saved
        if changes and holder.pk is not None:
            try:
                check_editable(holder)
            except Locked as error:
                raise _with_target(error, "") from None
        if submit:
            if row.pk is None or problems:
                # Nothing to move yet: say what the submission would still need, unless the row's
                # own part was refused (then what was typed is not on the row to be judged).
                if not any(p.target == "" for p in problems):
                    problems += [p for p in submission_problems(row) if p not in problems]
            else:
                try:
                    with transaction.atomic():
                        row = reviewable_transition(obj=row, action="submit", user=user)
                except Invalid as error:
                    problems += error.problems
        if problems:
            raise Invalid(problems)
    return row


def reviewable_transition(
    *, obj: R, action: str, user: User, reason: str = "", expected_version: int | None = None
) -> R:
    """
    Move ``obj`` by ``action``, locked, if its state and the user's role allow it, and record
    it; the rows that belong to it (``register_parts``) and stand where the action starts
    from move with it, each recorded too.

    ``submit`` is for the department's editors while the row is open for them, and only
    when nothing is missing (``Incomplete`` names all of it); ``approve``, ``return`` and
    ``reopen`` for the committee's reviewers, also after the period closed; ``return`` and
    ``reopen`` need a reason. With ``expected_version``, refuse if the row changed since
    the user saw it (approving what was edited a second ago approves nothing). Nobody
    approves their own work (``own_work``) unless the committee allows it; then the
    approval's event says so.
    """
    if action not in TRANSITIONS:
        raise InvalidTransition(_("Unknown action."))
    sources, _target = TRANSITIONS[action]
    reason = clean_text(reason).strip()
    if action in ACTIONS_WITH_REASON and not reason:
        raise ValidationError({"reason": _("Give the department a reason.")})
    if len(reason) > PLAIN_TEXT_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("The reason is too long: at most %(max)s characters.") % {"max": PLAIN_TEXT_MAX_LENGTH}}
        )
    with transaction.atomic():
        obj = _locked(obj)
        if action in REVIEWER_ACTIONS:
            if not can_review(user, obj.period.plan.committee_id):
                raise PermissionDenied
        elif not can_edit_department(user, obj.department):
            raise PermissionDenied
        if expected_version is not None and obj.version != expected_version:
            raise Conflict(obj)
        if obj.status not in sources:
            raise InvalidTransition(
                _("Cannot %(action)s: it is %(status)s.")
                % {"action": ACTION_LABELS[action], "status": obj.get_status_display()}
            )
        own = action == "approve" and own_work(obj, user)
        if own and not obj.period.plan.committee.approve_own_work:
            raise OwnWork(_("You submitted or wrote it yourself; another reviewer must approve it."))
        if action == "submit":
            # Its owners are read, not locked: a transition of theirs waits for this row's lock.
            check_editable(obj)
            problems = submission_problems(obj)
            if problems:
                raise Incomplete(problems)
        event = _move(obj, action=action, user=user, reason=reason, own=own)
        children = children_of(obj)
        # Locked by pk, the order in which a page's save locks them (``_save_changes``), then moved in their order.
        locked = {child.pk: _locked(child) for child in sorted(children, key=lambda child: child.pk)}
        for child in children:
            child = locked[child.pk]
            if child.status in sources and (action != "submit" or child.is_open_for_department()):
                _move(child, action=action, user=user, reason=reason, own=own)
        _notify_after_commit(event)
    return obj


def _locked(obj: R) -> R:
    return (
        type(obj)
        .objects.select_for_update(of=("self",))
        .select_related("period__plan__committee", "department")
        .get(pk=obj.pk)
    )


def _move(obj: Reviewable, *, action: str, user: User, reason: str, own: bool = False):
    from_state = obj.status
    obj.status = TRANSITIONS[action][1]
    obj.version += 1
    obj.updated_by = user
    obj._history_user = user
    obj._change_reason = reason
    if obj.status == ReviewStatus.RETURNED:
        obj.returned_at = timezone.now()
    obj.save(update_fields=["status", "version", "updated_by", "updated_at", "returned_at"])
    return event_transition(obj=obj, action=action, actor=user, from_state=from_state, reason=reason, own_work=own)


def _notify_after_commit(event) -> None:
    """Queue the e-mail a return or reopening causes to the department, once the transaction has committed."""
    from .tasks import return_notice_task

    # Submissions are gathered into digests by a scheduled task (see CELERY_BEAT_SCHEDULE),
    # so that reviewers get one mail for many submissions. The rows that moved with this one
    # (an entry's outcomes) are named in its mail, not mailed on their own.
    if event.to_state == ReviewStatus.RETURNED:
        event_id = event.pk
        transaction.on_commit(lambda: return_notice_task.delay(event_id))
