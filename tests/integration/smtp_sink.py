"""A local SMTP server (aiosmtpd on loopback) that records what it accepts.

Used by the worker integration test and the invitation benchmark. Each accepted message is
recorded by its ``X-TrainingOps-Message`` header (the idempotency key), so duplicates show.
Optionally it stalls every conversation at RCPT once ``block_after`` messages were accepted,
which freezes the workers at a known point so the test can kill them mid-batch.
"""

import asyncio
import socket
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RecordingHandler:
    def __init__(self, block_after: int | None = None):
        self.keys: list[str] = []
        self.lock = threading.Lock()
        self.block_after = block_after
        self.blocked = threading.Event()
        self.released = threading.Event()
        self.last_accepted_at = 0.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.block_after is not None and len(self.keys) >= self.block_after:
            self.blocked.set()
            while not self.released.is_set():
                await asyncio.sleep(0.02)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content or envelope.content)
        with self.lock:
            self.keys.append(headers.get("X-TrainingOps-Message", ""))
            self.last_accepted_at = time.monotonic()
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.keys)

    def duplicates(self) -> dict[str, int]:
        with self.lock:
            return {key: n for key, n in Counter(self.keys).items() if n > 1}


class SmtpSink:
    def __init__(self, block_after: int | None = None):
        self.port = free_port()
        self.handler = RecordingHandler(block_after=block_after)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, data_size_limit=0)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.handler.released.set()
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"
