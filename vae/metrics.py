"""Evaluation of a model on its test split: the loss terms the CLI and app report.

``recon`` is the mean per-image reconstruction loss (summed over pixels, the training loss),
``mse`` the mean per-pixel squared error of the decoded mean (comparable across losses and kinds),
``kl`` the mean closed-form KL(q(z|x) ‖ N(0, I)) per image (None for the AE), ``loss`` = recon + the
kind's regulariser (β·KL for the VAE and β-VAE).
"""
from __future__ import annotations

import torch

from .data import Dataset
from .models import Autoencoder
from .denoising import add_noise
from .train import evaluate_terms, EVAL_SEED


@torch.no_grad()
def reconstruction_mse(model: Autoencoder, x: torch.Tensor, batch_size: int = 1000) -> float:
    """Mean per-pixel squared error between x and the decoding of its mean code (z = μ).

    A denoising model's input noise is drawn for all of ``x`` at once (seeded), so ``batch_size`` changes nothing.
    """
    gen = torch.Generator().manual_seed(EVAL_SEED)
    x = x.reshape(len(x), -1)
    inputs = add_noise(x, model.cfg.noise, gen)
    total = 0.0
    for i in range(0, len(x), batch_size):
        out = model(inputs[i:i + batch_size], sample=False)
        total += (torch.sigmoid(out["logits"]) - x[i:i + batch_size]).pow(2).double().sum().item()
    return total / max(x.numel(), 1)


def evaluate_model(model: Autoencoder, data: Dataset) -> dict:
    """Core metrics of ``model`` on ``data``'s test split (deterministic: fixed evaluation noise)."""
    model.eval()
    cfg = model.cfg
    terms = evaluate_terms(model, data.x_test)
    return {
        "kind": cfg.kind,
        "beta": cfg.beta if model.kind.beta.weighs_kl else None,
        "latent_dim": cfg.latent_dim,
        "dataset": cfg.dataset,
        "arch": cfg.arch,
        "noise": cfg.noise,
        "recon_loss": cfg.recon,
        "recon": terms["recon"],
        "kl": terms["kl"],
        "loss": terms["total"],
        "mse": reconstruction_mse(model, data.x_test),
        "n_test": len(data.x_test),
    }
