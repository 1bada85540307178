"""The training worker: a process of its own (``spawn``), one job at a time, talking to the pool over a Pipe.

Messages are pickled by hand (``send_bytes``) so tensors travel as plain bytes, never as shared-memory
handles that would tie the two processes together:

* pool → worker: ``("run", spec)``, ``("stop",)``, ``("quit",)``;
* worker → pool: ``("ready", pid)`` once started, ``("event", name, info)`` for every training callback,
  ``("end", outcome)`` when a job ends.

Every callback event of ``vae.train.fit`` is forwarded as it comes (``epoch``, ``snapshot`` of the training
film, and any event added later), except ``batch`` events, which are coalesced to at most
:data:`BATCH_EVERY` seconds apart plus the last batch of each epoch: thousands of them per epoch would only
load the pipe. The job itself is :func:`run_job`: ``vae.training_run.train_and_save``, the one training
pipeline shared with the CLI. A stop request, the job's time budget, or the pool going away (its end of the
pipe closes) all stop the training after the current batch; then nothing is saved.
"""
from __future__ import annotations

import errno
import pickle
import sys
import time
import traceback
from pathlib import Path
from typing import Callable

BATCH_EVERY = 0.1  # seconds between two forwarded batch events
DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def batch_progress(info: dict, epochs: int, epoch: int = 0) -> tuple[float, int]:
    """(share of the run done, current epoch) after a ``batch`` event ``info`` (``epoch``, ``step``, ``steps``) of a
    run of ``epochs`` epochs: what the local pool and the distributed queue show as progress."""
    steps = max(1, int(info.get("steps", 1)))
    done = (int(info.get("epoch", 1)) - 1) * steps + int(info.get("step", 0))
    return min(1.0, done / (steps * max(1, int(epochs)))), int(info.get("epoch", epoch))


def _outcome(status: str, code: str = "", detail: str = "", **extra) -> dict:
    return {"status": status, "code": code, "detail": detail[:300], **extra}


def run_job(spec: dict, emit: Callable[[str, dict], None], should_stop: Callable[[], str | None]) -> dict:
    """Train and save one job (in the worker process; also callable in-process by tests).

    ``spec`` holds ``model_cfg`` and ``train_cfg`` (dicts), ``dataset`` (a name, loaded here, or a
    ``vae.data.Dataset``), ``out`` (the model folder) and ``store_dtype``. ``should_stop()`` returns None to go
    on, or why to stop (``"stop"``, ``"budget"``, ``"server"``). Returns the outcome: ``status`` (done, stopped,
    failed), ``code`` and a short ``detail`` (never a traceback), and once saved ``path`` and ``metrics``.
    """
    import torch

    from ..checkpoint import read_metrics
    from ..config import ModelConfig, TrainConfig
    from ..data import Dataset, load_dataset
    from ..errors import ExplorerError
    from ..training_run import train_and_save

    reason: list[str] = []

    def stop() -> bool:
        why = should_stop()
        if why and not reason:
            reason.append(why)
        return bool(why)

    try:
        data = spec["dataset"] if isinstance(spec["dataset"], Dataset) else load_dataset(spec["dataset"])
        mcfg, tcfg = ModelConfig.from_dict(spec["model_cfg"]), TrainConfig.from_dict(spec["train_cfg"])
        dtype = torch.float16 if spec.get("store_dtype") == "float16" else torch.float32
        run = train_and_save(mcfg, tcfg, data, spec["out"], callback=emit, should_stop=stop, store_dtype=dtype,
                             extra_metrics={"trained_in": "app"})
    except OSError as exc:  # the disk filled, the store is read-only: the save cleaned up after itself
        if Path(spec["out"]).is_dir():  # the model was saved, only its optional film could not be written
            try:
                metrics = read_metrics(spec["out"])
            except ExplorerError:
                metrics = {}
            return _outcome("done", "no_film", exc.strerror or "", path=spec["out"], metrics=metrics)
        return _outcome("failed", "disk" if exc.errno in DISK_FULL else "store", exc.strerror or type(exc).__name__)
    except ExplorerError as exc:
        return _outcome("failed", "error", str(exc))
    except Exception as exc:  # a bug: a short line for the page, the traceback for the server's log
        traceback.print_exc(file=sys.stderr)
        return _outcome("failed", "bug", f"{type(exc).__name__}: {exc}")
    if not run.saved:
        if reason:
            return _outcome("stopped", reason[0], run.fit.stop_reason or "")
        return _outcome("failed", "nan", run.fit.stop_reason or "")
    return _outcome("done", path=str(run.path), metrics=run.metrics)


class _Channel:
    """The worker's end of the pipe while a job runs: forwards events, answers ``should_stop``."""

    def __init__(self, conn, max_seconds: float):
        self.conn = conn
        self.deadline = time.monotonic() + max_seconds
        self.last_batch = 0.0
        self.why: str | None = None

    def send(self, *message) -> None:
        try:
            self.conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
        except (BrokenPipeError, ConnectionError, EOFError, OSError):
            self.why = self.why or "server"

    def emit(self, event: str, info: dict) -> None:
        if event == "batch":
            now = time.monotonic()
            if now - self.last_batch < BATCH_EVERY and info.get("step") != info.get("steps"):
                return
            self.last_batch = now
        try:
            payload = pickle.dumps(("event", event, info), protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # an event that cannot travel is dropped, the training goes on
        try:
            self.conn.send_bytes(payload)
        except (BrokenPipeError, ConnectionError, EOFError, OSError):
            self.why = self.why or "server"

    def should_stop(self) -> str | None:
        try:
            while self.why is None and self.conn.poll():
                if pickle.loads(self.conn.recv_bytes())[0] == "stop":
                    self.why = "stop"
        except (EOFError, ConnectionError, OSError):
            self.why = "server"  # the pool is gone: nobody would see the result
        if self.why is None and time.monotonic() > self.deadline:
            self.why = "budget"
        return self.why


def worker_main(conn, nice: int = 0) -> None:
    """Entry point of a worker process: its niceness raised by ``nice`` (the web process's sessions go first
    when the cores are short, ``vae.jobs.limits.DEFAULT_NICE``), one PyTorch thread, then jobs from the pipe
    until it closes."""
    import os

    if nice > 0:
        try:
            os.nice(nice)
        except OSError:
            pass  # not permitted here: train at the server's own priority
    import torch

    torch.set_num_threads(1)
    from .. import training_run  # noqa: F401 - imported before "ready": the first job starts at once
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # its first use imports torch._dynamo (seconds)
    channel = _Channel(conn, 0)
    channel.send("ready", os.getpid())
    while True:
        try:
            message = pickle.loads(conn.recv_bytes())
        except (EOFError, ConnectionError, OSError):
            return
        if message[0] == "quit":
            return
        if message[0] != "run":
            continue  # a stop that arrived after its job ended
        spec = message[1]
        channel = _Channel(conn, float(spec.get("max_seconds", 600)))
        outcome = run_job(spec, channel.emit, channel.should_stop)
        channel.send("end", outcome)
        if channel.why == "server":
            return
