"""vae.regularity: hand-checkable cases for each metric, then the lecture's facts on the shipped models."""
from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from vae import regularity as R
from vae.checkpoint import PRETRAINED_DIR, load_model
from vae.classifier import DigitClassifier, has_classifier, load_classifier
from vae.data import sprite_factor_grid
from vae.models import build_model
from vae.train import evaluate_terms

from conftest import tiny_config


# --------------------------------------------------------------------------- helpers
def _tiny(kind="vae", seed=0, **kw):
    torch.manual_seed(seed)
    return build_model(tiny_config(kind=kind, **kw)).eval()


def _shipped(name):
    path = PRETRAINED_DIR / name
    if not (path / "model.safetensors").is_file():
        pytest.skip(f"shipped model {name} is missing (run `make pretrained`)")
    return load_model(path)


# --------------------------------------------------------------------------- W2 and holes
def test_w2_of_standard_normal_is_about_zero():
    z = np.random.default_rng(0).standard_normal((20000, 4))
    assert R.gaussian_w2(z) < 0.05


def test_w2_of_shifted_normal_is_shift_norm():
    d = 4
    z = np.random.default_rng(1).standard_normal((20000, d)) + 3.0
    assert R.gaussian_w2(z) == pytest.approx(3 * math.sqrt(d), abs=0.05)


def test_w2_of_scaled_normal():
    # N(0, s² I) to N(0, I): W2² = d (s − 1)²
    z = 2.0 * np.random.default_rng(2).standard_normal((20000, 3))
    assert R.gaussian_w2(z) == pytest.approx(math.sqrt(3), abs=0.05)


def test_posterior_prior_distance_samples_the_posterior():
    n, d = 5000, 3
    mu = np.zeros((n, d))
    assert R.posterior_prior_distance(mu, np.zeros((n, d)), seed=0) < 0.06  # z = ε ~ N(0, I)
    assert R.posterior_prior_distance(mu, None) == pytest.approx(math.sqrt(d), abs=1e-6)  # AE: Dirac at 0
    assert R.posterior_prior_distance(mu, np.zeros((n, d)), seed=3) == R.posterior_prior_distance(mu, np.zeros((n, d)), seed=3)


def test_holes_of_prior_distributed_codes_is_one_minus_quantile():
    mu = np.random.default_rng(0).standard_normal((3000, 2))
    h = R.holes(mu, n=2000, seed=1)
    assert h < 0.1  # calibration: ≈ 1 − 0.95


def test_holes_of_far_codes_is_one():
    mu = np.random.default_rng(0).standard_normal((1000, 2)) * 0.3 + 10.0
    assert R.holes(mu, n=1000, seed=1) > 0.99


def test_holes_with_logvar_uses_posterior_samples():
    # μ shrunk to 0.3·N(0, I) with σ² = 0.91: the samples μ + σε are N(0, I), the μ's alone are not
    rng = np.random.default_rng(0)
    mu = 0.3 * rng.standard_normal((2000, 8))
    logvar = np.full_like(mu, np.log(0.91))
    assert R.holes(mu, seed=1) > 0.9
    assert R.holes(mu, seed=1, logvar=logvar) < 0.15


def test_holes_is_deterministic():
    mu = np.random.default_rng(0).standard_normal((500, 3))
    assert R.holes(mu, seed=5) == R.holes(mu, seed=5)


# --------------------------------------------------------------------------- KL and active units
def test_kl_per_dim_sums_to_the_loss_kl(digits):
    from vae.losses import kl_per_image

    model = _tiny(latent_dim=3)
    x = digits.x_test[:100]
    kl = R.kl_per_dim(model, x)
    assert kl.shape == (3,) and np.all(kl >= 0)
    with torch.no_grad():
        mu, logvar = model.encode(x.reshape(100, -1))
        expected = kl_per_image(mu, logvar).mean().item()
    assert kl.sum() == pytest.approx(expected, rel=1e-4)


def test_active_units_counts_dimensions_with_varying_mean(digits):
    model = _tiny(latent_dim=4)
    with torch.no_grad():
        model.mu_head.weight[2:].zero_()  # μ_2, μ_3 constant: inactive
        model.mu_head.bias[2:].fill_(0.7)
        model.mu_head.weight[:2].mul_(20.0)  # μ_0, μ_1 vary a lot: active
    x = digits.x_test[:200]
    from vae.latent import encode

    var = np.var(encode(model, x)[0], axis=0)
    assert np.all(var[:2] > 0.01) and np.all(var[2:] < 1e-9)
    assert R.active_units(model, x) == 2
    assert R.active_units(model, x, threshold=float(var[:2].max()) + 1) == 0


def test_ae_has_no_kl_nor_active_units(digits):
    ae = _tiny(kind="ae")
    assert R.kl_per_dim(ae, digits.x_test[:10]) is None
    assert R.active_units(ae, digits.x_test[:10]) is None
    assert R.elbo_and_iwae(ae, digits.x_test[:10]) == {"elbo": None, "iwae": None}


# --------------------------------------------------------------------------- disentanglement
def test_mig_is_one_for_a_disentangled_code():
    _, idx = sprite_factor_grid()
    mu = idx + 0.01 * np.random.default_rng(0).standard_normal(idx.shape)
    mu = np.concatenate([mu, np.random.default_rng(1).standard_normal((len(idx), 3))], axis=1)  # + 3 noise dims
    assert R.mig(mu, idx) > 0.95


def test_mig_is_zero_for_an_independent_code():
    _, idx = sprite_factor_grid()
    mu = np.random.default_rng(0).standard_normal((len(idx), 6))
    assert R.mig(mu, idx) < 0.05


def test_mig_is_low_for_an_entangled_code():
    _, idx = sprite_factor_grid()
    from scipy.linalg import hadamard

    mix = hadamard(8)[:, 1:6]  # 8 latents, each = ± every standardised factor with the same weight
    mu = (idx - idx.mean(0)) / idx.std(0) @ mix.T
    assert R.mig(mu, idx) < 0.05


def _factor_dataset():
    _, idx = sprite_factor_grid()
    perm = np.random.default_rng(0).permutation(len(idx))
    tr, te = idx[perm[:5000]], idx[perm[5000:]]
    return SimpleNamespace(x_train=torch.tensor(tr, dtype=torch.float32), x_test=torch.tensor(te, dtype=torch.float32),
                           factors_train=tr, factors_test=te)


def test_beta_vae_score_perfect_and_chance():
    data = _factor_dataset()
    perfect = R.beta_vae_score(lambda x: x.reshape(len(x), -1).numpy(), data, seed=0, n_train=300, n_test=200)
    assert perfect > 0.95
    noise = R.beta_vae_score(lambda x: np.random.default_rng(0).standard_normal((len(x), 5)), data, seed=0,
                             n_train=300, n_test=200)
    assert noise < 0.4  # chance is 0.2


# --------------------------------------------------------------------------- samples, paths, bounds
def test_prior_sample_quality_ranges():
    torch.manual_seed(0)
    clf = DigitClassifier((8, 8)).eval()
    out = R.prior_sample_quality(_tiny(), clf, n=200, seed=0)
    assert 0.1 <= out["prior_confidence"] <= 1.0
    assert 0.0 <= out["prior_class_entropy"] <= math.log2(10) + 1e-9
    assert out == R.prior_sample_quality(_tiny(), clf, n=200, seed=0)


def test_smoothness_is_at_least_one(digits):
    torch.manual_seed(0)
    clf = DigitClassifier((8, 8)).eval()
    out = R.smoothness(_tiny(latent_dim=3), digits.x_test[:100], clf, n_pairs=30, steps=8, seed=0)
    assert out["smoothness"] >= 1.0
    assert 0 < out["midpoint_confidence"] <= 1
    assert R.smoothness(_tiny(), digits.x_test[:50], None, n_pairs=10)["midpoint_confidence"] is None


def test_elbo_iwae_none_for_mse_models(digits):
    assert R.elbo_and_iwae(_tiny(recon="mse"), digits.x_test[:10]) == {"elbo": None, "iwae": None}


def test_iwae_bounds_on_shipped_vae(mnist):
    model = _shipped("mnist-vae-2d")
    x = mnist.x_test[:200]
    k1, k50 = R.elbo_and_iwae(model, x, k=1, seed=0), R.elbo_and_iwae(model, x, k=50, seed=0)
    assert k1["iwae"] == pytest.approx(k1["elbo"], abs=1e-9)  # K = 1: the same number
    assert k50["iwae"] >= k50["elbo"]
    assert k50["iwae"] > k1["iwae"]
    assert R.smoothness(model, x, n_pairs=50)["smoothness"] >= 1.0


def test_full_report_keys_and_json(sprites):
    from conftest import small_dataset
    import dataclasses

    model = _tiny(image_shape=(32, 32), latent_dim=3, dataset="sprites")
    data = dataclasses.replace(small_dataset(sprites, 64, 300), factors_train=sprites.factors_train[:64],
                               factors_test=sprites.factors_test[:300])
    rep = R.full_report(model, data, classifier=DigitClassifier((28, 28)), seed=0)  # wrong shape: ignored
    assert tuple(rep) == R.REPORT_KEYS
    json.dumps(rep)
    assert rep["prior_confidence"] is None and rep["mig"] is not None and rep["beta_vae_score"] is not None
    assert len(rep["kl_per_dim"]) == 3 and rep["elbo"] <= rep["iwae"]
    assert rep == R.full_report(model, data, classifier=None, seed=0)


def test_full_report_ae_on_digits(digits):
    torch.manual_seed(0)
    rep = R.full_report(_tiny(kind="ae"), digits, classifier=DigitClassifier((8, 8)).eval(), seed=0)
    json.dumps(rep)
    assert rep["kl_per_dim"] is None and rep["elbo"] is None and rep["mig"] is None
    assert rep["prior_confidence"] is not None and rep["midpoint_confidence"] is not None


# --------------------------------------------------------------------------- the lecture's facts, shipped models
shipped = pytest.mark.slow


def _classifier():
    if not has_classifier("mnist"):
        pytest.skip("the shipped MNIST classifier is missing (run `make pretrained`)")
    return load_classifier("mnist")


@shipped
@pytest.mark.parametrize("dim", [2, 16])
def test_fact_a_vae_prior_samples_look_more_like_digits(dim):
    clf = _classifier()
    ae = R.prior_sample_quality(_shipped(f"mnist-ae-{dim}d"), clf, n=1000, seed=0)
    vae = R.prior_sample_quality(_shipped(f"mnist-vae-{dim}d"), clf, n=1000, seed=0)
    assert vae["prior_confidence"] > ae["prior_confidence"], (ae, vae)


@shipped
@pytest.mark.parametrize("dim", [2, 16])
def test_fact_b_vae_aggregate_posterior_is_closer_to_the_prior(mnist, dim):
    from vae.latent import encode

    x = mnist.x_test
    w_ae = R.posterior_prior_distance(*encode(_shipped(f"mnist-ae-{dim}d"), x), seed=0)
    w_vae = R.posterior_prior_distance(*encode(_shipped(f"mnist-vae-{dim}d"), x), seed=0)
    assert w_vae < w_ae, (w_vae, w_ae)


BETA_SWEEP = [(0.25, "mnist-betavae0.25-2d"), (0.5, "mnist-betavae0.5-2d"), (1.0, "mnist-vae-2d"),
              (2.0, "mnist-betavae2-2d"), (4.0, "mnist-betavae4-2d"), (8.0, "mnist-betavae8-2d")]


@shipped
def test_fact_c_beta_sweep(mnist):
    rows = []
    for beta, name in BETA_SWEEP:
        model = _shipped(name)
        rows.append((beta, float(R.kl_per_dim(model, mnist.x_test).sum()),
                     evaluate_terms(model, mnist.x_train)["recon"], evaluate_terms(model, mnist.x_test)["recon"]))
    kl = [r[1] for r in rows]
    train_rec = [r[2] for r in rows]
    assert all(a > b for a, b in zip(kl, kl[1:])), rows  # KL decreases as β grows
    assert all(a < b for a, b in zip(train_rec, train_rec[1:])), rows  # reconstruction error grows (train)


VAE_MODELS = ["mnist-vae-2d", "mnist-betavae4-2d", "mnist-vae-16d", "mnist-betavae4-16d", "mnist-dvae-16d",
              *(f"mnist-betavae{b}-2d" for b in ("0.25", "0.5", "2", "8"))]


@shipped
@pytest.mark.parametrize("name", VAE_MODELS)
def test_fact_d_iwae_above_elbo_and_growing_with_k(mnist, name):
    model = _shipped(name)
    x = mnist.x_test[:200]
    bounds = {k: R.elbo_and_iwae(model, x, k=k, seed=0) for k in (1, 5, 50)}
    for b in bounds.values():
        assert b["iwae"] >= b["elbo"]
    assert bounds[1]["iwae"] < bounds[5]["iwae"] < bounds[50]["iwae"], bounds


@shipped
def test_fact_e_beta_vae_is_more_disentangled_on_sprites(sprites):
    """MIG averaged over the 3 shipped training seeds (Locatello et al. 2019: single seeds vary a lot)."""
    from vae.latent import encode

    def mean_mig(name: str) -> float:
        names = [name, f"{name}-s1", f"{name}-s2"]
        return float(np.mean([R.mig(encode(_shipped(n), sprites.x_test)[0], sprites.factors_test) for n in names]))

    vae, bvae = mean_mig("sprites-vae-10d"), mean_mig("sprites-betavae6-10d")
    assert bvae > vae, (bvae, vae)
