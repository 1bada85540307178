"""What the Compare page shows, decided here so that the page only lays it out and tests call it directly.

- which models make the β sweep and the sprites groups (``sweep_models``, ``sprite_groups``);
- the lecture's claims, checked on the shipped model *and on its other training seeds* when
  ``vae.seeds`` has them (``claims_over_seeds``, ``sweep_claims``): a claim that holds on one seed only is
  reported as such, since a single seed can order two close models either way (Locatello et al. 2019);
- the spread over seeds of the numbers a claim rests on, shown where the seeds disagree (``seed_spread``);
- why a claim fails, from the models' own numbers (``sweep_gaps``: test − training reconstruction per β).

No Streamlit here except ``reports_with_progress`` (a progress bar while reports are computed).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np

from ..kinds import KINDS, get_kind
from ..sweeps import SOURCE as SWEEP_SOURCE
from ..sweeps import sweep_members
from .compare_figures import METRICS, number, winners

SPRITE_METRICS = ("mig", "beta_vae_score")

# The lecture's predictions for the trio, checked against the table: (metric, kinds expected to win the row).
LECTURE_CLAIMS: tuple[tuple[str, frozenset], ...] = (
    ("recon", frozenset({"ae"})),
    ("prior_confidence", frozenset({"vae", "beta-vae"})),
    ("coverage", frozenset({"vae", "beta-vae"})),
    ("posterior_prior_distance", frozenset({"vae", "beta-vae"})),
    ("smoothness", frozenset({"vae", "beta-vae"})),
    ("kl", frozenset({"beta-vae"})),
)
# The β slide, checked along the sweep (test split): (metric, +1 = grows with β, −1 = falls with β).
SWEEP_CLAIMS: tuple[tuple[str, int], ...] = (("kl", -1), ("recon", +1), ("mse", +1))


_REPORTED: set = set()  # (folder, weights version) of every report this process has computed or read


def reports_with_progress(infos: Iterable, progress_text: Callable[[object, int, int], str]) -> tuple[dict, dict]:
    """Reports of ``infos`` by model id (a progress bar while computing) and error messages by model id.

    The bar is drawn only when a report may have to be computed: once every report was served in this process,
    a rerun sends no bar (it was emptied at the end of the run anyway; the page is the same)."""
    import streamlit as st

    from ..errors import ExplorerError
    from . import cache

    infos = list({i.id: i for i in infos if i is not None}.values())
    reports, errors = {}, {}
    if not infos:
        return reports, errors
    stamps = [(str(i.path), cache.model_version(i.path)) for i in infos]
    bar = None if all(s in _REPORTED for s in stamps) else st.progress(0.0)
    for i, (info, stamp) in enumerate(zip(infos, stamps)):
        if bar is not None:
            bar.progress(i / len(infos), text=progress_text(info, i + 1, len(infos)))
        try:
            reports[info.id] = cache.model_report(info.path)
            _REPORTED.add(stamp)
        except (ExplorerError, OSError, ValueError, RuntimeError) as exc:
            errors[info.id] = str(exc)
    if bar is not None:
        bar.empty()
    return reports, errors


# --------------------------------------------------------------------------- claims, over seeds
@dataclass
class ClaimCheck:
    """One prediction of the lecture: the winners of its row on the shown models, and whether it holds
    there (``holds``: None = not testable) and on each training seed (``per_seed[0]`` is the shown models)."""

    metric: str
    expected: frozenset
    winners: set
    holds: bool | None
    per_seed: list = field(default_factory=list)

    @property
    def seeds_agree(self) -> bool:
        return len(set(self.per_seed)) <= 1


def check_claims(raw_by_kind: dict[str, dict[str, object]]) -> list[ClaimCheck]:
    """For each lecture claim, the winners of its row (``raw_by_kind`` = {metric: {kind: value}}) and
    whether they are the kinds the lecture expects (a shared win with an unexpected kind does not hold).

    Only the lecture's AE, VAE and β-VAE are judged; a claim is checked only when the row has a value for an
    expected kind and for another kind (no AE: no AE claim)."""
    better = {k: b for k, _, b in METRICS}
    out = []
    for metric, expected in LECTURE_CLAIMS:
        vals = {k: v for k, v in raw_by_kind.get(metric, {}).items() if k not in KINDS or KINDS[k].lecture_trio}
        present = {k for k, v in vals.items() if number(v) is not None}
        win = winners(vals, better[metric], metric)
        if not (present & expected and present - expected):
            win = set()
        holds = None if not win else win <= expected
        out.append(ClaimCheck(metric, expected, win, holds, [holds]))
    return out


def reports_over_seeds(folder, report: dict) -> list[dict]:
    """``report`` followed by the reports of the model's other training seeds (``vae.seeds.reports_over_seeds``),
    the other seeds read once per file version (``cache.other_seed_reports``)."""
    from . import cache

    return [report, *cache.other_seed_reports(str(folder))]


def seed_reports(trio: Sequence[tuple[str, object]], reports: dict[str, dict]) -> dict[str, list[dict]]:
    """{kind: [report of seed 0 (the shown model), of seed 1, …]} for the trio's models that have reports;
    the other seeds come from ``vae.seeds`` (shipped models only)."""
    return {kind: reports_over_seeds(info.path, reports[info.id]) for kind, info in trio
            if info is not None and info.id in reports}


def claims_over_seeds(by_kind: dict[str, list[dict]]) -> list[ClaimCheck]:
    """``check_claims`` on the shown models, then on every seed all the trio's models have, in ``per_seed``."""
    n = min((len(v) for v in by_kind.values()), default=0)
    raw = lambda s: {m: {k: v[s].get(m) for k, v in by_kind.items()} for m, _ in LECTURE_CLAIMS}  # noqa: E731
    if n == 0:
        return check_claims({})
    claims = check_claims(raw(0))
    for s in range(1, n):
        for claim, other in zip(claims, check_claims(raw(s))):
            claim.per_seed.append(other.holds)
    return claims


def seed_spread(values: Sequence) -> tuple[float, float, int]:
    """Mean, sample standard deviation (0 for one value) and count of the applicable values."""
    v = np.array([x for x in (number(a) for a in values) if x is not None], dtype=float)
    if len(v) == 0:
        return float("nan"), float("nan"), 0
    return float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0, len(v)


def disputed_spread(claims: Sequence[ClaimCheck], by_kind: dict[str, list[dict]]) -> dict[str, dict[str, tuple]]:
    """{metric: {kind: (mean, sd, n)}} over seeds for the claims whose seeds disagree: the table shows these."""
    return {c.metric: {k: seed_spread([r.get(c.metric) for r in reps]) for k, reps in by_kind.items()}
            for c in claims if not c.seeds_agree}


# --------------------------------------------------------------------------- the β sweep
@dataclass
class SweepPoint:
    """One model of the β sweep (``kl``/``recon``/``mse`` of one split)."""

    beta: float
    kl: float
    recon: float
    active_units: int | None
    model_id: str
    mse: float | None = None


def one_per_beta(models: Iterable, prefer: Sequence[str] = ()) -> list:
    """One model per β (sorted by β): a model chosen in the sidebar first, then shipped ones, then the user's, then
    a report-only sweep member (``vae.sweeps``), then by id."""
    best: dict[float, object] = {}
    rank = lambda m: (m.id not in prefer, getattr(m, "source", "") != "pretrained",  # noqa: E731
                      getattr(m, "source", "") == SWEEP_SOURCE, m.id)
    for m in models:
        if m.beta is None:
            continue
        b = float(m.beta)
        if b not in best or rank(m) < rank(best[b]):
            best[b] = m
    return [best[b] for b in sorted(best)]


def sweep_models(models: Iterable, dataset: str, latent_dim: int, prefer: Sequence[str] = ()) -> list:
    """The β sweep of a dataset and latent size: every plain (not denoising) model whose kind weighs a KL
    term, with the shipped report-only members (``vae.sweeps.sweep_members``: the β values whose weights are not
    shipped), one per β (``one_per_beta``, the sidebar's choices first)."""
    return one_per_beta([m for m in [*models, *sweep_members()] if m.dataset == dataset and m.latent_dim == latent_dim
                         and not m.noise and get_kind(m.kind).beta.weighs_kl], prefer=prefer)


def kept_epoch(history: list | None, best_epoch: int | None = None) -> dict:
    """The epoch record whose weights the model kept: ``best_epoch`` with early stopping, else the last."""
    history = [h for h in (history or []) if isinstance(h, dict)]
    if best_epoch:
        for h in history:
            if h.get("epoch") == best_epoch:
                return h
    return history[-1] if history else {}


def sweep_point(model_id: str, beta: float, report: dict | None, metrics: dict | None, split: str) -> SweepPoint | None:
    """(β, KL, reconstruction) of one model on the ``test`` split (its report) or the ``train`` split (the
    kept epoch of its stored training history, ``metrics`` = its metrics.json); None when figures are missing."""
    report = report or {}
    if split == "train":
        last = kept_epoch((metrics or {}).get("history"), (metrics or {}).get("best_epoch"))
        kl, recon, mse = number(last.get("train_kl")), number(last.get("train_recon")), None
    else:
        kl, recon, mse = number(report.get("kl")), number(report.get("recon")), number(report.get("mse"))
    if kl is None or recon is None:
        return None
    au = number(report.get("active_units"))
    return SweepPoint(float(beta), kl, recon, None if au is None else int(au), model_id, mse)


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation of two sequences (average ranks for ties); NaN for fewer than 3 points."""
    from scipy.stats import spearmanr

    if len(x) < 3:
        return float("nan")
    return float(spearmanr(x, y).statistic)


@dataclass
class SweepClaim:
    """One trend of the β slide along the sweep: Spearman ρ against β and whether every step goes the
    lecture's way (``monotone``), on the shown models (index 0) and on each other training seed."""

    metric: str
    sign: int
    rho: list = field(default_factory=list)
    monotone: list = field(default_factory=list)

    @property
    def holds(self) -> bool | None:
        return self.monotone[0] if self.monotone else None


def sweep_claims(models: Sequence, reports: dict[str, dict]) -> list[SweepClaim]:
    """The β slide's trends on the test split, for the sweep's shown models and for every seed all of them
    have (``vae.seeds``): KL falls, reconstruction loss and MSE grow as β grows."""
    runs = [reports_over_seeds(m.path, reports[m.id]) for m in models if m.id in reports]
    betas = [float(m.beta) for m in models if m.id in reports]
    n = min((len(r) for r in runs), default=0)
    out = []
    for metric, sign in SWEEP_CLAIMS:
        claim = SweepClaim(metric, sign)
        for s in range(n if len(runs) >= 3 else 0):
            vals = [number(r[s].get(metric)) for r in runs]
            if any(v is None for v in vals):
                break
            claim.rho.append(spearman(betas, vals))
            claim.monotone.append(all(sign * (b - a) > 0 for a, b in zip(vals, vals[1:])))
        out.append(claim)
    return out


def sweep_spread(models: Sequence, reports: dict[str, dict], metric: str) -> list[tuple[float, float, float, int]]:
    """(β, mean, sd, n seeds) of ``metric`` for each model of the sweep (the error bars of the chart)."""
    out = []
    for m in models:
        if m.id in reports:
            out.append((float(m.beta), *seed_spread([r.get(metric) for r in reports_over_seeds(m.path, reports[m.id])])))
    return out


def sweep_gaps(models: Sequence, reports: dict[str, dict], stored: Callable[[str], dict]) -> list[tuple[float, float]]:
    """(β, test − training reconstruction) of each sweep model: its generalisation gap, from its report and the
    kept epoch of its history (``stored(path)`` = metrics.json). A gap that shrinks with β is the KL acting as a
    regulariser, which can hide on the test split what β costs on the training split."""
    out = []
    for m in models:
        test = number((reports.get(m.id) or {}).get("recon"))
        metrics = stored(m.path)
        train = number(kept_epoch(metrics.get("history"), metrics.get("best_epoch")).get("train_recon"))
        if test is not None and train is not None:
            out.append((float(m.beta), test - train))
    return out


# --------------------------------------------------------------------------- sprites, over seeds
def sprite_models(models: Iterable) -> list:
    """The sprites models judged for disentanglement: plain models whose kind weighs a KL term, by β."""
    return sorted([m for m in models if m.dataset == "sprites" and not m.noise and get_kind(m.kind).beta.weighs_kl],
                  key=lambda m: (m.beta or 0, m.latent_dim, m.id))


def sprite_groups(models: Sequence, reports: dict[str, dict], label: Callable[[object], str]) -> dict[str, dict[str, list]]:
    """{group label: {metric: [(model id, value), …]}}: the seeds of one recipe (``label(model)``, e.g. kind, β
    and latent size) side by side, for MIG and the β-VAE score."""
    groups: dict[str, dict[str, list]] = {}
    for m in models:
        r = reports.get(m.id)
        if r is None:
            continue
        g = groups.setdefault(label(m), {k: [] for k in SPRITE_METRICS})
        for k in SPRITE_METRICS:
            g[k].append((m.id, r.get(k)))
    return groups


@dataclass
class SeedSummary:
    """One metric over the seeds of two groups of models: which group is higher, and do the seeds agree?"""

    metric: str
    hi: str
    lo: str
    hi_mean: float
    lo_mean: float
    verdict: str  # "agree", "disagree" or "one_seed"


def compare_seeds(metric: str, a_name: str, a_values: Sequence, b_name: str, b_values: Sequence) -> SeedSummary | None:
    """Which of two groups has the higher mean, and whether *every* seed of it beats every seed of the other
    ("agree"), the ranges overlap ("disagree"), or there is a single seed per group ("one_seed")."""
    a = [x for x in (number(v) for v in a_values) if x is not None]
    b = [x for x in (number(v) for v in b_values) if x is not None]
    if not a or not b:
        return None
    (hi, hv), (lo, lv) = ((a_name, a), (b_name, b)) if np.mean(a) >= np.mean(b) else ((b_name, b), (a_name, a))
    if len(a) == 1 and len(b) == 1:
        verdict = "one_seed"
    else:
        verdict = "agree" if min(hv) > max(lv) else "disagree"
    return SeedSummary(metric, hi, lo, float(np.mean(hv)), float(np.mean(lv)), verdict)

