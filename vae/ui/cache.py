"""Cached loaders shared by every page and session.

Models and datasets are ``st.cache_resource``: one read-only copy in memory for the whole server,
used under ``torch.inference_mode``. Encoded test sets and projections are ``st.cache_data``,
keyed by the model's path and the modification time of its weights (a retrained model with the
same name is never served stale results). Model reports are ``st.cache_resource`` too (plain dicts, read-only,
shared by every session).

The cached functions are called with keyword arguments: for a positional one, Streamlit's cache looks up the
function's signature (``inspect.signature``) on every call to find the argument's name, which was a visible share
of a rerun that calls some thirty cached functions (``bench/profile_rerun.py``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import streamlit as st
import torch

from .. import latent
from ..checkpoint import METRICS, WEIGHTS, ModelInfo, clean_stale_temp, list_models, load_model, read_metrics, user_store
from ..data import Dataset, load_dataset
from ..explorer_data import SHOWN_IMAGES, shown_indices
from ..models import Autoencoder
from ..projection import NEIGHBOUR_METHODS, Projection, cached_projection, project


def model_version(path: str) -> float:
    """Modification time of a model's weights: part of every cache key derived from that model."""
    try:
        return os.stat(Path(path) / WEIGHTS).st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False)
def _startup_cleanup(store: str) -> list[str]:
    """Once per server process and store: drop temp folders (> 1 h old) left by a crash mid-save."""
    return clean_stale_temp(Path(store))


@dataclass(frozen=True)
class StoreListing:
    """What the sidebar offers: every model the app can open, and a message for each folder it had to skip."""

    models: tuple[ModelInfo, ...]
    warnings: tuple[str, ...]


@st.cache_resource(ttl=3, show_spinner=False)
def store_listing() -> StoreListing:
    """Every model the app can open (shipped + user store) and the store's warnings, listed again every few seconds.

    One shared, immutable listing for every session (``st.cache_resource``, frozen ``ModelInfo``): with
    ``st.cache_data`` each rerun of each session unpickled its own copy, and the copy each session's selection kept
    was about 40 objects per student in the heap that every full collection walks (``bench/load.py --profile
    lecture``: ``gc_full_*``). The warnings travel with it, so every session shows them, not only the one whose
    rerun listed the store."""
    import warnings

    _startup_cleanup(str(user_store()))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models = list_models()
    return StoreListing(models=tuple(models), warnings=tuple(str(w.message) for w in caught))


@st.cache_resource(show_spinner=False, max_entries=64)
def _model(path: str, version: float) -> Autoencoder:
    model = load_model(path)
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def get_model(path: str) -> Autoencoder:
    """The model in folder ``path``, loaded once per server (raises ``CheckpointError`` if broken)."""
    return _model(path=path, version=model_version(path))


@st.cache_resource(show_spinner=False, max_entries=16)
def _registered_dataset(name: str) -> Dataset:
    return load_dataset(name)


@st.cache_resource(show_spinner=False, max_entries=2, ttl=900)
def _uploaded_dataset(name: str, version: float) -> Dataset:
    return load_dataset(name)


def get_dataset(name: str) -> Dataset:
    """A dataset by name, loaded once per server (raises ``DatasetError`` if it cannot be loaded).

    Uploads (``npz:``) are small on disk but may hold up to ``vae.uploads.MAX_UPLOAD_VALUES`` values once
    decompressed: at most two stay in memory, for 15 minutes, keyed by the file's modification time."""
    if name.startswith("npz:"):
        try:
            version = os.stat(name[4:]).st_mtime
        except OSError:
            version = 0.0
        return _uploaded_dataset(name=name, version=version)
    return _registered_dataset(name=name)


@st.cache_data(show_spinner=False, max_entries=64)
def _encoded(path: str, version: float, dataset: str, count: int = SHOWN_IMAGES) -> dict:
    model = get_model(path)
    data = get_dataset(dataset)
    shown = shown_indices(data, count)
    mu, logvar = latent.encode(model, data.x_test[shown])
    return {"mu": mu, "logvar": logvar, "labels": data.y_test.numpy()[shown]}


def encoded_test_set(path: str, count: int = SHOWN_IMAGES) -> dict:
    """μ (N, d), log σ² (or None) and labels of the test images the explorer shows (all of a test split of at
    most ``count``, else ``count`` of them stratified by label: ``vae.explorer_data.shown_indices``)."""
    model = get_model(path)
    return _encoded(path=path, version=model_version(path), dataset=model.cfg.dataset, count=int(count))


@st.cache_data(show_spinner=False, max_entries=64)
def _projection(path: str, version: float, method: str, count: int = SHOWN_IMAGES) -> Projection:
    enc = encoded_test_set(path, count)
    if method in NEIGHBOUR_METHODS:  # the model folder's map, the cache folder's, else the worker's own result
        from ..jobs.projection_jobs import get_executor

        done = cached_projection(enc["mu"], method, path) or get_executor().result(enc["mu"], method)
        if done is not None:
            return done
    return project(enc["mu"], method, model_dir=path)


def projection(path: str, method: str, count: int = SHOWN_IMAGES) -> Projection:
    """2-D projection (native, pca, tsne, umap) of the model's encoded test set (``count`` shown images), cached in
    memory and on disk."""
    return _projection(path=path, version=model_version(path), method=method, count=int(count))


_READY: set[tuple[str, float, str, int]] = set()  # (path, version, method, count) found ready once: ready for good


def projection_ready(path: str, method: str, count: int = SHOWN_IMAGES) -> bool:
    """True when :func:`projection` returns at once, without a t-SNE or UMAP fit in this process: native and PCA
    always; t-SNE and UMAP once on disk (shipped in the model folder, or in the cache folder) or just finished by
    the projection worker (``vae.jobs.projection_jobs``). Remembered per model version once true (files named by
    content are never rewritten with other coordinates)."""
    if method not in NEIGHBOUR_METHODS:
        return True
    key = (path, model_version(path), method, int(count))
    if key in _READY:
        return True
    from ..jobs.projection_jobs import get_executor

    mu = encoded_test_set(path, count)["mu"]
    if get_executor().result(mu, method) is None and cached_projection(mu, method, path) is None:
        return False
    _READY.add(key)
    return True


def request_projection(path: str, method: str, count: int = SHOWN_IMAGES):
    """Where the t-SNE or UMAP map of the model's ``count`` shown test images stands
    (``vae.jobs.projection_jobs.ProjectionStatus``), its fit queued in the projection worker when nobody asked for
    it yet: one job per codes and method, whichever session asks."""
    from ..jobs.projection_jobs import get_executor

    return get_executor().request(encoded_test_set(path, count)["mu"], method, model_dir=path)


@st.cache_data(show_spinner=False, max_entries=64)
def _metrics(path: str, version: float) -> dict:
    return read_metrics(path)


def stored_metrics(path: str) -> dict:
    """The model's ``metrics.json`` (training history included)."""
    return _metrics(path=path, version=model_version(path))


def _mtime(path: Path) -> float:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner=False, max_entries=256)
def _other_seeds(folder: str, metrics_version: float, seeds_version: float) -> list[dict]:
    from ..seeds import reports_over_seeds

    return reports_over_seeds(folder, {})[1:]


def model_stamp(path) -> tuple[float, float, float]:
    """The versions (modification times) of the files a model's numbers come from: its weights (its report),
    its ``metrics.json`` (its history) and its other training seeds' file (``vae.seeds``). Part of the key of
    anything computed from them."""
    from ..seeds import SEEDS_DIR, SEEDS_FILE

    folder = Path(path)
    return model_version(str(path)), _mtime(folder / METRICS), _mtime(SEEDS_DIR / folder.name / SEEDS_FILE)


def other_seed_reports(folder: str) -> list[dict]:
    """The reports of a shipped model's other training seeds (``vae.seeds.reports_over_seeds`` without the
    model's own), cached per (its metrics.json, its seeds file): Compare asks for them several times per run,
    and each uncached call reads two JSON files and parses two recorded commands with the CLI's argparse.
    Shared by every session (read-only)."""
    _, metrics_version, seeds_version = model_stamp(folder)
    return _other_seeds(folder=str(folder), metrics_version=metrics_version, seeds_version=seeds_version)


def decode(path: str, z: np.ndarray) -> np.ndarray:
    """Decode codes with the cached model (images (N, H, W) in [0, 1])."""
    return latent.decode(get_model(path), z)


def reconstruct(path: str, x: torch.Tensor) -> np.ndarray:
    """Reconstruction of images x through z = μ (images (N, H, W))."""
    model = get_model(path)
    mu, _ = latent.encode(model, x)
    return latent.decode(model, mu)


@st.cache_resource(show_spinner=False, max_entries=128)
def _report(path: str, version: float) -> dict:
    from ..report import model_report

    return model_report(path)


def model_report(path: str) -> dict:
    """Full evaluation (core + regularity metrics) of a model, cached in memory and in its folder.

    One dict per model version for the whole server (``st.cache_resource``: a hit is a look-up, where
    ``st.cache_data`` unpickled a copy; Compare reads some fifteen reports per rerun): read it, never change it."""
    return _report(path=path, version=model_version(path))
