"""Faults: a process killed mid-training or mid-save, a failing disk, corrupt model folders.

The user store must stay readable, list only complete models (never a half-written one), and
list every model whose save had completed once the app "restarts" (a fresh ``list_models``).
"""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest
import torch

from conftest import tiny_config
from vae import checkpoint
from vae.checkpoint import WEIGHTS, clean_stale_temp, list_models, load_model, save_model
from vae.models import build_model

ROOT = Path(__file__).resolve().parent.parent


def user_models(store: Path) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [Path(m.path).name for m in list_models(store=store) if m.source == "user"]


def assert_store_consistent(store: Path) -> list[str]:
    """Every listed model loads; every non-hidden folder is listed; return the listed names."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a half-written model would be *listed with a warning*: fail on it
        listed = [Path(m.path).name for m in list_models(store=store) if m.source == "user"]
    for name in listed:
        load_model(store / name)
    visible = sorted(p.name for p in store.iterdir() if not p.name.startswith("."))
    assert listed == visible
    return listed


@pytest.mark.slow
def test_training_killed_mid_run_leaves_no_model(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    log = tmp_path / "train.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "vae", "train", "--kind", "vae", "--dataset", "digits",
                                 "--hidden", "16", "--epochs", "1000", "--out", str(store / "m")],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                                env={**os.environ, "VAE_MODEL_STORE": str(store)})
        try:
            deadline = time.time() + 90
            while "test=" not in log.read_text() and time.time() < deadline:  # one epoch done: mid-training
                assert proc.poll() is None, log.read_text()
                time.sleep(0.2)
            assert "test=" in log.read_text(), "training did not start"
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert assert_store_consistent(store) == []
    assert not (store / "m").exists()


SAVE_LOOP = textwrap.dedent("""
    import sys, torch
    sys.path.insert(0, {root!r})
    from vae.checkpoint import save_model
    from vae.config import ModelConfig
    from vae.models import build_model
    torch.manual_seed(0)
    model = build_model(ModelConfig(kind="vae", latent_dim=16, image_shape=(28, 28), hidden=[512, 256], dataset="mnist"))
    print("ready", flush=True)
    for i in range(10_000):
        save_model(model, {store!r} + f"/m{{i:05d}}", {{"i": i}})
        print(i, flush=True)
""")


@pytest.mark.slow
def test_process_killed_at_random_times_during_saves(tmp_path):
    """Kill a process that saves models in a loop, several times at random moments: the store lists
    exactly the completed saves, each loadable; leftover temp folders are ignored and cleaned."""
    store = tmp_path / "store"
    store.mkdir()
    rng = random.Random(1234)
    completed: set[str] = set()
    for round_ in range(3):
        sub = tmp_path / f"round{round_}"
        sub.mkdir()
        out_path = tmp_path / f"out{round_}.txt"
        script = SAVE_LOOP.format(root=str(ROOT), store=str(sub))
        with open(out_path, "w") as out:
            proc = subprocess.Popen([sys.executable, "-c", script], stdout=out, stderr=subprocess.STDOUT)
            deadline = time.time() + 60
            while "ready" not in out_path.read_text() and time.time() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.2, 1.5))
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        lines = out_path.read_text().split()
        assert lines[0] == "ready", lines
        done = {f"m{int(i):05d}" for i in lines[1:]}
        listed = set(assert_store_consistent(sub))
        # every save reported complete is listed; at most one more (renamed, killed before printing)
        assert done <= listed and len(listed - done) <= 1, (done, listed)
        completed |= {f"{sub.name}/{n}" for n in listed}
        # move the round's models into one store, as a restarted server would find them
        for p in sub.iterdir():
            shutil.move(str(p), store / f"{p.name}-{round_}" if not p.name.startswith(".") else store / p.name)
    listed = assert_store_consistent(store)  # "restart": a fresh listing
    assert len(listed) == len(completed) > 0
    leftovers = [p for p in store.iterdir() if p.name.startswith(".")]
    for p in leftovers:  # age them: a restart cleans temp folders older than an hour
        os.utime(p, (time.time() - 7200,) * 2)
    assert sorted(clean_stale_temp(store)) == sorted(p.name for p in leftovers)
    assert assert_store_consistent(store) == listed


@pytest.mark.parametrize("target", ["save_file", "final rename", "write_text"])
def test_a_failing_save_leaves_nothing(tmp_path, monkeypatch, target):
    store = tmp_path / "store"
    store.mkdir()
    torch.manual_seed(0)
    model = build_model(tiny_config())
    save_model(model, store / "kept")

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    if target == "save_file":
        monkeypatch.setattr(checkpoint, "save_file", boom)
    elif target == "final rename":  # the no-replace rename of the temp folder into place (#11)
        monkeypatch.setattr(checkpoint, "rename_no_replace", boom)
    else:
        monkeypatch.setattr(Path, "write_text", boom)
    with pytest.raises(OSError, match="No space"):
        save_model(model, store / "new")
    monkeypatch.undo()
    assert sorted(p.name for p in store.iterdir()) == ["kept"]  # no temp folder left, old model intact
    assert assert_store_consistent(store) == ["kept"]


def test_clean_stale_temp_only_removes_old_temp_folders(tmp_path):
    store = tmp_path / "store"
    torch.manual_seed(0)
    save_model(build_model(tiny_config()), store / "model")
    old = time.time() - 7200
    for name in (".model.tmp-1a2b3c4d", ".x.old-00000000", ".import-deadbeef", ".recent.tmp-12345678", ".uploads", ".keep"):
        (store / name).mkdir()
        (store / name / "f").write_text("x")
        if name != ".recent.tmp-12345678":
            os.utime(store / name, (old, old))
    os.utime(store / "model", (old, old))
    assert clean_stale_temp(store) == [".import-deadbeef", ".model.tmp-1a2b3c4d", ".x.old-00000000"]
    assert sorted(p.name for p in store.iterdir()) == [".keep", ".recent.tmp-12345678", ".uploads", "model"]
    assert clean_stale_temp(tmp_path / "missing") == []


def make_corrupt_store(store: Path) -> None:
    """A good user model (a copy of the shipped MNIST VAE) next to three broken folders."""
    shutil.copytree(checkpoint.PRETRAINED_DIR / "mnist-vae-2d", store / "good-user-vae",
                    ignore=shutil.ignore_patterns("projections", "report.json"))
    bad_cfg = store / "bad-config"
    shutil.copytree(store / "good-user-vae", bad_cfg)
    (bad_cfg / "config.json").write_text("{not json")
    no_weights = store / "no-weights"
    shutil.copytree(store / "good-user-vae", no_weights)
    (no_weights / WEIGHTS).unlink()
    garbage = store / "garbage-weights"
    shutil.copytree(store / "good-user-vae", garbage)
    (garbage / WEIGHTS).write_bytes(os.urandom(4096))
    truncated = store / "truncated-weights"
    shutil.copytree(store / "good-user-vae", truncated)
    data = (truncated / WEIGHTS).read_bytes()
    (truncated / WEIGHTS).write_bytes(data[: len(data) // 3])
    (store / ".good-user-vae.tmp-0badf00d").mkdir()  # an interrupted save


def test_corrupt_folders_are_skipped_with_a_warning(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    make_corrupt_store(store)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models = list_models(store=store)
    assert [m.id for m in models if m.source == "user"] == ["user/good-user-vae"]
    text = "\n".join(str(w.message) for w in caught)
    for name in ("bad-config", "no-weights", "garbage-weights", "truncated-weights"):
        assert name in text
    assert "tmp-0badf00d" not in text
    assert len([m for m in models if m.source == "pretrained"]) == len(list_models(include_user=False))


@pytest.mark.slow
def test_sidebar_survives_a_corrupt_store(tmp_path, monkeypatch):
    from apptest_utils import open_page
    from vae.ui.cache import store_listing

    store = tmp_path / "store"
    store.mkdir()
    make_corrupt_store(store)
    monkeypatch.setenv("VAE_MODEL_STORE", str(store))
    store_listing.clear()
    at = open_page("latent_walk", "en")
    assert not at.exception
    warning = " ".join(w.value for w in at.sidebar.warning)
    assert "Some model folders were skipped" in warning and "garbage-weights" in warning and "bad-config" in warning
    box = at.sidebar.selectbox(key="sel_vae_mnist_2")
    assert "user/good-user-vae" in box.options or any("good-user-vae" in o for o in box.options)
    box.set_value("user/good-user-vae").run()
    assert not at.exception
    assert at.sidebar.selectbox(key="sel_vae_mnist_2").value == "user/good-user-vae"
    at.sidebar.selectbox(key="sel_vae_mnist_2").set_value("pretrained/mnist-vae-2d").run()
    assert not at.exception
