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
