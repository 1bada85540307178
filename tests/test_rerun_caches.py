"""Caches on the pages' rerun path (issue #10 item 3): each gives what the uncached call gives, and follows the
files it is read from."""
from __future__ import annotations

import json
import os

import pytest

from vae import seeds
from vae.checkpoint import METRICS
from vae.ui import compare_view as cv

from conftest import SHIPPED_VAE_COMMAND as CMD



def _touch(path, step: float) -> None:
    """Move a file's mtime on (two writes in one test can share a timestamp tick)."""
    st = os.stat(path)
    os.utime(path, (st.st_atime, st.st_mtime + step))


def test_compare_seed_reports_are_the_uncached_ones_and_follow_both_files(fake_pretrained):
    own, folder = {"recon": 150.0}, fake_pretrained / "m"
    assert cv.reports_over_seeds(folder, own) == seeds.reports_over_seeds(folder, own) == [own]
    seeds.write_seed_reports("m", CMD, {2: {"recon": 152.0}, 1: {"recon": 151.0}})
    _touch(fake_pretrained / "_seeds" / "m" / seeds.SEEDS_FILE, 10)
    expected = [own, {"recon": 151.0}, {"recon": 152.0}]
    assert cv.reports_over_seeds(folder, own) == seeds.reports_over_seeds(folder, own) == expected
    assert cv.reports_over_seeds(str(folder), {"recon": 1.0})[0] == {"recon": 1.0}  # the caller's own report first
    (folder / METRICS).write_text(json.dumps({"command": CMD.replace("100", "50")}))  # retrained: seeds are stale
    _touch(folder / METRICS, 20)
    assert cv.reports_over_seeds(folder, own) == seeds.reports_over_seeds(folder, own) == [own]
    user = fake_pretrained.parent / "elsewhere" / "m"
    assert cv.reports_over_seeds(user, own) == [own]  # a user model has no seeds


def test_compare_seed_reports_are_read_once_per_file_version(fake_pretrained, monkeypatch):
    seeds.write_seed_reports("m", CMD, {1: {"recon": 151.0}})
    _touch(fake_pretrained / "_seeds" / "m" / seeds.SEEDS_FILE, 30)
    calls = []
    real = seeds.reports_over_seeds
    monkeypatch.setattr(seeds, "reports_over_seeds", lambda f, r: calls.append(f) or real(f, r))
    for _ in range(3):
        assert cv.reports_over_seeds(fake_pretrained / "m", {}) == [{}, {"recon": 151.0}]
    assert len(calls) == 1
