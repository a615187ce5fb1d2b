import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def days_left(deadline: datetime.date) -> str:
    """Say how far a deadline is from today: “in 5 days”, “today”, “2 days ago”."""
    days = (deadline - timezone.localdate()).days
    if days == 0:
        return _("today")
    if days > 0:
        return ngettext("in %(count)d day", "in %(count)d days", days) % {"count": days}
    return ngettext("%(count)d day ago", "%(count)d days ago", -days) % {"count": -days}
