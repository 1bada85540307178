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
from vae.classifier import DigitClassifier, load_classifier
from vae.data import sprite_factor_grid
from vae.models import build_model

from conftest import require_shipped, tiny_config


# --------------------------------------------------------------------------- helpers
def _tiny(kind="vae", seed=0, **kw):
    torch.manual_seed(seed)
    return build_model(tiny_config(kind=kind, **kw)).eval()


def _shipped(name):
    require_shipped(name)  # skipped locally when missing, a failure under CI
    return load_model(PRETRAINED_DIR / name)


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


# --------------------------------------------------------------------------- coverage in both directions (k-NN P&R)
def test_precision_recall_of_identical_sets_is_perfect_and_of_disjoint_sets_zero():
    a = np.random.default_rng(0).standard_normal((500, 3))
    assert R.knn_precision_recall(a, a) == (1.0, 1.0)  # every point lies in its own ball
    assert R.knn_precision_recall(a, a + 100.0) == (0.0, 0.0)  # farther apart than every radius


@pytest.mark.parametrize("dim, low, high", [(2, 0.95, 0.99), (16, 0.72, 0.85)])
def test_precision_recall_of_two_samples_of_one_gaussian_is_the_documented_floor(dim, low, high):
    """Two independent sets of 1,000 N(0, I) points: just under 1 in 2-D, about 0.79 in 16-D (k = 3)."""
    a = np.random.default_rng(0).standard_normal((1000, dim))
    b = np.random.default_rng(1).standard_normal((1000, dim))
    p, r = R.knn_precision_recall(a, b)
    assert low < p < high and low < r < high, (p, r)


def test_precision_recall_of_nested_squares_is_the_area_ratio():
    """Generated uniform on [0, 1]², real uniform on [0, 2]²: every generated point lies in the real support
    (precision → 1), a quarter of the real points lie in the generated one (recall → 1/4)."""
    real = np.random.default_rng(0).uniform(0, 2, (2000, 2))
    gen = np.random.default_rng(1).uniform(0, 1, (2000, 2))
    p, r = R.knn_precision_recall(real, gen)
    assert p > 0.95 and r == pytest.approx(0.25, abs=0.03), (p, r)
    assert R.knn_precision_recall(gen, real) == pytest.approx((r, p), abs=1e-12)  # swapping the sets swaps them


def test_coverage_catches_both_failures_that_holes_sees_only_one_of():
    prior = np.random.default_rng(1).standard_normal((1000, 2))
    spread = 25.0 * np.random.default_rng(0).standard_normal((1000, 2))  # codes far beyond N(0, I): the 2-D AE
    narrow = 0.05 * np.random.default_rng(0).standard_normal((1000, 2))  # codes in a corner of N(0, I)
    same = np.random.default_rng(0).standard_normal((1000, 2))
    wide, tight, good = (R.coverage(c, prior) for c in (spread, narrow, same))
    # spread codes: the prior lands on codes (precision high, and holes sees nothing) but reaches few codes
    assert wide["prior_precision"] > 0.9 and wide["prior_recall"] < 0.05, wide
    assert R.holes(spread, samples=prior) < 0.05
    # narrow codes: the prior mostly samples where no code is, and reaches every code
    assert tight["prior_precision"] < 0.1 and tight["prior_recall"] > 0.95, tight
    assert good["coverage"] > 0.95
    for c in (wide, tight):  # the harmonic mean is low when either direction fails
        p, r = c["prior_precision"], c["prior_recall"]
        assert c["coverage"] == pytest.approx(2 * p * r / (p + r)) and c["coverage"] < 0.2


def test_coverage_of_a_vae_uses_posterior_samples():
    rng = np.random.default_rng(0)
    mu = 0.3 * rng.standard_normal((1000, 8))  # μ + σε ~ N(0, I) with σ² = 0.91; μ alone is too narrow
    logvar = np.full_like(mu, np.log(0.91))
    prior = np.random.default_rng(1).standard_normal((1000, 8))
    with_sigma, means_only = R.coverage(mu, prior, logvar=logvar), R.coverage(mu, prior)
    assert with_sigma["coverage"] > means_only["coverage"] + 0.3, (with_sigma, means_only)
    assert R.coverage(mu, prior, logvar=logvar, seed=4) == R.coverage(mu, prior, logvar=logvar, seed=4)
    with pytest.raises(ValueError, match="more than k"):
        R.knn_precision_recall(mu[:3], prior)


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
class _RowClassifier(torch.nn.Module):
    """A stand-in classifier with hand-computable outputs: row i of a batch gets logits 5·onehot(i mod classes)."""

    def __init__(self, classes: int):
        super().__init__()
        self.classes = classes

    def forward(self, x):
        return 5.0 * torch.nn.functional.one_hot(torch.arange(len(x)) % self.classes, 10).float()


def test_prior_sample_quality_is_the_mean_top_probability_and_the_class_entropy():
    # every sample: softmax(5·e_c) has top probability e⁵ / (e⁵ + 9)
    top = math.exp(5) / (math.exp(5) + 9)
    one = R.prior_sample_quality(_tiny(), _RowClassifier(1), n=200, seed=0)
    assert one["prior_confidence"] == pytest.approx(top, rel=1e-6)
    assert one["prior_class_entropy"] == pytest.approx(0.0, abs=1e-12)  # every sample is the same digit
    four = R.prior_sample_quality(_tiny(), _RowClassifier(4), n=200, seed=0)
    assert four["prior_class_entropy"] == pytest.approx(2.0, rel=1e-9)  # 4 equally frequent classes: log2 4 bits
    ten = R.prior_sample_quality(_tiny(), _RowClassifier(10), n=200, seed=0)
    assert ten["prior_class_entropy"] == pytest.approx(math.log2(10), rel=1e-9)
    torch.manual_seed(0)
    clf = DigitClassifier((8, 8)).eval()
    assert R.prior_sample_quality(_tiny(), clf, n=200, seed=0) == R.prior_sample_quality(_tiny(), clf, n=200, seed=0)


class _TentDecoder(torch.nn.Module):
    """1-D code z ∈ [0, 1] → 2 pixels (0.1 + 0.8 z, 0.1 + 0.8 (1 − |2z − 1|)), as logits: a path that goes up and back."""

    def forward(self, z):
        z = z[:, :1]
        return torch.logit(torch.cat([0.1 + 0.8 * z, 0.1 + 0.8 * (1 - (2 * z - 1).abs())], dim=1))


class _RampDecoder(torch.nn.Module):
    """1-D code → 2 pixels that both move monotonically with z: a straight decoded path."""

    def forward(self, z):
        return torch.cat([2 * z[:, :1], 2 * z[:, :1]], dim=1)


def test_smoothness_is_one_for_a_straight_path_and_the_detour_ratio_otherwise(monkeypatch):
    codes = np.array([[0.0], [1.0], [0.0], [1.0]], dtype=np.float32)
    monkeypatch.setattr(R, "_encode", lambda model, x: (codes[:len(x)], None))  # the codes the pairs are drawn from
    model = _tiny(kind="ae", latent_dim=1, image_shape=(1, 2))
    model.decoder = _RampDecoder()
    assert R.smoothness(model, torch.zeros(4, 2), n_pairs=20, steps=10, seed=0)["smoothness"] == pytest.approx(1.0, abs=1e-5)
    # the tent: 10 steps of (0.08, ±0.16) = 0.8·√5 of path for a straight distance of 0.8 (pixel 2 comes back)
    model.decoder = _TentDecoder()
    out = R.smoothness(model, torch.zeros(4, 2), n_pairs=20, steps=10, seed=0)
    assert out["smoothness"] == pytest.approx(math.sqrt(5), rel=1e-4)
    assert out["midpoint_confidence"] is None


def test_smoothness_midpoint_confidence_uses_the_classifier(digits):
    out = R.smoothness(_tiny(latent_dim=3), digits.x_test[:100], _RowClassifier(1), n_pairs=30)
    assert out["midpoint_confidence"] == pytest.approx(math.exp(5) / (math.exp(5) + 9), rel=1e-6)


def test_elbo_estimate_is_minus_recon_minus_kl(digits):
    """ELBO = E_q[log p(x|z)] − KL(q‖p): the K-sample estimate against the loss's own terms,
    −(mean reconstruction over K fresh samples + closed-form KL), within Monte Carlo error."""
    from vae.losses import kl_per_image, reconstruction_per_image

    model = _tiny(latent_dim=3)
    x = digits.x_test[:6].reshape(6, -1)
    k = 4000
    elbo = R.elbo_and_iwae(model, x, k=k, seed=0)["elbo"]
    with torch.no_grad():
        mu, logvar = model.encode(x)
        g = torch.Generator().manual_seed(1)
        recon = torch.stack([reconstruction_per_image(model(x, generator=g)["logits"], x) for _ in range(k)])
        expected = -(recon.mean(0) + kl_per_image(mu, logvar)).mean().item()
        mc_error = recon.mean(1).std().item() / math.sqrt(k)
    assert elbo == pytest.approx(expected, abs=max(6 * mc_error, 0.02))
    assert mc_error < 0.02  # the tolerance is tight enough to see a missing log p(z) or log q(z|x) term


def test_iwae_converges_to_the_exact_log_likelihood_of_a_linear_gaussian_model():
    """p(z) = N(0, I), p(x|z) = N(Wz + b, s²I) ⇒ p(x) = N(b, WWᵀ + s²I): log p(x) is known exactly.

    With q = the exact posterior every importance weight equals p(x): ELBO = IWAE = log p(x). With q = the
    prior, the ELBO is E_p(z)[log p(x|z)] (closed form) and the IWAE bound climbs to log p(x) as K grows."""
    from torch.distributions import MultivariateNormal

    g = torch.Generator().manual_seed(0)
    d, n_pix, n, s2 = 2, 5, 4, 0.5
    w = torch.randn(n_pix, d, generator=g, dtype=torch.float64)
    b = torch.randn(n_pix, generator=g, dtype=torch.float64)
    x = torch.randn(n, n_pix, generator=g, dtype=torch.float64) * 2
    cov = w @ w.T + s2 * torch.eye(n_pix, dtype=torch.float64)
    log_px = MultivariateNormal(b, cov).log_prob(x)  # (N,)

    def log_likelihood(z):  # z (K, N, d) → log N(x; Wz + b, s² I), (K, N)
        mean = z @ w.T + b
        return torch.distributions.Normal(mean, math.sqrt(s2)).log_prob(x.expand_as(mean)).sum(-1)

    # exact posterior: Σ = (I + WᵀW/s²)⁻¹, m = Σ Wᵀ(x − b)/s²
    post_cov = torch.linalg.inv(torch.eye(d, dtype=torch.float64) + w.T @ w / s2)
    post_mu = (x - b) @ w @ post_cov / s2
    # q(z|x) is a diagonal Gaussian and this posterior is not: rotate the code (z' = Vᵀz, an orthogonal
    # change of variables leaves p(z) = N(0, I) and p(x) unchanged) so its covariance is diag(evals)
    evals, evecs = torch.linalg.eigh(post_cov)
    w_rot, mu_rot = w @ evecs, post_mu @ evecs

    def log_likelihood_rot(z):
        mean = z @ w_rot.T + b
        return torch.distributions.Normal(mean, math.sqrt(s2)).log_prob(x.expand_as(mean)).sum(-1)

    logvar_rot = torch.log(evals).expand(n, d)
    elbo, iwae = R.importance_bounds(log_likelihood_rot, mu_rot, logvar_rot, 7, torch.Generator().manual_seed(1))
    assert torch.allclose(elbo, log_px, atol=1e-9) and torch.allclose(iwae, log_px, atol=1e-9)

    # q = the prior: a poor proposal; the ELBO is E_p(z)[log p(x|z)] exactly in expectation, IWAE_K → log p(x)
    zeros = torch.zeros(n, d, dtype=torch.float64)
    exact_elbo = (-0.5 * n_pix * math.log(2 * math.pi * s2)
                  - (((x - b) ** 2).sum(1) + (w ** 2).sum()) / (2 * s2))
    elbo, _ = R.importance_bounds(log_likelihood, zeros, zeros, 20000, torch.Generator().manual_seed(2))
    assert torch.allclose(elbo, exact_elbo, rtol=0.02)
    assert (elbo < log_px - 5).all()  # a real gap: KL(prior ‖ posterior), 10 to 24 nats here
    _, iwae_20 = R.importance_bounds(log_likelihood, zeros, zeros, 20, torch.Generator().manual_seed(3))
    _, iwae_200k = R.importance_bounds(log_likelihood, zeros, zeros, 200_000, torch.Generator().manual_seed(3))
    assert (log_px - iwae_20).mean() > 0.2  # K = 20 is still well below log p(x) …
    assert torch.allclose(iwae_200k, log_px, atol=0.05), (iwae_200k, log_px)  # … K = 200,000 reaches it


def test_elbo_iwae_none_for_mse_models(digits):
    assert R.elbo_and_iwae(_tiny(recon="mse"), digits.x_test[:10]) == {"elbo": None, "iwae": None}


def test_iwae_bounds_on_shipped_vae(mnist):
    model = _shipped("mnist-vae-2d")
    x = mnist.x_test[:200]
    k1, k50 = R.elbo_and_iwae(model, x, k=1, seed=0), R.elbo_and_iwae(model, x, k=50, seed=0)
    assert k1["iwae"] == pytest.approx(k1["elbo"], abs=1e-9)  # K = 1: the same number
    assert k50["iwae"] >= k50["elbo"]
    assert k50["iwae"] > k1["iwae"]


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
    require_shipped("_classifiers/mnist")
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


def _trio(dim: int) -> dict[str, str]:
    return {"ae": f"mnist-ae-{dim}d", "vae": f"mnist-vae-{dim}d", "beta-vae": f"mnist-betavae4-{dim}d"}


@shipped
@pytest.mark.parametrize("dim", [2, 16])
def test_fact_coverage_the_ae_is_worst_in_both_directions(mnist, dim):
    """Coverage (k-NN precision and recall, Kynkäänniemi et al. 2019) computed from the weights: the AE's is the
    lowest at both latent sizes, and the direction that fails is recall (codes the prior never reaches)."""
    from vae.latent import encode, generator_codes

    cov = {}
    for kind, name in _trio(dim).items():
        model = _shipped(name)
        mu, logvar = encode(model, mnist.x_test[:1000])
        cov[kind] = R.coverage(mu, generator_codes(model, 1000, seed=0), logvar=logvar, seed=0)
    assert cov["ae"]["coverage"] < min(cov["vae"]["coverage"], cov["beta-vae"]["coverage"]), cov
    assert cov["ae"]["prior_recall"] < 0.5 * min(cov["vae"]["prior_recall"], cov["beta-vae"]["prior_recall"]), cov


@shipped
@pytest.mark.parametrize("dim", [2, 16])
def test_fact_vae_interpolations_are_smoother(mnist, dim):
    ratio = {k: R.smoothness(_shipped(n), mnist.x_test, seed=0)["smoothness"] for k, n in _trio(dim).items()}
    assert ratio["ae"] > max(ratio["vae"], ratio["beta-vae"]), ratio


def _shipped_reports(names):
    """The shipped models' reports (vae.report: cached by weights digest, computed when stale)."""
    from vae.report import model_report

    return {n: model_report(PRETRAINED_DIR / n) for n in names}


# Claims of Compare's checklist that may fail on the shipped models, each explained on the page when it does
# (vae.ui.compare_render.claim_notes: training vs test reconstruction of the three models). At d = 2 the AE, VAE
# and β-VAE reconstruct the test images within 2 nats of each other and the AE's lead flips with the seed (it
# fails on seed 0, holds on seeds 1 and 2 of the shipped recipe).
CHECKLIST_EXCEPTIONS = {2: {"recon"}, 16: set()}


@shipped
@pytest.mark.parametrize("dim", [2, 16])
def test_fact_compare_checklist_on_the_shipped_models_and_their_seeds(dim):
    """Every claim of Compare's checklist, exactly as the page checks it (vae.ui.compare_view), on the shipped
    models and on the two other training seeds of each (vae.seeds): it holds on every seed, or it is a documented
    exception and the page then says why, with the models' numbers."""
    from vae.ui import compare_view as cv
    from vae.ui.compare_render import claim_notes

    names = _trio(dim)
    require_shipped(*names.values())
    reports = _shipped_reports(names.values())
    trio = [(k, SimpleNamespace(id=n, path=str(PRETRAINED_DIR / n))) for k, n in names.items()]
    claims = cv.claims_over_seeds(cv.seed_reports(trio, reports))
    assert [len(c.per_seed) for c in claims] == [3] * len(cv.LECTURE_CLAIMS), "missing seeds: scripts/train_seeds.py"
    for c in claims:
        if c.metric not in CHECKLIST_EXCEPTIONS[dim]:
            assert c.per_seed == [True, True, True], c
        elif c.per_seed != [True, True, True]:
            notes = claim_notes([c], trio, reports, dim)
            assert len(notes) == 1 and "AE" in notes[0] and "→" in notes[0], notes


def _sweep(dim: int) -> list:
    return [SimpleNamespace(id=n, path=str(PRETRAINED_DIR / n), beta=b) for b, n in (
        (0.25, f"mnist-betavae0.25-{dim}d"), (0.5, f"mnist-betavae0.5-{dim}d"), (1.0, f"mnist-vae-{dim}d"),
        (2.0, f"mnist-betavae2-{dim}d"), (4.0, f"mnist-betavae4-{dim}d"), (8.0, f"mnist-betavae8-{dim}d"))]


@shipped
def test_fact_c_beta_sweep_16d_every_trend_on_every_seed():
    """The β slide along the 16-D sweep, as Compare checks it: KL falls, reconstruction loss and MSE grow, at every
    step, on the shipped models and on both other seeds."""
    from vae.ui import compare_view as cv

    models = _sweep(16)
    require_shipped(*(m.id for m in models))
    for c in cv.sweep_claims(models, _shipped_reports(m.id for m in models)):
        assert c.monotone == [True, True, True], c


@shipped
def test_fact_c_beta_sweep_2d_kl_on_every_seed_reconstruction_as_the_page_says():
    """At d = 2 the KL falls at every step on every seed. The reconstruction trend is positive but not monotone
    (steps of 1-2 nats against a seed spread of ±2): where it fails the page must say so (a red mark, the gap and
    the spread over seeds) rather than claim it; β = 8 is the worst reconstruction on every seed."""
    from vae.ui import compare_view as cv
    from vae.ui.compare_render import claim_lines, sweep_notes

    models = _sweep(2)
    require_shipped(*(m.id for m in models))
    reports = _shipped_reports(m.id for m in models)
    claims = {c.metric: c for c in cv.sweep_claims(models, reports)}
    assert claims["kl"].monotone == [True, True, True]
    assert min(claims["recon"].rho) > 0 and np.mean(claims["recon"].rho) > 0.5, claims["recon"]
    for metric in ("recon", "mse"):
        runs = [[r[metric] for r in cv.reports_over_seeds(m.path, reports[m.id])] for m in models]
        assert all(max(run[s] for run in runs[:-1]) < runs[-1][s] for s in range(3)), (metric, runs)
    for c in claims.values():  # what the page shows is the verdict: a red mark and the reasons when it fails
        line = claim_lines([c])[0]
        assert (":green[" in line) == bool(c.holds) and (":red[" in line) == (c.holds is False), line
    if not (claims["recon"].holds and all(claims["recon"].monotone)):
        notes = sweep_notes(list(claims.values()), models, reports, 2)
        assert any("gap" in n for n in notes) and any("seeds" in n for n in notes), notes


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
