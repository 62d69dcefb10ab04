"""A throwaway redis-server of the test's own, to stop, freeze (SIGSTOP) and restart.

Outage tests never touch the machine's shared Redis: they start this one on its own port.
Without a redis-server binary they are skipped.
"""

import os
import shutil
import signal
import socket
import subprocess
import time

import pytest
from kombu import pools

from trainingops.celery import app as celery_app

PORT = int(os.environ.get("TEST_OWN_REDIS_PORT", "6395"))


def closed_port() -> int:
    """A loopback port on which nothing listens: a stopped Redis."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    def __init__(self, directory, port: int = PORT):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("needs a redis-server binary for its own outage server")
        self.directory = directory
        self.port = port
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 5) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.directory)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as connection:
                    # The answer must come from this process, not from another server on the port.
                    connection.sendall(b"INFO server\r\n")
                    if f"process_id:{self.process.pid}\r\n".encode() in connection.recv(65536):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(f"redis-server did not start on port {self.port} (is another server using it?)")

    def freeze(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.thaw()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


def fresh_broker_connections() -> None:
    """Drop every pooled broker connection, so the next publish connects to the broker URL now configured.

    kombu keeps its pools per URL for the whole process (and ``celery_app.close()`` would unregister
    the app itself): reset them all; Celery builds new ones on the next publish.
    """
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
