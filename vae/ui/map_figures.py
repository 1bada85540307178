"""Geometry shared by the server-side latent maps (Compare's side-by-side maps, ``compare_figures``): the digit
colours, the axis ranges that hold a set of maps, and σ-ellipses. The interactive map of the Latent map page is
drawn in the browser by the explorer component (``vae/ui/explorer``), not here.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

# Ten distinct colours (d3 "category10"), one per digit.
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")


def data_range(coords: Sequence[np.ndarray], pad: float = 0.08) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y ranges covering every array of 2-D points in ``coords``, padded by ``pad`` of the span."""
    pts = np.concatenate([np.asarray(c, np.float64).reshape(-1, 2) for c in coords if c is not None and len(c)])
    lo, hi = np.nanmin(pts, 0), np.nanmax(pts, 0)
    span = np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def ellipse(center: np.ndarray, cov: np.ndarray, k: float = 1.0, n: int = 48) -> np.ndarray:
    """Points (n+1, 2) of the k-σ contour of a 2-D Gaussian (closed curve)."""
    vals, vecs = np.linalg.eigh(np.asarray(cov, np.float64))
    t = np.linspace(0, 2 * np.pi, n + 1)
    circle = np.stack([np.cos(t), np.sin(t)], 1)
    return np.asarray(center, np.float64)[None] + k * (circle * np.sqrt(np.maximum(vals, 0))[None]) @ vecs.T
