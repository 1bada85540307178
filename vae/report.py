"""The full evaluation of a model folder (core metrics + regularity metrics), cached on disk.

``model_report(folder)`` is what ``python -m vae evaluate DIR --json`` prints and what the
Compare page shows. Computing it takes a few seconds, so it is cached in ``<folder>/report.json``
(or, for a read-only folder, in the user cache), keyed by the SHA-256 of the weights file and
``REPORT_VERSION``: a retrained model or a new metric definition is never served stale numbers.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .atomic_file import write_file_atomically
from .bounded_io import open_regular, read_json
from .checkpoint import WEIGHTS, load_model
from .classifier import has_classifier, load_classifier
from .cache_dir import cache_dir
from .data import load_dataset
from .errors import CheckpointError, ExplorerError
from .metrics import evaluate_model
from .regularity import full_report
from .sweeps import is_sweep_member, member_report

REPORT_VERSION = 2  # 2: coverage, prior_precision, prior_recall (k-NN precision and recall)
REPORT_FILE = "report.json"


def weights_digest(folder: str | os.PathLike) -> str:
    """SHA-256 (hex, 16 chars) of a model folder's weights file."""
    h = hashlib.sha256()
    with open_regular(Path(folder) / WEIGHTS, error=CheckpointError) as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def _cache_paths(folder: Path, digest: str) -> list[Path]:
    return [folder / REPORT_FILE, cache_dir("reports") / f"{digest}-v{REPORT_VERSION}.json"]


MAX_REPORT_BYTES = 16 << 20


def _read_cached(paths: list[Path], digest: str) -> dict | None:
    """The cached report of these weights, or None (absent, stale, or unreadable: too large, not JSON, not a
    regular file — a FIFO planted as ``report.json`` is refused at once by ``vae.bounded_io``, never waited on)."""
    for path in paths:
        if not os.path.lexists(path):
            continue
        try:
            data = read_json(path, limit=MAX_REPORT_BYTES, max_depth=8)
        except ExplorerError:
            continue
        if (isinstance(data, dict) and data.get("_digest") == digest and data.get("_version") == REPORT_VERSION
                and isinstance(data.get("report"), dict)):
            return data["report"]
    return None


def _write_cached(paths: list[Path], digest: str, report: dict, ship: bool = False) -> None:
    """Keep ``report`` in the cache folder (the last of ``paths``): the app only reads a model folder, so shipped
    models in a read-only install and a checkout's ``pretrained/`` are never written by a visitor. ``ship=True``
    (``python -m vae evaluate``, which ``make pretrained`` runs) writes ``report.json`` into the model folder,
    falling back to the cache when the folder cannot be written."""
    payload = json.dumps({"_digest": digest, "_version": REPORT_VERSION, "report": report}, indent=1)
    for path in (paths if ship else paths[-1:]):
        try:
            write_file_atomically(path, payload)
            return
        except OSError:
            continue  # a cache that cannot be written costs a recomputation next time, nothing else


def load_model_and_data(folder: str | os.PathLike):
    """The model of a folder and the dataset it was trained on (its config names it)."""
    model = load_model(folder)
    return model, load_dataset(model.cfg.dataset)


def compute_report(folder: str | os.PathLike, seed: int = 0) -> dict:
    """Core metrics (``evaluate_model``) and regularity metrics (``regularity.full_report``) of a folder.

    The digit classifier is used for sample-quality metrics when one is shipped for the dataset.
    """
    model, data = load_model_and_data(folder)
    dataset = model.cfg.dataset
    classifier = load_classifier(dataset) if has_classifier(dataset) else None
    report = evaluate_model(model, data)
    report.update(full_report(model, data, classifier=classifier, seed=seed))
    return report


def model_report(folder: str | os.PathLike, use_cache: bool = True, ship: bool = False) -> dict:
    """The full report of a model folder, read from the disk cache when it matches the weights; a new one is kept
    in the cache folder, or with ``ship=True`` (the CLI) in the model folder as ``report.json``."""
    folder = Path(folder)
    if is_sweep_member(folder):   # numbers only, no weights to score (vae.sweeps)
        report = member_report(folder)
        if report is None:
            raise CheckpointError(f"{folder.name}: its stored report cannot be read")
        return report
    digest = weights_digest(folder)
    paths = _cache_paths(folder, digest)
    if use_cache:
        cached = _read_cached(paths, digest)
        if cached is not None:
            return cached
    report = compute_report(folder)
    _write_cached(paths, digest, report, ship=ship)
    return report
