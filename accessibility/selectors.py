"""Reads of the accessibility statement and of who hears about reported problems."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from commitments.models import Committee, Membership

from .models import DEFAULT_ORGANISATION, AccessibilityReport, AccessibilityStatement


def statement_get() -> AccessibilityStatement:
    """The site's statement; if none was saved (the data migration makes one), its defaults, unsaved."""
    return AccessibilityStatement.objects.filter(pk=1).first() or AccessibilityStatement()


def statement_organisation(statement: AccessibilityStatement) -> str:
    """
    The organisation behind the service: as the statement names it, else the organisation of
    the committees if they name one, else ``DEFAULT_ORGANISATION``.
    """
    if statement.organisation:
        return statement.organisation
    organisations = set(Committee.objects.exclude(organisation="").values_list("organisation", flat=True)[:2])
    return organisations.pop() if len(organisations) == 1 else DEFAULT_ORGANISATION


def site_admin_emails() -> list[str]:
    """
    The addresses of everyone who manages the site: every committee admin of every committee
    and the superusers, active and with an address; each address once (compared without case).
    """
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(memberships__role=Membership.Role.COMMITTEE_ADMIN))
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )
    seen: dict[str, str] = {}
    for email in users:
        seen.setdefault(email.strip().lower(), email.strip())
    return list(seen.values())


def reports_from_client_count(client: str, *, within: datetime.timedelta) -> int:
    """How many reports the sender ``client`` (its keyed hash) sent within ``within`` until now."""
    return AccessibilityReport.objects.filter(client=client, created_at__gte=timezone.now() - within).count()
