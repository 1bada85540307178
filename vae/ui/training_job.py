"""Training jobs for the Train page: a worker thread per job, a server-wide registry, no Streamlit.

The page validates the form (``make_configs``), starts a ``Job`` with ``start_job`` and keeps only
the job id in its session state; a polling fragment reads ``get_job(id).snapshot()``. The worker
thread never touches Streamlit: it runs ``vae.train.fit`` with a callback that updates the job
and ``should_stop = stop_event.is_set``. On success it evaluates the model and saves it atomically
into the user store (never ``pretrained/``). A NaN stop, a Stop request or any error saves nothing.
"""
from __future__ import annotations

import threading
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import torch

from ..checkpoint import safe_model_path
from ..config import ModelConfig, TrainConfig
from ..data import Dataset
from ..errors import CheckpointError, ConfigError, ExplorerError
from ..kinds import get_kind
from ..training_run import train_and_save

MAX_CONCURRENT = 2          # trainings running at once on this server (2 cores)
MAX_KEPT = 50               # finished jobs remembered in the registry
ACTIVE = ("queued", "running")


class FormError(ExplorerError):
    """An invalid Train form value; ``code`` names a translation key ``train.err.<code>``."""

    def __init__(self, code: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(f"{code}: {fmt}" if fmt else code)


def parse_hidden(text: str) -> list[int]:
    """``"256 128"`` (spaces or commas) → [256, 128]; anything else raises ``FormError('hidden')``."""
    parts = str(text).replace(",", " ").split()
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise FormError("hidden", text=text) from None
    if not sizes or any(s < 1 for s in sizes):
        raise FormError("hidden", text=text)
    return sizes


def make_configs(*, kind: str, beta: float | None, latent_dim: int, arch: str, hidden: str, recon: str, noise: float,
                 epochs: int, lr: float, batch_size: int, seed: int, dataset: str,
                 image_shape: tuple[int, int]) -> tuple[ModelConfig, TrainConfig]:
    """Check the form values (clear ``FormError`` for the common mistakes) and build validated configs.

    β follows the kind's rule, exactly as in the CLI (``vae.kinds.BetaRule.resolve``): None (an empty
    field) gives the kind's default; a β the kind refuses (the VAE with β = 4, the AE with any β: it has no KL term)
    raises ``BetaError`` with the CLI's message, never a silent change.
    Other invalid values raise ``ConfigError`` with the config's own message.
    """
    if int(epochs) < 1:
        raise FormError("epochs", value=epochs)
    if float(lr) <= 0:
        raise FormError("lr", value=lr)
    if int(batch_size) < 1:
        raise FormError("batch_size", value=batch_size)
    if float(noise) < 0 or float(noise) > 1:
        raise FormError("noise", value=noise)
    sizes = parse_hidden(hidden)
    beta = get_kind(kind).beta.resolve(kind, None if beta is None else float(beta))
    mcfg = ModelConfig(kind=kind, latent_dim=int(latent_dim), image_shape=tuple(image_shape), arch=arch, hidden=sizes,
                       beta=beta, recon=recon, noise=float(noise),
                       dataset=dataset).validate()
    tcfg = TrainConfig(epochs=int(epochs), lr=float(lr), batch_size=int(batch_size), seed=int(seed), device="cpu").validate()
    return mcfg, tcfg


@dataclass
class Job:
    """One training run. Fields are written by the worker under ``lock``; read them via ``snapshot``."""

    id: str
    name: str
    path: Path
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    status: str = "queued"           # queued, running, done, stopped, failed
    progress: float = 0.0            # fraction of all batches done
    epoch: int = 0
    history: list[dict] = field(default_factory=list)
    error: str | None = None         # why it failed (fit's stop reason or the exception)
    result_path: str | None = None   # model folder once saved
    metrics: dict | None = None
    started: float = field(default_factory=time.time)
    finished: float | None = None
    stop_event: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def stop(self) -> None:
        """Ask the worker to stop after the current batch; nothing will be saved."""
        self.stop_event.set()

    def snapshot(self) -> dict:
        """A consistent copy of the fields the page shows."""
        with self.lock:
            return {"id": self.id, "name": self.name, "status": self.status, "progress": self.progress,
                    "epoch": self.epoch, "epochs": self.train_cfg.epochs, "history": [dict(h) for h in self.history],
                    "error": self.error, "result_path": self.result_path,
                    "metrics": dict(self.metrics) if self.metrics else None,
                    "stop_requested": self.stop_event.is_set(), "seconds": (self.finished or time.time()) - self.started,
                    "variational": self.model_cfg.variational}

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker ends (tests and scripts); True if it ended."""
        if self.thread is not None:
            self.thread.join(timeout)
        return not self.active

    # -- worker side -------------------------------------------------------------------------
    def _callback(self, event: str, info: dict) -> None:
        with self.lock:
            if event == "batch":
                total = max(1, self.train_cfg.epochs * info["steps"])
                self.progress = min(1.0, ((info["epoch"] - 1) * info["steps"] + info["step"]) / total)
                self.epoch = info["epoch"]
            elif event == "epoch":
                self.history.append(dict(info))

    def _finish(self, status: str, error: str | None = None) -> None:
        with self.lock:
            self.status, self.error, self.finished = status, error, time.time()

    def run(self, data: Dataset) -> None:
        """The worker: train, then evaluate and save, or record why nothing was saved."""
        try:
            torch.set_num_threads(1)  # keep the other core for the other sessions
            with self.lock:
                self.status = "running"
            run = train_and_save(self.model_cfg, self.train_cfg, data, self.path, callback=self._callback,
                                 should_stop=self.stop_event.is_set, extra_metrics={"trained_in": "app"})
            result = run.fit
            if self.stop_event.is_set() and not result.completed:
                self._finish("stopped", result.stop_reason)
                return
            if not result.completed:
                self._finish("failed", result.stop_reason)
                return
            metrics, saved = run.metrics, run.path
            with self.lock:
                self.metrics, self.result_path, self.progress = metrics, str(saved), 1.0
            self._finish("done")
        except ExplorerError as exc:
            self._finish("failed", str(exc))
        except Exception as exc:  # a bug must not kill the server silently: report it on the page
            self._finish("failed", f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}")


_JOBS: dict[str, Job] = {}
_REGISTRY_LOCK = threading.Lock()


def get_job(job_id: str | None) -> Job | None:
    """The job with this id (None if unknown, e.g. after a server restart)."""
    return _JOBS.get(job_id) if job_id else None


def active_jobs() -> list[Job]:
    return [j for j in _JOBS.values() if j.active]


def check_name(name: str, store: Path | None = None) -> Path:
    """Path of a new user model ``name``; ``FormError`` if the name is invalid or already taken."""
    try:
        path = safe_model_path(str(name).strip(), store)
    except CheckpointError:
        raise FormError("name", name=name) from None
    if path.exists() or any(j.path == path and j.active for j in list(_JOBS.values())):
        raise FormError("exists", name=name)
    return path


def start_job(name: str, model_cfg: ModelConfig, train_cfg: TrainConfig, data: Dataset,
              store: Path | None = None, max_concurrent: int = MAX_CONCURRENT) -> Job:
    """Start training in a daemon thread and register the job; refuses bad names and a full server."""
    with _REGISTRY_LOCK:
        path = check_name(name, store)
        if len(active_jobs()) >= max_concurrent:
            raise FormError("busy", n=max_concurrent)
        if tuple(data.image_shape) != tuple(model_cfg.image_shape):
            raise ConfigError(f"the model expects {model_cfg.image_shape} images, the dataset has {data.image_shape}")
        job = Job(id=uuid.uuid4().hex[:12], name=str(name).strip(), path=path, model_cfg=model_cfg, train_cfg=train_cfg)
        job.thread = threading.Thread(target=job.run, args=(data,), name=f"train-{job.id}", daemon=True)
        _JOBS[job.id] = job
        finished = [j for j in _JOBS.values() if not j.active]
        for old in sorted(finished, key=lambda j: j.started)[:max(0, len(_JOBS) - MAX_KEPT)]:
            _JOBS.pop(old.id, None)
        job.thread.start()
    return job
