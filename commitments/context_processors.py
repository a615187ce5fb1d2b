from django.utils.functional import SimpleLazyObject

from .permissions import committees_for, is_committee_admin


def memberships(request):
    """Expose the user's committees and admin right to the base layout, read only if used."""
    user = request.user
    return {
        "user_committees": SimpleLazyObject(lambda: list(committees_for(user)) if user.is_authenticated else []),
        "user_is_committee_admin": SimpleLazyObject(lambda: is_committee_admin(user) and user.is_staff),
    }
