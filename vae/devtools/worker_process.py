"""A training worker (``python -m vae worker``) in a process of its own, for the tests and benches of the Redis
queue (``docs/redis.md``): tests/test_queue.py, tests/test_multimachine.py and ``bench/load.py --redis`` start
their workers with it, beside :class:`vae.devtools.redis_server.RedisServer`.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """``python -m vae worker --redis URL --store STORE [--name NAME]``, its output in ``log``; returns once the
    worker is registered in Redis (a named worker waits for its own name: a dead worker's registration may expire
    meanwhile), and raises ``RuntimeError`` with the log's end if it exits or does not register in ``timeout`` s.
    ``env``: added to this process's environment."""

    def __init__(self, url: str, store: Path, log: Path, name: str | None = None, timeout: float = 120.0, **env):
        from vae.jobs.queue_client import rq_connection, rq_queue

        self.queue = rq_queue(store, url, connection=rq_connection(url))
        self.log = Path(log)
        before = self.count()
        named = ["--name", name] if name else []
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "vae", "worker", "--redis", url, "--store", str(store),
                                          *named],
                                         cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        registered = (lambda: name in self.names()) if name else (lambda: self.count() > before)
        deadline = time.monotonic() + timeout
        while not registered():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the worker did not register (see {self.log}):\n{self.output()}")
            time.sleep(0.05)

    def count(self) -> int:
        """How many workers are registered on the queue."""
        from rq import Worker

        return Worker.count(connection=self.queue.connection, queue=self.queue)

    def names(self) -> set[str]:
        """The names of the workers registered on the queue."""
        from rq import Worker

        return {w.name for w in Worker.all(connection=self.queue.connection, queue=self.queue)}

    def output(self) -> str:
        """The end of the worker's log."""
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def stop(self) -> None:
        """SIGTERM: an idle worker leaves at once (and ends its training process); then the kill as a backstop."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
