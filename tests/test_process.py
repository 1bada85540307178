"""vae.ui.process: one PyTorch thread; the import-time heap is frozen once, and objects made later are still collected."""
import gc
import weakref

import torch

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
    assert gc.get_freeze_count() == frozen  # and nothing was added to the permanent generation


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
