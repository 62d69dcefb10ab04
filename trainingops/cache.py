"""The cache backend used with Redis: Redis when it answers, this process's memory when it does not.

Everything the cache holds is a counter or a short-lived copy: the API throttles' windows,
allauth's rate limits (login, sign-up, password reset). Answering a request matters more than
sharing those between processes, so when Redis fails (refused, or no reply within the short
socket timeout of settings.REDIS_TIMEOUT) the call is answered from a local-memory cache and the
server is skipped for a few seconds (``trainingops.redis_outage``), so only one call per process
pays the timeout. Limits keep working meanwhile, per process instead of shared: failing over to
memory rather than failing open keeps a password-guessing limit on the login form.
"""

import socket

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from trainingops import redis_outage

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, socket.timeout, OSError)


class RedisWithMemoryFallbackCache(RedisCache):
    """django-redis's cache whose Django cache API falls back to local memory while Redis is down."""

    def __init__(self, server, params):
        super().__init__(server, params)
        shared = {name: params[name] for name in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if name in params}
        # LocMemCache instances with one name share their store, so every thread sees the same counters.
        self._memory = LocMemCache(f"redis-fallback:{server}", shared)

    def _either(self, method: str, *args, **kwargs):
        if redis_outage.is_down(self._server):
            return getattr(self._memory, method)(*args, **kwargs)
        try:
            return getattr(super(), method)(*args, **kwargs)
        except OUTAGE_ERRORS as error:
            redis_outage.note_down(self._server, error)
            return getattr(self._memory, method)(*args, **kwargs)

    def add(self, *args, **kwargs):
        return self._either("add", *args, **kwargs)

    def get(self, *args, **kwargs):
        return self._either("get", *args, **kwargs)

    def set(self, *args, **kwargs):
        return self._either("set", *args, **kwargs)

    def touch(self, *args, **kwargs):
        return self._either("touch", *args, **kwargs)

    def delete(self, *args, **kwargs):
        return self._either("delete", *args, **kwargs)

    def get_many(self, *args, **kwargs):
        return self._either("get_many", *args, **kwargs)

    def set_many(self, *args, **kwargs):
        return self._either("set_many", *args, **kwargs)

    def delete_many(self, *args, **kwargs):
        return self._either("delete_many", *args, **kwargs)

    def has_key(self, *args, **kwargs):
        return self._either("has_key", *args, **kwargs)

    def incr(self, *args, **kwargs):
        return self._either("incr", *args, **kwargs)

    def decr(self, *args, **kwargs):
        return self._either("decr", *args, **kwargs)

    def clear(self, *args, **kwargs):
        return self._either("clear", *args, **kwargs)
