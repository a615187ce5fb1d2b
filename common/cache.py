"""
Django's Redis cache (``django.core.cache.backends.redis``), with one redis-py client kept per
server instead of one made for every call.

Django's ``RedisCacheClient.get_client`` makes a new ``redis.Redis`` for each ``get`` or
``set``, and redis-py builds the table of its ~170 reply callbacks in ``Redis.__init__``
(https://github.com/redis/redis-py/issues/3624). That cost about 80 µs of CPU a call on the
project's machines, more than the round trip itself: a page reads the cache about ten times
(its session, the plan's generation and the plan's kept reads: ``common/plan_cache.py``).
A ``redis.Redis`` takes a connection from its pool for every command and may be shared by
threads (redis-py's documentation); Django keeps a cache object per thread anyway. Everything
else, the pools, the serializer, the options and ``LOCATION``'s several servers, is Django's.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # Django's choice of server: the first to write, any to read
        client = self._clients.get(id(pool))  # the pools live as long as this object, so their ids stay theirs
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    """The ``BACKEND`` of a ``redis://`` or ``rediss://`` ``CACHE_URL`` (``asn.settings.base.cache_config``)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
