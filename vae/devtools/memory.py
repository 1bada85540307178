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


def spawned_children(pid: int) -> list[int]:
    """The children of ``pid`` started by multiprocessing's ``spawn`` (training workers, a worker's training process),
    told apart from other children (the resource tracker, a browser) by ``spawn_main`` in their command line."""
    out = []
    for child in children(pid):
        try:
            with open(f"/proc/{child}/cmdline", "rb") as f:
                if b"spawn_main" in f.read():
                    out.append(child)
        except OSError:
            pass   # it ended meanwhile
    return out


def wait_settled(pids: list[int], timeout: float = 120, quiet: float = 0.05) -> None:
    """Wait until none of ``pids`` used more than ``quiet`` CPU seconds in the last second (a worker that has
    finished booting and sits waiting for work); ``TimeoutError`` after ``timeout`` seconds."""
    import time

    deadline = time.monotonic() + timeout
    before = {p: cpu_seconds(p) for p in pids}
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = {p: cpu_seconds(p) for p in pids}
        if all(now[p] - before[p] <= quiet for p in pids):
            return
        before = now
    raise TimeoutError(f"processes {pids} still busy after {timeout:g} s")
