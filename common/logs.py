"""
Logs that can be followed across a request or a task: every log record written while a
request is served carries its request id, and every record of a Celery task its task id.

- ``RequestIdMiddleware`` takes the id from the proxy's ``X-Request-ID`` header when it is
  a short run of safe characters (letters, digits and ``._:-``, at most 64), or makes one,
  and sends it back in the response's ``X-Request-ID``.
- ``ContextFilter``, on the log handlers, gives every record ``request_id`` and ``task_id``
  (``None`` where there is none) from context variables, so records of every logger,
  Django's and the libraries', get them too. A task sent while a request is served carries
  the request's id in a message header (``request_id``), and the worker's records of that
  task carry it too.
- ``LOG_FORMAT=json`` (production's default) writes each record as one JSON object
  (python-json-logger); ``plain`` (development and tests) writes a line of text.

Celery sets up its worker's logging itself; ``celery_logging`` (connected by
``CommonConfig.ready``) adds the filter to its handlers and, with ``LOG_FORMAT=json``, the
JSON formatter, and the task signals set the task id.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid

from celery import signals
from django.core.signals import request_finished

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
current_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)

HEADER = "X-Request-ID"
#: The Celery message header that carries the id of the request that sent a task.
TASK_HEADER = "request_id"
#: An id from the proxy is kept only when it looks like one (no spaces, quotes, newlines).
VALID_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
#: The fields of a JSON record (python-json-logger adds request_id, task_id and any extra).
JSON_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
JSON_RENAME = {"asctime": "time", "levelname": "level", "name": "logger"}


def formatter_config(log_format: str) -> dict:
    """The ``LOGGING`` formatter for ``LOG_FORMAT`` (``json`` or ``plain``)."""
    if log_format == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FORMAT,
            "rename_fields": JSON_RENAME,
        }
    if log_format == "plain":
        return {"format": "%(levelname)s %(asctime)s %(name)s %(message)s"}
    raise ValueError(f"LOG_FORMAT must be json or plain, not {log_format!r}")


class ContextFilter(logging.Filter):
    """Gives each record the request id and the task id of the context it was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.task_id = current_task_id.get()
        return True


class RequestIdMiddleware:
    """Sets the request's id for its log records and sends it back in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get(HEADER, "")
        rid = given if VALID_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = rid
        # Not reset when the response leaves: Django logs a 4xx or 5xx after the middleware
        # returned it ("Not Found: …"). ``request_finished`` (the response closed) resets it.
        current_request_id.set(rid)
        if "sentry_sdk" in sys.modules:  # an error reported to Sentry names the request too
            sys.modules["sentry_sdk"].set_tag("request_id", rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


def _request_finished(**kwargs) -> None:
    current_request_id.set(None)


def _task_published(headers=None, **kwargs) -> None:
    """A task sent while a request is served carries the request's id in its message's headers."""
    rid = current_request_id.get()
    if rid and headers is not None:
        headers.setdefault(TASK_HEADER, rid)


def _task_started(task_id=None, task=None, **kwargs) -> None:
    """The task's records carry its id, and the id of the request that sent it (an eager task keeps the request's)."""
    sent_by = getattr(getattr(task, "request", None), TASK_HEADER, None)
    request_token = current_request_id.set(sent_by) if sent_by and VALID_ID.fullmatch(str(sent_by)) else None
    _task_tokens[task_id] = (current_task_id.set(task_id), request_token)


def _task_ended(task_id=None, **kwargs) -> None:
    tokens = _task_tokens.pop(task_id, None)
    if tokens is None:
        return
    for var, token in zip((current_task_id, current_request_id), tokens, strict=True):
        if token is None:
            continue
        try:
            var.reset(token)
        except ValueError:  # set in another context (cannot happen with Celery's pools; be safe)
            var.set(None)


_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token | None]] = {}


def _celery_handlers(logger=None, format=None, **kwargs) -> None:
    """Celery configured a logger (the root's or the task logger): our filter, and JSON if asked."""
    from django.conf import settings

    json_format = getattr(settings, "LOG_FORMAT", "plain") == "json"
    for handler in logger.handlers:
        if not any(isinstance(f, ContextFilter) for f in handler.filters):
            handler.addFilter(ContextFilter())
        if json_format:
            from pythonjsonlogger.json import JsonFormatter

            handler.setFormatter(JsonFormatter(JSON_FORMAT, rename_fields=JSON_RENAME))


def connect() -> None:
    """
    Connect the signals: the end of a request; the request id into a task's message; the task
    id (and its request's) for the records of a task; our filter and format on the worker's log.
    """
    request_finished.connect(_request_finished, weak=False, dispatch_uid="asn-logs-request-finished")
    signals.before_task_publish.connect(_task_published, weak=False, dispatch_uid="asn-logs-task-publish")
    signals.task_prerun.connect(_task_started, weak=False, dispatch_uid="asn-logs-task-start")
    signals.task_postrun.connect(_task_ended, weak=False, dispatch_uid="asn-logs-task-end")
    signals.after_setup_logger.connect(_celery_handlers, weak=False, dispatch_uid="asn-logs-celery")
    signals.after_setup_task_logger.connect(_celery_handlers, weak=False, dispatch_uid="asn-logs-celery-task")
