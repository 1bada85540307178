"""Latent walk page (AppTest): one live view (sliders, pad, traversal, interpolation), the dimensions ordered by
importance, the conv fallback note; the browser side is tested in tests/test_explorer_browser.py."""
import numpy as np
import pytest
import torch

from apptest_utils import explorer_data, open_page
from vae.browser_bundle import unpack
from vae.checkpoint import save_model
from vae.config import ModelConfig
from vae.models import build_model
from vae.ui.explorer.assets_store import file_of


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import store_listing

    store_listing.clear()
    return tmp_path


def test_walk_page_has_one_live_slider_bank(store):
    at = open_page("latent_walk", "en")
    assert not at.exception
    assert len(at.slider) == 0  # no server slider bank: every slider lives in the browser view
    data = explorer_data(at, "walk")
    assert data["model"]["id"] == "pretrained/mnist-vae-2d" and data["model"]["decoder"] is not None
    assert data["limit"] >= 4.0 and data["steps"] == 9
    meta, arrays = unpack(file_of(data["model"]["test_set"]["url"]).read_bytes())
    labels = arrays["labels"]
    assert labels[data["interp_b"]] != labels[data["interp_a"]]  # the two default images differ in class
    assert sorted(meta["order"]) == [0, 1]
    assert "sliders_help" not in data["text"]  # at d = 2 both sliders show anyway
    assert "KB of decoder weights" in data["text"]["browser_note"]


def test_walk_french_strings(store):
    en, fr = open_page("latent_walk", "en"), open_page("latent_walk", "fr")
    assert not fr.exception
    assert fr.title[0].value != en.title[0].value
    assert explorer_data(fr, "walk")["text"]["reset"] == "Revenir au code de départ"


def test_walk_16d_dimensions_sorted_by_kl(store):
    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=16, hidden=[32])), store / "tiny-vae-16d")
    at = open_page("latent_walk", "en")
    at.selectbox(key="sel_latent").set_value(16).run()
    assert not at.exception
    data = explorer_data(at, "walk")
    meta, arrays = unpack(file_of(data["model"]["test_set"]["url"]).read_bytes())
    mu, logvar = arrays["mu"].astype(np.float64), arrays["logvar"].astype(np.float64)
    kl = 0.5 * (np.exp(logvar) + mu**2 - 1 - logvar).mean(0)
    assert meta["order"] == list(np.argsort(-kl, kind="stable")) and meta["score_name"] == "kl"
    assert np.allclose(meta["score"], kl, atol=1e-4)
    assert "KL" in data["text"]["sliders_help"]


def test_conv_model_falls_back_to_the_server(store):
    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=3, hidden=[32], arch="conv")), store / "tiny-conv-3d")
    at = open_page("latent_walk", "fr")
    at.selectbox(key="sel_latent").set_value(3).run()
    assert not at.exception
    data = explorer_data(at, "walk")
    assert data["model"]["decoder"] is None
    assert "serveur" in data["text"]["server_fallback"] and "conv" in data["text"]["server_fallback"]
    _, arrays = unpack(file_of(data["model"]["test_set"]["url"]).read_bytes())
    assert arrays["recon"].shape == (1000, 784)  # the map's inspector shows server reconstructions
