"""Tables and Plotly figures of the Compare page (no Streamlit: testable without a browser).

The metrics come from ``vae.report.model_report`` (one dict per model). This module decides how to
show them: the rows of the metrics table and which direction is "better" for each, the winners of a
row, and the figures (side-by-side maps, rate–distortion with the spread over seeds, active units,
disentanglement per seed). The figures are plain specs (``vae.ui.plotly_spec``: no Plotly validation
on the rerun path; the tests validate each builder). What to compare lives in ``vae.ui.compare_view``.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .map_figures import COLORS, ellipse
from .plotly_spec import figure

# (report key, format, better): better is "min", "max" or None (no direction: no winner).
METRICS: tuple[tuple[str, str, str | None], ...] = (
    ("recon", "{:.1f}", "min"),
    ("mse", "{:.4f}", "min"),
    ("kl", "{:.2f}", "min"),
    ("loss", "{:.1f}", None),
    ("elbo", "{:.1f}", "max"),
    ("iwae", "{:.1f}", "max"),
    ("active_units", "{}", None),
    ("prior_confidence", "{:.3f}", "max"),
    ("prior_class_entropy", "{:.2f}", "max"),
    ("coverage", "{:.3f}", "max"),
    ("prior_precision", "{:.3f}", "max"),
    ("prior_recall", "{:.3f}", "max"),
    ("posterior_prior_distance", "{:.2f}", "min"),
    ("smoothness", "{:.2f}", "min"),
    ("midpoint_confidence", "{:.3f}", "max"),
    ("mig", "{:.3f}", "max"),
    ("beta_vae_score", "{:.3f}", "max"),
)
METRIC_KEYS = tuple(m[0] for m in METRICS)
KEY_NUMBERS = ("recon", "kl", "active_units", "prior_confidence", "coverage")
NA = "—"
WIN = " ✓"
SWEEP_COLOR = "#1f77b4"
SELECTED_COLOR = "#ff7f0e"


def number(v) -> float | None:
    """A finite float, or None for "not applicable" (None, NaN, non-numbers)."""
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def format_value(key: str, value, latent_dim: int | None = None) -> str:
    """The table's text for one value: "—" when not applicable, "a / d" for active units."""
    v = number(value)
    if v is None:
        return NA
    if key == "active_units":
        return f"{int(v)} / {latent_dim}" if latent_dim else str(int(v))
    fmt = dict((k, f) for k, f, _ in METRICS).get(key, "{:.3g}")
    return fmt.format(v)


def winners(values: dict[str, object], better: str | None, key: str = "") -> set[str]:
    """Columns holding the best value of a row ("min" or "max"); ties at the displayed precision share it.

    Nothing wins when the row has no direction or fewer than two applicable values.
    """
    nums = {c: number(v) for c, v in values.items()}
    nums = {c: v for c, v in nums.items() if v is not None}
    if better not in ("min", "max") or len(nums) < 2:
        return set()
    best = min(nums.values()) if better == "min" else max(nums.values())
    shown = format_value(key, best)
    return {c for c, v in nums.items() if v == best or format_value(key, v) == shown}


def metric_table(reports: dict[str, dict | None], columns: dict[str, str], names: dict[str, str],
                 meanings: dict[str, str], metric_col: str, meaning_col: str,
                 spread: dict[str, dict[str, tuple]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The metrics table: rows = metrics, columns = models (``columns`` maps report id -> header).

    ``spread`` = {metric: {report id: (mean, sd, n seeds)}} adds "[mean ± sd]" after a cell (the rows whose
    claim the training seeds disagree on). Returns (display table of strings with ✓ on winners, boolean
    frame of winners with the same shape, raw values {metric: {model id: value or None}}).
    """
    raw: dict[str, dict[str, object]] = {}
    rows, marks = [], []
    for key, _, better in METRICS:
        vals = {c: number((reports.get(c) or {}).get(key)) for c in columns}
        raw[key] = vals
        win = winners(vals, better, key)
        row = {metric_col: names.get(key, key)}
        mark = {metric_col: False}
        for c, header in columns.items():
            dim = (reports.get(c) or {}).get("latent_dim")
            text = format_value(key, vals[c], dim) + (WIN if c in win else "")
            mean, sd, n = (spread or {}).get(key, {}).get(c, (None, None, 0))
            if n > 1:
                text += f" [{format_value(key, mean)} ± {format_value(key, sd)}]"
            row[header] = text
            mark[header] = c in win
        row[meaning_col] = meanings.get(key, "")
        mark[meaning_col] = False
        rows.append(row)
        marks.append(mark)
    return pd.DataFrame(rows), pd.DataFrame(marks), raw


def style_winners(table: pd.DataFrame, marks: pd.DataFrame, color: str = "#d8f0d8"):
    """A pandas Styler painting the winning cells (bold on a light green background)."""
    css = marks.replace({True: f"background-color: {color}; font-weight: bold", False: ""})
    return table.style.apply(lambda _: css, axis=None).hide(axis="index")


# --------------------------------------------------------------------------- figures (plain specs)
def code_map_figure(coords: np.ndarray, labels: np.ndarray, label_names: Sequence[str], *, x_range, y_range,
                    axis_titles: tuple[str, str], image_word: str, label_word: str, prior_circle: bool,
                    height: int = 320) -> go.Figure:
    """A small non-clickable map of the encoded test set, one trace per label (SVG), with the prior's 2σ
    circle (dashed) when the axes are the latent space itself."""
    return figure(**code_map_spec(coords, labels, label_names, x_range=x_range, y_range=y_range, axis_titles=axis_titles,
                                  image_word=image_word, label_word=label_word, prior_circle=prior_circle, height=height))


def code_map_spec(coords: np.ndarray, labels: np.ndarray, label_names: Sequence[str], *, x_range, y_range,
                  axis_titles: tuple[str, str], image_word: str, label_word: str, prior_circle: bool,
                  height: int = 320) -> dict:
    """``code_map_figure``'s ``data`` and ``layout`` as plain lists and dicts (cheap to cache and copy: a
    pickled ``go.Figure`` is validated again when it is unpickled)."""
    coords, labels = np.asarray(coords, dtype=float), np.asarray(labels)
    data = []
    if prior_circle:
        c = ellipse(np.zeros(2), np.eye(2), 2.0, 96)
        data.append({"type": "scatter", "x": c[:, 0].round(4).tolist(), "y": c[:, 1].round(4).tolist(), "mode": "lines",
                     "hoverinfo": "skip", "showlegend": False,
                     "line": {"color": "rgba(40,40,40,0.8)", "width": 1.5, "dash": "dash"}})
    for lab in np.unique(labels):
        idx = np.flatnonzero(labels == lab)
        name = label_names[int(lab)] if int(lab) < len(label_names) else str(lab)
        data.append({"type": "scatter", "x": coords[idx, 0].round(4).tolist(), "y": coords[idx, 1].round(4).tolist(),
                     "mode": "markers", "name": name, "customdata": idx.tolist(),
                     "marker": {"size": 4, "color": COLORS[int(lab) % len(COLORS)], "opacity": 0.8},
                     "hovertemplate": f"{image_word} #%{{customdata}}<br>{label_word}: {name}<extra></extra>"})
    return dict(data=data, layout={
        "height": height, "margin": {"l": 5, "r": 5, "t": 10, "b": 5}, "hovermode": "closest", "showlegend": False,
        "xaxis": {"range": list(x_range), "title": {"text": axis_titles[0]}, "zeroline": True, "constrain": "domain"},
        "yaxis": {"range": list(y_range), "title": {"text": axis_titles[1]}, "zeroline": True, "scaleanchor": "x",
                  "scaleratio": 1, "constrain": "domain"}})


def rate_distortion_figure(points: Sequence, *, selected: Sequence[str], title: str, x_title: str, y_title: str,
                           models_name: str, selected_name: str, spread: Sequence[tuple] = (), spread_name: str = "",
                           height: int = 420) -> go.Figure:
    """Reconstruction (distortion) against KL (rate), one labelled point per β (``compare_view.SweepPoint``),
    joined in β order; the models chosen in the sidebar drawn again as big stars. ``spread`` = [(β, mean, sd,
    n seeds)] of the reconstruction draws each β's mean over seeds with a ±sd bar, at the point's KL."""
    pts = sorted(points, key=lambda p: p.beta)
    labels = [f"β={p.beta:g}" for p in pts]
    sel = [p for p in pts if p.model_id in selected]
    data = [{"type": "scatter", "x": [p.kl for p in pts], "y": [p.recon for p in pts], "mode": "lines+markers+text",
             "name": models_name, "text": ["" if p in sel else lab for p, lab in zip(pts, labels)],
             "textposition": "middle left", "customdata": [p.model_id for p in pts], "textfont": {"size": 13},
             "marker": {"size": 10, "color": SWEEP_COLOR}, "line": {"color": "rgba(31,119,180,0.4)", "dash": "dot"},
             "hovertext": labels,
             "hovertemplate": "%{hovertext}<br>%{customdata}<br>KL %{x:.2f}<br>recon %{y:.1f}<extra></extra>"}]
    kl_of = {p.beta: p.kl for p in pts}
    bars = [(b, m, sd, n) for b, m, sd, n in spread if n > 1 and b in kl_of]
    if bars:  # mean ± sd over seeds, slightly dimmer than the shown models
        data.append({"type": "scatter", "x": [kl_of[b] for b, *_ in bars], "y": [m for _, m, _, _ in bars],
                     "mode": "markers", "name": spread_name, "marker": {"size": 7, "color": "#7f7f7f", "symbol": "diamond"},
                     "error_y": {"type": "data", "array": [sd for *_, sd, _ in bars], "visible": True, "color": "#7f7f7f"},
                     "customdata": [[b, n] for b, *_, n in bars],
                     "hovertemplate": "β=%{customdata[0]:g}: %{y:.1f} ± %{error_y.array:.1f} "
                                      "(%{customdata[1]} seeds)<extra></extra>"})
    if sel:  # the chosen models: big stars, labelled below so the star does not hide the label
        data.append({"type": "scatter", "x": [p.kl for p in sel], "y": [p.recon for p in sel], "mode": "markers+text",
                     "name": selected_name, "text": [f"β={p.beta:g}" for p in sel], "textposition": "bottom center",
                     "textfont": {"size": 13}, "customdata": [p.model_id for p in sel],
                     "hovertemplate": "%{text}<br>%{customdata}<extra></extra>",
                     "marker": {"symbol": "star", "size": 20, "color": SELECTED_COLOR,
                                "line": {"color": "black", "width": 1}}})
    layout = {"title": {"text": title, "font": {"size": 15}}, "height": height, "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
              "xaxis": {"title": {"text": x_title}}, "yaxis": {"title": {"text": y_title}}, "hovermode": "closest",
              "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1.0}}
    if pts:  # room for the labels left of the points, for the stars and the error bars
        xs = [p.kl for p in pts]
        ys = [p.recon for p in pts] + [m + s * sd for _, m, sd, _ in bars for s in (-1, 1)]
        dx, dy = max(max(xs) - min(xs), 1e-3), max(max(ys) - min(ys), 1e-3)
        layout["xaxis"]["range"] = [min(xs) - 0.18 * dx, max(xs) + 0.06 * dx]
        layout["yaxis"]["range"] = [min(ys) - 0.12 * dy, max(ys) + 0.08 * dy]
    return figure(data, layout)


def active_units_figure(points: Sequence, latent_dim: int, *, title: str, y_title: str, height: int = 300) -> go.Figure:
    """Active units against β (log axis), the latent dimension as a dashed ceiling."""
    pts = [p for p in sorted(points, key=lambda p: p.beta) if p.active_units is not None]
    data = [{"type": "scatter", "x": [p.beta for p in pts], "y": [p.active_units for p in pts], "mode": "lines+markers",
             "marker": {"size": 9, "color": SWEEP_COLOR}, "showlegend": False,
             "hovertemplate": "β=%{x:g}: %{y}<extra></extra>"}]
    return figure(data, {
        "title": {"text": title, "font": {"size": 14}}, "height": height, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        "yaxis": {"title": {"text": y_title}, "range": [0, latent_dim + 0.8], "dtick": max(1, latent_dim // 8)},
        "xaxis": {"title": {"text": "β"}, "type": "log", "tickvals": [p.beta for p in pts],
                  "ticktext": [f"{p.beta:g}" for p in pts]},
        "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y", "y0": latent_dim, "y1": latent_dim,
                    "line": {"color": "gray", "dash": "dash"}}],
        "annotations": [{"xref": "paper", "x": 1, "yref": "y", "y": latent_dim, "text": f"d = {latent_dim}",
                         "showarrow": False, "xanchor": "right", "yanchor": "top"}]})


def seeds_figure(groups: dict[str, dict[str, list]], metric_titles: dict[str, str], *, title: str,
                 height: int = 320) -> go.Figure:
    """One panel per metric: a bar per group at its mean, one dot per seed (hover: the model id).

    ``groups`` = {group label: {metric: [(model id, value), ...]}}.
    """
    metrics = list(metric_titles)
    palette = ("#1f77b4", "#9467bd", "#2ca02c", "#d62728")
    gap, width = 0.08, 1.0 / max(len(metrics), 1)
    data, layout = [], {"title": {"text": title, "font": {"size": 14}}, "height": height,
                        "margin": {"l": 10, "r": 10, "t": 70, "b": 10}, "annotations": []}
    for j, m in enumerate(metrics):
        ax = "" if j == 0 else str(j + 1)
        layout[f"xaxis{ax}"] = {"domain": [j * width + (gap / 2 if j else 0), (j + 1) * width - (gap / 2 if j < len(metrics) - 1 else 0)],
                                "anchor": f"y{ax}"}
        layout[f"yaxis{ax}"] = {"anchor": f"x{ax}", "rangemode": "tozero"}
        layout["annotations"].append({"text": metric_titles[m], "xref": "paper", "yref": "paper", "showarrow": False,
                                      "x": (j + 0.5) * width, "y": 1.0, "xanchor": "center", "yanchor": "bottom",
                                      "font": {"size": 14}})
        for g, (label, per_metric) in enumerate(groups.items()):
            pairs = [(mid, number(v)) for mid, v in per_metric.get(m, [])]
            pairs = [(mid, v) for mid, v in pairs if v is not None]
            if not pairs:
                continue
            color = palette[g % len(palette)]
            data.append({"type": "bar", "x": [label], "y": [float(np.mean([v for _, v in pairs]))], "xaxis": f"x{ax}",
                         "yaxis": f"y{ax}", "marker": {"color": color}, "opacity": 0.35, "showlegend": False,
                         "hovertemplate": f"{label}<br>%{{y:.3f}}<extra></extra>"})
            data.append({"type": "scatter", "x": [label] * len(pairs), "y": [v for _, v in pairs], "mode": "markers",
                         "xaxis": f"x{ax}", "yaxis": f"y{ax}", "customdata": [mid for mid, _ in pairs], "showlegend": False,
                         "marker": {"size": 11, "color": color, "line": {"color": "black", "width": 1}},
                         "hovertemplate": "%{customdata}<br>%{y:.3f}<extra></extra>"})
    return figure(data, layout)
