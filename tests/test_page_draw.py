"""Draw page (AppTest, no browser): the drawing pad view gets the AE | VAE | β-VAE with their encoders and maps,
the denoising AE with a plain AE of its latent size, and a note instead of an encoder for conv bodies. The
browser side (drawing, encoding, parity with PyTorch) is tested in tests/test_draw_browser.py."""
import numpy as np
import pytest
import torch

from apptest_utils import explorer_data, open_page
from vae.browser_bundle import unpack
from vae.checkpoint import ModelInfo, PRETRAINED_DIR, load_model, save_model
from vae.config import ModelConfig
from vae.decoder_export import export_encoder
from vae.explorer_data import encoder_bundle
from vae.models import build_model
from vae.ui.explorer.assets_store import file_of
from vae.ui.explorer.views import pick_denoisers


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import store_listing

    store_listing.clear()
    return tmp_path


def _bundle(ref):
    return unpack(file_of(ref["url"]).read_bytes())


def test_draw_page_sends_the_trio_with_encoders_and_the_denoisers(store):
    at = open_page("draw", "en")
    assert not at.exception
    data = explorer_data(at, "draw")
    assert [m["kind"] for m in data["models"]] == ["ae", "vae", "beta-vae"]
    assert [m["id"] for m in data["models"]] == ["pretrained/mnist-ae-2d", "pretrained/mnist-vae-2d",
                                                  "pretrained/mnist-betavae4-2d"]
    assert data["prior"] is True and all(m["method"] == "native" for m in data["models"])
    meta, arrays = _bundle(data["models"][1]["encoder"])
    spec = meta["spec"]
    assert meta["kind"] == "encoder" and spec["variational"] and spec["input_dim"] == 784
    expected = export_encoder(load_model(PRETRAINED_DIR / "mnist-vae-2d")).flat()
    np.testing.assert_array_equal(arrays["params"], expected)
    assert _bundle(data["models"][0]["encoder"])[0]["spec"]["variational"] is False
    den = data["denoiser"]
    assert den["id"] == "pretrained/mnist-dae-16d" and den["noise"] == pytest.approx(0.4)
    assert den["plain"]["id"] == "pretrained/mnist-ae-16d"  # same latent size as the denoiser
    assert den["encoder"] and den["decoder"] and den["plain"]["encoder"]
    for key in ("draw_pad", "draw_undo", "draw_clear", "draw_neighbours", "draw_denoise_caption"):
        assert data["text"][key], key
    assert not at.info  # MNIST: no "not digits" note


def test_draw_page_in_french(store):
    at = open_page("draw", "fr")
    assert not at.exception
    assert at.title[0].value == "Dessinez votre chiffre"
    text = explorer_data(at, "draw")["text"]
    assert text["draw_clear"] == "Effacer" and text["draw_undo"] == "Annuler"


def test_conv_models_get_no_encoder_and_a_note(store):
    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=2, hidden=[32], arch="conv")), store / "conv-vae-2d")
    at = open_page("draw", "en")
    at.selectbox(key="sel_vae_mnist_2").set_value("user/conv-vae-2d").run()
    assert not at.exception
    data = explorer_data(at, "draw")
    vae = data["models"][1]
    assert vae["id"] == "user/conv-vae-2d" and vae["encoder"] is None and vae["decoder"] is None
    assert "convolutional" in data["text"]["draw_no_encoder"]
    assert data["models"][0]["encoder"] is not None


def test_encoder_bundle_is_none_for_conv_bodies():
    torch.manual_seed(0)
    assert encoder_bundle(build_model(ModelConfig(kind="vae", latent_dim=2, hidden=[8], arch="conv"))) is None
    assert encoder_bundle(build_model(ModelConfig(kind="ae", latent_dim=2, hidden=[8]))) is not None


def _info(id_, kind="ae", noise=0.0, latent_dim=16, dataset="mnist", arch="mlp", source="pretrained"):
    return ModelInfo(id=id_, path="/nowhere", source=source, kind=kind, beta=None, latent_dim=latent_dim,
                     dataset=dataset, arch=arch, noise=noise, recon="bce")


def test_pick_denoisers_prefers_shipped_ae_and_matches_the_plain_ae_latent_size():
    models = [_info("user/dae", noise=0.3, source="user"), _info("p/dvae", kind="vae", noise=0.4),
              _info("p/dae", noise=0.4), _info("p/ae-2d", latent_dim=2), _info("p/ae-16d"),
              _info("p/dae-conv", noise=0.4, arch="conv"), _info("p/dae-digits", noise=0.4, dataset="digits")]
    den, plain = pick_denoisers(models, "mnist")
    assert den.id == "p/dae" and plain.id == "p/ae-16d"
    assert pick_denoisers(models, "sprites") == (None, None)
    den, plain = pick_denoisers([_info("p/dae", noise=0.4), _info("p/ae-2d", latent_dim=2)], "mnist")
    assert den.id == "p/dae" and plain is None
