"""
Who may do what: the one permission module of the project.

Roles come from ``Membership`` rows. Superusers may do everything. Every view and the
admin ask these functions; nothing else decides access.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from common.plan_cache import plan_cached

from .models import Committee, Department, Membership

if TYPE_CHECKING:
    from accounts.models import User

Role = Membership.Role


def _memberships(user: User) -> list[Membership]:
    """
    Return the user's memberships, kept on the user object and in the plan cache.

    ``request.user`` is built anew for every request, so a request sees the roles of its
    start; code that changes memberships and asks again must use a fresh user object. Every
    save and delete of a membership (the admin, single sign-on's group roles) begins a new
    generation of the plan cache when it commits (``commitments.apps``), so the next request
    reads them again: a role taken away is gone from the next page on.
    """
    if not user.is_authenticated:
        return []
    cached = getattr(user, "_asn_memberships", None)
    if cached is None:
        user_id = user.pk
        cached = plan_cached(
            f"memberships:{user_id}",
            # Unordered: their order is nobody's (committee_list sorts), and Meta.ordering would join for it.
            lambda: list(
                Membership.objects.filter(user_id=user_id).select_related("committee", "department").order_by()
            ),
        )
        user._asn_memberships = cached
    return cached


def committee_ids(user: User, roles: tuple[str, ...] | None = None) -> set[int]:
    """Return the ids of the committees where the user has one of ``roles`` (any role if None)."""
    return {m.committee_id for m in _memberships(user) if roles is None or m.role in roles}


def can_see_committee(user: User, committee_id: int) -> bool:
    """Whether the user can see the committee at all (as ``committees_for``), from the memberships already read."""
    return user.is_superuser or committee_id in committee_ids(user)


def committees_for(user: User) -> QuerySet[Committee]:
    """Return the committees the user can see at all."""
    if user.is_superuser:
        return Committee.objects.all()
    return Committee.objects.filter(pk__in=committee_ids(user))


def committee_list(user: User) -> list[Committee]:
    """
    The committees the user can see, by name (as ``committees_for``): from the memberships the
    request has read, without a query (but for a superuser, who sees them all).
    """
    if user.is_superuser:
        return list(Committee.objects.all())
    return sorted({m.committee_id: m.committee for m in _memberships(user)}.values(), key=lambda c: (c.name, c.pk))


def is_committee_admin(user: User, committee: Committee | int | None = None) -> bool:
    """Whether the user manages the plan of ``committee`` (of any committee when None)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    ids = committee_ids(user, (Role.COMMITTEE_ADMIN,))
    if committee is None:
        return bool(ids)
    return (committee if isinstance(committee, int) else committee.pk) in ids


def scope_to_admin_committees(user: User, queryset: QuerySet, path: str) -> QuerySet:
    """
    Return the rows of ``queryset`` that belong to committees the user manages.

    ``path`` leads from a row to its committee (``"plan__committee"``), or is ``"pk"`` for
    committees themselves.
    """
    if user.is_superuser:
        return queryset
    lookup = "pk__in" if path == "pk" else f"{path}__in"
    return queryset.filter(**{lookup: committee_ids(user, (Role.COMMITTEE_ADMIN,))})


def admin_assignable_users(user: User) -> QuerySet[User]:
    """
    Return the users a committee admin may give a role: members of the committees they
    manage, and people who belong to no committee yet. Other committees' staff stay hidden.
    """
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    managed = committee_ids(user, (Role.COMMITTEE_ADMIN,))
    return users.filter(Q(memberships__committee__in=managed) | Q(memberships__isnull=True)).distinct()


def require_committee_admin(user: User | None, committee: Committee | int) -> None:
    """
    Raise PermissionDenied unless ``user`` manages the plan of ``committee``. ``None`` is the
    operator of the installation (a management command, the demo loader), who may.
    """
    if user is not None and not is_committee_admin(user, committee):
        raise PermissionDenied


def can_use_admin(user: User) -> bool:
    """
    Whether the user may enter the Django admin: staff who manage a committee's plan, or
    staff reviewers (who find the entries and the review actions there).
    """
    if not (user.is_active and user.is_staff):
        return False
    return is_committee_admin(user) or bool(committee_ids(user, (Role.REVIEWER,)))


def can_read_department(user: User, department: Department) -> bool:
    """
    Whether the user may read what ``department`` writes: its editors and readers, and the
    committee's reviewers and admins.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    for m in _memberships(user):
        if m.committee_id != department.committee_id:
            continue
        if m.role in (Role.REVIEWER, Role.COMMITTEE_ADMIN) or m.department_id == department.pk:
            return True
    return False


def can_edit_department(user: User, department: Department) -> bool:
    """Whether the user writes for ``department`` (its editors)."""
    return department.pk in editable_department_ids(user)


def readable_department_ids(user: User, committee: Committee) -> set[int] | None:
    """Return the ids of the departments of ``committee`` the user reads, or None for all of them."""
    if user.is_superuser or committee.pk in committee_ids(user, (Role.REVIEWER, Role.COMMITTEE_ADMIN)):
        return None
    return {m.department_id for m in _memberships(user) if m.committee_id == committee.pk and m.department_id}


def editable_department_ids(user: User) -> set[int]:
    """Return the ids of the departments the user writes for (``can_edit_department`` of each)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    return {m.department_id for m in _memberships(user) if m.role == Role.EDITOR}


def can_review(user: User, committee: Committee | int) -> bool:
    """Whether the user reviews (approves) what the committee's departments write."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    committee_id = committee if isinstance(committee, int) else committee.pk
    return committee_id in committee_ids(user, (Role.REVIEWER,))


def can_oversee(user: User, committee: Committee | int) -> bool:
    """
    Whether the user oversees the committee's whole work (its reviewers and committee
    admins): the builds of its documents with their drafts, its finance tables, its log.
    """
    return can_review(user, committee) or is_committee_admin(user, committee)
