"""The API's throttles: one counter per caller and time window, one cache round trip per request.

DRF's own throttles keep the timestamp of every request of the last period in one cache entry,
read and rewritten whole on each call: at 1,200 requests a minute that is a list of up to
1,200 floats unpickled and pickled per request, and two round trips. Counting per fixed window
costs one increment. The price is the usual one of fixed windows: a caller can spend up to
twice the rate across a window boundary, which is fine for protecting the service.
(Imported by DRF settings, so it imports nothing of DRF's views.)
"""

from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class WindowCounterMixin:
    """``allow_request`` and ``wait`` of a fixed-window counter, for a ``SimpleRateThrottle``."""

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        caller_key = self.get_cache_key(request, view)
        if caller_key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends_at = (window + 1) * self.duration
        return self._count(f"{caller_key}:{window}") <= self.num_requests

    def _count(self, key: str) -> int:
        try:
            return self.cache.incr(key)
        except ValueError:  # the window's first request: no counter yet
            if self.cache.add(key, 1, self.duration):
                return 1
            return self.cache.incr(key)

    def wait(self):
        # Retry-After is sent as whole seconds: never announce 0 while still refusing.
        return max(self.window_ends_at - self.now, 1)


class AnonWindowThrottle(WindowCounterMixin, AnonRateThrottle):
    """Anonymous callers, by address (rate ``anon``)."""


class UserWindowThrottle(WindowCounterMixin, UserRateThrottle):
    """Authenticated callers, by user (rate ``user``)."""
