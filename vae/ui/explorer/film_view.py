"""The training film as pages show it: the explorer's ``film`` view (``assets/view_film.js``) playing the
AE | VAE | β-VAE films side by side, or one training's film live while it runs.

* :func:`film_section` (Compare, Lecture): the sidebar's line-up, each model's stored film
  (``film.npz``, :mod:`vae.film`), sent once as a bundle the browser keeps by content hash; the scrubber
  and the play button run in the browser, no rerun.
* :func:`live_film` (Train): the snapshot events of a running training (``callback("snapshot", event)`` of
  ``vae.train.fit``), re-assembled into a film at each new snapshot, so the map forms while the class watches.

Each map keeps its axes fixed over the whole film (:func:`fixed_range`), so motion is visible; a larger latent
space is shown in the principal plane of the final codes, one basis for every frame (no flips or spins).
Tests call :func:`film_data`, :func:`live_data` and :func:`fixed_range` directly.
"""
from __future__ import annotations

import dataclasses
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np
import streamlit as st

from ...checkpoint import ModelInfo
from ...errors import ExplorerError
from ...film import FILM, N_POINTS, Film, FilmError, film_from_snapshots, read_film
from .. import cache
from ..i18n import class_names, current_lang, grouped, t
from ..sidebar import Selection, model_label
from . import mount
from .payloads import film_ref, plotly_ref
from ..export import file_name
from .views import axis_titles, texts

FILM_KEY = "film.explorer"
LIVE_KEY = "train.film"
CLIP_PERCENT = 0.25    # of each frame's codes on each side: beyond, a code is drawn on the axes' edge
PRIOR_REACH = 3.2      # the prior's 3σ circle, and a little room


def _stamp(path: str) -> tuple:
    try:
        st_ = os.stat(Path(path) / FILM)
        return st_.st_mtime_ns, st_.st_size
    except OSError:
        return (0, 0)


@st.cache_resource(show_spinner=False, max_entries=64)
def _stored(path: str, stamp: tuple) -> tuple[Film | None, dict | None, str | None]:
    """(film, bundle ref, error) of the model folder ``path``, once per version of its film file."""
    try:
        model = cache.get_model(path)
        n_test = len(cache.get_dataset(model.cfg.dataset).y_test)  # a film's indices are into the whole test split
        film = read_film(path, latent_dim=model.cfg.latent_dim, n_test=n_test)
    except FilmError as exc:
        return None, None, str(exc)
    return film, (film_ref(film) if film is not None else None), None


def fixed_range(film: Film, prior: list[float] | None) -> dict:
    """Axes for the whole film: ``{"x": [lo, hi], "y": [lo, hi]}`` covering every frame's codes up to its own
    0.25th and 99.75th percentiles (so at most about 1% of a frame's codes, the farthest, are drawn on the edge,
    and the view says how many), the prior's 3σ circle when shown, and 6% of margin. One range for all frames,
    so motion is visible."""
    c = film.coords.astype(np.float64)
    lo = np.percentile(c, CLIP_PERCENT, axis=1).min(0)
    hi = np.percentile(c, 100 - CLIP_PERCENT, axis=1).max(0)
    if prior is not None:
        lo, hi = np.minimum(lo, np.asarray(prior) - PRIOR_REACH), np.maximum(hi, np.asarray(prior) + PRIOR_REACH)
    pad = np.maximum(hi - lo, 1e-3) * 0.06
    return {"x": [float(lo[0] - pad[0]), float(hi[0] + pad[0])], "y": [float(lo[1] - pad[1]), float(hi[1] + pad[1])]}


def prior_center(film: Film) -> list[float]:
    """Where the prior N(0, I) sits on the film's plane: the origin natively; for a PCA film the projection of
    the origin, (0 − mean)·Cᵀ (orthonormal components: the prior seen in that plane is again N(·, I₂))."""
    if film.projection == "native":
        return [0.0, 0.0]
    return [float(v) for v in (-film.mean) @ film.components.T]


def _entry(film: Film, ref: dict, label_names: list[str]) -> dict:
    """What the view needs of one film besides its bundle: axes, prior centre, titles, notes."""
    prior = prior_center(film)
    entry = {"film": ref, "range": fixed_range(film, prior), "prior": prior, "axis": axis_titles(film.projection, film.explained),
             "label_names": label_names, "points": int(len(film.indices))}
    if film.projection == "pca":
        entry["note"] = t("film.pca_note", d=film.latent_dim)
    if film.best_epoch:
        entry["best"] = t("vx.film_best", epoch=film.best_epoch)
    return entry


def _labels(dataset: str | None) -> list[str]:
    try:
        return class_names(dataset, cache.get_dataset(dataset).label_names) if dataset else []
    except ExplorerError:
        return []


def film_entry(kind: str, info: ModelInfo | None) -> dict:
    """One column of the film view: the model's stored film, or a ``missing`` message saying why there is none."""
    title = t(f"kind.{kind}")
    if info is None:
        return {"kind": kind, "title": title, "missing": t("map.trio.missing", kind=title)}
    name = info.id.split("/", 1)[-1]
    base = {"kind": kind, "title": title, "label": model_label(info),
            "export": file_name("training-film", model=info.id, dataset=info.dataset, ext=None)}
    try:
        film, ref, error = _stored(info.path, _stamp(info.path))
    except (ExplorerError, OSError, ValueError) as exc:  # the model itself cannot be read
        return {**base, "missing": t("common.error_model", detail=exc)}
    if error is not None:
        return {**base, "missing": t("film.error", name=name, detail=error)}
    if film is None:
        return {**base, "missing": t("film.missing", name=name)}
    return {**base, **_entry(film, ref, _labels(info.dataset))}


@st.cache_resource(show_spinner=False, max_entries=64)
def _film_entries(key: str, lang: str, _lineup) -> tuple[dict, ...]:
    return tuple(film_entry(kind, info) for kind, info in _lineup)


def film_data(sel: Selection, compact: bool = False) -> dict:
    """The ``data`` of the film view for the sidebar's line-up (AE | VAE | β-VAE, and any other kind picked).

    Its films' entries (axes over every frame, titles, notes) are computed once per (line-up, their film files'
    and weights' versions, language) and shared by every session: read-only."""
    lineup = sel.lineup()
    key = tuple((kind, None) if info is None else
                (kind, info.id, str(info.path), _stamp(info.path), cache.model_version(info.path))
                for kind, info in lineup)
    lang = current_lang()
    return {"plotly": plotly_ref(), "films": list(_film_entries(key=repr(key), lang=lang, _lineup=lineup)),
            "compact": compact, "live": False, "text": texts(), "lang": lang}


def film_section(sel: Selection, compact: bool = False, key: str = FILM_KEY) -> None:
    """Compare and Lecture: a header, what to look for, and the line-up's films side by side (one scrubber,
    one play button). ``compact`` (the Lecture's steps): smaller maps, no header."""
    if not compact:
        st.header(t("film.header"))
    data = film_data(sel, compact)
    points = [f["points"] for f in data["films"] if "film" in f]
    st.caption(t("film.caption", n=grouped(max(points, default=N_POINTS))))
    if not points:
        st.info(t("film.none"))
        return
    mount("film", key=key, data=data, state={})


_BASES: OrderedDict[str, np.ndarray] = OrderedDict()  # run -> the (2, d) basis its live map last used
_BASES_LOCK = threading.Lock()


def align_basis(film: Film, previous: np.ndarray | None) -> Film:
    """A live PCA film turned in its own plane to match the basis the map used at the previous snapshot.

    The principal plane of the latest codes moves a little at each snapshot; its two axes may swap, change
    sign or turn. The 2×2 orthogonal Q closest to ``previous`` (Procrustes: Q = U Vᵀ, with U S Vᵀ the SVD of
    previous · componentsᵀ) is applied to the basis and to every frame's coordinates, so the map never flips
    or spins from one snapshot to the next; each axis's share of variance is recomputed for the turned axes.
    Native (latent 2) films and a first snapshot (``previous`` None) are returned unchanged."""
    if film.projection != "pca" or previous is None or previous.shape != film.components.shape:
        return film
    u, _, vt = np.linalg.svd(previous.astype(np.float64) @ film.components.astype(np.float64).T)
    q = u @ vt
    comps = (q @ film.components).astype(np.float32)
    coords = (film.coords.astype(np.float64) @ q.T).astype(np.float32)
    last = coords[-1].astype(np.float64)
    total = sum(film.explained or [0.0])
    var = last.var(0)
    explained = [float(v) for v in total * var / max(var.sum(), 1e-12)]
    return dataclasses.replace(film, components=comps, coords=coords, explained=explained)


@st.cache_resource(show_spinner=False, max_entries=16)
def _live(run: str, n: int, last_step: int, _events: tuple) -> tuple[Film, dict]:
    film = film_from_snapshots(list(_events))
    with _BASES_LOCK:
        film = align_basis(film, _BASES.get(run))
        if film.components is not None:
            _BASES[run] = film.components
            _BASES.move_to_end(run)
            while len(_BASES) > 64:
                _BASES.popitem(last=False)
    return film, film_ref(film)


def live_data(snapshot_events: list[dict], *, title: str = "", label: str = "", dataset: str | None = None) -> dict | None:
    """The ``data`` of the film view for a running training's snapshot events so far (None before the first);
    ``dataset`` (its name) gives the labels' names.

    Assembled with ``vae.film.film_from_snapshots``: a larger latent space is projected on the principal plane
    of the latest snapshot, the same basis for all frames shown, turned in that plane to match the basis of the
    previous snapshot (:func:`align_basis`), so the map does not flip or spin as snapshots arrive (the saved film
    uses the final codes' principal plane)."""
    events = [e for e in snapshot_events or [] if isinstance(e, dict) and "mu" in e]
    if not events:
        return None
    last = events[-1]
    film, ref = _live(str(last.get("run")), len(events), int(last.get("global_step", 0)), tuple(events))
    entry = {"kind": "live", "title": title, "label": label, **_entry(film, ref, _labels(dataset))}
    return {"plotly": plotly_ref(), "films": [entry], "compact": False, "live": True, "text": texts(),
            "lang": current_lang()}


def live_film(snapshot_events: list[dict], *, title: str = "", label: str = "", dataset: str | None = None,
              key: str = LIVE_KEY) -> None:
    """Train page: the map of the model being trained, updated at each snapshot (``snapshot_events``: the
    ``"snapshot"`` callback events of its run, in order, e.g. ``job.snapshot()["snapshots"]``); ``title`` and
    ``label`` name it (its kind, its name), ``dataset`` gives the labels' names. Before the first snapshot, a
    short note. Call it from the page's polling fragment: the browser keeps its layout and follows the latest
    snapshot."""
    data = live_data(snapshot_events, title=title, label=label, dataset=dataset)
    points = data["films"][0]["points"] if data else N_POINTS  # Digits: fewer test images than N_POINTS
    st.caption(t("film.live_caption", n=grouped(points)))
    if data is None:
        st.caption(t("film.live_waiting"))
        return
    mount("film", key=key, data=data, state={})
