from django.utils.functional import SimpleLazyObject

from .permissions import can_use_admin, committee_list


def memberships(request):
    """Expose the user's committees and admin right to the base layout, read only if used."""
    user = request.user
    committees = SimpleLazyObject(lambda: committee_list(user) if user.is_authenticated else [])

    def search_committee():
        # The committee of the page when it names one the user sees, else the user's first.
        match = getattr(request, "resolver_match", None)
        slug = match.kwargs.get("committee") if match else None
        return next((c for c in committees if c.slug == slug), None) or next(iter(committees), None)

    return {
        "user_committees": committees,
        "user_can_use_admin": SimpleLazyObject(lambda: can_use_admin(user)),
        "search_committee": SimpleLazyObject(search_committee),
    }
