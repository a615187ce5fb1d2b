"""
Reads of the plan that are the same for every request until the plan changes, kept in the
shared cache (Redis in production, ``CACHE_URL``) under a generation number.

What the pages read of a plan (its indicators, targets and prior outcomes, the scales'
levels, the goal areas and goals a list is filtered by) changes when an admin edits it, a
plan file or committee file is loaded or a plan is copied to the next year; hardly ever
while the departments write. Every request of a list or an entry page read it again, and
building the same model rows from the same queries cost a good part of the page's time
(``python -m bench.cpu``). ``plan_cached`` keeps such a read under the current generation;
``plan_data_changed`` moves to the next generation when the transaction that changed plan
data commits, so that no request reads what was kept before. One generation for all
committees: plan data changes seldom, and a change needs not find its committee (a query
for each row a file writes) to be certain to invalidate.

Each process also keeps a copy of what it read (``_InProcess``), used only while the shared
cache names the same generation: a request asks the shared cache for the generation once,
and for nothing else a process has read before.

The users' memberships (``commitments.permissions``) are kept the same way: read on every
request, changed as seldom, and watched as plan models are.

The ORM's signals call ``plan_data_changed`` for every save and delete of a plan model
(``commitments.apps`` and ``indicators.apps`` connect them); the paths that write with
bulk queries, which send no signals (the plan import, the committee file, the rollover),
call it themselves. Within the transaction that changed plan data, reads bypass the cache:
they see the transaction's own changes, and nothing uncommitted is kept (a rolled-back
change, as a dry run, leaves the generation and the cache as they were).
"""

from __future__ import annotations

import logging
import pickle
import secrets
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from asgiref.local import Local
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import signals

T = TypeVar("T")

logger = logging.getLogger(__name__)


def generation_key() -> str:
    """
    The key of the generation, one for each database: processes that share a Redis but not a
    database (the test suite's parallel databases, a benchmark's) keep apart what they read.
    """
    return f"plan-data:{connections[DEFAULT_DB_ALIAS].settings_dict['NAME']}:generation"


#: A bound on how long a read is kept, should a change ever go unnoticed (seconds).
TIMEOUT = 60 * 60


#: The generation a request read first, kept for the rest of it (one round trip to the cache
#: per request, not one per read; the request sees the plan as it was when it began). Outside
#: a request (a task, a command) each read asks the cache.
_request = Local()


def _request_started(**kwargs) -> None:
    _request.generation, _request.active = None, True


def _request_finished(**kwargs) -> None:
    _request.generation = _request.active = None


request_started.connect(_request_started, dispatch_uid="plan-data-request-started")
request_finished.connect(_request_finished, dispatch_uid="plan-data-request-finished")


class _InProcess:
    """
    What this process read of the shared cache in the current generation, as pickled bytes
    (each read unpickles its own copy). The shared cache is asked for the generation once a
    request; for the same generation every process has kept the same reads, so a process
    reads them from its own memory instead of asking the cache for each (a round trip costs
    about 0.1 ms of CPU, and a page makes ten). Another generation, seen first by any thread,
    empties it, as does passing ``IN_PROCESS_BYTES``; a read is kept here no longer than
    ``TIMEOUT``, as in the shared cache.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._state: tuple[int | None, dict[str, tuple[float, bytes]]] = (None, {})
        self._size = 0

    def get(self, generation: int, key: str) -> bytes | None:
        kept_generation, values = self._state  # one tuple: another thread replaces both at once
        if kept_generation != generation or key not in values:
            return None
        until, pickled = values[key]
        return pickled if time.monotonic() < until else None

    def put(self, generation: int, key: str, pickled: bytes) -> None:
        with self._lock:
            kept_generation, values = self._state
            if kept_generation != generation or self._size + len(pickled) > IN_PROCESS_BYTES:
                values, self._size = {}, 0
                self._state = (generation, values)
            values[key] = (time.monotonic() + TIMEOUT, pickled)
            self._size += len(pickled)


#: The most memory a process gives to what it keeps of the shared cache (bytes). A city's
#: pages keep about 2 KB for each commitment's entry page and 10 KB for each plan's list.
IN_PROCESS_BYTES = 64 * 1024 * 1024

_in_process = _InProcess()


def plan_generation() -> int:
    """Return the current generation; a missing one (a new or emptied cache) starts at random, never at a used one."""
    in_request = getattr(_request, "active", None)
    generation = getattr(_request, "generation", None) if in_request else None
    if generation is None:
        generation = cache.get(generation_key())
        if generation is None:
            cache.add(generation_key(), secrets.randbits(62), timeout=None)
            generation = cache.get(generation_key())
        if in_request:
            _request.generation = generation
    return generation


def _next_generation() -> None:
    _request.generation = None  # this request reads the next one (a page rendered after the commit)
    try:
        cache.incr(generation_key())
    except ValueError:  # not there: any new number is one nothing was kept under
        cache.set(generation_key(), secrets.randbits(62), timeout=None)


def _waiting(connection) -> bool:
    """
    Whether this connection's transaction changed plan data that it has not committed: the
    callback that begins the next generation waits for the commit (a savepoint rolled back
    drops the callbacks registered in it, and the end of a transaction all of them).
    """
    callback = getattr(connection, "plan_data_committed", None)
    return (
        callback is not None
        and not callback.done
        and connection.in_atomic_block
        and any(entry[1] is callback for entry in connection.run_on_commit)
    )


def plan_data_changed() -> None:
    """
    Say that plan data was (or is about to be) written: the next generation begins when the
    transaction commits (at once outside a transaction), and until then this transaction's
    reads bypass the cache.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        _next_generation()
    elif not _waiting(connection):

        def committed():
            committed.done = True
            _next_generation()

        committed.done = False
        connection.plan_data_committed = committed
        transaction.on_commit(committed)


def plan_cached(key: str, build: Callable[[], T]) -> T:
    """
    Return what ``build`` returns, kept under ``key`` for the current generation. ``key``
    names everything the read depends on (a plan's id, a code); ``build`` reads plan data
    only, never what departments write, and returns something that pickles (model rows,
    with what they prefetched). Each call returns its own copy.
    """
    if _waiting(connections[DEFAULT_DB_ALIAS]):
        return build()
    generation = plan_generation()
    pickled = _in_process.get(generation, key)
    if pickled is not None:
        return pickle.loads(pickled)[0]  # noqa: S301 (what this process pickled itself)
    full_key = f"plan-data:{generation}:{key}"
    kept = cache.get(full_key)  # a 1-tuple, so that a read that returns None is kept too
    if kept is None:
        kept = (build(),)
        cache.set(full_key, kept, timeout=TIMEOUT)
    _in_process.put(generation, key, pickle.dumps(kept, pickle.HIGHEST_PROTOCOL))
    return kept[0]


def _changed(sender, **kwargs) -> None:
    plan_data_changed()


def _migrated(sender, **kwargs) -> None:
    """After ``migrate``: a migration may have changed plan data with SQL that sends no signal."""
    try:
        plan_data_changed()
    except Exception:  # a cache out of reach must not fail the deployment's migrate step
        logger.warning(
            "The cache could not be told that the database was migrated: clear it, or the pages may show "
            "what they kept before for up to %s seconds.",
            TIMEOUT,
            exc_info=True,
        )


def watch_migrations(app_config) -> None:
    """Begin the next generation after every ``migrate`` (once: ``post_migrate`` of ``app_config``)."""
    signals.post_migrate.connect(_migrated, sender=app_config, dispatch_uid="plan-data-migrated")


def watch_plan_models(*models) -> None:
    """Call ``plan_data_changed`` on every save and delete of these models (and change of these many-to-many links)."""
    for model in models:
        if model._meta.auto_created:  # a many-to-many link's table
            signals.m2m_changed.connect(_changed, sender=model, dispatch_uid=f"plan-data-{model._meta.label}")
        else:
            signals.post_save.connect(_changed, sender=model, dispatch_uid=f"plan-data-save-{model._meta.label}")
            signals.post_delete.connect(_changed, sender=model, dispatch_uid=f"plan-data-delete-{model._meta.label}")
