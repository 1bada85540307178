"""The numbers the Lecture page shows to prove each idea, computed from the models (no Streamlit).

Each function checks one statement of the course (``shared/LECTURE.md``) on real data, with an independent
second computation where there is one:

* :func:`kl_closed_and_monte_carlo`: the closed-form Gaussian KL (§5) against a Monte Carlo estimate of
  E_q[log q(z|x) − log p(z)] with samples z = μ + σ ⊙ ε;
* :func:`mean_sigma`: how wide one observation's distribution q(z|x) is (§4);
* the lecture's toy model for variational inference (§6): z ~ Bernoulli(p), x|z ~ N(z, σ²), whose evidence,
  posterior, ELBO and KL are all exact (:func:`toy_log_evidence`, :func:`toy_posterior`, :func:`toy_elbo`,
  :func:`toy_kl_to_posterior`), so log p(x) = KL(q ‖ p(z|x)) + ELBO can be checked to the last digit;
* :func:`iwae_curve`: the K-sample importance-weighted bound (Burda, Grosse & Salakhutdinov 2016) for several
  K, the ELBO's gap (§7) as K grows.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from .latent import kl_per_point
from .losses import log_normal, log_standard_normal, reparameterise
from .regularity import elbo_and_iwae


@dataclass(frozen=True)
class KLCheck:
    """Mean KL(q(z|x) ‖ N(0, I)) over images, in nats: closed form, Monte Carlo and the latter's standard error
    (its sampling noise only: the spread of the KL between images is the same in both and cancels)."""

    closed: float
    monte_carlo: float
    standard_error: float
    n_images: int
    n_samples: int


def kl_closed_and_monte_carlo(mu: np.ndarray, logvar: np.ndarray, n_samples: int = 64, seed: int = 0) -> KLCheck:
    """The closed form ½(tr σ² + μᵀμ − d − log det σ²) averaged over the images (``latent.kl_per_point``) and
    its Monte Carlo estimate (1/S) Σ_s [log q(z_s|x) − log p(z_s)], z_s = μ + σ ⊙ ε_s (Kingma & Welling 2014,
    eq. 10), with the standard error of the Monte Carlo mean (from each image's estimate minus its exact value)."""
    mu64 = torch.as_tensor(np.asarray(mu, np.float64))
    lv64 = torch.as_tensor(np.asarray(logvar, np.float64))
    gen = torch.Generator().manual_seed(seed)
    eps = torch.randn((n_samples, *mu64.shape), generator=gen, dtype=torch.float64)
    z = reparameterise(mu64[None], lv64[None], eps)
    per_sample = (log_normal(z, mu64[None], lv64[None]) - log_standard_normal(z)).sum(-1)  # (S, N)
    per_image = per_sample.mean(0).numpy()
    closed = kl_per_point(np.asarray(mu), np.asarray(logvar))
    noise = per_image - closed  # the Monte Carlo error of each image's estimate
    return KLCheck(float(np.mean(closed)), float(per_image.mean()),
                   float(noise.std(ddof=1) / math.sqrt(len(noise))) if len(noise) > 1 else 0.0,
                   int(len(per_image)), int(n_samples))


def mean_sigma(logvar: np.ndarray | None) -> float:
    """Mean posterior standard deviation σ = exp(½ log σ²) over images and dimensions (0 for an AE: no σ)."""
    if logvar is None:
        return 0.0
    return float(np.mean(np.exp(0.5 * np.asarray(logvar, np.float64))))


# ------------------------------------------------------------------------------------------- the toy model (§6)
def _log_gauss(x: float, mean: float, sigma: float) -> float:
    """log N(x; mean, σ²) of one number: ``losses.log_normal`` with log σ² = 2 log σ."""
    return float(log_normal(x, mean, 2.0 * math.log(sigma)))


def _logsumexp(a: float, b: float) -> float:
    m = max(a, b)
    return m + math.log(math.exp(a - m) + math.exp(b - m))


def toy_log_joint(x: float, p: float, sigma: float) -> tuple[float, float]:
    """(log p(x, z=0), log p(x, z=1)) of the lecture's toy model p(z) = Bernoulli(p), p(x|z) = N(z, σ²)."""
    return math.log1p(-p) + _log_gauss(x, 0.0, sigma), math.log(p) + _log_gauss(x, 1.0, sigma)


def toy_log_evidence(x: float, p: float, sigma: float) -> float:
    """log p(x) = log[(1−p) N(x|0, σ²) + p N(x|1, σ²)], exact."""
    return _logsumexp(*toy_log_joint(x, p, sigma))


def toy_posterior(x: float, p: float, sigma: float) -> float:
    """The true posterior p(z=1 | x) (Bayes' rule)."""
    a, b = toy_log_joint(x, p, sigma)
    return 1.0 / (1.0 + math.exp(a - b))


def _q_terms(r: float) -> list[tuple[float, int]]:
    return [(w, z) for w, z in ((1.0 - r, 0), (r, 1)) if w > 0]


def toy_elbo(r: float, x: float, p: float, sigma: float) -> float:
    """ELBO of q(z=1) = r: E_q[log p(x|z)] − KL(q ‖ p(z)), written term by term as in the course (§7)."""
    log_px_z = (_log_gauss(x, 0.0, sigma), _log_gauss(x, 1.0, sigma))
    prior = (1.0 - p, p)
    expected = sum(w * log_px_z[z] for w, z in _q_terms(r))
    kl_prior = sum(w * math.log(w / prior[z]) for w, z in _q_terms(r))
    return expected - kl_prior


def toy_kl_to_posterior(r: float, x: float, p: float, sigma: float) -> float:
    """KL(q ‖ p(z|x)) of q(z=1) = r, computed from the posterior directly (not as log p(x) − ELBO)."""
    post = toy_posterior(x, p, sigma)
    target = (1.0 - post, post)
    return sum(w * math.log(w / target[z]) for w, z in _q_terms(r))


# --------------------------------------------------------------------------------------------- the ELBO gap (§7)
@dataclass(frozen=True)
class BoundPoint:
    """Mean K-sample ELBO and IWAE bound over the images, in nats."""

    k: int
    elbo: float
    iwae: float


def iwae_curve(model, x, ks: Sequence[int] = (1, 2, 5, 10, 50, 200), seed: int = 0) -> list[BoundPoint]:
    """The bounds of ``regularity.elbo_and_iwae`` (the Compare page's ELBO and IWAE) for each K in ``ks``, on the
    images ``x``: the ELBO stays put while the IWAE bound climbs towards log p(x). Empty for models without a
    bound (the AE, non-BCE losses)."""
    points = []
    for k in ks:
        bounds = elbo_and_iwae(model, x, k=int(k), seed=seed)
        if bounds["elbo"] is None:
            return []
        points.append(BoundPoint(int(k), float(bounds["elbo"]), float(bounds["iwae"])))
    return points
