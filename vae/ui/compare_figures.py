"""Tables and Plotly figures of the Compare page (no Streamlit: testable without a browser).

The metrics come from ``vae.report.model_report`` (one dict per model). This module decides how to
show them: the rows of the metrics table and which direction is "better" for each, the winners of
a row, the points of the β sweep (test split from the report, training split from the last epoch
of the stored history), and the per-seed summary of the disentanglement scores.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..kinds import KINDS

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


def _number(v) -> float | None:
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
    v = _number(value)
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
    nums = {c: _number(v) for c, v in values.items()}
    nums = {c: v for c, v in nums.items() if v is not None}
    if better not in ("min", "max") or len(nums) < 2:
        return set()
    best = min(nums.values()) if better == "min" else max(nums.values())
    shown = format_value(key, best)
    return {c for c, v in nums.items() if v == best or format_value(key, v) == shown}


def metric_table(reports: dict[str, dict | None], columns: dict[str, str], names: dict[str, str],
                 meanings: dict[str, str], metric_col: str, meaning_col: str) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The metrics table: rows = metrics, columns = models (``columns`` maps report id -> header).

    Returns (display table of strings with ✓ on winners, boolean frame of winners with the same shape,
    raw values {metric: {model id: value or None}}).
    """
    raw: dict[str, dict[str, object]] = {}
    rows, marks = [], []
    for key, _, better in METRICS:
        vals = {c: (reports.get(c) or {}).get(key) for c in columns}
        vals = {c: (_number(v) if key != "kl_per_dim" else v) for c, v in vals.items()}
        raw[key] = vals
        win = winners(vals, better, key)
        row = {metric_col: names.get(key, key)}
        mark = {metric_col: False}
        for c, header in columns.items():
            dim = (reports.get(c) or {}).get("latent_dim")
            text = format_value(key, vals[c], dim)
            row[header] = text + (WIN if c in win else "")
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


# The lecture's predictions, checked against the table: (metric, kinds expected to win the row).
LECTURE_CLAIMS: tuple[tuple[str, frozenset], ...] = (
    ("recon", frozenset({"ae"})),
    ("prior_confidence", frozenset({"vae", "beta-vae"})),
    ("coverage", frozenset({"vae", "beta-vae"})),
    ("posterior_prior_distance", frozenset({"vae", "beta-vae"})),
    ("smoothness", frozenset({"vae", "beta-vae"})),
    ("kl", frozenset({"beta-vae"})),
)


@dataclass
class ClaimCheck:
    """One prediction of the lecture against the measured winners of its row."""

    metric: str
    expected: frozenset
    winners: set
    holds: bool | None  # None: not testable here (fewer than two applicable values)


def check_claims(raw_by_kind: dict[str, dict[str, object]]) -> list[ClaimCheck]:
    """For each lecture claim, the winners of its row (``raw_by_kind`` = {metric: {kind: value}}) and
    whether they are the kinds the lecture expects (a shared win with an unexpected kind does not hold).

    A claim is checked only when the row has a value for an expected kind and for another kind."""
    better = {k: b for k, _, b in METRICS}
    out = []
    for metric, expected in LECTURE_CLAIMS:
        # the claims compare the lecture's AE, VAE and β-VAE; another kind in the table is not judged
        vals = {k: v for k, v in raw_by_kind.get(metric, {}).items() if k not in KINDS or KINDS[k].lecture_trio}
        present = {k for k, v in vals.items() if _number(v) is not None}
        win = winners(vals, better[metric], metric)
        if not (present & expected and present - expected):
            win = set()  # testable only with an expected kind and a kind to beat (e.g. no AE: no AE claim)
        holds = None if not win else win <= expected
        out.append(ClaimCheck(metric, expected, win, holds))
    return out


# --------------------------------------------------------------------------- the β sweep
@dataclass
class SweepPoint:
    """One model of the β sweep."""

    beta: float
    kl: float
    recon: float
    active_units: int | None
    model_id: str


def one_per_beta(models: Iterable, prefer: Sequence[str] = ()) -> list:
    """One model per β (sorted by β): a model chosen in the sidebar first, then shipped ones, then by id."""
    best: dict[float, object] = {}
    rank = lambda m: (m.id not in prefer, getattr(m, "source", "") != "pretrained", m.id)  # noqa: E731
    for m in models:
        if m.beta is None:
            continue
        b = float(m.beta)
        if b not in best or rank(m) < rank(best[b]):
            best[b] = m
    return [best[b] for b in sorted(best)]


def sweep_point(model_id: str, beta: float, report: dict | None, history: list | None, split: str) -> SweepPoint | None:
    """(β, KL, reconstruction) of one model on the ``test`` split (its report) or the ``train`` split
    (the last epoch of its stored training history); None when the figures are missing."""
    report = report or {}
    if split == "train":
        last = (history or [None])[-1] or {}
        kl, recon = _number(last.get("train_kl")), _number(last.get("train_recon"))
    else:
        kl, recon = _number(report.get("kl")), _number(report.get("recon"))
    if kl is None or recon is None:
        return None
    au = _number(report.get("active_units"))
    return SweepPoint(float(beta), kl, recon, None if au is None else int(au), model_id)


def rate_distortion_figure(points: Sequence[SweepPoint], *, selected: Sequence[str], title: str,
                           x_title: str, y_title: str, models_name: str, selected_name: str,
                           height: int = 420) -> go.Figure:
    """Reconstruction (distortion) against KL (rate), one labelled point per β, joined in β order;
    the models chosen in the sidebar are drawn again as big stars."""
    pts = sorted(points, key=lambda p: p.beta)
    labels = [f"β={p.beta:g}" for p in pts]
    sel = [p for p in pts if p.model_id in selected]
    fig = go.Figure(go.Scatter(
        x=[p.kl for p in pts], y=[p.recon for p in pts], mode="lines+markers+text", name=models_name,
        text=["" if p in sel else lab for p, lab in zip(pts, labels)], textposition="middle left", customdata=[p.model_id for p in pts], textfont=dict(size=13),
        marker=dict(size=10, color=SWEEP_COLOR), line=dict(color="rgba(31,119,180,0.4)", dash="dot"),
        hovertext=labels, hovertemplate="%{hovertext}<br>%{customdata}<br>KL %{x:.2f}<br>recon %{y:.1f}<extra></extra>"))
    if sel:  # the chosen models: big stars, labelled below so the star does not hide the label
        fig.add_trace(go.Scatter(
            x=[p.kl for p in sel], y=[p.recon for p in sel], mode="markers+text", name=selected_name,
            text=[f"β={p.beta:g}" for p in sel], textposition="bottom center", textfont=dict(size=13),
            customdata=[p.model_id for p in sel], hovertemplate="%{text}<br>%{customdata}<extra></extra>",
            marker=dict(symbol="star", size=20, color=SELECTED_COLOR, line=dict(color="black", width=1))))
    if pts:  # room for the labels left of the points and for the stars
        xs, ys = [p.kl for p in pts], [p.recon for p in pts]
        dx, dy = max(max(xs) - min(xs), 1e-3), max(max(ys) - min(ys), 1e-3)
        fig.update_xaxes(range=[min(xs) - 0.18 * dx, max(xs) + 0.06 * dx])
        fig.update_yaxes(range=[min(ys) - 0.12 * dy, max(ys) + 0.08 * dy])
    fig.update_layout(title=dict(text=title, font=dict(size=15)), height=height, margin=dict(l=10, r=10, t=50, b=10),
                      xaxis_title=x_title, yaxis_title=y_title, hovermode="closest",
                      legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0))
    return fig


def active_units_figure(points: Sequence[SweepPoint], latent_dim: int, *, title: str, y_title: str,
                        height: int = 300) -> go.Figure:
    """Active units against β (log axis), the latent dimension as a dashed ceiling."""
    pts = [p for p in sorted(points, key=lambda p: p.beta) if p.active_units is not None]
    fig = go.Figure(go.Scatter(x=[p.beta for p in pts], y=[p.active_units for p in pts], mode="lines+markers",
                               marker=dict(size=9, color=SWEEP_COLOR), showlegend=False,
                               hovertemplate="β=%{x:g}: %{y}<extra></extra>"))
    fig.add_hline(y=latent_dim, line=dict(color="gray", dash="dash"), annotation_text=f"d = {latent_dim}",
                  annotation_position="bottom right")
    fig.update_layout(title=dict(text=title, font=dict(size=14)), height=height, margin=dict(l=10, r=10, t=40, b=10),
                      yaxis=dict(title=y_title, range=[0, latent_dim + 0.8], dtick=max(1, latent_dim // 8)),
                      xaxis=dict(title="β", type="log", tickvals=[p.beta for p in pts],
                                 ticktext=[f"{p.beta:g}" for p in pts]))
    return fig


# --------------------------------------------------------------------------- seeds (sprites)
@dataclass
class SeedSummary:
    """One metric over the seeds of two groups of models: which group is higher, and do the seeds agree?"""

    metric: str
    hi: str
    lo: str
    hi_mean: float
    lo_mean: float
    verdict: str  # "agree", "disagree" or "one_seed"


def group_stats(values: Sequence) -> tuple[float, float, int]:
    """Mean, sample standard deviation (0 for one value) and count of the applicable values."""
    v = np.array([x for x in (_number(a) for a in values) if x is not None], dtype=float)
    if len(v) == 0:
        return float("nan"), float("nan"), 0
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0, len(v)


def compare_seeds(metric: str, a_name: str, a_values: Sequence, b_name: str, b_values: Sequence) -> SeedSummary | None:
    """Which of two groups has the higher mean, and whether *every* seed of it beats every seed of the other
    ("agree"), the ranges overlap ("disagree"), or there is a single seed per group ("one_seed")."""
    a = [x for x in (_number(v) for v in a_values) if x is not None]
    b = [x for x in (_number(v) for v in b_values) if x is not None]
    if not a or not b:
        return None
    (hi, hv), (lo, lv) = ((a_name, a), (b_name, b)) if np.mean(a) >= np.mean(b) else ((b_name, b), (a_name, a))
    if len(a) == 1 and len(b) == 1:
        verdict = "one_seed"
    else:
        verdict = "agree" if min(hv) > max(lv) else "disagree"
    return SeedSummary(metric, hi, lo, float(np.mean(hv)), float(np.mean(lv)), verdict)


def seeds_figure(groups: dict[str, dict[str, list]], metric_titles: dict[str, str], *, title: str,
                 height: int = 320) -> go.Figure:
    """One panel per metric: a bar per group at its mean, one dot per seed (hover: the model id).

    ``groups`` = {group label: {metric: [(model id, value), ...]}}.
    """
    from plotly.subplots import make_subplots

    metrics = list(metric_titles)
    fig = make_subplots(rows=1, cols=len(metrics), subplot_titles=[metric_titles[m] for m in metrics])
    palette = ("#1f77b4", "#9467bd", "#2ca02c", "#d62728")
    for j, m in enumerate(metrics):
        for g, (label, per_metric) in enumerate(groups.items()):
            pairs = [(mid, _number(v)) for mid, v in per_metric.get(m, [])]
            pairs = [(mid, v) for mid, v in pairs if v is not None]
            if not pairs:
                continue
            color = palette[g % len(palette)]
            fig.add_trace(go.Bar(x=[label], y=[float(np.mean([v for _, v in pairs]))], marker_color=color, opacity=0.35,
                                 showlegend=False, hovertemplate=f"{label}<br>%{{y:.3f}}<extra></extra>"),
                          row=1, col=j + 1)
            fig.add_trace(go.Scatter(x=[label] * len(pairs), y=[v for _, v in pairs], mode="markers",
                                     customdata=[mid for mid, _ in pairs], showlegend=False,
                                     marker=dict(size=11, color=color, line=dict(color="black", width=1)),
                                     hovertemplate="%{customdata}<br>%{y:.3f}<extra></extra>"),
                          row=1, col=j + 1)
    fig.update_yaxes(rangemode="tozero")
    fig.update_layout(title=dict(text=title, font=dict(size=14)), height=height, margin=dict(l=10, r=10, t=70, b=10))
    return fig
