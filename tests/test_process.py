"""vae.ui.process: one PyTorch thread; the import-time heap is frozen once, and objects made later are still collected."""
import gc
import json
import subprocess
import sys
import weakref

import pytest
import torch

from vae.ui import process
from vae.ui.process import freeze_startup_heap, setup_process


class _Node:
    pass


def test_freeze_once_and_later_cycles_still_collected():
    torch.set_num_threads(2)
    setup_process()
    assert torch.get_num_threads() == 1
    assert freeze_startup_heap() is False  # once per process
    frozen = gc.get_freeze_count()
    assert frozen > 50_000  # torch, plotly, pandas, streamlit: the collector no longer walks them
    a, b = _Node(), _Node()
    a.other, b.other = b, a  # a reference cycle made after the freeze ...
    alive = weakref.ref(a)
    del a, b
    gc.collect(2)
    assert alive() is None  # ... is still collected by Streamlit's post-run collection
    # and nothing was added to the permanent generation (another thread may free a frozen object meanwhile: the
    # schedule's collector, a pool's supervisor, started by this process's other tests)
    assert gc.get_freeze_count() <= frozen


def test_the_gil_switch_interval_is_python_s_unless_the_operator_sets_a_sane_one(monkeypatch):
    """``VAE_GIL_SWITCH_MS`` sets the web process's GIL switch interval (bench/gil_switch_ab.py measures it); unset,
    empty, not a number or out of 0.1–100 ms, Python's own stays."""
    import sys

    from vae.ui.process import gil_switch_interval

    before = sys.getswitchinterval()
    try:
        for raw in (None, "", "fast", "0", "1e9"):
            if raw is None:
                monkeypatch.delenv("VAE_GIL_SWITCH_MS", raising=False)
            else:
                monkeypatch.setenv("VAE_GIL_SWITCH_MS", raw)
            assert gil_switch_interval() == before, raw
        monkeypatch.setenv("VAE_GIL_SWITCH_MS", "2")
        assert abs(gil_switch_interval() - 0.002) < 1e-9 and abs(sys.getswitchinterval() - 0.002) < 1e-9
    finally:
        sys.setswitchinterval(before)


_SCHEDULE_PROBE = r"""
import gc, json, sys, threading, time
from vae.ui import process

process.FULL_GC_EVERY = 0.3
full = []   # (thread name) of every generation-2 collection
young = []  # generations 0 and 1 still collected by Python
gc.callbacks.append(lambda phase, info: phase == "stop" and (full if info["generation"] == 2 else young).append(
    threading.current_thread().name))
if sys.argv[1] == "scheduled":
    process.full_collections_on_schedule()
kept = []
t0 = time.monotonic()
while time.monotonic() - t0 < 1.5:   # long-lived objects pile up: Python would start full collections by itself
    kept.extend([i] for i in range(20_000))
    time.sleep(0.01)
print(json.dumps({"full": full, "young": len(young), "threshold": gc.get_threshold()}))
"""


@pytest.mark.parametrize("mode", ["python", "scheduled"])
def test_full_collections_run_only_on_the_schedule(mode):
    """Python's own collector starts full collections (each holds the GIL for the whole heap) while long-lived
    objects pile up; on the schedule, every full collection runs on the schedule's thread, and generations 0 and
    1 are still collected."""
    out = subprocess.run([sys.executable, "-c", _SCHEDULE_PROBE, mode], capture_output=True, text=True, timeout=60,
                         check=True)
    seen = json.loads(out.stdout)
    assert seen["young"] > 100
    if mode == "python":
        assert "MainThread" in seen["full"]  # the probe does make Python collect everything by itself
    else:
        assert seen["full"] and set(seen["full"]) == {"vae-full-gc"}
        assert seen["threshold"][2] == process.NO_AUTOMATIC_FULL_GC
        assert seen["threshold"][0] == process.YOUNG_GC_THRESHOLD   # young collections every 10,000, not 700
