"""The two small figures of the lecture that no other page draws (plain Plotly specs, :mod:`vae.ui.plotly_spec`):
the toy model's ELBO against q (step 6) and the bounds on log p(x) against K (step 7). Builders take the
translated labels they show."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import plotly.graph_objects as go

from ... import lecture_checks
from ..i18n import t
from ..plotly_spec import figure

_LAYOUT = {"height": 300, "margin": {"l": 10, "r": 10, "t": 40, "b": 10}, "font": {"size": 15},
           "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0}}


def toy_elbo_figure(x: float, p: float, sigma: float, r: float, labels: dict[str, str]) -> go.Figure:
    """ELBO(q) for q(z=1) in (0, 1) against the constant log p(x) of the toy model; the true posterior (where the
    ELBO touches log p(x)) and the chosen ``r`` are marked. ``labels``: elbo, evidence, posterior, current,
    r_axis, y."""
    rs = np.linspace(0.001, 0.999, 199)
    elbo = [lecture_checks.toy_elbo(float(v), x, p, sigma) for v in rs]
    evidence = lecture_checks.toy_log_evidence(x, p, sigma)
    post = lecture_checks.toy_posterior(x, p, sigma)
    lo = min(min(elbo), evidence) - 0.2
    data = [
        {"type": "scatter", "x": rs.tolist(), "y": elbo, "mode": "lines", "name": labels["elbo"],
         "line": {"color": "#1f77b4", "width": 3}},
        {"type": "scatter", "x": [0, 1], "y": [evidence, evidence], "mode": "lines", "name": labels["evidence"],
         "line": {"color": "#d62728", "dash": "dash", "width": 2}},
        {"type": "scatter", "x": [post, post], "y": [lo, evidence], "mode": "lines", "name": labels["posterior"],
         "line": {"color": "#2ca02c", "dash": "dot", "width": 2}},
        {"type": "scatter", "x": [r], "y": [lecture_checks.toy_elbo(r, x, p, sigma)], "mode": "markers",
         "name": labels["current"], "marker": {"size": 14, "color": "#ff7f0e"}},
    ]
    return figure(data, {**_LAYOUT, "xaxis": {"title": {"text": labels["r_axis"]}, "range": [0, 1]},
                         "yaxis": {"title": {"text": labels["y"]}, "range": [max(lo, evidence - 6), evidence + 0.5]}})


def bounds_figure(points: Sequence[lecture_checks.BoundPoint], labels: dict[str, str]) -> go.Figure:
    """IWAE bound L_K and the K-sample ELBO against K (log axis). ``labels``: bound, elbo, k, y, fig_title."""
    ks = [p.k for p in points]
    data = [
        {"type": "scatter", "x": ks, "y": [p.iwae for p in points], "mode": "lines+markers", "name": labels["bound"],
         "line": {"color": "#d62728", "width": 3}, "marker": {"size": 9}},
        {"type": "scatter", "x": ks, "y": [p.elbo for p in points], "mode": "lines+markers", "name": labels["elbo"],
         "line": {"color": "#1f77b4", "dash": "dash", "width": 2}, "marker": {"size": 7}},
    ]
    return figure(data, {**_LAYOUT, "title": {"text": labels["fig_title"], "font": {"size": 15}},
                         "xaxis": {"type": "log", "title": {"text": labels["k"]}},
                         "yaxis": {"title": {"text": labels["y"]}}})


def toy_labels() -> dict[str, str]:
    """The toy figure's labels in the current language."""
    return {k: t(f"lecture.toy.{k}") for k in ("elbo", "evidence", "posterior", "current", "r_axis", "y")}


def bounds_labels() -> dict[str, str]:
    """The bounds figure's labels in the current language."""
    return {k: t(f"lecture.iwae.{k}") for k in ("bound", "elbo", "k", "y", "fig_title")}
