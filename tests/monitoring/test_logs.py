"""Request ids: taken from the proxy when safe, made otherwise, in the response and in every log record; JSON logs."""

import io
import json
import logging
import re

import pytest

from common.logs import ContextFilter, current_task_id, formatter_config


@pytest.fixture
def json_log():
    """The root logger also writes JSON, as LOG_FORMAT=json configures it, to a buffer."""
    import logging.config

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFilter())
    handler.setFormatter(logging.config.DictConfigurator({}).configure_formatter(formatter_config("json")))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


@pytest.mark.django_db
def test_the_proxy_s_request_id_is_in_the_response_and_the_request_s_log_records(client, json_log):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="abc-123.def:456")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "abc-123.def:456"
    [record] = [r for r in json_log() if r["logger"] == "django.request"]  # Django logs each 404
    assert record["request_id"] == "abc-123.def:456"
    assert record["level"] == "WARNING"
    assert record["message"] == "Not Found: /no-such-page/"
    assert record["task_id"] is None
    assert "time" in record
    logging.getLogger("asn.test").warning("after the request")
    [after] = [r for r in json_log() if r["logger"] == "asn.test"]
    assert after["request_id"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["", "has space", "x" * 65, 'quote"d', "new\\nline", "å"])
def test_an_unsafe_or_missing_request_id_is_replaced_by_a_new_one(client, json_log, given):
    headers = {"HTTP_X_REQUEST_ID": given} if given else {}
    response = client.get("/no-such-page/", **headers)
    made = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    [record] = [r for r in json_log() if r["logger"] == "django.request"]
    assert record["request_id"] == made


def test_records_outside_a_request_have_no_request_id(json_log):
    logging.getLogger("asn.test").warning("outside")
    [record] = [r for r in json_log() if r["logger"] == "asn.test"]
    assert record["request_id"] is None


@pytest.mark.django_db
def test_an_eager_task_s_records_carry_its_task_id(json_log, settings):
    from celery import shared_task

    @shared_task(name="tests.monitoring.log_something")
    def log_something():
        logging.getLogger("asn.test").warning("in the task %s", current_task_id.get())

    result = log_something.delay()
    [record] = [r for r in json_log() if r["logger"] == "asn.test"]
    assert record["task_id"] == result.id
    assert record["message"] == f"in the task {result.id}"
    assert current_task_id.get() is None  # reset when the task ended


@pytest.mark.django_db(transaction=True)
def test_a_task_sent_during_a_request_logs_the_request_s_id_on_a_real_worker(tmp_path_factory):
    from asn.celery import app
    from common.logs import current_request_id
    from tests.conftest import celery_worker

    with celery_worker(tmp_path_factory, env={"LOG_FORMAT": "json"}) as node:
        token = current_request_id.set("req-42.abc")  # as RequestIdMiddleware sets it
        try:
            result = app.send_task("common.tasks.staged_uploads_cleanup_task", queue=node.queue)
        finally:
            current_request_id.reset(token)
        result.get(timeout=30)
        unsent = app.send_task("common.tasks.staged_uploads_cleanup_task", queue=node.queue)  # outside a request
        unsent.get(timeout=30)
    # Read once the worker has stopped: it stores a task's result before it logs "succeeded".
    records = [json.loads(line) for line in node.logfile.read_text().splitlines() if line.startswith("{")]
    [done] = [r for r in records if r["task_id"] == result.id and "succeeded" in r["message"]]
    assert done["request_id"] == "req-42.abc"
    [other] = [r for r in records if r["task_id"] == unsent.id and "succeeded" in r["message"]]
    assert other["request_id"] is None


def test_log_format_is_json_or_plain():
    assert formatter_config("plain") == {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"}
    with pytest.raises(ValueError, match="LOG_FORMAT"):
        formatter_config("xml")
