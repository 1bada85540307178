"""The six steps on one image and the reparameterisation trick's gradients (vae/reparam.py)."""
import numpy as np
import pytest
import torch

from vae.losses import kl_per_image
from vae.reparam import draw_eps, forward_steps, gradients


@pytest.fixture
def vae(make_model):
    model = make_model(seed=0, kind="beta-vae", beta=2.0)
    for p in model.parameters():  # as the app's cached models: frozen weights
        p.requires_grad_(False)
    return model.eval()


@pytest.fixture
def image(digits):
    return digits.x_test[3].numpy()


def test_draw_eps_is_seeded():
    assert np.array_equal(draw_eps(4, 1), draw_eps(4, 1))
    assert not np.array_equal(draw_eps(4, 1), draw_eps(4, 2))
    assert draw_eps(4, 1).shape == (4,)


def test_forward_steps_match_the_model(vae, image):
    eps = draw_eps(2, 0)
    s = forward_steps(vae, image, eps)
    mu, logvar = vae.encode(torch.as_tensor(image).reshape(1, -1))
    np.testing.assert_allclose(s.mu, mu[0].numpy(), rtol=1e-5)
    np.testing.assert_allclose(s.sigma, torch.exp(0.5 * logvar[0]).numpy(), rtol=1e-5)
    np.testing.assert_allclose(s.z, s.mu + s.sigma * eps, rtol=1e-5)
    assert s.kl == pytest.approx(kl_per_image(mu, logvar).item(), rel=1e-4)
    assert s.beta == 2.0 and s.beta_kl == pytest.approx(2 * s.kl) and s.total == pytest.approx(s.recon + 2 * s.kl)
    assert s.x_hat.shape == (8, 8) and 0 <= s.x_hat.min() and s.x_hat.max() <= 1


def test_reparam_gradient_exists_and_matches_finite_differences(vae, image):
    eps = draw_eps(2, 0)
    g = gradients(vae, image, eps, "reparam")
    assert g.z_requires_grad
    assert g.recon_mu is not None and np.abs(g.recon_mu).sum() > 0
    assert g.recon_sigma is not None and np.abs(g.recon_sigma).sum() > 0
    # ∂recon/∂μ₀ by central differences: recon(μ + h e₀) with the same ε
    from vae.losses import reconstruction_per_image
    xb = torch.as_tensor(image).reshape(1, -1)
    s = forward_steps(vae, image, eps)
    h = 1e-2

    def recon_at(mu):
        z = torch.as_tensor(mu + s.sigma * eps, dtype=torch.float32).reshape(1, -1)
        return reconstruction_per_image(vae.decode_logits(z), xb, "bce").item()

    with torch.no_grad():
        fd = (recon_at(s.mu + np.float32([h, 0])) - recon_at(s.mu - np.float32([h, 0]))) / (2 * h)
    assert g.recon_mu[0] == pytest.approx(fd, rel=0.05, abs=1e-3)


def test_sampling_without_the_trick_cuts_the_gradient(vae, image):
    eps = draw_eps(2, 0)
    g = gradients(vae, image, eps, "sample", seed=3)
    assert not g.z_requires_grad
    assert g.recon_mu is None and g.recon_sigma is None
    # the KL term alone still reaches μ: ∂(β·KL)/∂μ = β·μ
    s = forward_steps(vae, image, eps)
    np.testing.assert_allclose(g.total_mu, 2.0 * s.mu, rtol=1e-4)
    n = gradients(vae, image, eps, "normal", seed=3)
    assert n.z_requires_grad  # torch.normal keeps a graph node...
    assert np.all(n.recon_mu == 0) and np.all(n.recon_sigma == 0)  # ...whose gradient is zero


def test_ae_and_bad_sampler_are_refused(make_model, vae, image):
    ae = make_model(kind="ae")
    with pytest.raises(ValueError):
        forward_steps(ae, image, draw_eps(2, 0))
    with pytest.raises(ValueError):
        gradients(ae, image, draw_eps(2, 0))
    with pytest.raises(ValueError):
        gradients(vae, image, draw_eps(2, 0), "magic")
