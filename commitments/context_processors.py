from django.utils.functional import SimpleLazyObject

from .permissions import can_use_admin, committees_for


def memberships(request):
    """Expose the user's committees and admin right to the base layout, read only if used."""
    user = request.user
    return {
        "user_committees": SimpleLazyObject(lambda: list(committees_for(user)) if user.is_authenticated else []),
        "user_can_use_admin": SimpleLazyObject(lambda: can_use_admin(user)),
    }
