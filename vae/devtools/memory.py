"""A process's memory as the kernel reports it (``/proc/<pid>/status``), for tests and benchmarks that check what
an input costs a running server."""
from __future__ import annotations


def vm(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` size in bytes (``VmSize``, ``VmRSS``, ``VmHWM``); ``KeyError`` if absent."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def rss_mb(pid: int) -> float:
    """The resident memory of process ``pid`` in MB."""
    return vm(pid, "VmRSS") / 2**20
