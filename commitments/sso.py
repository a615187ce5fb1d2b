"""
Roles from the identity provider's groups (OIDC_GROUP_ROLES), at each single sign-on login.

The variable maps groups to roles, one entry per role, separated by ";" or new lines:

    <group>=<committee slug>:<role>[:<department code>]

with role one of editor, reader (with a department), reviewer, committee_admin (without).
Several groups may map to one role. A role named there is managed by the groups: at each
single sign-on login the person gets it when in one of its groups and loses it when in none
(so leaving the group at the provider takes the role away at the next login). Roles not named
there are granted in the app only, and the groups never touch them.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import transaction
from django.dispatch import receiver

from accounts.signals import sso_user_logged_in

from .models import Committee, Department, Membership

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupRole:
    group: str
    committee: str
    role: str
    department: str = ""


def group_roles(text: str) -> list[GroupRole]:
    """Read OIDC_GROUP_ROLES; ValueError naming the entry that is not right."""
    mapping = []
    for entry in filter(None, (e.strip() for e in re.split(r"[;\n]", text))):
        group, _eq, target = entry.rpartition("=")
        parts = [p.strip() for p in target.split(":")]
        if not group.strip() or len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"{entry!r} is not group=committee:role[:department]")
        committee, role, department = parts[0], parts[1], parts[2] if len(parts) == 3 else ""
        if role not in Membership.Role.values:
            raise ValueError(f"{entry!r}: the role must be one of {', '.join(Membership.Role.values)}")
        needs_department = role in (Membership.Role.EDITOR, Membership.Role.READER)
        if needs_department != bool(department):
            raise ValueError(f"{entry!r}: editors and readers name a department, reviewers and committee admins none")
        mapping.append(GroupRole(group.strip(), committee, role, department))
    return mapping


@transaction.atomic
def memberships_sync_from_groups(*, user, groups: list[str], mapping: list[GroupRole]) -> None:
    """Give the user the mapped roles of their groups and take away the mapped roles of the others."""
    wanted = {(m.committee, m.role, m.department) for m in mapping if m.group in groups}
    for committee_slug, role, department_code in {(m.committee, m.role, m.department) for m in mapping}:
        committee = Committee.objects.filter(slug=committee_slug).first()
        department = (
            Department.objects.filter(committee=committee, code=department_code).first() if department_code else None
        )
        if committee is None or (department_code and department is None):
            logger.warning("OIDC_GROUP_ROLES names %s:%s, which does not exist.", committee_slug, department_code)
            continue
        key = {"user": user, "committee": committee, "department": department, "role": role}
        if (committee_slug, role, department_code) in wanted:
            if not Membership.objects.filter(**key).exists():
                Membership.objects.create(**key)
                logger.info("Single sign-on gave %s the role %s in %s.", user, role, department or committee)
        elif Membership.objects.filter(**key).delete()[0]:
            logger.info("Single sign-on took the role %s in %s from %s.", role, department or committee, user)


@receiver(sso_user_logged_in, dispatch_uid="commitments.sso.roles_from_groups")
def roles_from_groups(sender, *, user, claims, **kwargs) -> None:
    if not settings.OIDC_GROUP_ROLES:
        return
    groups = claims.get(settings.OIDC_GROUPS_CLAIM)
    # No claim (or not a list) is no group: the mapped roles go, as they would for anyone outside them.
    groups = [str(g) for g in groups] if isinstance(groups, list) else []
    memberships_sync_from_groups(user=user, groups=groups, mapping=group_roles(settings.OIDC_GROUP_ROLES))


@checks.register(checks.Tags.security)
def group_roles_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        group_roles(settings.OIDC_GROUP_ROLES)
    except ValueError as error:
        return [checks.Error(f"OIDC_GROUP_ROLES: {error}", id="commitments.E101")]
    return []
