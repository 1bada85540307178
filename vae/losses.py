"""Loss terms of the AE / VAE / β-VAE objective, kept separate so the app can show each one.

Convention (same as pytorch/examples ``vae/main.py``): every term is **summed over pixels and
latent dimensions, then averaged over the batch** — i.e. a value per image, in nats for BCE.
Total = reconstruction + the kind's regulariser, β · KL for the VAE (β = 1) and the β-VAE (Higgins et
al. 2017), nothing for the AE: the KL is computed here once and the kind (``vae.kinds``) weighs it,
as disentanglement_lib's ``BaseVAE`` asks its ``regularizer``.
"""
from __future__ import annotations

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
    (Kingma & Welling 2014, appendix B).
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


def loss_terms(out: dict, target: torch.Tensor, recon: str = "bce", beta: float = 1.0, kind=None) -> dict[str, torch.Tensor]:
    """Batch means of ``per_image_terms``: ``recon``, ``kl``, ``regularizer``, ``total`` (the training loss)."""
    return {k: v.mean() for k, v in per_image_terms(out, target, recon, beta, kind).items()}
