"""Signals of the accounts app, for the apps above it (accounts imports none of them)."""

from django.dispatch import Signal

#: A person logged in through single sign-on: ``user`` and the provider's ``claims`` (a dict).
#: Sent before the login completes; commitments grants the roles that OIDC_GROUP_ROLES maps.
sso_user_logged_in = Signal()
