"""What the Compare page draws, translated and cached, so that ``pages/compare.py`` only lays it out.

The decisions (which models, which claims, which seeds) come from ``vae.ui.compare_view``; this module
turns them into the page's table, markdown lines, notes and figures in the session's language.

Whole sections are computed once and shared by every session (``st.cache_resource``), keyed by their models, the
versions of the files their numbers come from (``cache.model_stamp``), their settings and the language:
:func:`map_figures` (section 1), :func:`metrics_view` (2), :func:`sweep_view` and :func:`kl_dims_figure` (3),
:func:`sprite_view` (4). Their figures are serialised once (``plotly_spec.prepare``) and the metrics table rendered
once (``prepared_table``), so a rerun that changes nothing only sends them again: the page costs its elements, not
its computations (``bench/rerun_cpu.py``, ``bench/profile_rerun.py``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ..errors import ExplorerError
from ..kinds import KINDS, get_kind
from . import cache
from . import compare_view as cv
from .compare_figures import (METRIC_KEYS, active_units_figure, code_map_spec, format_value, metric_table,
                              rate_distortion_figure, seeds_figure, style_winners)
from .i18n import class_names, t
from .map_figures import data_range
from .plotly_spec import Prepared, figure, prepare
from .prepared_table import PreparedTable, prepare_table
from .train_figures import per_dim_bars

PRIOR_SEED = 0
N_PRIOR = 36
PRIOR_BOX = np.array([[-2.2, -2.2], [2.2, 2.2]])  # the prior's 2σ circle stays in view on native maps
MARKS = {True: ":green[:material/check_circle:]", False: ":red[:material/cancel:]", None: ":gray[:material/remove:]"}


def stored(path: str) -> dict:
    """A model's metrics.json ({} when it cannot be read: a broken file never stops the page)."""
    try:
        return cache.stored_metrics(path)
    except (ExplorerError, OSError, ValueError):
        return {}


def progress_text(info, i: int, n: int) -> str:
    """The progress bar's text while the report of model ``info`` (i of n) is computed."""
    return t("compare.computing", name=info.id.split("/", 1)[-1], i=i, n=n)


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_specs(models: tuple, versions: tuple, dataset: str, method: str, same_axes: bool, lang: str) -> dict:
    maps = {}
    for kind, path in models:
        try:
            maps[kind] = (cache.projection(path, method).coords, cache.encoded_test_set(path)["labels"])
        except (ExplorerError, ValueError) as exc:
            maps[kind] = str(exc)
    try:
        names = class_names(dataset, cache.get_dataset(dataset).label_names)
    except ExplorerError:
        names = []
    box = [PRIOR_BOX] if method == "native" else []
    shared = data_range([m[0] for m in maps.values() if not isinstance(m, str)] + box) if same_axes else None
    axes = (t(f"compare.axis.{method}", i=1), t(f"compare.axis.{method}", i=2))
    out = {}
    for kind, entry in maps.items():
        if isinstance(entry, str):
            out[kind] = entry
            continue
        xr, yr = shared or data_range([entry[0], *box])
        out[kind] = prepare(figure(**code_map_spec(
            entry[0], entry[1], names, x_range=xr, y_range=yr, axis_titles=axes, image_word=t("compare.map.image"),
            label_word=t("common.label"), prior_circle=method == "native")))
    return out


def map_figures(models: tuple, dataset: str, method: str, same_axes: bool, lang: str) -> dict:
    """{kind: map figure, or the error message when the model's codes cannot be shown} for ``models`` =
    ((kind, model path), …): the encoded test set, native 2-D or PCA, on shared axes when ``same_axes``.

    The figures are serialised once (:class:`~vae.ui.plotly_spec.Prepared`) and shared by every session: the
    dict is read-only."""
    versions = tuple(cache.model_version(p) for _, p in models)
    return _map_specs(models=models, versions=versions, dataset=dataset, method=method, same_axes=same_axes, lang=lang)


def column_label(kind: str, info) -> str:
    """A model's column header: its kind, and β when the kind's β is free (the β-VAE)."""
    return t(f"kind.{kind}") + (f" (β={info.beta:g})" if get_kind(kind).beta.free and info.beta is not None else "")


def metric_view(trio, reports: dict):
    """(the metrics table, its winner marks, the lecture's claims checked over seeds, the number of seeds
    they were checked on) for the trio's models; disputed rows show their [mean ± sd] over seeds."""
    columns = {info.id: column_label(kind, info) for kind, info in trio if info is not None}
    by_kind = cv.seed_reports(trio, reports)
    claims = cv.claims_over_seeds(by_kind)
    ids = {kind: info.id for kind, info in trio if info is not None}
    spread = {m: {ids[k]: s for k, s in per_kind.items()} for m, per_kind in cv.disputed_spread(claims, by_kind).items()}
    table, marks, _ = metric_table(reports, columns, names={k: t(f"compare.m.{k}") for k in METRIC_KEYS},
                                   meanings={k: t(f"compare.d.{k}") for k in METRIC_KEYS},
                                   metric_col=t("compare.table.metric"), meaning_col=t("compare.table.meaning"),
                                   spread=spread)
    trio_runs = [len(v) for k, v in by_kind.items() if KINDS[k].lecture_trio] if by_kind else []
    return table, marks, claims, min(trio_runs, default=0)


def _seeds_text(verdicts: list) -> str:
    if len(verdicts) < 2:
        return ""
    return " " + t("compare.claim.seeds", k=sum(v is True for v in verdicts), n=len(verdicts))


def claim_lines(claims, n_seeds: int = 0) -> list[str]:
    """Markdown lines of the checklist: one per trio claim (``ClaimCheck``) or β-sweep trend (``SweepClaim``),
    with its verdict on the shown models and on how many training seeds it holds."""
    lines = []
    for c in claims:
        if isinstance(c, cv.SweepClaim):
            rho = ", ".join(f"{r:.2f}" for r in c.rho) or "—"
            verdict = t("compare.trend.na") if c.holds is None else t(
                "compare.trend.holds" if c.holds else "compare.trend.fails", rho=rho)
            lines.append(f"- {MARKS[c.holds]} {t(f'compare.trend.{c.metric}')} — {verdict}{_seeds_text(c.monotone)}")
            continue
        who = ", ".join(t(f"kind.{k}") for k in KINDS if k in c.winners)
        verdict = {True: "compare.claim.holds", False: "compare.claim.fails", None: "compare.claim.na"}[c.holds]
        lines.append(f"- {MARKS[c.holds]} {t(f'compare.claim.{c.metric}')} — {t(verdict, winners=who)}"
                     f"{_seeds_text(c.per_seed)}")
    return lines


def claim_notes(claims, trio, reports: dict, latent_dim: int) -> list[str]:
    """Why a trio claim fails here, or holds on some seeds only, from the models' own numbers."""
    notes = []
    for c in claims:
        if c.holds is not False and c.seeds_agree:
            continue
        if c.metric == "recon":
            rows = []
            for kind, info in trio:
                if info is None or info.id not in reports or not KINDS[kind].lecture_trio:
                    continue
                metrics = stored(info.path)
                train = cv.kept_epoch(metrics.get("history"), metrics.get("best_epoch")).get("train_recon")
                rows.append(t("compare.why.recon.row", kind=t(f"kind.{kind}"), train=format_value("recon", train),
                              test=format_value("recon", reports[info.id].get("recon"))))
            notes.append(t("compare.why.recon", dim=latent_dim, rows="; ".join(rows)))
        else:
            notes.append(t("compare.why.seeds", claim=t(f"compare.claim.{c.metric}")))
    return notes


GAP_SHRINK = 0.5   # nats: a smaller change of the generalisation gap along the sweep explains nothing


def sweep_notes(claims, models, reports: dict, latent_dim: int) -> list[str]:
    """Why a β-slide trend fails on the test split here, or holds on some seeds only: the generalisation gap
    per β and the spread over seeds, measured on the sweep's models."""
    numbers_only = [f"{float(m.beta):g}" for m in models if getattr(m, "source", "") == cv.SWEEP_SOURCE]
    notes = [t("compare.sweep.numbers_only", betas=", ".join(numbers_only))] if numbers_only else []
    if all(c.holds is not False and len(set(c.monotone)) <= 1 for c in claims):
        return notes
    gaps = cv.sweep_gaps(models, reports, stored)
    if len(gaps) >= 2 and gaps[0][1] - gaps[-1][1] > GAP_SHRINK:   # the KL acting as a regulariser, when it shows
        (b0, g0), (b1, g1) = gaps[0], gaps[-1]
        notes.append(t("compare.why.gap", b0=b0, g0=g0, b1=b1, g1=g1))
    train = [cv.sweep_point(m.id, m.beta, reports.get(m.id), stored(m.path), "train") for m in models]
    recon = [p.recon for p in train if p is not None]
    if len(recon) == len(models) and all(b > a for a, b in zip(recon, recon[1:])):
        notes.append(t("compare.why.train"))
    spread = [s for s in cv.sweep_spread(models, reports, "recon") if s[3] > 1]
    if spread:
        means = [m for _, m, _, _ in spread]
        steps = np.abs(np.diff(means)) if len(means) > 1 else np.array([0.0])
        notes.append(t("compare.why.spread", n=min(s[3] for s in spread), sd=max(s[2] for s in spread),
                       lo=float(steps.min()), hi=float(steps.max())))
    if latent_dim == 2:
        notes.append(t("compare.why.sixteen"))
    return notes


def sprite_rows(groups: dict[str, dict[str, list]]) -> list[dict]:
    """The sprites table: one row per model, then one "mean ± sd, n seeds" row per group."""
    group_col, model_col = t("compare.sprites.group"), t("compare.sprites.model")
    rows = []
    for label, g in groups.items():
        ids = [mid for mid, _ in g[cv.SPRITE_METRICS[0]]]
        for i, mid in enumerate(ids):
            rows.append({group_col: label, model_col: mid.split("/", 1)[-1],
                         **{t(f"compare.m.{k}"): format_value(k, g[k][i][1]) for k in cv.SPRITE_METRICS}})
    for label, g in groups.items():
        stats = {k: cv.seed_spread([v for _, v in g[k]]) for k in cv.SPRITE_METRICS}
        rows.append({group_col: label, model_col: t("compare.sprites.mean", n=max(s[2] for s in stats.values())),
                     **{t(f"compare.m.{k}"): f"{s[0]:.3f} ± {s[1]:.3f}" if s[2] else "—" for k, s in stats.items()}})
    return rows


# --------------------------------------------------------------------------- whole sections, cached
# What a section shows depends only on its models' files and the language: computed once per (models, their file
# versions, settings, language) and shared by every session (``st.cache_resource``: read-only objects).
# Their keys are one string each (``repr`` of the models, their file versions, the reports at hand): Streamlit's cache
# hashes a nested tuple item by item, a string at once.
def models_key(infos) -> tuple:
    """The cache key of what is computed from the models ``infos`` (None entries skipped): their ids, folders and
    the versions of the files their numbers come from (``cache.model_stamp``)."""
    return tuple((i.id, str(i.path), cache.model_stamp(i.path)) for i in infos if i is not None)


def lineup_key(trio) -> tuple:
    """The cache key of what is computed from a line-up ((kind, model or None), …): each place and its model."""
    return tuple((kind, models_key([info])) for kind, info in trio)


@dataclass(frozen=True)
class MetricsView:
    """Section 2 of the page: the metrics table (winners in green, rendered once), its caption, the lecture's
    claims as a markdown checklist and the notes that explain a failing or disputed claim."""

    table: PreparedTable
    caption: str
    claims: str
    notes: tuple[str, ...]


@st.cache_resource(show_spinner=False, max_entries=64)
def _metric_view(key: str, lang: str, _latent_dim: int, _trio, _reports) -> MetricsView:
    latent_dim = _latent_dim  # in the key
    table, marks, claims, n_seeds = metric_view(_trio, _reports)
    caption = t("compare.table.caption") + (" " + t("compare.table.spread", n=n_seeds) if n_seeds > 1 else "")
    styled = prepare_table(lambda: style_winners(table, marks), uuid="compare-metrics")
    return MetricsView(styled, caption, t("compare.claims.header") + "\n" + "\n".join(claim_lines(claims, n_seeds)),
                       tuple(claim_notes(claims, _trio, _reports, latent_dim)))


def metrics_view(trio, reports: dict, latent_dim: int, lang: str) -> MetricsView:
    """The metrics table and the lecture's claims for the line-up ``trio`` ((kind, model or None), …) with the
    ``reports`` that could be computed (by model id), in language ``lang``."""
    return _metric_view(key=repr((lineup_key(trio), sorted(reports), latent_dim)), lang=lang, _latent_dim=latent_dim,
                        _trio=trio, _reports=reports)


@st.cache_resource(show_spinner=False, max_entries=64)
def _kl_dims(key: str, lang: str, _trio, _reports) -> Prepared | None:
    kl_dims = {column_label(k, m): _reports[m.id]["kl_per_dim"]
               for k, m in _trio if m is not None and (_reports.get(m.id) or {}).get("kl_per_dim")}
    if not kl_dims:
        return None
    return prepare(per_dim_bars(kl_dims, t("compare.kl_dims.title"), t("compare.kl_dims.axis"),
                                colors=dict(zip(kl_dims, ("#1f77b4", "#9467bd")))))


def kl_dims_figure(trio, reports: dict, lang: str) -> Prepared | None:
    """The KL per latent dimension of the line-up's models that have one (VAE, β-VAE), or None."""
    return _kl_dims(key=repr((lineup_key(trio), sorted(reports))), lang=lang, _trio=trio, _reports=reports)


@dataclass(frozen=True)
class SweepView:
    """Section 3 after its split radio: the rate–distortion chart, the β slide's trends as a markdown checklist,
    the notes explaining them, and the active-units chart."""

    rate_distortion: Prepared
    claims: str
    notes: tuple[str, ...]
    active_units: Prepared


@st.cache_resource(show_spinner=False, max_entries=64)
def _sweep_view(key: str, split: str, lang: str, _chosen: list, _latent_dim: int, _models, _reports) -> SweepView:
    chosen, latent_dim = _chosen, _latent_dim  # both in the key
    splits = {"test": t("compare.split.test"), "train": t("compare.split.train")}
    points = [p for m in _models if m.id in _reports
              and (p := cv.sweep_point(m.id, m.beta, _reports[m.id], stored(m.path), split)) is not None]
    spread = cv.sweep_spread(_models, _reports, "recon") if split == "test" else []
    rd = rate_distortion_figure(
        points, selected=list(chosen), title=t("compare.rd.title", split=splits[split]), x_title=t("compare.rd.x"),
        y_title=t("compare.rd.y"), models_name=t("compare.rd.models"), selected_name=t("compare.rd.selected"),
        spread=spread, spread_name=t("compare.rd.spread"))
    sweep = cv.sweep_claims(_models, _reports)
    au = active_units_figure(points, latent_dim, title=t("compare.au.title"), y_title=t("compare.au.y"))
    return SweepView(prepare(rd), t("compare.sweep.claims") + "\n" + "\n".join(claim_lines(sweep)),
                        tuple(sweep_notes(sweep, _models, _reports, latent_dim)), prepare(au))


def sweep_view(models, reports: dict, chosen, split: str, latent_dim: int, lang: str) -> SweepView:
    """The β sweep of ``models`` (with their ``reports``) on the ``split`` ("test" or "train"), the ``chosen`` model
    ids drawn as stars, in language ``lang``."""
    key = (models_key(models), tuple(sorted(reports)))
    return _sweep_view(key=repr((key, list(chosen), latent_dim)), split=split, lang=lang, _chosen=list(chosen),
                       _latent_dim=latent_dim, _models=models, _reports=reports)


@dataclass(frozen=True)
class SpriteView:
    """Section 4: the per-model table with the mean ± sd rows, the per-seed chart (None without groups) and the
    verdicts of the smallest against the largest β, as (verdict, message)."""

    rows: tuple[dict, ...]
    seeds: Prepared | None
    verdicts: tuple[tuple[str, str], ...]


@st.cache_resource(show_spinner=False, max_entries=16)
def _sprite_view(key: str, lang: str, _models, _reports) -> SpriteView:
    groups = cv.sprite_groups(_models, _reports, lambda m: f"{t(f'kind.{m.kind}')} β={m.beta:g}, {m.latent_dim}-d")
    seeds = prepare(seeds_figure(groups, {k: t(f"compare.m.{k}") for k in cv.SPRITE_METRICS},
                                 title=t("compare.sprites.seeds_fig"))) if groups else None
    labels, verdicts = list(groups), []
    for k in cv.SPRITE_METRICS if len(labels) >= 2 else ():
        lo_g, hi_g = labels[0], labels[-1]  # smallest β vs largest β
        s = cv.compare_seeds(t(f"compare.m.{k}"), lo_g, [v for _, v in groups[lo_g][k]], hi_g, [v for _, v in groups[hi_g][k]])
        if s is not None:
            verdicts.append((s.verdict, t(f"compare.sprites.{s.verdict}", metric=s.metric, hi=s.hi, lo=s.lo,
                                          hi_mean=s.hi_mean, lo_mean=s.lo_mean)))
    return SpriteView(tuple(sprite_rows(groups)), seeds, tuple(verdicts))


def sprite_view(models, reports: dict, lang: str) -> SpriteView:
    """Disentanglement on sprites over seeds for ``models`` (with their ``reports``), in language ``lang``."""
    return _sprite_view(key=repr((models_key(models), sorted(reports))), lang=lang, _models=models, _reports=reports)
