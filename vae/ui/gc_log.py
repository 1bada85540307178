"""A log of the web process's garbage collections, for the load benchmarks: ``VAE_GC_LOG_DIR=folder``.

Why: under a class, a full collection holds the GIL for a tenth of a second or more, and every session's message
and every HTTP request waits for it (``vae.ui.process``). The figures that show it (how often, how long, how much
garbage each one found) are steadier than a p95 of the class's actions on a shared machine, so the load bench
(``bench/load.py``) asks its servers for this log and prints them beside its own figures.

With the variable set, :func:`install_from_env` registers a :data:`gc.callbacks` hook that times every collection;
each full (generation-2) collection appends one JSON line to ``folder/gc-<pid>.jsonl``:
``{"at": the end's Unix time, "ms": wall time, "cpu_ms": the collecting thread's CPU time, "collected": objects
found unreachable, "thread": its name, "young_n": generation-0/1 collections since the last line, "young_ms": their
time}``. Without the variable nothing is installed. :func:`summarize` reads a folder of such logs back.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import threading
import time
from pathlib import Path

ENV = "VAE_GC_LOG_DIR"


class CollectionLog:
    """The ``gc.callbacks`` hook: times each collection, writes one line per full collection (see the module)."""

    def __init__(self, path: Path):
        self.pid = os.getpid()   # a forked child inherits the hook: it must not write into its parent's log
        self._start: tuple[float, float] | None = None
        self._young_n = 0
        self._young_s = 0.0
        self._file = open(path, "a", buffering=1, encoding="utf-8")

    def __call__(self, phase: str, info: dict) -> None:
        if os.getpid() != self.pid:
            return
        if phase == "start":
            self._start = (time.perf_counter(), time.thread_time())
            return
        if self._start is None:
            return
        wall, cpu = time.perf_counter() - self._start[0], time.thread_time() - self._start[1]
        self._start = None
        if info.get("generation") != 2:
            self._young_n += 1
            self._young_s += wall
            return
        line = {"at": round(time.time(), 3), "ms": round(wall * 1000, 2), "cpu_ms": round(cpu * 1000, 2),
                "collected": info.get("collected", 0), "thread": threading.current_thread().name,
                "young_n": self._young_n, "young_ms": round(self._young_s * 1000, 2)}
        self._young_n, self._young_s = 0, 0.0
        try:
            self._file.write(json.dumps(line) + "\n")
        except (OSError, ValueError):   # a full disk or a closed file must not break the server's collector
            pass


_installed: CollectionLog | None = None


def install_from_env() -> CollectionLog | None:
    """With ``VAE_GC_LOG_DIR`` set (an existing folder), log this process's collections to ``gc-<pid>.jsonl`` in it;
    once per process. Returns the hook, or None when the variable is unset or the folder cannot be written."""
    global _installed
    folder = os.environ.get(ENV, "")
    if not folder or _installed is not None:
        return _installed
    try:
        _installed = CollectionLog(Path(folder) / f"gc-{os.getpid()}.jsonl")
    except OSError:
        return None
    gc.callbacks.append(_installed)
    return _installed


def read_lines(folder: Path) -> dict[str, list[dict]]:
    """Every ``gc-<pid>.jsonl`` in ``folder``: file name → its full collections (unreadable lines skipped)."""
    out: dict[str, list[dict]] = {}
    for path in sorted(Path(folder).glob("gc-*.jsonl")):
        rows = []
        for raw in path.read_text(encoding="utf-8").splitlines():
            try:
                rows.append(json.loads(raw))
            except ValueError:
                continue
        out[path.name] = rows
    return out


def summarize(folder: Path, since: float, until: float) -> dict:
    """The full collections of every log in ``folder`` that ended between the Unix times ``since`` and ``until`` (one
    bench phase): their number, the median and largest wall time (ms), the median garbage each found, the share of
    the processes' time spent collecting, every generation included (``gc_share``: the lines' collection time over
    ``until - since`` times the number of logs), the same for generations 0 and 1 alone (``gc_young_share``) with
    their number (``gc_young_n``), and the threads that ran them. Empty when no line falls in between."""
    logs = read_lines(folder)
    rows = [r for lines in logs.values() for r in lines if since <= r.get("at", 0) <= until]
    if not rows or until <= since:
        return {}
    times = [r["ms"] for r in rows]
    young_s = sum(r.get("young_ms", 0) for r in rows) / 1000
    spent_s = sum(r["ms"] for r in rows) / 1000 + young_s
    span_s = (until - since) * len(logs)
    return {"gc_full_n": len(rows), "gc_full_p50_ms": round(statistics.median(times), 1),
            "gc_full_max_ms": round(max(times), 1),
            "gc_full_collected_p50": int(statistics.median(r.get("collected", 0) for r in rows)),
            "gc_share": round(spent_s / span_s, 4), "gc_young_share": round(young_s / span_s, 4),
            "gc_young_n": sum(r.get("young_n", 0) for r in rows),
            "gc_threads": sorted({r.get("thread", "") for r in rows})}
