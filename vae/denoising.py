"""Denoising (lecture §2): noisy copies x̃ = clip(x + ε, 0, 1) with ε ~ N(0, σ² I), and the error ‖H(x̃) − x‖.

``add_noise`` is the one corruption of the project: training and evaluation of a denoising model
(tensors, a ``torch.Generator``) and the Denoise page (NumPy arrays, an int seed) use it.
"""
from __future__ import annotations

import numpy as np
import torch


def pick_indices(n_total: int, n: int, seed: int) -> np.ndarray:
    """``n`` distinct test-image indices, reproducible from ``seed`` (sorted)."""
    n = min(int(n), int(n_total))
    return np.sort(np.random.default_rng(int(seed)).choice(int(n_total), size=n, replace=False))


def add_noise(x: torch.Tensor | np.ndarray, std: float, noise: torch.Generator | int | None = None):
    """Denoising input x̃ = clip(x + std·ε, 0, 1), ε ~ N(0, I) (Vincent et al. 2008).

    ``x`` is a tensor (a tensor comes back; ``std <= 0`` returns ``x`` itself) or a NumPy array (a float32
    array comes back). ``noise`` is a ``torch.Generator`` or an int seed; with a seed, ε depends only on
    the seed and the shape, so moving the Denoise page's slider scales one noise pattern.
    """
    if isinstance(x, np.ndarray):
        return add_noise(torch.from_numpy(np.asarray(x, dtype=np.float32)), std, noise).numpy()
    if std <= 0:
        return x
    gen = torch.Generator(device=x.device).manual_seed(int(noise)) if isinstance(noise, (int, np.integer)) else noise
    eps = torch.randn(x.shape, generator=gen, device=x.device, dtype=x.dtype)
    return (x + std * eps).clamp_(0.0, 1.0)


def per_image_mse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean squared error per image between two stacks (N, H, W) → (N,)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
