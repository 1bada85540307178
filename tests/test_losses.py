"""Loss terms: closed-form KL against Monte Carlo, β on the KL only, the AE without KL."""
from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.stats
import torch
import torch.nn.functional as F
from torch.distributions import Bernoulli, Independent, Normal

from vae.losses import (kl_per_image, kl_to_standard_normal, log_bernoulli, log_normal, log_standard_normal, loss_terms,
                        reconstruction_per_image, reparameterise)


def test_kl_closed_form_matches_monte_carlo():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(4, 3, generator=g, dtype=torch.float64)
    logvar = torch.randn(4, 3, generator=g, dtype=torch.float64) * 0.5
    q = Independent(Normal(mu, torch.exp(0.5 * logvar)), 1)
    p = Independent(Normal(torch.zeros_like(mu), torch.ones_like(mu)), 1)
    torch.manual_seed(0)
    z = q.sample((200_000,))  # (S, N, d)
    mc = (q.log_prob(z) - p.log_prob(z)).mean(0)
    closed = kl_per_image(mu, logvar)
    assert closed.shape == (4,)
    assert torch.allclose(closed, mc, rtol=0.03, atol=0.02), (closed, mc)
    # and the analytic KL of torch.distributions
    assert torch.allclose(closed, torch.distributions.kl_divergence(q, p), rtol=1e-10)


def test_kl_zero_at_prior_and_positive_elsewhere():
    mu, logvar = torch.zeros(5, 4), torch.zeros(5, 4)
    assert torch.equal(kl_per_image(mu, logvar), torch.zeros(5))
    assert (kl_per_image(mu + 0.1, logvar) > 0).all()
    assert (kl_per_image(mu, logvar - 1.0) > 0).all()
    assert (kl_to_standard_normal(torch.randn(6, 3), torch.randn(6, 3)) >= 0).all()


def test_kl_closed_form_formula():
    mu = torch.tensor([[1.0, -2.0]])
    logvar = torch.tensor([[0.0, math.log(4.0)]])
    # ½ (tr σ² + μᵀμ − d − log det σ²) = ½ (1 + 4 + 1 + 4 − 2 − log 4)
    expected = 0.5 * (5 + 5 - 2 - math.log(4.0))
    assert kl_per_image(mu, logvar).item() == pytest.approx(expected, rel=1e-6)


def _out(n=8, d=3, pixels=16, ae=False, seed=0):
    g = torch.Generator().manual_seed(seed)
    mu = torch.randn(n, d, generator=g)
    return {"mu": mu, "logvar": None if ae else torch.randn(n, d, generator=g), "z": mu,
            "logits": torch.randn(n, pixels, generator=g)}


def test_beta_scales_only_the_kl_term():
    out = _out()
    x = torch.rand(8, 4, 4)
    t1 = loss_terms(out, x, "bce", beta=1.0)
    t3 = loss_terms(out, x, "bce", beta=3.0)
    assert torch.equal(t1["recon"], t3["recon"])
    assert torch.equal(t1["kl"], t3["kl"])
    assert t1["kl"] > 0
    assert torch.allclose(t3["regularizer"], 3 * t1["kl"])
    assert torch.allclose(t3["total"], t3["recon"] + 3 * t3["kl"])
    assert torch.allclose(t1["total"], t1["recon"] + t1["kl"])


def test_ae_has_no_kl():
    out = _out(ae=True)
    x = torch.rand(8, 16)
    t = loss_terms(out, x, "mse", beta=5.0)
    assert t["kl"].item() == 0 and t["regularizer"].item() == 0
    assert torch.equal(t["total"], t["recon"])


def test_ae_model_encode_returns_no_logvar(make_model):
    model = make_model(kind="ae")
    mu, logvar = model.encode(torch.rand(3, 8, 8))
    assert logvar is None and mu.shape == (3, 2)
    out = model(torch.rand(3, 8, 8))
    assert out["logvar"] is None and torch.equal(out["z"], out["mu"])
    t = loss_terms(out, torch.rand(3, 8, 8), "bce", beta=1.0)
    assert t["kl"].item() == 0 and torch.equal(t["total"], t["recon"])


def test_reconstruction_losses_match_reference():
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(5, 12, generator=g)
    x = torch.rand(5, 3, 4, generator=g)
    flat = x.reshape(5, -1)
    p = torch.sigmoid(logits)
    bce = reconstruction_per_image(logits, x, "bce")
    assert bce.shape == (5,)
    assert torch.allclose(bce, F.binary_cross_entropy(p, flat, reduction="none").sum(1), rtol=1e-5)
    assert torch.allclose(reconstruction_per_image(logits, x, "mse"), ((p - flat) ** 2).sum(1))
    assert torch.allclose(reconstruction_per_image(logits, x, "l1"), (p - flat).abs().sum(1))
    with pytest.raises(ValueError):
        reconstruction_per_image(logits, x, "huber")


def test_bce_from_logits_is_finite_for_extreme_logits():
    logits = torch.tensor([[1e4, -1e4, 0.0]])
    x = torch.tensor([[0.0, 1.0, 0.5]])
    assert torch.isfinite(reconstruction_per_image(logits, x, "bce")).all()


def test_loss_terms_are_batch_means_of_per_image_sums():
    out = _out(n=6)
    x = torch.rand(6, 16)
    t = loss_terms(out, x, "bce", beta=2.0)
    assert t["recon"].item() == pytest.approx(reconstruction_per_image(out["logits"], x).mean().item(), rel=1e-6)
    assert t["kl"].item() == pytest.approx(kl_per_image(out["mu"], out["logvar"]).mean().item(), rel=1e-6)


def test_log_densities_match_torch_distributions():
    g = torch.Generator().manual_seed(3)
    z = torch.randn(5, 4, generator=g, dtype=torch.float64) * 2
    mu = torch.randn(5, 4, generator=g, dtype=torch.float64)
    logvar = torch.randn(5, 4, generator=g, dtype=torch.float64)
    ref = Normal(mu, torch.exp(0.5 * logvar)).log_prob(z)
    assert torch.allclose(log_normal(z, mu, logvar), ref, rtol=1e-12, atol=1e-12)
    assert torch.allclose(log_standard_normal(z), Normal(0.0, 1.0).log_prob(z), rtol=1e-12, atol=1e-12)
    # broadcasting as the importance sampler uses it: z (K, N, d) against μ (1, N, d)
    zk = torch.randn(3, 5, 4, generator=g, dtype=torch.float64)
    assert torch.allclose(log_normal(zk, mu[None], logvar[None]), Normal(mu, torch.exp(0.5 * logvar)).log_prob(zk))
    # the Bernoulli decoder: binary images against torch's Bernoulli, summed over pixels
    logits = torch.randn(2, 3, 6, generator=g, dtype=torch.float64)  # (K, N, D)
    x = (torch.rand(3, 6, generator=g, dtype=torch.float64) > 0.5).double()
    ref = Independent(Bernoulli(logits=logits), 1).log_prob(x.expand_as(logits))
    assert torch.allclose(log_bernoulli(x, logits), ref, rtol=1e-12)
    # and it is exactly minus the BCE reconstruction term of the loss, for grey levels too
    grey = torch.rand(3, 6, generator=g, dtype=torch.float64)
    assert torch.allclose(log_bernoulli(grey, logits[0]), -reconstruction_per_image(logits[0], grey, "bce"))


def test_reparameterise_against_hand_values():
    """z = μ + exp(½ log σ²) ε: log σ² = log 4 is σ = 2, log σ² = 0 is σ = 1, log σ² = −2 log 2 is σ = ½."""
    mu = torch.tensor([[1.0, -2.0, 0.5]], dtype=torch.float64)
    logvar = torch.tensor([[math.log(4.0), 0.0, -2 * math.log(2.0)]], dtype=torch.float64)
    eps = torch.tensor([[0.5, -1.0, 3.0]], dtype=torch.float64)
    expected = [[1.0 + 2 * 0.5, -2.0 - 1.0, 0.5 + 0.5 * 3.0]]  # [[2, -3, 2]]
    assert torch.allclose(reparameterise(mu, logvar, eps), torch.tensor(expected, dtype=torch.float64), rtol=1e-15)
    # the same numbers with NumPy arrays (the regularity metrics' path), and ε = 0 gives μ exactly
    z = reparameterise(mu.numpy(), logvar.numpy(), eps.numpy())
    assert isinstance(z, np.ndarray)
    np.testing.assert_allclose(z, expected, rtol=1e-15)
    assert torch.equal(reparameterise(mu, logvar, torch.zeros_like(mu)), mu)
    # the gradient path the trick exists for: ∂z/∂μ = 1, ∂z/∂log σ² = ½ σ ε
    mu_l, lv_l = mu.clone().requires_grad_(True), logvar.clone().requires_grad_(True)
    reparameterise(mu_l, lv_l, eps).sum().backward()
    assert torch.equal(mu_l.grad, torch.ones_like(mu))
    assert torch.allclose(lv_l.grad, 0.5 * torch.exp(0.5 * logvar) * eps, rtol=1e-15)
    # broadcasting as the importance sampler and the lecture's Monte Carlo use it: ε (K, N, d), μ (1, N, d)
    epsk = torch.randn(4, 1, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    assert reparameterise(mu[None], logvar[None], epsk).shape == (4, 1, 3)


def test_diagonal_gaussian_log_density_against_torch_scipy_and_the_closed_form():
    """``log_normal`` summed over the last dim is log N(x; μ, diag σ²), whatever the array type."""
    g = torch.Generator().manual_seed(5)
    x = torch.randn(6, 4, generator=g, dtype=torch.float64) * 2
    mu = torch.randn(6, 4, generator=g, dtype=torch.float64)
    logvar = torch.randn(6, 4, generator=g, dtype=torch.float64)
    sigma = torch.exp(0.5 * logvar)
    ours = log_normal(x, mu, logvar).sum(-1)
    assert ours.shape == (6,)
    assert torch.allclose(ours, Normal(mu, sigma).log_prob(x).sum(-1), rtol=1e-12, atol=1e-12)
    # NumPy arrays against scipy
    ref = scipy.stats.norm.logpdf(x.numpy(), mu.numpy(), sigma.numpy()).sum(-1)
    np.testing.assert_allclose(log_normal(x.numpy(), mu.numpy(), logvar.numpy()).sum(-1), ref, rtol=1e-12)
    # plain numbers (the lecture's toy model) against −½ log(2πσ²) − (x − μ)²/(2σ²), written out
    for xi, m, s in [(0.3, 0.0, 0.5), (-1.2, 1.0, 2.0), (1.0, 1.0, 1.0)]:
        closed = -0.5 * math.log(2 * math.pi * s**2) - (xi - m) ** 2 / (2 * s**2)
        assert float(log_normal(xi, m, 2 * math.log(s))) == pytest.approx(closed, rel=1e-14, abs=1e-14)
    assert float(log_normal(0.0, 0.0, 0.0)) == pytest.approx(-0.5 * math.log(2 * math.pi), rel=1e-15)
