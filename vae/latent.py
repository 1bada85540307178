"""Working in latent space: encode a dataset, sample codes, interpolate, traverse dimensions.

All functions take and return NumPy arrays (what the UI and metrics consume) and run the model
under ``torch.inference_mode``. Images come back as (N, H, W) float32 in [0, 1].
"""
from __future__ import annotations

import numpy as np
import torch

from .losses import kl_to_standard_normal, reparameterise
from .models import Autoencoder


def encode(model: Autoencoder, x: torch.Tensor | np.ndarray, batch_size: int = 1000) -> tuple[np.ndarray, np.ndarray | None]:
    """Encoder outputs for every image: μ (N, d) and log σ² (N, d), or (z, None) for the AE."""
    x = torch.as_tensor(x, dtype=torch.float32)
    mus, logvars = [], []
    with torch.inference_mode():
        for i in range(0, len(x), batch_size):
            mu, logvar = model.encode(x[i:i + batch_size].reshape(min(batch_size, len(x) - i), -1))
            mus.append(mu.numpy())
            if logvar is not None:
                logvars.append(logvar.numpy())
    mu = np.concatenate(mus) if mus else np.zeros((0, model.cfg.latent_dim), np.float32)
    return mu, (np.concatenate(logvars) if logvars else None)


def decode(model: Autoencoder, z: np.ndarray, batch_size: int = 2000) -> np.ndarray:
    """Decode codes (N, d) — or one code (d,) — to images (N, H, W) in [0, 1]."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float32))
    h, w = model.cfg.image_shape
    out = []
    with torch.inference_mode():
        for i in range(0, len(z), batch_size):
            out.append(model.decode(torch.from_numpy(z[i:i + batch_size])).numpy())
    return np.concatenate(out).reshape(-1, h, w) if out else np.zeros((0, h, w), np.float32)


def kl_terms(mu: np.ndarray, logvar: np.ndarray) -> np.ndarray:
    """Per-point, per-dimension KL(N(μ_j, σ_j²) ‖ N(0, 1)), shape (N, d), for NumPy callers.

    ``losses.kl_to_standard_normal`` (the one copy of the closed form, Kingma & Welling 2014,
    app. B) on the arrays as given (float32 stays float32, float64 stays float64).
    """
    return kl_to_standard_normal(torch.from_numpy(np.asarray(mu)), torch.from_numpy(np.asarray(logvar))).numpy()


def kl_per_point(mu: np.ndarray, logvar: np.ndarray | None) -> np.ndarray | None:
    """Closed-form KL(N(μ, σ²) ‖ N(0, I)) of each row; None for the AE."""
    if logvar is None:
        return None
    return kl_terms(mu, logvar).sum(axis=1)


def prior_samples(n: int, dim: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
    """n codes from the prior N(0, temperature² I), reproducible under ``seed``."""
    rng = np.random.default_rng(seed)
    return (temperature * rng.standard_normal((n, dim))).astype(np.float32)


def generator_codes(model: Autoencoder, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
    """n codes the model generates from, as its kind declares (``Kind.sample_codes``), shape (n, d).

    The prior N(0, temperature² I) for the AE, the VAE and the β-VAE — the very codes of
    ``prior_samples`` under the same seed —, a fitted N(m, C) for the AE + Gaussian.
    """
    return model.kind.sample_codes(model, n, seed=seed, temperature=temperature)


def aggregate_posterior_samples(mu: np.ndarray, logvar: np.ndarray | None, n: int, seed: int = 0) -> np.ndarray:
    """n codes from the aggregate posterior q(z) = (1/N) Σ_i N(μ_i, σ_i²): pick i, then sample.

    For the AE (no σ) this picks encoded points themselves (a mixture of Diracs).
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(mu), n)
    z = mu[idx].astype(np.float32)
    if logvar is not None:
        z = reparameterise(z, logvar[idx], rng.standard_normal(z.shape).astype(np.float32))
    return z.astype(np.float32)


def lerp(z0: np.ndarray, z1: np.ndarray, steps: int) -> np.ndarray:
    """Straight line from z0 to z1, ``steps`` codes including both ends."""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    return ((1 - t) * z0[None] + t * z1[None]).astype(np.float32)


def slerp(z0: np.ndarray, z1: np.ndarray, steps: int) -> np.ndarray:
    """Spherical interpolation (Shoemake 1985; White 2016 for generative models).

    Follows the great circle between the directions of z0 and z1 while interpolating the norm
    linearly, so intermediate codes keep a typical norm under a Gaussian prior instead of
    passing near the low-density origin. Falls back to ``lerp`` for (anti)parallel codes.
    """
    n0, n1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if n0 < 1e-8 or n1 < 1e-8:
        return lerp(z0, z1, steps)
    u0, u1 = z0 / n0, z1 / n1
    omega = np.arccos(np.clip(np.dot(u0, u1), -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(z0, z1, steps)
    t = np.linspace(0.0, 1.0, steps)[:, None]
    direction = (np.sin((1 - t) * omega) * u0 + np.sin(t * omega) * u1) / np.sin(omega)
    norm = (1 - t) * n0 + t * n1
    return (direction * norm).astype(np.float32)


def traversal_codes(z0: np.ndarray, dims: list[int], values: np.ndarray) -> np.ndarray:
    """Codes for a traversal grid: row r sets dimension ``dims[r]`` of z0 to each value in turn.

    Returns (len(dims) · len(values), d), row-major (the classic β-VAE figure, Higgins et al. 2017).
    """
    z0 = np.asarray(z0, dtype=np.float32)
    out = np.repeat(z0[None], len(dims) * len(values), axis=0)
    for r, dim in enumerate(dims):
        out[r * len(values):(r + 1) * len(values), dim] = values
    return out


def dimension_order(mu: np.ndarray, logvar: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, str]:
    """Latent dimensions sorted by importance, with the figure used and its name.

    VAE kinds: mean KL per dimension over the data (dimensions with KL ≈ 0 are collapsed to the
    prior and unused by the decoder). AE: variance of the codes per dimension.
    """
    if logvar is not None:
        score = kl_terms(mu, logvar).mean(axis=0)
        name = "kl"
    else:
        score = np.var(mu, axis=0)
        name = "variance"
    order = np.argsort(-score, kind="stable")
    return order, score, name


def manifold_grid(model: Autoencoder, x_range: tuple[float, float], y_range: tuple[float, float], n: int,
                  base: np.ndarray | None = None, dims: tuple[int, int] = (0, 1)) -> np.ndarray:
    """Decode an n×n grid of codes over a rectangle of two latent dimensions (Kingma & Welling 2014, fig. 4).

    Row 0 is the top (largest y). Other dimensions are taken from ``base`` (default 0).
    Returns images (n, n, H, W).
    """
    d = model.cfg.latent_dim
    base = np.zeros(d, np.float32) if base is None else np.asarray(base, np.float32)
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)[::-1]
    z = np.repeat(base[None], n * n, axis=0)
    gx, gy = np.meshgrid(xs, ys)
    z[:, dims[0]] = gx.ravel()
    z[:, dims[1]] = gy.ravel()
    h, w = model.cfg.image_shape
    return decode(model, z).reshape(n, n, h, w)
