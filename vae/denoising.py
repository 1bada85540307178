"""Denoising (lecture §2): noisy copies x̃ = clip(x + ε, 0, 1) with ε ~ N(0, σ² I), and the error ‖H(x̃) − x‖.

NumPy in, NumPy out; the Denoise page feeds x̃ to a denoising AE, a plain AE and a denoising VAE.
"""
from __future__ import annotations

import numpy as np


def pick_indices(n_total: int, n: int, seed: int) -> np.ndarray:
    """``n`` distinct test-image indices, reproducible from ``seed`` (sorted)."""
    n = min(int(n), int(n_total))
    return np.sort(np.random.default_rng(int(seed)).choice(int(n_total), size=n, replace=False))


def add_noise(x: np.ndarray, std: float, seed: int) -> np.ndarray:
    """x̃ = clip(x + std·ε, 0, 1), ε ~ N(0, I) drawn from ``seed``: the same ε for every std,
    so moving the noise slider scales one noise pattern instead of drawing a new one."""
    x = np.asarray(x, dtype=np.float32)
    eps = np.random.default_rng(int(seed) + 7919).standard_normal(x.shape).astype(np.float32)
    return np.clip(x + float(std) * eps, 0.0, 1.0)


def per_image_mse(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Mean squared error per image between two stacks (N, H, W) → (N,)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return ((a - b) ** 2).reshape(len(a), -1).mean(axis=1)
