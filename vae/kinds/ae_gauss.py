"""AE + fitted Gaussian: a plain AE whose generator samples a Gaussian fitted to its training codes.

The lecture's "option 1" (sample the aggregate posterior rather than force a prior, §4) in its simplest
smooth form, and the baseline of Ghosh et al. 2020 ("From Variational to Deterministic Autoencoders",
ICLR; ex-post density estimation, their "GMM with one component"): train a deterministic AE, then fit
N(m, C) to the codes E(x) of the training set and generate with z ~ N(m, C). Same network and loss as
the AE (trained with the same seed it has the AE's very weights), so any difference in generated images
comes from where z is drawn: it fixes the AE's arbitrary scale and offset, not its holes.
"""
from __future__ import annotations

import numpy as np
import torch

from .ae import AE

RIDGE = 1e-6  # added to C's diagonal so its Cholesky factor exists for collapsed codes


class FittedGaussianAE(AE):
    """Trained exactly as the AE; keeps ``code_mean`` m and ``code_chol`` L (C = LLᵀ) with its weights."""

    name = "ae-gauss"
    lecture_trio = False
    labels = {
        "short": {"en": "AE + Gaussian", "fr": "AE + gaussienne"},
        "long": {"en": "auto-encoder + a Gaussian fitted to its codes", "fr": "auto-encodeur + une gaussienne ajustée à ses codes"},
        "generator": {"en": "z ~ N(m, C), the mean and covariance of its training codes (no KL)",
                      "fr": "z ~ N(m, C), moyenne et covariance de ses codes d'entraînement (sans KL)"},
    }

    def extra_buffers(self, cfg) -> dict[str, torch.Tensor]:
        """m (d,) and the Cholesky factor L (d, d), saved in ``model.safetensors``; N(0, I) until fitted."""
        return {"code_mean": torch.zeros(cfg.latent_dim), "code_chol": torch.eye(cfg.latent_dim)}

    @torch.no_grad()
    def after_fit(self, model, x_train: torch.Tensor, batch_size: int = 2000) -> None:
        """Fit N(m, C) to the codes of ``x_train``: m the mean, C the sample covariance (ddof = 1) + ridge."""
        was_training = model.training
        model.eval()
        codes = torch.cat([model.encode(x_train[i:i + batch_size])[0] for i in range(0, len(x_train), batch_size)])
        model.train(was_training)
        codes = codes.double()
        mean = codes.mean(0)
        centred = codes - mean
        cov = centred.T @ centred / max(len(codes) - 1, 1) + RIDGE * torch.eye(codes.shape[1], dtype=codes.dtype)
        model.code_mean.copy_(mean.to(model.code_mean))
        model.code_chol.copy_(torch.linalg.cholesky(cov).to(model.code_chol))

    def sample_codes(self, model, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
        """z = m + temperature · L ε, ε ~ N(0, I) drawn as for the prior (same seed, same ε as the other kinds)."""
        eps = super().sample_codes(model, n, seed, temperature)  # temperature · ε
        mean = model.code_mean.detach().cpu().numpy()
        chol = model.code_chol.detach().cpu().numpy()
        return (mean[None] + eps @ chol.T).astype(np.float32)
