"""The Celery set-up against a real worker on Redis (the nightly builds and mails depend on it)."""

import pytest

from asn.celery import app


@pytest.mark.django_db(transaction=True)
def test_worker_on_redis_answers_and_uses_the_projects_configuration(celery_worker_process):
    replies = app.control.ping(destination=[celery_worker_process], timeout=5)
    assert replies == [{celery_worker_process: {"ok": "pong"}}]
    stats = app.control.inspect(destination=[celery_worker_process], timeout=5).stats()
    assert stats[celery_worker_process]["broker"]["transport"] == "redis"


def test_celery_app_reads_django_settings():
    assert app.conf.timezone == "Europe/Stockholm"
    assert app.conf.task_serializer == "json"
    assert app.conf.task_time_limit == 30 * 60


def test_a_build_s_message_comes_back_soon_after_the_build_time_limit_not_after_an_hour(settings):
    """Builds ack late: Redis hands an unacknowledged message to another worker after the visibility timeout."""
    for options in (app.conf.broker_transport_options, app.conf.result_backend_transport_options):
        assert (
            settings.REPORT_BUILD_TIME_LIMIT < options["visibility_timeout"] <= settings.REPORT_BUILD_TIME_LIMIT + 120
        )
