"""Loss terms of the AE / VAE / β-VAE objective, kept separate so the app can show each one.

Convention (same as pytorch/examples ``vae/main.py``): every term is **summed over pixels and
latent dimensions, then averaged over the batch** — i.e. a value per image, in nats for BCE.
Total = reconstruction + β · KL (β = 1 for the VAE, Higgins et al. 2017 for β ≠ 1; no KL for the AE).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F


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


def loss_terms(out: dict, target: torch.Tensor, recon: str = "bce", beta: float = 1.0) -> dict[str, torch.Tensor]:
    """The objective's terms as batch means of per-image sums: ``recon``, ``kl``, ``beta_kl``, ``total``.

    ``out`` is the dict returned by ``Autoencoder.forward``. For the AE (``out['logvar'] is None``)
    ``kl`` and ``beta_kl`` are zero tensors and ``total == recon``.
    """
    rec = reconstruction_per_image(out["logits"], target, recon).mean()
    if out["logvar"] is None:
        kl = torch.zeros((), device=rec.device, dtype=rec.dtype)
    else:
        kl = kl_per_image(out["mu"], out["logvar"]).mean()
    beta_kl = beta * kl
    return {"recon": rec, "kl": kl, "beta_kl": beta_kl, "total": rec + beta_kl}
