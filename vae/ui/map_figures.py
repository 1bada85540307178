"""Plotly figures of the Latent map page, testable without a browser (no Streamlit here).

The main map is WebGL (``go.Scattergl``): one trace per label, ``customdata`` = test-set index
(Plotly's point indices are per trace, so they cannot be used to find the image). Under the data
sits an invisible dense grid of points, so that a click on an *empty* place of the map is still a
click on a point — Plotly only reports clicks on points — whose coordinates are then decoded.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

# Ten distinct colours (d3 "category10"), one per digit.
COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
          "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
GRID_TRACE_NAME = "decode-grid"


def data_range(coords: Sequence[np.ndarray], pad: float = 0.08) -> tuple[tuple[float, float], tuple[float, float]]:
    """x and y ranges covering every array of 2-D points in ``coords``, padded by ``pad`` of the span."""
    pts = np.concatenate([np.asarray(c, np.float64).reshape(-1, 2) for c in coords if c is not None and len(c)])
    lo, hi = np.nanmin(pts, 0), np.nanmax(pts, 0)
    span = np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad * span, hi + pad * span
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def grid_points(x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """An n×n grid of map points (n², 2), row-major with row 0 at the top (largest y), like ``manifold_grid``."""
    xs = np.linspace(*x_range, n)
    ys = np.linspace(*y_range, n)[::-1]
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], 1).astype(np.float32)


def map_covariances(method: str, logvar: np.ndarray, components: np.ndarray | None = None) -> np.ndarray:
    """2×2 covariances on the map of the posteriors N(μ, diag σ²) (M, 2, 2).

    Native: diag(σ²). PCA: C diag(σ²) Cᵀ (the exact image of the Gaussian through the linear map).
    """
    var = np.exp(np.asarray(logvar, np.float64))
    if method == "native":
        out = np.zeros((len(var), 2, 2))
        out[:, 0, 0], out[:, 1, 1] = var[:, 0], var[:, 1]
        return out
    if method == "pca":
        c = np.asarray(components, np.float64)
        return np.einsum("id,md,jd->mij", c, var, c)
    raise ValueError(f"no covariance on a {method} map")


def ellipse(center: np.ndarray, cov: np.ndarray, k: float = 1.0, n: int = 48) -> np.ndarray:
    """Points (n+1, 2) of the k-σ contour of a 2-D Gaussian (closed curve)."""
    vals, vecs = np.linalg.eigh(np.asarray(cov, np.float64))
    t = np.linspace(0, 2 * np.pi, n + 1)
    circle = np.stack([np.cos(t), np.sin(t)], 1)
    return np.asarray(center, np.float64)[None] + k * (circle * np.sqrt(np.maximum(vals, 0))[None]) @ vecs.T


def _polyline(curves: list[np.ndarray]) -> tuple[list, list]:
    """Concatenate curves into x, y lists separated by None (one trace for many curves)."""
    xs: list = []
    ys: list = []
    for c in curves:
        xs += c[:, 0].tolist() + [None]
        ys += c[:, 1].tolist() + [None]
    return xs, ys


def free_grid_points(grid: np.ndarray, coords: np.ndarray, x_range: tuple[float, float],
                     y_range: tuple[float, float], n: int, clearance: float = 0.75) -> np.ndarray:
    """Grid points farther than ``clearance`` grid steps from every data point (in axis-normalised units).

    Plotly picks the clicked point by its own distance rules, and an invisible grid point lying on
    top of a data point can win the click; removing the grid around the data keeps clicks on data
    points for inspection and clicks in empty places (the holes) for decoding.
    """
    if len(coords) == 0:
        return grid
    scale = np.array([x_range[1] - x_range[0], y_range[1] - y_range[0]], dtype=np.float64)
    scale[scale == 0] = 1.0
    g, c = grid / scale, np.asarray(coords, dtype=np.float64) / scale
    step = 1.0 / max(n - 1, 1)
    nearest = np.full(len(g), np.inf)
    for i in range(0, len(c), 512):
        d2 = ((g[:, None, :] - c[None, i:i + 512, :]) ** 2).sum(-1)
        nearest = np.minimum(nearest, d2.min(1))
    return grid[nearest > (clearance * step) ** 2]


def latent_map_figure(coords: np.ndarray, labels: np.ndarray, label_names: Sequence[str], *, text: dict,
                      x_range: tuple[float, float], y_range: tuple[float, float], axis_titles: tuple[str, str],
                      grid_n: int = 60, prior_circles: bool = False, ellipses: list[tuple[np.ndarray, np.ndarray]] | None = None,
                      inspected: np.ndarray | None = None, inspected_cov: np.ndarray | None = None,
                      decoded: np.ndarray | None = None, height: int = 620, revision: str = "map",
                      webgl: bool = True) -> go.Figure:
    """The clickable latent map.

    ``text`` holds translated words: ``image``, ``label``, ``decode_here``, ``prior`` (format with k),
    ``sigma``, ``inspected``, ``decoded``, ``point_sigma``, ``legend``. ``webgl=False`` draws the data
    with SVG (small figures: one WebGL context fewer for the browser to set up).
    """
    scatter = go.Scattergl if webgl else go.Scatter
    coords = np.asarray(coords)
    labels = np.asarray(labels)
    fig = go.Figure()
    if prior_circles:
        for k in (1, 2, 3):
            c = ellipse(np.zeros(2), np.eye(2), k, 96)
            fig.add_trace(go.Scatter(x=c[:, 0], y=c[:, 1], mode="lines", name=text["prior"].format(k=k),
                                     line=dict(color="rgba(60,60,60,0.8)", width=1.5, dash=("solid", "dash", "dot")[k - 1]),
                                     hoverinfo="skip", showlegend=False))
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        name = label_names[int(lab)] if int(lab) < len(label_names) else str(lab)
        fig.add_trace(scatter(
            x=coords[idx, 0], y=coords[idx, 1], mode="markers", name=name, customdata=idx,
            marker=dict(size=5, color=COLORS[int(lab) % len(COLORS)], opacity=0.8),
            selected=dict(marker=dict(size=12, color="black")), unselected=dict(marker=dict(opacity=0.5)),
            hovertemplate=f"{text['image']} #%{{customdata}}<br>{text['label']}: {name}<extra></extra>"))
    if ellipses:
        xs, ys = _polyline([ellipse(c, cov, 1.0, 32) for c, cov in ellipses])
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=text["sigma"], hoverinfo="skip", showlegend=False,
                                 line=dict(color="rgba(0,0,0,0.35)", width=1)))
    if inspected is not None:
        if inspected_cov is not None:
            xs, ys = _polyline([ellipse(inspected, inspected_cov, k) for k in (1, 2)])
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=text["point_sigma"], hoverinfo="skip", showlegend=False,
                                     line=dict(color="black", width=2)))
        fig.add_trace(go.Scatter(x=[inspected[0]], y=[inspected[1]], mode="markers", name=text["inspected"],
                                 hoverinfo="skip", showlegend=False, marker=dict(symbol="star", size=20, color="gold",
                                                               line=dict(color="black", width=1.5))))
    if decoded is not None:
        fig.add_trace(go.Scatter(x=[decoded[0]], y=[decoded[1]], mode="markers", name=text["decoded"], hoverinfo="skip", showlegend=False,
                                 marker=dict(symbol="x-thin", size=16, line=dict(color="black", width=3))))
    if grid_n:  # only away from the data (free_grid_points): near the data, clicks go to data points
        g = free_grid_points(grid_points(x_range, y_range, grid_n), coords, x_range, y_range, grid_n)
        fig.add_trace(go.Scattergl(
            x=g[:, 0], y=g[:, 1], mode="markers", name=GRID_TRACE_NAME, showlegend=False,
            marker=dict(size=7, color="rgba(0,0,0,0)"),
            selected=dict(marker=dict(color="black", size=11)), unselected=dict(marker=dict(opacity=0)),
            hovertemplate=f"{text['decode_here']}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>"))
    fig.update_layout(
        height=height, margin=dict(l=10, r=10, t=40, b=10), hovermode="closest", uirevision=revision,
        legend=dict(title=text.get("legend", ""), itemsizing="constant", orientation="h", yanchor="bottom", y=1.01, x=0),
        xaxis=dict(range=list(x_range), title=axis_titles[0], zeroline=True, constrain="domain"),
        yaxis=dict(range=list(y_range), title=axis_titles[1], zeroline=True, scaleanchor="x", scaleratio=1, constrain="domain"),
    )
    return fig


def trio_figure(coords: np.ndarray, labels: np.ndarray, label_names: Sequence[str], *, x_range, y_range,
                axis_titles: tuple[str, str], star: np.ndarray | None, title: str, text: dict,
                height: int = 380) -> go.Figure:
    """A small non-clickable map for the side-by-side row, with the chosen image as a big star."""
    fig = latent_map_figure(coords, labels, label_names, text=text, x_range=x_range, y_range=y_range,
                            axis_titles=axis_titles, grid_n=0, inspected=star, height=height, revision=title, webgl=False)
    fig.update_traces(marker_size=4, selector=dict(mode="markers", hoverinfo=None))
    fig.update_layout(title=dict(text=title, x=0.5, y=0.98), margin=dict(l=5, r=5, t=35, b=5), showlegend=False)
    return fig


def click_target(points: list[dict]) -> tuple[str, object] | None:
    """What a Plotly selection event designates: ("point", test index) or ("code", (x, y)); None if nothing.

    Data traces carry the test index as ``customdata``; the invisible grid carries none. A click
    can select a data point and a grid point at once (they overlap): the data point wins.
    """
    for p in points or []:
        cd = p.get("customdata")
        if isinstance(cd, (list, tuple)):
            cd = cd[0] if cd else None
        if cd is not None:
            try:
                return "point", int(cd)
            except (TypeError, ValueError):
                pass
    for p in points or []:
        if p.get("x") is not None and p.get("y") is not None:
            return "code", (float(p["x"]), float(p["y"]))
    return None

