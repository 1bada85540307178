"""Free loopback ports (servers, replicas, nginx in tests and benchmarks)."""
from __future__ import annotations

import socket


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on ``host`` (a loopback address: 127.0.0.1 unless told) right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
