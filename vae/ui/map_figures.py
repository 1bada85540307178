"""Server-side Plotly latent maps (the Compare page's side-by-side maps), testable without a browser.

One trace per label with ``customdata`` = test-set index. The interactive map of the Latent map page is
drawn in the browser by the explorer component (``vae/ui/explorer``), not here.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

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


def _polyline(curves: list[np.ndarray]) -> tuple[list, list]:
    """Concatenate curves into x, y lists separated by None (one trace for many curves)."""
    xs: list = []
    ys: list = []
    for c in curves:
        xs += c[:, 0].tolist() + [None]
        ys += c[:, 1].tolist() + [None]
    return xs, ys


def latent_map_figure(coords: np.ndarray, labels: np.ndarray, label_names: Sequence[str], *, text: dict,
                      x_range: tuple[float, float], y_range: tuple[float, float], axis_titles: tuple[str, str],
                      prior_circles: bool = False, ellipses: list[tuple[np.ndarray, np.ndarray]] | None = None,
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
                            axis_titles=axis_titles, inspected=star, height=height, revision=title, webgl=False)
    fig.update_traces(marker_size=4, selector=dict(mode="markers", hoverinfo=None))
    fig.update_layout(title=dict(text=title, x=0.5, y=0.98), margin=dict(l=5, r=5, t=35, b=5), showlegend=False)
    return fig
