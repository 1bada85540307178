"""Plotly figures of the Train, Denoise and "How a VAE trains" pages (no Streamlit: testable as is).

Every builder takes the already translated labels it shows, so the pages pass ``t(...)`` texts.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

TRAIN_COLOR, TEST_COLOR = "#1f77b4", "#d62728"


def history_figure(history: list[dict], titles: dict[str, str], train_label: str, test_label: str,
                   epoch_label: str) -> go.Figure:
    """Per-epoch curves, one panel per term (``recon``, ``kl``, ``total``), train and test lines.

    ``titles`` maps each term to its panel title; the KL panel is left out for the AE (no KL).
    """
    terms = [k for k in ("recon", "kl", "total")
             if k != "kl" or any(h.get("train_kl") is not None for h in history) or not history]
    fig = make_subplots(rows=1, cols=len(terms), subplot_titles=[titles[k] for k in terms])
    epochs = [h["epoch"] for h in history]
    for col, term in enumerate(terms, start=1):
        for split, color, label in (("train", TRAIN_COLOR, train_label), ("test", TEST_COLOR, test_label)):
            ys = [h.get(f"{split}_{term}") for h in history]
            fig.add_trace(go.Scatter(x=epochs, y=ys, mode="lines+markers", name=label, legendgroup=split,
                                     showlegend=(col == 1), line=dict(color=color)), row=1, col=col)
        fig.update_xaxes(title_text=epoch_label, row=1, col=col, rangemode="tozero" if not epochs else None)
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=40, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.12, x=0))
    return fig


def per_dim_bars(values: dict[str, np.ndarray], title: str, dim_label: str, colors: dict[str, str] | None = None,
                 height: int = 260) -> go.Figure:
    """Grouped bars: one group per latent dimension, one bar per named series (e.g. μ, σ, ε, z)."""
    fig = go.Figure()
    for name, v in values.items():
        v = np.asarray(v, dtype=float).ravel()
        fig.add_trace(go.Bar(x=[f"z{i + 1}" for i in range(len(v))], y=v, name=name,
                             marker_color=(colors or {}).get(name)))
    fig.update_layout(title=dict(text=title, font=dict(size=14)), barmode="group", height=height,
                      margin=dict(l=10, r=10, t=40, b=10), xaxis_title=dim_label,
                      legend=dict(orientation="v", yanchor="top", y=1.0, xanchor="left", x=1.01))
    return fig


def latent_sample_figure(mu: np.ndarray, sigma: np.ndarray, z: np.ndarray, labels: dict[str, str]) -> go.Figure:
    """2-D picture of step 3, two panels: the whole plane with the prior's 1σ circle, and a zoom on
    q(z|x) (μ, its 1σ ellipse, the arrow σ⊙ε and the sample z), since σ is often tiny next to 1.

    ``labels`` holds ``prior``, ``mu``, ``ellipse``, ``z``, ``eps`` and ``zoom`` (the right panel's title).
    """
    mu, sigma, z = (np.asarray(a, dtype=float)[:2] for a in (mu, sigma, z))
    t = np.linspace(0, 2 * np.pi, 200)
    fig = make_subplots(rows=1, cols=2, subplot_titles=["N(0, I)", labels.get("zoom", "q(z|x)")],
                        horizontal_spacing=0.12)
    for col in (1, 2):
        first = col == 1
        if first:
            fig.add_trace(go.Scatter(x=np.cos(t), y=np.sin(t), mode="lines", name=labels["prior"],
                                     line=dict(color="#999", dash="dot")), row=1, col=col)
        fig.add_trace(go.Scatter(x=mu[0] + sigma[0] * np.cos(t), y=mu[1] + sigma[1] * np.sin(t), mode="lines",
                                 name=labels["ellipse"], fill="toself", fillcolor="rgba(31,119,180,0.15)",
                                 line=dict(color=TRAIN_COLOR), showlegend=first, legendgroup="ell"), row=1, col=col)
        fig.add_trace(go.Scatter(x=[mu[0], z[0]], y=[mu[1], z[1]], mode="lines", name=labels["eps"],
                                 line=dict(color="#555", width=1.5), showlegend=first, legendgroup="eps"), row=1, col=col)
        fig.add_trace(go.Scatter(x=[mu[0]], y=[mu[1]], mode="markers", name=labels["mu"], showlegend=first,
                                 legendgroup="mu", marker=dict(color=TRAIN_COLOR, size=11, symbol="x")), row=1, col=col)
        fig.add_trace(go.Scatter(x=[z[0]], y=[z[1]], mode="markers", name=labels["z"], showlegend=first,
                                 legendgroup="z", marker=dict(color=TEST_COLOR, size=11)), row=1, col=col)
    span = max(1.5, float(np.max(np.abs(np.concatenate([mu + 2 * sigma, mu - 2 * sigma, z])))) + 0.3)
    half = max(3.2 * float(sigma.max()), float(np.max(np.abs(z - mu))) * 1.3, 1e-3)
    fig.update_xaxes(range=[-span, span], title_text="z₁", row=1, col=1)
    fig.update_yaxes(range=[-span, span], title_text="z₂", scaleanchor="x", scaleratio=1, row=1, col=1)
    fig.update_xaxes(range=[mu[0] - half, mu[0] + half], title_text="z₁", row=1, col=2)
    fig.update_yaxes(range=[mu[1] - half, mu[1] + half], title_text="z₂", scaleanchor="x2", scaleratio=1, row=1, col=2)
    fig.update_layout(height=380, margin=dict(l=10, r=10, t=60, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.08, x=0))
    return fig


def error_bars(errors: dict[str, float], title: str, value_label: str) -> go.Figure:
    """Mean error per method (Denoise page): one bar each, value printed on the bar."""
    names = list(errors)
    vals = [float(errors[n]) for n in names]
    palette = ["#7f7f7f", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e"]
    fig = go.Figure(go.Bar(x=names, y=vals, text=[f"{v:.4f}" for v in vals], textposition="auto",
                           marker_color=[palette[i % len(palette)] for i in range(len(names))]))
    fig.update_layout(title=title, height=280, margin=dict(l=10, r=10, t=40, b=10), yaxis_title=value_label)
    return fig
