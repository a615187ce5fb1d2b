"""
Single sign-on with OpenID Connect: mozilla-django-oidc, configured from the environment.

The library does the authorization code flow (state, nonce and PKCE checked in its views);
this module adds what it leaves out: the provider's endpoints read from its discovery
document, the ID token's audience, issuer and times checked (the library checks only its
signature), claims from the ID token as well as from the userinfo endpoint (Microsoft Entra
ID gives ``oid`` and ``groups`` in the ID token only), accounts matched on the subject or
the e-mail address (``accounts.services``), failures shown on the login page instead of an
error page, and logging out at the provider too.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.core import checks
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .services import SsoAccountError, sso_user_for_claims
from .signals import sso_user_logged_in

logger = logging.getLogger(__name__)

#: The settings that the provider's discovery document can give, and its names for them.
DISCOVERED = {
    "OIDC_OP_ISSUER": "issuer",
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}

# The discovery document per URL with when it was read. It describes the provider, not data
# of ours: each process reads it for itself and again after OIDC_DISCOVERY_CACHE_SECONDS.
_discovered: dict[str, tuple[float, dict]] = {}
_discovered_lock = threading.Lock()


def sso_enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def discovery_document() -> dict:
    """The provider's discovery document (empty when OIDC_OP_DISCOVERY_URL is not set)."""
    url = settings.OIDC_OP_DISCOVERY_URL
    if not url:
        return {}
    with _discovered_lock:
        if url in _discovered:
            read_at, document = _discovered[url]
            if time.monotonic() - read_at < settings.OIDC_DISCOVERY_CACHE_SECONDS:
                return document
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
    response.raise_for_status()
    document = response.json()
    if not isinstance(document, dict) or not document.get("issuer"):
        raise ImproperlyConfigured(f"{url} is not an OpenID Connect discovery document.")
    with _discovered_lock:
        _discovered[url] = (time.monotonic(), document)
    return document


def provider_setting(name: str, *default):
    """A setting for the library: an endpoint set in the environment, else the discovered one."""
    if name in DISCOVERED:
        return getattr(settings, name, "") or discovery_document().get(DISCOVERED[name], "")
    return import_from_settings(name, *default)


class OIDCBackend(OIDCAuthenticationBackend):
    """The library's backend, with the provider's settings read when needed, not at every request."""

    def __init__(self, *args, **kwargs):
        # Django makes a backend for each request of a logged-in user (get_user): the library's
        # __init__ would read the discovery document then. Everything is read when used instead.
        from django.contrib.auth import get_user_model

        self.UserModel = get_user_model()

    get_settings = staticmethod(provider_setting)

    def __getattr__(self, name: str):
        # The library reads its settings as attributes (self.OIDC_OP_TOKEN_ENDPOINT …).
        if name.startswith("OIDC_"):
            default = {"OIDC_RP_IDP_SIGN_KEY": None, "OIDC_RP_SIGN_ALGO": "RS256"}
            return provider_setting(name, default[name]) if name in default else provider_setting(name)
        raise AttributeError(name)

    def authenticate(self, request, **kwargs):
        if not sso_enabled():
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The ID token: signature, audience, issuer and times, then the nonce; refused as SuspiciousOperation."""
        try:
            return super().verify_token(token, **kwargs)
        except jwt.PyJWTError as error:
            raise SuspiciousOperation(f"The ID token is refused: {error}") from error

    def retrieve_matching_jwk(self, token):
        """The provider's key named by the token's ``kid``; a token without one (allowed when the
        provider has a single key) gets the provider's only key, else it is refused."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(
            provider_setting("OIDC_OP_JWKS_ENDPOINT"), verify=settings.OIDC_VERIFY_SSL, timeout=settings.OIDC_TIMEOUT
        )
        response.raise_for_status()
        keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("The token names no key and the provider has several.")
        return jwt.PyJWK(keys[0])

    def _verify_jws(self, payload, key):
        header = jwt.get_unverified_header(payload)
        algorithm = settings.OIDC_RP_SIGN_ALGO
        if header.get("alg") != algorithm:
            raise SuspiciousOperation(f"The token's algorithm {header.get('alg')!r} is not OIDC_RP_SIGN_ALGO.")
        claims = jwt.decode(
            payload,
            key,
            algorithms=[algorithm],
            audience=settings.OIDC_RP_CLIENT_ID,
            issuer=provider_setting("OIDC_OP_ISSUER"),
            leeway=settings.OIDC_CLOCK_LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The token has several audiences and this site is not its authorized party.")
        return claims

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, with the userinfo endpoint's added where the provider has one."""
        claims = {}
        if provider_setting("OIDC_OP_USER_ENDPOINT"):
            claims = super().get_userinfo(access_token, id_token, payload)
            if claims.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("The userinfo endpoint answered for another subject.")
        return {**claims, **payload}

    def verify_claims(self, claims):
        return bool(claims.get(settings.OIDC_SUBJECT_CLAIM))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation(f"The provider sent no {settings.OIDC_SUBJECT_CLAIM} claim.")
        try:
            user = sso_user_for_claims(claims)
        except SsoAccountError as error:
            self.request.sso_error = error
            raise SuspiciousOperation(str(error)) from error
        if user.is_active:
            sso_user_logged_in.send(sender=self.__class__, user=user, claims=claims)
        return user


class AuthenticationRequestView(OIDCAuthenticationRequestView):
    """Send the browser to the provider (GET /oidc/authenticate/?next=…; next must be on this site)."""

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    get_settings = staticmethod(provider_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        self.OIDC_OP_AUTH_ENDPOINT = provider_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class AuthenticationCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. A refused login goes back to the login page with the reason, in Swedish."""

    get_settings = staticmethod(provider_setting)

    @property
    def failure_url(self):
        return resolve_url(settings.LOGIN_REDIRECT_URL_FAILURE)

    def get(self, request):
        if not sso_enabled():
            raise Http404
        try:
            return super().get(request)
        except SuspiciousOperation as error:
            logger.warning("Single sign-on refused: %s", error)
            return self.login_failure()
        except requests.RequestException as error:
            logger.warning("Single sign-on failed, the provider did not answer as expected: %s", error)
            return self.login_failure()

    def login_failure(self):
        error = getattr(self.request, "sso_error", None)
        if error is not None:
            messages.error(self.request, error.message)
        elif self.request.GET.get("error") == "access_denied":
            messages.error(self.request, _("The login was cancelled. Try again, or ask your IT support for help."))
        else:
            messages.error(
                self.request,
                _("The login with %(provider)s failed. Try again; if it fails again, ask your IT support for help.")
                % {"provider": settings.OIDC_PROVIDER_NAME or _("single sign-on")},
            )
        return super().login_failure()


def provider_logout_url(request) -> str:
    """
    Where to send the browser after this site's logout so that the provider's session ends too
    (RP-initiated logout), or "" when the user did not log in through the provider or it has
    no end-session endpoint. Call before the session is flushed: it reads the ID token there.
    """
    id_token = request.session.get("oidc_id_token")
    if not (sso_enabled() and id_token):
        return ""
    try:
        endpoint = provider_setting("OIDC_OP_LOGOUT_ENDPOINT")
    except (requests.RequestException, ImproperlyConfigured) as error:
        logger.warning("Could not read the provider's end-session endpoint: %s", error)
        return ""
    if not endpoint:
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("login")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


@checks.register(checks.Tags.security)
def sso_settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """With single sign-on on, the provider must be named: a discovery URL or every endpoint and the issuer."""
    if not sso_enabled() or settings.OIDC_OP_DISCOVERY_URL:
        return []
    missing = [
        name
        for name in ("OIDC_OP_ISSUER", "OIDC_OP_AUTHORIZATION_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT")
        + (("OIDC_OP_JWKS_ENDPOINT",) if settings.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES")) else ())
        if not getattr(settings, name)
    ]
    if missing:
        return [
            checks.Error(
                f"OIDC_RP_CLIENT_ID is set: set OIDC_OP_DISCOVERY_URL, or {', '.join(missing)}.", id="accounts.E101"
            )
        ]
    return []
