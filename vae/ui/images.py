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


def png(img: np.ndarray) -> bytes:
    """PNG bytes of a grey image (uint8, or float in [0, 1]): lossless, so upscaled pixels stay crisp.

    Pages pass these bytes to ``st.image(..., output_format="PNG")``, which then sends them as they are;
    given an array, Streamlit would encode a (lossy) JPEG again on every rerun.
    """
    import io

    from PIL import Image

    arr = np.asarray(img)
    if arr.dtype != np.uint8:
        arr = to_uint8(arr)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def grid_shape(n: int) -> tuple[int, int]:
    """(columns, cell size in pixels) of a grid of ``n`` samples: about square, at least 4 columns,
    bigger cells when there are few."""
    import math

    ncols = max(4, math.ceil(math.sqrt(n)))
    return ncols, 84 if ncols <= 4 else 56
