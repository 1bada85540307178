"""One training run from configs to a saved model folder: what the CLI, the app's training jobs and
``scripts/train_pretrained.sh`` (through the CLI) all do, written once.

``train_and_save`` seeds, builds the model from its config, runs ``vae.train.fit`` (progress through the
callback, Stop through ``should_stop``), rounds the weights to the stored precision (so the stored metrics
describe exactly what is stored), evaluates on the test split and writes the folder atomically with
``vae.checkpoint.save_model``, then its training film (``vae.film``: snapshots taken by ``fit``, written as
``film.npz`` into the saved folder). An incomplete run (NaN, Stop) saves nothing and says why.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import torch

from .checkpoint import save_model
from .config import ModelConfig, TrainConfig
from .data import Dataset
from .film import FilmRecorder, film_from_snapshots, write_film
from .metrics import evaluate_model
from .models import Autoencoder, build_model
from .train import Callback, FitResult, fit


@dataclass
class RunResult:
    """What ``train_and_save`` did: the fit (history, completed, stop reason), and once saved the folder and
    the metrics written to ``metrics.json``."""

    fit: FitResult
    model: Autoencoder
    path: Path | None = None
    metrics: dict = field(default_factory=dict)

    @property
    def saved(self) -> bool:
        return self.path is not None


def round_to(model: torch.nn.Module, dtype: torch.dtype) -> None:
    """Round weights (and a kind's stored tensors, e.g. a fitted Gaussian) through ``dtype`` in place, so
    metrics describe exactly what is stored."""
    with torch.no_grad():
        for p in [*model.parameters(), *model.buffers()]:
            p.copy_(p.to(dtype).float())


def train_and_save(model_cfg: ModelConfig, train_cfg: TrainConfig, data: Dataset, out: str | os.PathLike, *,
                   callback: Callback | None = None, should_stop: Callable[[], bool] | None = None,
                   store_dtype: torch.dtype = torch.float32, overwrite: bool = False,
                   extra_metrics: dict | None = None, record_film: bool = True) -> RunResult:
    """Train a model of ``model_cfg`` on ``data`` and save it to ``out``; nothing is saved when the run does
    not complete (``result.fit.completed`` is False and ``result.fit.stop_reason`` says why).

    ``extra_metrics`` (e.g. the command line, where it was trained) is merged into ``metrics.json``. With
    ``record_film`` (the default) the training film is recorded (``callback`` also receives its ``"snapshot"``
    events) and saved as ``film.npz``; recording changes nothing of the weights.
    """
    torch.manual_seed(train_cfg.seed)
    model = build_model(model_cfg)
    recorder = FilmRecorder(data.x_test, data.y_test) if record_film else None
    result = fit(model, data, train_cfg, callback, should_stop=should_stop, film=recorder)
    run = RunResult(fit=result, model=model)
    if not result.completed:
        return run
    model.cpu().eval()
    round_to(model, store_dtype)
    metrics = evaluate_model(model, data)
    metrics.update({"history": result.history, "train_seconds": round(result.seconds, 2),
                    **({"best_epoch": result.best_epoch} if result.best_epoch else {}), **(extra_metrics or {})})
    run.path = save_model(model, out, metrics, train_cfg, dtype=store_dtype, overwrite=overwrite)
    if recorder is not None and recorder.events:
        write_film(film_from_snapshots(recorder.events, best_epoch=result.best_epoch), run.path)
    run.metrics = metrics
    return run
