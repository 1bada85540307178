"""The six training steps of a VAE on one image, and why the reparameterisation trick is needed.

Lecture §8: (1) batch, (2) encoder → μ, σ, (3) sample z ~ N(μ, σ²), (4) decoder → x̂, (5) loss,
(6) gradient. Step 3 written as ``z = μ + σ ⊙ ε`` with ε ~ N(0, I) drawn beforehand is a
differentiable function of μ and σ, so ∂L/∂μ and ∂L/∂σ exist (Kingma & Welling 2014;
Rezende et al. 2014). Drawing z directly from N(μ, σ²) cuts the path: with
``torch.distributions.Normal(μ, σ).sample()`` z has no graph at all (``requires_grad`` is False,
the gradient of the reconstruction is None); ``torch.normal(μ, σ)`` keeps a graph node whose
gradient PyTorch defines as zero. Everything here is *computed*, never asserted.

No Streamlit here: the "How a VAE trains" page and the tests call these functions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.distributions import Normal

from .losses import kl_per_image, reconstruction_per_image, reparameterise
from .models import Autoencoder

SAMPLERS = ("reparam", "normal", "sample")


def draw_eps(dim: int, seed: int) -> np.ndarray:
    """ε ~ N(0, I) of dimension ``dim``, reproducible from ``seed``."""
    return np.random.default_rng(int(seed)).standard_normal(dim).astype(np.float32)


@dataclass
class Steps:
    """What each step produces for one image (NumPy, float32)."""

    x: np.ndarray            # (H, W) the input
    mu: np.ndarray           # (d,)
    sigma: np.ndarray        # (d,)
    eps: np.ndarray          # (d,)
    z: np.ndarray            # (d,) = μ + σ ⊙ ε
    x_hat: np.ndarray        # (H, W) decoding of z, in [0, 1]
    recon: float             # reconstruction loss of this image (summed over pixels)
    kl: float                # closed-form KL(N(μ, σ²) ‖ N(0, I))
    beta: float
    beta_kl: float           # the kind's regulariser (β·KL for the VAE and the β-VAE)
    total: float             # recon + regulariser


def _as_batch(model: Autoencoder, x) -> torch.Tensor:
    x = torch.as_tensor(np.asarray(x), dtype=torch.float32)
    return x.reshape(1, model.cfg.input_dim)


def _kl(mu: torch.Tensor, sigma: torch.Tensor) -> torch.Tensor:
    """½ Σ (σ² + μ² − 1 − log σ²), the closed form of ``losses``, with log σ² = 2 log σ so ∂KL/∂σ exists."""
    return kl_per_image(mu, 2.0 * torch.log(sigma)).sum()


def _regularizer(model: Autoencoder, kl: torch.Tensor, out: dict) -> torch.Tensor:
    """The model's kind's regulariser of one image (β·KL for the VAE and β-VAE), as in the training loss."""
    return model.kind.regularizer(kl.reshape(1), float(model.cfg.beta), out).sum()


def forward_steps(model: Autoencoder, x, eps: np.ndarray) -> Steps:
    """Steps 1–5 on one image ``x`` (H, W) with a given ε; the model must be variational."""
    if not model.variational:
        raise ValueError("the AE has no sampling step: use a VAE or β-VAE")
    xb = _as_batch(model, x)
    with torch.no_grad():
        mu, logvar = model.encode(xb)
        sigma = torch.exp(0.5 * logvar)
        e = torch.as_tensor(eps, dtype=torch.float32).reshape(1, -1)
        z = reparameterise(mu, logvar, e)
        logits = model.decode_logits(z)
        recon = reconstruction_per_image(logits, xb, model.cfg.recon).sum().item()
        kl_t = _kl(mu, sigma)
        beta = float(model.cfg.beta)
        reg = _regularizer(model, kl_t, {"mu": mu, "logvar": logvar, "z": z, "logits": logits}).item()
    h, w = model.cfg.image_shape
    return Steps(x=xb.reshape(h, w).numpy(), mu=mu[0].numpy(), sigma=sigma[0].numpy(), eps=e[0].numpy(),
                 z=z[0].numpy(), x_hat=torch.sigmoid(logits).reshape(h, w).numpy(),
                 recon=recon, kl=kl_t.item(), beta=beta, beta_kl=reg, total=recon + reg)


@dataclass
class Gradients:
    """Gradients w.r.t. μ and σ for one way of drawing z (None where no gradient reaches them)."""

    sampler: str                     # "reparam", "normal" or "sample"
    z: np.ndarray
    z_requires_grad: bool
    recon_mu: np.ndarray | None      # ∂ reconstruction / ∂μ — the signal that trains the encoder
    recon_sigma: np.ndarray | None
    total_mu: np.ndarray | None      # ∂ (reconstruction + β·KL) / ∂μ
    total_sigma: np.ndarray | None

    @staticmethod
    def norm(g: np.ndarray | None) -> float | None:
        return None if g is None else float(np.linalg.norm(g))


def gradients(model: Autoencoder, x, eps: np.ndarray, sampler: str = "reparam", seed: int = 0) -> Gradients:
    """Backpropagate the loss of one image to μ and σ (treated as leaves) for one sampler.

    ``reparam``: z = μ + σ ⊙ ε with the given ε. ``normal``: z = torch.normal(μ, σ).
    ``sample``: z = Normal(μ, σ).sample(). The last two draw their own noise from ``seed``.
    The encoder's weights are not needed: μ and σ stand for its outputs (the chain rule
    continues from them into the encoder exactly when these gradients exist).
    """
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    if not model.variational:
        raise ValueError("the AE has no sampling step: use a VAE or β-VAE")
    xb = _as_batch(model, x)
    with torch.enable_grad():
        with torch.no_grad():
            mu0, logvar0 = model.encode(xb)
        mu = mu0.detach().clone().requires_grad_(True)
        sigma = torch.exp(0.5 * logvar0).detach().clone().requires_grad_(True)
        if sampler == "reparam":
            e = torch.as_tensor(eps, dtype=torch.float32).reshape(1, -1)
            z = mu + sigma * e  # σ is the leaf whose gradient is shown: not reparameterise(μ, log σ², ε)
        elif sampler == "normal":
            torch.manual_seed(int(seed))
            z = torch.normal(mu, sigma)
        else:
            torch.manual_seed(int(seed))
            z = Normal(mu, sigma).sample()
        logits = model.decode_logits(z)
        recon = reconstruction_per_image(logits, xb, model.cfg.recon).sum()
        total = recon + _regularizer(model, _kl(mu, sigma), {"mu": mu, "logvar": 2.0 * torch.log(sigma), "z": z,
                                                            "logits": logits})

        def grads(loss: torch.Tensor) -> tuple[np.ndarray | None, np.ndarray | None]:
            if not loss.requires_grad:
                return None, None
            g = torch.autograd.grad(loss, [mu, sigma], allow_unused=True, retain_graph=True)
            return tuple(None if gi is None else gi[0].detach().numpy().copy() for gi in g)

        r_mu, r_sigma = grads(recon)
        t_mu, t_sigma = grads(total)
    return Gradients(sampler=sampler, z=z.detach()[0].numpy().copy(), z_requires_grad=bool(z.requires_grad),
                     recon_mu=r_mu, recon_sigma=r_sigma, total_mu=t_mu, total_sigma=t_sigma)
