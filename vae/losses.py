"""Loss terms of the AE / VAE / β-VAE objective, kept separate so the app can show each one.

Convention (same as pytorch/examples ``vae/main.py``): every term is **summed over pixels and
latent dimensions, then averaged over the batch** — i.e. a value per image, in nats for BCE.
Total = reconstruction + the kind's regulariser, β · KL for the VAE (β = 1) and the β-VAE (Higgins et
al. 2017), nothing for the AE: the KL is computed here once and the kind (``vae.kinds``) weighs it,
as disentanglement_lib's ``BaseVAE`` asks its ``regularizer``.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from .kinds import Kind

_DEFAULT_KIND = Kind()  # β·KL

def reconstruction_per_image(logits: torch.Tensor, target: torch.Tensor, kind: str = "bce") -> torch.Tensor:
    """Reconstruction loss of each image, shape (N,), summed over pixels.

    ``bce``: binary cross-entropy of sigmoid(logits) against target in [0, 1] (computed from
    logits for stability); ``mse``: squared error; ``l1``: absolute error (both on sigmoid(logits)).
    """
    target = target.reshape(target.shape[0], -1)
    if kind == "bce":
        per_pixel = F.binary_cross_entropy_with_logits(logits, target, reduction="none")
    elif kind == "mse":
        per_pixel = (torch.sigmoid(logits) - target) ** 2
    elif kind == "l1":
        per_pixel = (torch.sigmoid(logits) - target).abs()
    else:
        raise ValueError(f"unknown reconstruction loss {kind!r}")
    return per_pixel.sum(dim=1)


def kl_to_standard_normal(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Per-dimension KL(N(μ, σ²) ‖ N(0, 1)) = ½(σ² + μ² − 1 − log σ²), shape (N, d).

    Summed over d this is the closed form ½(tr σ² + μᵀμ − d − log det σ²)
    (Kingma & Welling 2014, appendix B). The project's only copy of the formula: NumPy callers
    (``latent.kl_terms``) convert, the "How a VAE trains" page passes log σ² = 2 log σ.
    """
    return 0.5 * (logvar.exp() + mu.pow(2) - 1.0 - logvar)


def kl_per_image(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Closed-form KL(q(z|x) ‖ N(0, I)) of each image, shape (N,)."""
    return kl_to_standard_normal(mu, logvar).sum(dim=1)


def per_image_terms(out: dict, target: torch.Tensor, recon: str = "bce", beta: float = 1.0, kind=None) -> dict[str, torch.Tensor]:
    """The objective's terms of each image, shape (N,): ``recon``, ``kl``, ``regularizer``, ``total``.

    ``out`` is the dict returned by ``Autoencoder.forward``; ``kind`` a ``vae.kinds.Kind`` (default:
    the VAE's β·KL). The KL is the closed form, zeros when there is no q(z|x) (``out['logvar']`` is
    None, the AE); the kind turns it into its regulariser; total = recon + regulariser.
    """
    rec = reconstruction_per_image(out["logits"], target, recon)
    kl = torch.zeros_like(rec) if out["logvar"] is None else kl_per_image(out["mu"], out["logvar"])
    reg = (kind or _DEFAULT_KIND).regularizer(kl, beta, out)
    return {"recon": rec, "kl": kl, "regularizer": reg, "total": rec + reg}


LOG_2PI = math.log(2.0 * math.pi)


def _exp(x):
    """exp of a tensor with torch, of anything else (array, number) with NumPy: the formulas below serve both."""
    return torch.exp(x) if isinstance(x, torch.Tensor) else np.exp(x)


def reparameterise(mu, logvar, eps):
    """The reparameterised sample z = μ + σ ⊙ ε with σ = exp(½ log σ²), broadcast shape.

    Kingma & Welling 2014 ("Auto-Encoding Variational Bayes", §2.4): with the noise ε ~ N(0, I) drawn
    beforehand, a sample of N(μ, diag σ²) is a differentiable function of μ and log σ², so gradients reach
    the encoder. The project's only copy of the formula: the model's forward pass, the lecture's checks, the
    regularity metrics and the aggregate-posterior samples call it, with torch tensors (the gradient path)
    or NumPy arrays (``eps`` of the caller's generator; same dtype rules as ``mu + np.exp(…) * eps``).
    """
    return mu + _exp(0.5 * logvar) * eps


def log_normal(z, mu, logvar):
    """log N(z; μ, σ²) of each coordinate, −½(log 2π + log σ² + (z − μ)²/σ²), broadcast shape.

    With μ = 0 and log σ² = 0 it is the prior's log p(z); with the encoder's (μ, log σ²), log q(z|x).
    Sum over the last axis for a diagonal Gaussian N(μ, diag σ²) (Kingma & Welling 2014, eq. 10). The
    project's only Gaussian log-density: torch tensors, NumPy arrays and plain numbers (the lecture's toy
    model, with log σ² = 2 log σ) all go through it.
    """
    return -0.5 * (LOG_2PI + logvar + (z - mu) ** 2 * _exp(-logvar))


def log_standard_normal(z: torch.Tensor) -> torch.Tensor:
    """log N(z; 0, 1) of each coordinate, −½(log 2π + z²): the prior p(z) = N(0, I) per dimension."""
    return -0.5 * (LOG_2PI + z.pow(2))


def log_bernoulli(x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
    """log p(x|z) of the Bernoulli decoder for each image, summed over pixels: −BCE(logits, x).

    The negative of ``reconstruction_per_image(logits, x, 'bce')``: the ELBO's reconstruction term
    for grey levels in [0, 1] (an unnormalised likelihood when x is not binary). ``logits`` may carry
    leading sample axes (K, N, D) against x (N, D).
    """
    x = x.reshape(x.shape[0], -1)
    return -F.binary_cross_entropy_with_logits(logits, x.expand_as(logits), reduction="none").sum(-1)


def loss_terms(out: dict, target: torch.Tensor, recon: str = "bce", beta: float = 1.0, kind=None) -> dict[str, torch.Tensor]:
    """Batch means of ``per_image_terms``: ``recon``, ``kl``, ``regularizer``, ``total`` (the training loss)."""
    return {k: v.mean() for k, v in per_image_terms(out, target, recon, beta, kind).items()}
