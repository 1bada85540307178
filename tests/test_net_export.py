"""Export of the dense networks the browser runs: the decoder, and the encoder with its μ / log σ² heads
(same layout: one float32 vector + a spec of offsets), checked against PyTorch without a browser."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from vae.checkpoint import PRETRAINED_DIR, load_model
from vae.config import ModelConfig
from vae.decoder_export import (UnsupportedNetwork, dense_chain, export_decoder, export_encoder,
                                weights_payload)
from vae.models import build_model


def _tiny(kind="vae", arch="mlp", hidden=(32, 16), latent_dim=3):
    torch.manual_seed(0)
    return build_model(ModelConfig(kind=kind, latent_dim=latent_dim, hidden=list(hidden), arch=arch))


def _torch_encode(model, x):
    with torch.inference_mode():
        mu, logvar = model.encode(torch.as_tensor(x))
    return mu.numpy(), (None if logvar is None else logvar.numpy())


@pytest.mark.parametrize("kind", ["ae", "vae", "beta-vae"])
def test_encoder_forward_matches_torch(kind):
    model = _tiny(kind)
    exp = export_encoder(model)
    x = np.random.default_rng(0).random((32, 784), dtype=np.float32)
    mu, logvar = exp.forward(x)
    ref_mu, ref_logvar = _torch_encode(model, x)
    assert np.abs(mu - ref_mu).max() < 1e-5
    assert exp.variational == (kind != "ae")
    if kind == "ae":
        assert logvar is None and ref_logvar is None
    else:
        assert np.abs(logvar - ref_logvar).max() < 1e-5


def test_encoder_spec_offsets_cover_the_flat_vector_once():
    """Each spec entry points at the *model's* own parameters (not the export's copies) in the flat vector, the
    entries tile the vector exactly once, and only the trunk has ReLUs: the μ and log σ² heads are linear."""
    model = _tiny("vae")
    exp = export_encoder(model)
    spec, flat = exp.spec(), exp.flat()
    assert spec["net"] == "encoder" and spec["input_dim"] == 784 and spec["latent_dim"] == 3
    assert [(l["in"], l["out"], l["relu"]) for l in spec["layers"]] == [(784, 32, True), (32, 16, True)]
    assert set(spec["heads"]) == {"mu", "logvar"} and spec["variational"] is True
    assert {k: (h["in"], h["out"], h["relu"]) for k, h in spec["heads"].items()} == {"mu": (16, 3, False),
                                                                                   "logvar": (16, 3, False)}
    trunk = [m for m in model.encoder.modules() if isinstance(m, nn.Linear)]
    assert len(trunk) == len(spec["layers"])
    modules = [*zip(spec["layers"], trunk), (spec["heads"]["mu"], model.mu_head),
               (spec["heads"]["logvar"], model.logvar_head)]
    covered = np.zeros(flat.size, int)
    for entry, module in modules:
        weight, bias = module.weight.detach().numpy(), module.bias.detach().numpy()
        w, b = entry["w"], entry["b"]
        np.testing.assert_array_equal(flat[w:w + weight.size].reshape(weight.shape), weight)
        np.testing.assert_array_equal(flat[b:b + bias.size], bias)
        covered[w:w + weight.size] += 1
        covered[b:b + bias.size] += 1
    assert (covered == 1).all() and spec["n_floats"] == flat.size
    assert weights_payload(exp)["n_bytes"] == 4 * flat.size


def test_ae_encoder_has_only_the_mu_head():
    spec = export_encoder(_tiny("ae")).spec()
    assert list(spec["heads"]) == ["mu"] and spec["variational"] is False


def test_conv_bodies_are_refused_with_the_reason():
    model = _tiny(arch="conv")
    for export in (export_encoder, export_decoder):
        with pytest.raises(UnsupportedNetwork, match="conv"):
            export(model)


def test_dense_chain_names_the_module_that_does_not_fit():
    with pytest.raises(UnsupportedNetwork, match="layer 1 is Tanh"):
        dense_chain([nn.Linear(4, 3), nn.Tanh()], "encoder")
    with pytest.raises(UnsupportedNetwork, match="layer 2 is ReLU"):
        dense_chain([nn.Linear(4, 3), nn.ReLU(), nn.ReLU()], "decoder")
    with pytest.raises(UnsupportedNetwork, match="mismatched"):
        dense_chain([nn.Linear(4, 3), nn.Linear(2, 1)], "decoder")


def test_decoder_spec_keeps_its_layout():
    exp = export_decoder(_tiny())
    spec = exp.spec()
    assert spec["net"] == "decoder" and spec["output"] == "sigmoid"
    assert [l["relu"] for l in spec["layers"]] == [True, True, False]
    assert exp.layer_sizes == [3, 16, 32, 784]


@pytest.mark.parametrize("name", ["mnist-vae-2d", "mnist-dae-16d"])
def test_shipped_encoders_export_exactly(name, mnist):
    model = load_model(PRETRAINED_DIR / name)
    x = mnist.x_test[:64].reshape(64, -1).numpy()
    mu, logvar = export_encoder(model).forward(x)
    ref_mu, ref_logvar = _torch_encode(model, x)
    assert np.abs(mu - ref_mu).max() < 1e-4
    assert (logvar is None) == (ref_logvar is None)
    if logvar is not None:
        assert np.abs(logvar - ref_logvar).max() < 1e-4
