"""The Redis cache of production (common.cache): Django's, keeping one redis-py client per server."""

import os

import pytest
import redis
from django.core.cache import cache

from asn.settings.base import cache_config


@pytest.fixture
def redis_cache(settings):
    config = cache_config(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    settings.CACHES = {"default": config | {"KEY_PREFIX": f"test-cache-{os.getpid()}"}}  # apart from other tests
    yield cache
    cache.delete_many(["a", "b", "n", "gone"])


def test_the_redis_cache_does_what_django_s_does_with_one_client(redis_cache, monkeypatch):
    assert type(redis_cache._cache).__module__ == "common.cache"
    made = []
    init = redis.Redis.__init__
    monkeypatch.setattr(redis.Redis, "__init__", lambda self, *a, **k: made.append(1) or init(self, *a, **k))
    redis_cache.set("a", {"rows": [1, 2]})
    assert redis_cache.get("a") == {"rows": [1, 2]}
    assert redis_cache.add("a", "other") is False
    assert redis_cache.add("b", ("kept",)) is True
    assert redis_cache.get_many(["a", "b", "gone"]) == {"a": {"rows": [1, 2]}, "b": ("kept",)}
    redis_cache.set("n", 41)
    assert redis_cache.incr("n") == 42
    redis_cache.delete("a")
    assert redis_cache.get("a", "none") == "none"
    assert len(made) == 1  # one client for this thread's cache, not one per call
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)
