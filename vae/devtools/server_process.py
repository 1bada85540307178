"""One server child process on a loopback port: started, waited for on its health endpoint, stopped, its output
kept in a log file. The browser tests, the benchmarks, ``deploy/replicas.py`` (replicas and nginx) and the
launcher test all start their servers through it.

* :class:`ServerProcess` is any such process (a command line, a port, a health path, a stop signal);
* :class:`AppServer` is the app as the one launcher starts it (``python -m vae.ui.serve``) on a free port,
  with extra flags and environment.

A server that exits while it is waited for fails at once, with its exit code, the path of its log and the
log's last lines, instead of a time-out minutes later.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Sequence

from .net import free_port

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", ROOT / "artifacts"))
HEALTH = "_stcore/health"   # Streamlit's health endpoint (answers "ok"); nginx passes it to a replica
SERVE = (sys.executable, "-m", "vae.ui.serve")   # the one launcher
#: flags of a server started by a program on loopback: no browser opened, no source watching, no telemetry
#: (``--production`` sets the same values, so they never contradict it)
LOCAL_FLAGS = ("--server.headless=true", "--server.fileWatcherType=none", "--browser.gatherUsageStats=false")


class ServerProcess:
    """``argv`` started at once (in ``cwd``, with ``os.environ`` updated by ``env``), its stdout and stderr written to
    ``log``; it serves ``http://<host>:<port>/`` (``host``: 127.0.0.1 unless told, another loopback address such as
    127.0.0.2 plays another machine), healthy when ``<url><health>`` answers ``ok`` (:meth:`wait_ready`), and is
    stopped by ``stop_signal``, then killed (:meth:`stop`). Also a context manager (healthy on entry, stopped on
    exit)."""

    def __init__(self, argv: Sequence[str], port: int, log: str | Path, *, cwd: str | Path = ROOT,
                 env: dict | None = None, health: str = HEALTH, stop_signal: int = signal.SIGTERM,
                 host: str = "127.0.0.1"):
        self.argv, self.port, self.health, self.stop_signal = list(argv), port, health, stop_signal
        self.host = host
        self.url = f"http://{host}:{port}/"
        self.log = Path(log)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log, "w")
        try:
            self.proc = subprocess.Popen(self.argv, cwd=cwd, env={**os.environ, **(env or {})},
                                         stdout=self._log_file, stderr=subprocess.STDOUT)
        except BaseException:
            self._log_file.close()
            raise

    @property
    def pid(self) -> int:
        """The process id."""
        return self.proc.pid

    def healthy(self) -> bool:
        """True when the health endpoint answers ``ok`` now."""
        try:
            with urllib.request.urlopen(self.url + self.health, timeout=2) as resp:
                return resp.read() == b"ok"
        except OSError:
            return False

    def log_text(self) -> str:
        """What the process has written so far (stdout and stderr)."""
        self._log_file.flush()
        return self.log.read_text(encoding="utf-8", errors="replace")

    def _exited(self) -> str:
        tail = "\n".join(self.log_text().splitlines()[-20:])
        return (f"{Path(self.argv[0]).name} on port {self.port} exited with code {self.proc.returncode} before "
                f"{self.url}{self.health} answered; its log is {self.log}, ending:\n{tail}")

    def wait_ready(self, timeout: float = 120) -> "ServerProcess":
        """Return once the health endpoint answers ``ok``; raise ``RuntimeError`` (naming the log) as soon as the
        process exits, and ``TimeoutError`` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(self._exited())
            if self.healthy():
                return self
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.url}{self.health} not healthy after {timeout:g} s; see {self.log}")
            time.sleep(0.3)

    def send_stop(self) -> None:
        """Ask the process to stop (``stop_signal``), without waiting; see :func:`stop_all`."""
        if self.proc.poll() is None:
            self.proc.send_signal(self.stop_signal)

    def wait_stopped(self, timeout: float = 20) -> None:
        """Wait up to ``timeout`` seconds for the process to end, kill it after that; close the log."""
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._log_file.close()

    def stop(self, timeout: float = 20) -> None:
        """Stop the process: ``stop_signal``, then a kill after ``timeout`` seconds; the log stays on disk."""
        self.send_stop()
        self.wait_stopped(timeout)

    def __enter__(self) -> "ServerProcess":
        try:
            return self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def stop_all(servers: Sequence[ServerProcess], timeout: float = 20) -> None:
    """Stop several servers at once: every one is signalled before any is waited for."""
    for s in servers:
        s.send_stop()
    for s in servers:
        s.wait_stopped(timeout)


class AppServer(ServerProcess):
    """The app started by the one launcher, ``python -m vae.ui.serve`` (or ``command``), on loopback port ``port``
    (default: a free one) of address ``host`` (``--server.address``; 127.0.0.1 unless told) with :data:`LOCAL_FLAGS`
    and the extra flags ``args`` (later flags win, so ``args`` may change any of them) and extra environment ``env``;
    its log is ``log`` (default ``artifacts/streamlit-<port>.log``). Started at once; :meth:`wait_ready` waits for
    it, :meth:`stop` stops it.

    ``command`` serves other Streamlit programs the same way (a bare ``streamlit run page.py``, the launcher of
    an older checkout with ``cwd``)."""

    def __init__(self, env: dict | None = None, port: int | None = None, args: Sequence[str] | None = None, *,
                 log: str | Path | None = None, command: Sequence[str] = SERVE, cwd: str | Path = ROOT,
                 host: str = "127.0.0.1"):
        port = port or free_port(host)
        super().__init__([*command, *LOCAL_FLAGS, f"--server.port={port}", f"--server.address={host}", *(args or [])],
                         port, log or ARTIFACTS / f"streamlit-{port}.log", cwd=cwd, env=env, host=host)
