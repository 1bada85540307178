"""A process's memory, CPU time and children as the kernel reports them (``/proc/<pid>/…``), for tests and
benchmarks that check what an input costs a running server, or what its training workers do."""
from __future__ import annotations

import os

TICK = os.sysconf("SC_CLK_TCK")   # clock ticks a second (the unit of /proc/<pid>/stat's CPU times)


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process, all threads, those that ended included (/proc/<pid>/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (every thread's, ``/proc/<pid>/task/*/children``); [] once it is gone."""
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out
