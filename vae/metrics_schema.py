"""The schema of ``metrics.json``: what each field a page reads must be.

``metrics.json`` is written by ``vae.training_run`` (``vae.metrics.evaluate_model``'s numbers, the training
``history``, how long it took, how it was trained) but an imported model brings its own, so its content is
outside input. ``check_metrics`` sorts a parsed file into the fields that fit the schema and a list of
problems: an import is refused when there is any problem (``vae.model_import``), while ``read_metrics``
drops the bad fields of a model already in the store, so a bad file can never crash a page (Compare reads
``history``) for anyone.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from .bounded_io import short

MAX_HISTORY = 10_000   # TrainConfig allows at most 10,000 epochs
MAX_TEXT = 4096
HISTORY_NUMBERS = ("train_recon", "train_kl", "train_total", "test_recon", "test_kl", "test_total",
                   "val_recon", "val_kl", "val_total")  # val_*: with a validation split (TrainConfig.val_fraction)


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _optional_number(v: Any) -> bool:
    return v is None or _number(v)


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 10**9


def _text(v: Any) -> bool:
    return isinstance(v, str) and len(v) <= MAX_TEXT


def history_entry_ok(entry: Any) -> bool:
    """One epoch of ``history``: an ``epoch`` ≥ 1 and loss terms, each a finite number or null."""
    return (isinstance(entry, dict) and set(entry) <= {"epoch", *HISTORY_NUMBERS} and "epoch" in entry
            and _count(entry["epoch"]) and entry["epoch"] >= 1
            and all(_optional_number(entry.get(k)) for k in HISTORY_NUMBERS))


def _history(v: Any) -> bool:
    return isinstance(v, list) and len(v) <= MAX_HISTORY and all(history_entry_ok(e) for e in v)


#: field -> (check, what it must be): every field ``training_run`` writes, nothing else.
FIELDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "kind": (_text, "a string"), "dataset": (_text, "a string"), "arch": (_text, "a string"),
    "recon_loss": (_text, "a string"), "command": (_text, "a string"), "trained_in": (_text, "a string"),
    "beta": (_optional_number, "a finite number or null"), "noise": (_number, "a finite number"),
    "recon": (_optional_number, "a finite number or null"), "kl": (_optional_number, "a finite number or null"),
    "loss": (_optional_number, "a finite number or null"), "mse": (_optional_number, "a finite number or null"),
    "train_seconds": (_number, "a finite number"), "latent_dim": (_count, "a non-negative integer"),
    "n_test": (_count, "a non-negative integer"), "best_epoch": (_count, "a non-negative integer"),
    "history": (_history, f"a list of at most {MAX_HISTORY:,} epochs, each with 'epoch' and finite numbers or null"),
}


def check_metrics(data: Any) -> tuple[dict, list[str]]:
    """(the fields of ``data`` that fit the schema, one short problem per field that does not).

    A ``history`` with some bad epochs keeps its good ones (and counts as one problem).
    """
    if not isinstance(data, dict):
        return {}, ["metrics.json must hold a JSON object"]
    clean, problems = {}, []
    for key, value in data.items():
        if key not in FIELDS:
            problems.append(f"unknown field {short(key)}")
            continue
        check, expected = FIELDS[key]
        if check(value):
            clean[key] = value
            continue
        problems.append(f"{key} must be {expected}")
        if key == "history" and isinstance(value, list):
            clean[key] = [e for e in value[:MAX_HISTORY] if history_entry_ok(e)]
    return clean, problems
