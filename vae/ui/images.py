"""Turning model outputs into crisp images for ``st.image``: nearest-neighbour upscaling and grids."""
from __future__ import annotations

import numpy as np


def to_uint8(img: np.ndarray) -> np.ndarray:
    """Float image in [0, 1] (values outside are clipped) to uint8."""
    return (np.clip(np.nan_to_num(img), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)


def upscale(img: np.ndarray, size: int = 140) -> np.ndarray:
    """Nearest-neighbour upscale of a (H, W) image so its larger side is about ``size`` pixels (no blur)."""
    h, w = img.shape[:2]
    k = max(1, size // max(h, w))
    return np.kron(to_uint8(img), np.ones((k, k), dtype=np.uint8))


def grid(images: np.ndarray, ncols: int, pad: int = 2, cell: int | None = None, pad_value: float = 0.35) -> np.ndarray:
    """Tile images (N, H, W) into one uint8 picture with ``ncols`` columns and a grey gutter.

    ``cell`` upscales each image so its larger side is about ``cell`` pixels.
    """
    images = np.asarray(images)
    n, h, w = images.shape
    k = max(1, (cell or max(h, w)) // max(h, w))
    h2, w2 = h * k, w * k
    nrows = max(1, -(-n // ncols))
    out = np.full((nrows * (h2 + pad) + pad, ncols * (w2 + pad) + pad), int(pad_value * 255), np.uint8)
    for i in range(n):
        r, c = divmod(i, ncols)
        y, x = pad + r * (h2 + pad), pad + c * (w2 + pad)
        out[y:y + h2, x:x + w2] = np.kron(to_uint8(images[i]), np.ones((k, k), dtype=np.uint8))
    return out
