"""
Errors to Sentry (or a server that speaks its protocol, such as GlitchTip) when
``SENTRY_DSN`` is set; nothing at all when it is not. Called from the settings, so that web
processes and Celery workers both report: an exception in a view, in a task, or logged at
ERROR. No personal data is sent (``send_default_pii=False``: no user, cookies or IP address).
https://docs.sentry.io/platforms/python/integrations/django/
"""

from __future__ import annotations


def sentry_init(*, dsn: str, environment: str, release: str, traces_sample_rate: float = 0.0) -> bool:
    """Start reporting to ``dsn``; returns whether it did (not with an empty DSN)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
    )
    return True
