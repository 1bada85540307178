"""Plotly figures of the Train, Denoise and "How a VAE trains" pages (no Streamlit: testable as is).

The figures redrawn on every click (bars, step 3's picture, the denoising errors) are plain specs
(:mod:`vae.ui.plotly_spec`): no property validation on the rerun path.

Every builder takes the already translated labels it shows, so the pages pass ``t(...)`` texts.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from .plotly_spec import figure

TRAIN_COLOR, TEST_COLOR = "#1f77b4", "#d62728"


def history_figure(history: list[dict], titles: dict[str, str], train_label: str, test_label: str,
                   epoch_label: str) -> go.Figure:
    """Per-epoch curves, one panel per term (``recon``, ``kl``, ``total``), train and test lines.

    ``titles`` maps each term to its panel title; the KL panel is left out for the AE (no KL). A plain spec
    (:mod:`vae.ui.plotly_spec`) laid out as ``make_subplots(rows=1, cols=n)`` would: the Train page's live
    panel redraws it every second while a job runs (20-60 ms of the web process's CPU with validation).
    """
    terms = [k for k in ("recon", "kl", "total")
             if k != "kl" or any(h.get("train_kl") is not None for h in history) or not history]
    n = len(terms)
    gap = 0.2 / n  # make_subplots' default horizontal_spacing
    width = (1 - gap * (n - 1)) / n
    epochs = [h["epoch"] for h in history]
    data, layout = [], {"height": 300, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
                        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.12, "x": 0}, "annotations": []}
    for col, term in enumerate(terms, start=1):
        x0 = (col - 1) * (width + gap)
        sfx = "" if col == 1 else str(col)
        for split, color, label in (("train", TRAIN_COLOR, train_label), ("test", TEST_COLOR, test_label)):
            data.append({"type": "scatter", "x": epochs, "y": [h.get(f"{split}_{term}") for h in history],
                         "mode": "lines+markers", "name": label, "legendgroup": split, "showlegend": col == 1,
                         "line": {"color": color}, "xaxis": f"x{sfx}", "yaxis": f"y{sfx}"})
        layout[f"xaxis{sfx}"] = {"domain": [x0, x0 + width], "anchor": f"y{sfx}", "title": {"text": epoch_label},
                                 "automargin": True,
                                 **({"rangemode": "tozero"} if not epochs else {})}
        layout[f"yaxis{sfx}"] = {"domain": [0, 1], "anchor": f"x{sfx}", "automargin": True}
        layout["annotations"].append({"text": titles[term], "x": x0 + width / 2, "y": 1.0, "xref": "paper",
                                      "yref": "paper", "xanchor": "center", "yanchor": "bottom",
                                      "showarrow": False, "font": {"size": 16}})
    return figure(data, layout)


def per_dim_bars(values: dict[str, np.ndarray], title: str, dim_label: str, colors: dict[str, str] | None = None,
                 height: int = 260) -> go.Figure:
    """Grouped bars: one group per latent dimension, one bar per named series (e.g. μ, σ, ε, z).

    Built as a plain spec (:mod:`vae.ui.plotly_spec`): it is redrawn on every click of its page."""
    data = []
    for name, v in values.items():
        v = np.asarray(v, dtype=float).ravel()
        trace = {"type": "bar", "x": [f"z{i + 1}" for i in range(len(v))], "y": v.tolist(), "name": name}
        if (colors or {}).get(name):
            trace["marker"] = {"color": colors[name]}
        data.append(trace)
    return figure(data, {"title": {"text": title, "font": {"size": 14}}, "barmode": "group", "height": height,
                         "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "xaxis": {"title": {"text": dim_label}},
                         "legend": {"orientation": "v", "yanchor": "top", "y": 1.0, "xanchor": "left", "x": 1.01}})


def latent_sample_figure(mu: np.ndarray, sigma: np.ndarray, z: np.ndarray, labels: dict[str, str]) -> go.Figure:
    """2-D picture of step 3, two panels: the whole plane with the prior's 1σ circle, and a zoom on
    q(z|x) (μ, its 1σ ellipse, the arrow σ⊙ε and the sample z), since σ is often tiny next to 1.

    ``labels`` holds ``prior``, ``mu``, ``ellipse``, ``z``, ``eps`` and ``zoom`` (the right panel's title).
    A plain spec (:mod:`vae.ui.plotly_spec`) laid out as ``make_subplots(rows=1, cols=2)`` would.
    """
    mu, sigma, z = (np.asarray(a, dtype=float)[:2] for a in (mu, sigma, z))
    t = np.linspace(0, 2 * np.pi, 200)
    data = [{"type": "scatter", "x": np.cos(t).tolist(), "y": np.sin(t).tolist(), "mode": "lines",
             "name": labels["prior"], "line": {"color": "#999", "dash": "dot"}, "xaxis": "x", "yaxis": "y"}]
    for col in (1, 2):
        axes = {"xaxis": "x" if col == 1 else "x2", "yaxis": "y" if col == 1 else "y2", "showlegend": col == 1}
        data += [
            {"type": "scatter", "x": (mu[0] + sigma[0] * np.cos(t)).tolist(), "y": (mu[1] + sigma[1] * np.sin(t)).tolist(),
             "mode": "lines", "name": labels["ellipse"], "fill": "toself", "fillcolor": "rgba(31,119,180,0.15)",
             "line": {"color": TRAIN_COLOR}, "legendgroup": "ell", **axes},
            {"type": "scatter", "x": [mu[0], z[0]], "y": [mu[1], z[1]], "mode": "lines", "name": labels["eps"],
             "line": {"color": "#555", "width": 1.5}, "legendgroup": "eps", **axes},
            {"type": "scatter", "x": [mu[0]], "y": [mu[1]], "mode": "markers", "name": labels["mu"], "legendgroup": "mu",
             "marker": {"color": TRAIN_COLOR, "size": 11, "symbol": "x"}, **axes},
            {"type": "scatter", "x": [z[0]], "y": [z[1]], "mode": "markers", "name": labels["z"], "legendgroup": "z",
             "marker": {"color": TEST_COLOR, "size": 11}, **axes}]
    span = max(1.5, float(np.max(np.abs(np.concatenate([mu + 2 * sigma, mu - 2 * sigma, z])))) + 0.3)
    half = max(3.2 * float(sigma.max()), float(np.max(np.abs(z - mu))) * 1.3, 1e-3)

    def title(text: str, x: float) -> dict:
        return {"text": text, "x": x, "y": 1.0, "xref": "paper", "yref": "paper", "xanchor": "center",
                "yanchor": "bottom", "showarrow": False, "font": {"size": 16}}

    layout = {
        "xaxis": {"anchor": "y", "domain": [0.0, 0.44], "title": {"text": "z₁"}, "range": [-span, span]},
        "yaxis": {"anchor": "x", "domain": [0.0, 1.0], "title": {"text": "z₂"}, "range": [-span, span],
                  "scaleanchor": "x", "scaleratio": 1},
        "xaxis2": {"anchor": "y2", "domain": [0.56, 1.0], "title": {"text": "z₁"}, "range": [mu[0] - half, mu[0] + half]},
        "yaxis2": {"anchor": "x2", "domain": [0.0, 1.0], "title": {"text": "z₂"}, "range": [mu[1] - half, mu[1] + half],
                   "scaleanchor": "x2", "scaleratio": 1},
        "annotations": [title("N(0, I)", 0.22), title(labels.get("zoom", "q(z|x)"), 0.78)],
        "height": 380, "margin": {"l": 10, "r": 10, "t": 60, "b": 10},
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.08, "x": 0}}
    return figure([{k: (float(v) if isinstance(v, np.floating) else v) for k, v in tr.items()} for tr in data], layout)


def error_bars(errors: dict[str, float], title: str, value_label: str) -> go.Figure:
    """Mean error per method (Denoise page): one bar each, value printed on the bar (a plain spec)."""
    names = list(errors)
    vals = [float(errors[n]) for n in names]
    palette = ["#7f7f7f", "#2ca02c", "#1f77b4", "#9467bd", "#ff7f0e"]
    return figure([{"type": "bar", "x": names, "y": vals, "text": [f"{v:.4f}" for v in vals], "textposition": "auto",
                    "marker": {"color": [palette[i % len(palette)] for i in range(len(names))]}}],
                  {"title": {"text": title}, "height": 280, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
                   "yaxis": {"title": {"text": value_label}}})
