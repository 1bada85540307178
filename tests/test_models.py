"""Model shapes for every kind × body × image size, input layouts, reparameterisation."""
from __future__ import annotations

import pytest
import torch

from vae.config import ModelConfig
from vae.kinds import KINDS
from vae.models import Autoencoder, build_model

SHAPES = [(28, 28), (32, 32), (8, 8)]


def _cfg(kind, arch, shape, d=3):
    return ModelConfig(kind=kind, arch=arch, image_shape=shape, latent_dim=d, hidden=[24, 12],
                       beta=2.0 if kind == "beta-vae" else 1.0)


@pytest.mark.parametrize("shape", SHAPES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("arch", ["mlp", "conv"])
@pytest.mark.parametrize("kind", list(KINDS))
def test_shapes(kind, arch, shape):
    torch.manual_seed(0)
    model = build_model(_cfg(kind, arch, shape))
    h, w = shape
    n = 5
    x = torch.rand(n, h, w)
    mu, logvar = model.encode(x)
    assert mu.shape == (n, 3)
    if not KINDS[kind].variational:
        assert logvar is None
    else:
        assert logvar.shape == (n, 3)
    img = model.decode(mu)
    assert img.shape == (n, h * w)
    assert (img >= 0).all() and (img <= 1).all()
    assert model.decode_logits(mu).shape == (n, h * w)
    out = model(x)
    assert set(out) >= {"mu", "logvar", "z", "logits"}
    assert out["logits"].shape == (n, h * w) and out["z"].shape == (n, 3)
    # the three input layouts give the same result
    model.eval()
    with torch.no_grad():
        ref = model(x, sample=False)["logits"]
        for layout in (x.reshape(n, 1, h, w), x.reshape(n, h * w)):
            assert torch.equal(model(layout, sample=False)["logits"], ref)
    # gradients reach every parameter
    model.train()
    model(x)["logits"].sum().backward()
    assert all(p.grad is not None for p in model.parameters())


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_single_image_batch(arch):
    model = build_model(_cfg("vae", arch, (8, 8)))
    assert model(torch.rand(1, 8, 8))["logits"].shape == (1, 64)


def test_kind_registry_and_variational_flag():
    assert {k: kind.variational for k, kind in KINDS.items() if kind.lecture_trio} == {"ae": False, "vae": True, "beta-vae": True}
    assert build_model(_cfg("ae", "mlp", (8, 8))).logvar_head is None
    model = build_model(_cfg("beta-vae", "mlp", (8, 8)))
    assert model.variational and model.kind is KINDS["beta-vae"]


def test_vae_and_beta_vae_share_the_same_network():
    a = build_model(_cfg("vae", "mlp", (28, 28)))
    b = build_model(_cfg("beta-vae", "mlp", (28, 28)))
    assert {k: v.shape for k, v in a.state_dict().items()} == {k: v.shape for k, v in b.state_dict().items()}


def test_reference_architecture_mlp_400_20():
    """hidden=[400], latent 20 is the pytorch/examples VAE: 784-400-(20,20)-400-784."""
    model = build_model(ModelConfig(kind="vae", latent_dim=20, hidden=[400]))
    shapes = sorted(tuple(p.shape) for p in model.parameters())
    ref = sorted([(400, 784), (400,), (20, 400), (20,), (20, 400), (20,), (400, 20), (400,), (784, 400), (784,)])
    assert shapes == ref


def test_sampling_and_reparameterisation():
    torch.manual_seed(0)
    model = build_model(_cfg("vae", "mlp", (8, 8)))
    x = torch.rand(4, 8, 8)
    out_mean = model(x, sample=False)
    assert torch.equal(out_mean["z"], out_mean["mu"])
    g1, g2 = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    a, b = model(x, generator=g1), model(x, generator=g2)
    assert torch.equal(a["z"], b["z"])
    assert not torch.equal(a["z"], a["mu"])
    eps = torch.randn(4, 3)  # a caller's own noise: z = μ + σ ε exactly
    c = model(x, eps=eps)
    assert torch.allclose(c["z"], c["mu"] + torch.exp(0.5 * c["logvar"]) * eps)
    # z = μ + σ ε: gradients flow into μ and log σ²
    mu = torch.zeros(10000, 2, requires_grad=True)
    logvar = torch.full((10000, 2), 2 * torch.log(torch.tensor(3.0)).item(), requires_grad=True)
    z = Autoencoder.reparameterize(mu, logvar, torch.Generator().manual_seed(0))
    assert z.std().item() == pytest.approx(3.0, rel=0.05)
    z.sum().backward()
    assert mu.grad is not None and logvar.grad is not None


def test_model_rejects_invalid_config():
    from vae.errors import ConfigError

    with pytest.raises(ConfigError):
        Autoencoder(ModelConfig(arch="conv", image_shape=(10, 10)))
