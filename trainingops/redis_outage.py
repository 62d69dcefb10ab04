"""Which Redis servers this process recently found unreachable.

Redis is an accelerator (the cache, the Celery broker), never a dependency of a request. A
server that does not answer costs each caller a socket timeout; once one caller has paid it,
the others in the process skip that server for ``RETRY_AFTER_SECONDS`` (the cache uses this
process's memory, the outbox leaves messages to its sweep) and then try it again. The cache and
the broker usually share one server, so whichever finds it down first spares the other.
"""

import logging
import time
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0

# (host, port) -> monotonic time until which the server is skipped. Plain dict operations are
# atomic under the GIL, and a race only means one more caller pays one more timeout.
_down_until: dict[tuple[str, int], float] = {}


def _server(url: str) -> tuple[str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        return None
    return (parts.hostname or "127.0.0.1", parts.port or 6379)


def note_down(url: str, error: BaseException) -> None:
    """Record that the server of ``url`` did not answer, with one warning per outage in this process."""
    server = _server(url)
    if server is None:
        return
    if not is_down(url):
        logger.warning(
            "Redis at %s:%s did not answer (%s: %s); skipping it for %.0f s",
            *server,
            type(error).__name__,
            error,
            RETRY_AFTER_SECONDS,
        )
    _down_until[server] = time.monotonic() + RETRY_AFTER_SECONDS


def is_down(url: str) -> bool:
    """Whether the server of ``url`` failed within the last ``RETRY_AFTER_SECONDS``."""
    return _down_until.get(_server(url), 0.0) > time.monotonic()


def forget() -> None:
    """Forget every recorded outage (tests start each from a healthy process)."""
    _down_until.clear()
