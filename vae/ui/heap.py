"""Make Streamlit's garbage collection after every script run cheap, without turning it off.

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
"""
from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_frozen = False


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
