"""
A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock, run as its own
process on a free port (one per test process, so xdist workers never share one), with the
settings that point the site at it.
"""

from __future__ import annotations

import contextlib
import copy
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

CLIENT_ID = "uppfoljning-test"
CLIENT_SECRET = "test-client-secret"
PROVIDER_NAME = "Testkommunen"


@dataclass
class Provider:
    url: str
    process: subprocess.Popen

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def set_user(self, sub: str, **claims) -> None:
        """Who the provider vouches for when someone logs in as ``sub``, with these claims."""
        requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10).raise_for_status()

    def log_in(self, authorize_url: str, sub: str) -> str:
        """Log in at the provider's authorization page as ``sub``; return where it sends the browser back."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    def tokens(self, sub: str, *, nonce: str, client_id: str = CLIENT_ID) -> dict:
        """The provider's tokens for ``sub`` by the authorization code flow, as a client gets them."""
        redirect_uri = "http://testserver/oidc/callback/"
        query = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri,
                 "scope": "openid email profile", "state": "s", "nonce": nonce}  # fmt: skip
        back = self.log_in(requests.Request("GET", f"{self.url}/oauth2/authorize", params=query).prepare().url, sub)
        code = parse_qs(urlsplit(back).query)["code"][0]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "client_id": client_id, "client_secret": CLIENT_SECRET}  # fmt: skip
        response = requests.post(f"{self.url}/oauth2/token", data=form, timeout=10)
        response.raise_for_status()
        return response.json()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def oidc_provider(*, token_max_age: int = 3600):
    """Start the provider (requiring a nonce) and stop it afterwards; a port taken meanwhile is tried again."""
    with tempfile.TemporaryFile() as log:
        for _attempt in range(5):
            port = _free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
                 "--require-nonce", "true", "--token-max-age", str(token_max_age)],
                stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
            provider = Provider(url=f"http://127.0.0.1:{port}", process=process)
            deadline = time.monotonic() + 30
            while process.poll() is None and time.monotonic() < deadline:
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(provider.discovery_url, timeout=2).ok:
                        break
                time.sleep(0.1)
            if process.poll() is None and time.monotonic() < deadline:
                break
            process.kill()
            process.wait()
        else:
            log.seek(0)
            raise RuntimeError(f"The OpenID Connect provider did not start:\n{log.read().decode()}")
        try:
            yield provider
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def use_provider(settings, provider: Provider, **extra) -> None:
    """Point the site at ``provider``, as the environment would (see the SSO block in asn/settings/base.py)."""
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "accounts.oidc.OIDCBackend"]
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.url)
    settings.CONTENT_SECURITY_POLICY = policy
    for name, value in extra.items():
        setattr(settings, name, value)
