from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from common.text import clean_text

from .models import User


def user_preferences_update(*, user: User, wants_digests: bool) -> User:
    """Save the user's own settings."""
    user.wants_digests = wants_digests
    user.save(update_fields=["wants_digests"])
    return user


class SsoAccountError(Exception):
    """A single sign-on login that cannot be given an account; ``message`` says why, to the person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sso_username(email: str | None, claims: dict | None = None) -> str:
    """A new single sign-on user's user name: the e-mail address, else the subject; unique."""
    claims = claims or {}
    base = (email or f"sso-{claims.get(settings.OIDC_SUBJECT_CLAIM, '')}").strip().lower()[:140]
    username, n = base, 1
    while User.objects.filter(username__iexact=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


def _claim(claims: dict, name: str) -> str:
    value = claims.get(name)
    return clean_text(str(value)).strip() if isinstance(value, str | int) else ""


@transaction.atomic
def sso_user_for_claims(claims: dict) -> User:
    """
    The account of the person the identity provider vouches for, made at their first login.

    Found by the subject claim (OIDC_SUBJECT_CLAIM) stored at an earlier login, so that a
    changed e-mail address still finds it; else by the e-mail address (the first of
    OIDC_EMAIL_CLAIMS present), case-insensitively, among accounts not yet tied to another
    identity, which ties it; else made, with no password and no role. Names and the e-mail
    address follow the provider's at each login. Refused (SsoAccountError) when the address
    belongs to several accounts or to an account tied to another identity.
    """
    subject = _claim(claims, settings.OIDC_SUBJECT_CLAIM)[:255]
    if not subject:
        raise SsoAccountError(_("The identity provider did not say who you are."))
    email = next((e for name in settings.OIDC_EMAIL_CLAIMS if "@" in (e := _claim(claims, name))), "")[:254]
    user = User.objects.select_for_update().filter(oidc_subject=subject).first()
    if user is None and email:
        matches = list(User.objects.select_for_update().filter(email__iexact=email))
        if len(matches) > 1:
            raise SsoAccountError(
                _("Several accounts have the e-mail address %(email)s. Ask your committee admin to sort it out.")
                % {"email": email}
            )
        if matches and matches[0].oidc_subject:
            raise SsoAccountError(
                _("The account with the e-mail address %(email)s belongs to another login. Ask your committee admin.")
                % {"email": email}
            )
        user = matches[0] if matches else None
    if user is None:
        user = User(username=sso_username(email, claims))
        user.set_unusable_password()
    user.oidc_subject = subject
    if email:
        user.email = email
    user.first_name = _claim(claims, "given_name")[:150] or user.first_name
    user.last_name = _claim(claims, "family_name")[:150] or user.last_name
    if not (user.first_name or user.last_name) and (name := _claim(claims, "name")):
        user.first_name, _space, user.last_name = name[:300].partition(" ")
        user.first_name, user.last_name = user.first_name[:150], user.last_name[:150]
    user.save()
    return user
