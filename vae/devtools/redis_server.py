"""A throw-away ``redis-server`` on a loopback port, for the tests of the Redis backend (``docs/redis.md``).

Started through :class:`vae.devtools.server_process.ServerProcess` (its log file, its early-exit report, its
stop), in a folder of its own, with nothing saved (``--save '' --appendonly no``) unless asked to persist (an
append-only file written at every command, so a server stopped and started again in the same folder on the same
port has kept everything: tests/test_multimachine.py's restart): healthy when it answers ``PING``.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from .net import free_port
from .server_process import ServerProcess

REDIS_SERVER = "redis-server"


def redis_server_path() -> str | None:
    """The ``redis-server`` program on ``PATH`` (Debian's package: ``apt-get install redis-server``), or None."""
    return shutil.which(REDIS_SERVER)


def require_redis_server() -> None:
    """Skip (locally) or fail (in CI, :func:`vae.devtools.ci.in_ci`) when ``redis-server`` or the ``redis`` client
    package is missing, so CI never passes the Redis backend's tests by skipping them."""
    problem = None
    try:
        import redis  # noqa: F401
    except ImportError:
        problem = "the redis client package is not installed (pip install -r requirements.txt)"
    if redis_server_path() is None:
        problem = "redis-server is not installed (apt-get install -y redis-server)"
    if problem:
        from .ci import missing_prerequisite

        missing_prerequisite(problem, f"the Redis backend's tests cannot be skipped in CI: {problem}")


class RedisServer(ServerProcess):
    """``redis-server`` on ``127.0.0.1:<port>`` (default: a free one), working in ``folder`` (its log there too);
    :attr:`redis_url` is what ``VAE_REDIS_URL`` takes. ``persist``: keep the data in an append-only file in
    ``folder`` (``--appendonly yes --appendfsync always``), read back by the next server started there. Started at
    once; a context manager like any :class:`ServerProcess` (ready on entry, stopped on exit)."""

    def __init__(self, folder: str | Path, port: int | None = None, persist: bool = False):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        port = port or free_port()
        program = redis_server_path() or REDIS_SERVER
        saving = ["--appendonly", "yes", "--appendfsync", "always"] if persist else ["--appendonly", "no"]
        super().__init__([program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", *saving,
                          "--dir", str(folder)], port, folder / f"redis-{port}.log", cwd=folder)
        self.redis_url = f"redis://127.0.0.1:{port}/0"

    def healthy(self) -> bool:
        """True when the server answers ``PING``."""
        import redis

        try:
            return bool(redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5,
                                    socket_timeout=0.5).ping())
        except redis.exceptions.RedisError:
            return False
