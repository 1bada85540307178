"""Denoising (lecture §2): noisy copies x̃ = clip(x + ε, 0, 1) with ε ~ N(0, σ² I), and the error ‖H(x̃) − x‖.

``add_noise`` is the one corruption of the project: training and evaluation of a denoising model
(tensors, a ``torch.Generator``) and the Denoise page (NumPy arrays, an int seed) use it.
"""
from __future__ import annotations

from dataclasses import dataclass

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


# ---- the Denoise page's line-up and panel (no Streamlit: the page and the tests call these) ---------------------
def _variational(m) -> bool:
    from .kinds import get_kind

    return get_kind(m.kind).variational


def _first(candidates: list):
    """The preferred model among ``candidates``: shipped before user-trained, then by id."""
    return min(candidates, key=lambda m: (m.source != "pretrained", m.id), default=None)


def denoisers(models: list, dataset: str | None, latent_dim: int | None = None) -> list:
    """Models of ``dataset`` trained on noisy inputs (``noise > 0``), best first: shipped, deterministic (a
    denoising AE before a denoising VAE), of latent size ``latent_dim`` when given, then by id."""
    found = [m for m in models if m.noise > 0 and m.dataset == dataset]
    return sorted(found, key=lambda m: (m.source != "pretrained", _variational(m),
                                        latent_dim is not None and m.latent_dim != latent_dim, m.id))


def partners(main, models: list) -> tuple[object | None, object | None]:
    """What the denoiser ``main`` is compared with: (the plain AE — deterministic, trained without noise — and,
    for a deterministic ``main``, the denoising VAE), both of ``main``'s dataset and latent size; None where
    there is none."""
    same = [m for m in models if m.dataset == main.dataset and m.latent_dim == main.latent_dim]
    plain = _first([m for m in same if not _variational(m) and m.noise == 0])
    dvae = None if _variational(main) else _first([m for m in same if _variational(m) and m.noise > 0])
    return plain, dvae


@dataclass
class DenoisePanel:
    """Test images, their noisy copies and what each model makes of them, with the per-image error.

    ``outputs`` and ``mse`` are keyed by row: ``noisy`` (the input itself, error only), ``denoised`` (the
    chosen denoiser), ``dvae`` and ``plain`` (when given)."""

    clean: np.ndarray                 # (n, H, W)
    noisy: np.ndarray                 # (n, H, W) x̃ = clip(x + σ·ε, 0, 1)
    outputs: dict[str, np.ndarray]    # row -> (n, H, W) reconstruction of x̃ through z = μ
    mse: dict[str, np.ndarray]        # row -> (n,) ‖· − x‖² / pixels


def denoise_panel(models: dict, x_test, n: int, std: float, seed: int) -> DenoisePanel:
    """``n`` test images picked by ``seed``, noised with σ = ``std`` (ε from ``seed``), through each model of
    ``models`` ({row: model}; a model reconstructs through z = μ)."""
    from . import latent

    idx = pick_indices(len(x_test), n, seed)
    clean = np.asarray(x_test[idx], dtype=np.float32)
    noisy = add_noise(clean, std, seed)
    outputs = {}
    for row, model in models.items():
        mu, _ = latent.encode(model, noisy)
        outputs[row] = latent.decode(model, mu)
    mse = {"noisy": per_image_mse(noisy, clean), **{row: per_image_mse(out, clean) for row, out in outputs.items()}}
    return DenoisePanel(clean, noisy, outputs, mse)
