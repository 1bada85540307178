"""Settings of the web server's process, applied once by ``app.py``: cheap reruns for a class on 2 cores.

:func:`setup_process` = one PyTorch thread (:func:`single_torch_thread`) + a frozen import-time heap
(:func:`freeze_startup_heap`), both measured with ``bench/rerun_cpu.py`` + full collections on a schedule
(:func:`full_collections_on_schedule`), measured with ``bench/load.py --profile lecture``.

**The heap.** Streamlit's garbage collection after every script run must stay cheap.

Streamlit calls ``gc.collect(2)`` after each run of the script (option ``runner.postScriptGC``, on by
default), so memory held in reference cycles is returned between runs. A full collection walks every
object the cyclic collector tracks: with PyTorch, Plotly, pandas, scikit-learn and Streamlit imported
that is about 300 000 objects, and about 150 ms of CPU — more than everything else one rerun of a page
costs (measured by ``bench/rerun_cpu.py``; on a 2-core server shared by a class, this alone caps the
server at a dozen reruns per second).

Almost all of those objects are modules, classes, functions and constants that live as long as the
process. :func:`freeze_startup_heap` moves them, once per process, into the collector's permanent
generation (:func:`gc.freeze`, Python ≥ 3.7): later collections skip them, so the post-run collection
only walks what the runs themselves created, while memory held in cycles by sessions, caches and
figures is still collected. Objects that were alive at the freeze stay uncollected when they later form
unreachable cycles: the freeze runs after a collection and before any session exists, so that is
the import-time heap only.

**Under a class that was not enough.** With 30 sessions the objects the runs leave behind (session states,
cached figures and bundles) grow the heap again, and one full collection per rerun took 22% of the web
process's samples under ``bench/load.py`` (py-spy, 2026-12-04). So the launcher turns Streamlit's
per-run collection off (``vae.ui.serve``: ``runner.postScriptGC=false``) and :func:`collect_now_and_then`
runs one full collection at most every :data:`FULL_GC_EVERY` seconds. Memory held in cycles is still returned,
within seconds instead of after each run.

**Nor was Python's own full collection.** Its generational collector starts a full collection by itself whenever
enough objects have survived the younger generations. Under the 200-student lecture profile (``bench/load.py
--profile lecture``, a ``gc.callbacks`` log of the server, 2026-12-07) it did so every 4 s (median), each one
150-250 ms with the GIL held: every session's message, every HTTP request, waited for it. So
:func:`full_collections_on_schedule` (once per process) leaves generations 0 and 1 to Python, turns its automatic
full collections off, and a daemon thread runs the scheduled one every :data:`FULL_GC_EVERY` seconds, whether or
not scripts run (the class poll and the static files make garbage too).

**Nor Python's young collections every 700 allocations.** The collection log of the same profile (``vae.ui.gc_log``)
showed generations 0 and 1 collected 30 times a second, 2 to 2.5% of the process's time, more than the full
collections. With generation 0's threshold at :data:`YOUNG_GC_THRESHOLD` they run 30 times less often and take half
that time in all (two alternating pairs, README "Serving a large course"): an object that dies young is freed by its
reference count before any collection looks at it.
"""
from __future__ import annotations

import gc
import threading
import time

FULL_GC_EVERY = 10.0  # seconds between two full collections of the web process's heap
#: generation 2's threshold once the schedule runs full collections: gen-1 collections before Python would start
#: one of its own (days at the 2 gen-1 collections a second of a 200-student class), i.e. never: the schedule's
#: collection resets that count every FULL_GC_EVERY seconds
NO_AUTOMATIC_FULL_GC = 1_000_000
#: generation 0's threshold once the schedule runs: net allocations between two young collections (Python's is 700)
YOUNG_GC_THRESHOLD = 10_000

_lock = threading.Lock()
_frozen = False
_last_full_gc = time.monotonic()


def single_torch_thread() -> None:
    """Run PyTorch with one intra-op thread in the web process.

    The server decodes a few dozen codes per rerun, and many sessions rerun at once on 2 cores: with
    PyTorch's default (one thread per core) each small forward pass splits over both cores, and the
    OpenMP workers spin waiting for each other whenever the other core is busy. Measured on this machine
    under load: decoding 16 codes with the shipped MLP VAE costs 3.2 ms of CPU with 2 threads against
    0.28 ms with 1 (and 17 ms against 1.5 ms of wall time). Parallelism comes from the sessions instead.
    """
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def setup_process() -> None:
    """Called on every run (cheap): one PyTorch thread; once per process the import heap frozen and full
    collections put on a schedule (in place of Streamlit's one per run and Python's own, see the module's
    docstring)."""
    single_torch_thread()
    if freeze_startup_heap():
        full_collections_on_schedule()


def full_collections_on_schedule() -> threading.Thread:
    """Python's automatic full collections off (generation 2's threshold set to :data:`NO_AUTOMATIC_FULL_GC`), young
    collections every :data:`YOUNG_GC_THRESHOLD` allocations instead of 700; a daemon thread runs
    :func:`collect_now_and_then` every :data:`FULL_GC_EVERY` seconds in place of Python's full collections. Returns
    that thread."""
    _, middle, _ = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, middle, NO_AUTOMATIC_FULL_GC)
    thread = threading.Thread(target=_collect_on_schedule, name="vae-full-gc", daemon=True)
    thread.start()
    return thread


def _collect_on_schedule() -> None:
    while True:
        time.sleep(FULL_GC_EVERY)
        collect_now_and_then()


def collect_now_and_then(now: float | None = None) -> bool:
    """One full collection (``gc.collect(2)``) if the last one is at least :data:`FULL_GC_EVERY` seconds old;
    True when this call collected. Thread-safe: of the session threads arriving together, one collects."""
    global _last_full_gc
    now = time.monotonic() if now is None else now
    with _lock:
        if now - _last_full_gc < FULL_GC_EVERY:
            return False
        _last_full_gc = now
    gc.collect(2)
    return True


def _warm_imports() -> None:
    """Import (and build once) what the pages use, so those long-lived objects are frozen too: Plotly
    creates each trace type's validators on first use, scikit-learn and pandas load submodules lazily."""
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import sklearn.decomposition  # noqa: F401
    import sklearn.manifold  # noqa: F401
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2)
    for trace in (go.Scatter(x=[0], y=[0]), go.Scattergl(x=[0], y=[0]), go.Bar(x=[0], y=[0])):
        fig.add_trace(trace, row=1, col=1)
    fig.update_layout(title="warm", legend=dict(orientation="h"), xaxis=dict(range=[0, 1]))
    fig.to_dict()


def freeze_startup_heap() -> bool:
    """Once per process: import what the pages need, collect, then freeze every surviving object.

    Returns True on the call that froze (False afterwards). Safe to call from every script run and
    from several session threads at once.
    """
    global _frozen
    if _frozen:
        return False
    with _lock:
        if _frozen:
            return False
        _warm_imports()
        gc.collect()
        gc.freeze()
        _frozen = True
        return True


def gil_switch_interval() -> float:
    """This process's GIL switch interval (:func:`sys.setswitchinterval`): ``VAE_GIL_SWITCH_MS`` / 1000 when set
    (0.1 to 100 ms), else Python's own (5 ms, left as it is); returns the interval in force.

    Every session's script runs in a thread of its own, and the server's event loop (websockets, every HTTP request)
    is one more thread: a thread that needs the GIL waits for its holder to give it up, at the latest after this
    interval. A shorter one was measured side by side under a class's script load (``bench/gil_switch_ab.py``,
    ``bench/results/gil_switch_ab-2026-12-06.json``): 1 ms served 0.90× the reruns per second of 5 ms, and neither
    the class poll nor a page's HTML came back sooner, so the default stays; the variable is there to measure it
    again on another machine."""
    import os
    import sys

    raw = os.environ.get("VAE_GIL_SWITCH_MS", "")
    try:
        seconds = float(raw) / 1000 if raw else None
    except ValueError:
        seconds = None
    if seconds is not None and 0.0001 <= seconds <= 0.1:
        sys.setswitchinterval(seconds)
    return sys.getswitchinterval()
