from .models import User


def user_preferences_update(*, user: User, wants_digests: bool) -> User:
    """Save the user's own settings."""
    user.wants_digests = wants_digests
    user.save(update_fields=["wants_digests"])
    return user
