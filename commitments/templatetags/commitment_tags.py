from django import template

from commitments.filters import event_label

register = template.Library()


@register.filter
def event_name(event_type: str) -> str:
    """Name an audit event type in Swedish (``progressentry.approve`` → “inrapportering: godkänd”)."""
    return event_label(event_type)
