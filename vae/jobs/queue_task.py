"""The function RQ runs for a training (:func:`run_training`), in a ``latent-explorer worker`` process.

The worker process itself never trains: it keeps one warm training process (:func:`warm_child`: ``spawn``, one
PyTorch thread, niceness raised — the local pool's :func:`vae.jobs.worker.worker_main`, over the same pipe
protocol) and supervises it, as the local pool's supervisor does:

* the job moves from queued to running only if nobody cancelled it meanwhile (:func:`vae.jobs.queue_records.start`);
* every event the training sends goes to the job's record (progress, about once a second, with a heartbeat) or to
  its event stream (epochs, film snapshots), for every replica's Train page;
* a Stop asked from any replica or from ``vae jobs stop`` (the record's ``stop`` flag) is passed to the training,
  which stops after its batch; the time budget is enforced by the training itself, and as a backstop the training
  process is killed :data:`BUDGET_GRACE` seconds past it;
* a training process that dies (killed, out of memory) fails its job with the signal; the next job gets a new one;
* if this worker process is killed, its heartbeat stops and the replicas fail the job
  (:func:`vae.jobs.queue_client.settle_lost`); the training process sees its pipe close and stops at its next batch.

The model folder is written by the training process into the store named in the job — the same path on every
machine (a shared file system, ``docs/redis.md``).
"""
from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
import socket
import time

from ..reservation import REFRESH_SECONDS
from ..shared_state import redis_url
from . import queue_records as records
from .limits import Limits
from .queue_client import BUDGET_GRACE, end_job
from .schedule import DEFAULT_SPEED
from .wire import WireError, encode_event, spec_from_wire
from .worker import batch_progress, worker_main

WRITE_EVERY = 1.0      # seconds between two progress writes (each one is also the heartbeat)
DRAIN_SECONDS = 0.25   # the longest the worker reads the training's messages before it writes the heartbeat
BOOT_SECONDS = 300.0   # a training process that is not ready after this long failed to start
END_PATIENCE = 60.0    # seconds a finished training retries writing its outcome while Redis is away
TRAINING_PROCESS = "vae-train-worker"

_CHILD: tuple | None = None  # (process, connection) of this worker's warm training process


def worker_name() -> str:
    """``host/pid`` of this worker, as the records and the failure messages name it."""
    return f"{socket.gethostname()}/{os.getpid()}"


def warm_child(nice: int | None = None, timeout: float = BOOT_SECONDS):
    """This worker's training process, started (and ready: PyTorch imported) if it is not running; returns
    ``(process, connection)``. Raises ``RuntimeError`` if it cannot start."""
    global _CHILD
    if _CHILD is not None and _CHILD[0].is_alive():
        return _CHILD
    close_child()
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=True)
    process = ctx.Process(target=worker_main, args=(child, Limits.from_env().nice if nice is None else nice),
                          name=TRAINING_PROCESS, daemon=True)
    process.start()
    child.close()
    try:
        ready = parent.poll(timeout) and pickle.loads(parent.recv_bytes())[0] == "ready"
    except (EOFError, OSError):
        ready = False
    if not ready:
        process.kill()
        process.join(5)
        raise RuntimeError(f"the training process did not start (exit code {process.exitcode})")
    _CHILD = (process, parent)
    return _CHILD


def close_child(timeout: float = 5.0) -> None:
    """End this worker's training process (the worker is stopping, or the process must be replaced)."""
    global _CHILD
    if _CHILD is None:
        return
    process, conn = _CHILD
    _CHILD = None
    try:
        conn.send_bytes(pickle.dumps(("quit",)))
    except (OSError, ValueError):
        pass
    process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join(timeout)
    conn.close()


def _died(process) -> dict:
    process.join(1)
    code = process.exitcode
    how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
    return {"status": "failed", "code": "killed", "detail": f"the training process ended ({how})"}


class _Supervision:
    """One running job: the training process's messages → the job's record and events; stop and budget → it."""

    def __init__(self, store: str, job_id: str, url: str, epochs: int, image_epochs: int, max_seconds: float, holder):
        self.store, self.job_id, self.url, self.holder = store, job_id, url, holder
        self.epochs, self.image_epochs, self.max_seconds = epochs, image_epochs, max_seconds
        self.progress, self.epoch = 0.0, 0
        self.started = time.monotonic()
        self.last_write = self.last_refresh = 0.0
        self.stop_sent = False
        self.outcome: dict | None = None

    def images_per_s(self) -> float | None:
        seconds = time.monotonic() - self.started
        done = self.progress * self.image_epochs
        return done / seconds if seconds > 0.5 and done > 0 else None

    def handle(self, message: tuple) -> None:
        if message[0] == "event" and message[1] == "batch" and isinstance(message[2], dict):
            self.progress, self.epoch = batch_progress(message[2], self.epochs, self.epoch)
        elif message[0] == "event":
            try:
                records.add_event(self.store, self.job_id, encode_event(message[1], message[2]), self.url)
            except (WireError, OSError):
                pass  # an event that cannot travel (or a Redis away for a moment) is dropped, the training goes on
        elif message[0] == "end":
            self.outcome = message[1]

    def beat(self, process, conn) -> None:
        """Write the progress (the heartbeat), pass a stop on, renew the name, apply the budget's backstop."""
        now = time.monotonic()
        if now - self.last_write >= WRITE_EVERY:
            self.last_write = now
            try:
                running, stop = records.update(self.store, self.job_id, {
                    "progress": round(self.progress, 6), "epoch": self.epoch, "heartbeat": time.time(),
                    "images_per_s": self.images_per_s()}, self.url)
            except OSError:
                running, stop = True, False  # Redis away for a moment: go on, the next beat retries
            if (stop or not running) and not self.stop_sent:
                self.stop_sent = True  # asked to stop, or declared lost meanwhile: nobody would see the result
                try:
                    conn.send_bytes(pickle.dumps(("stop",)))
                except (OSError, ValueError):
                    pass  # the training process is gone: the next turn of the loop reports it
        if self.holder is not None and now - self.last_refresh >= REFRESH_SECONDS:
            self.last_refresh = now
            self.holder.refresh()
        if now - self.started > self.max_seconds + BUDGET_GRACE:
            process.kill()
            process.join(5)
            self.outcome = {"status": "stopped", "code": "budget", "detail": ""}

    def run(self, process, conn, spec: dict) -> dict:
        conn.send_bytes(pickle.dumps(("run", spec), protocol=pickle.HIGHEST_PROTOCOL))
        while self.outcome is None:
            try:
                # our own child's messages, for at most DRAIN_SECONDS: a training that sends events without a pause
                # (tiny epochs) must not starve the heartbeat and the stop flag below
                until = time.monotonic() + DRAIN_SECONDS
                while self.outcome is None and time.monotonic() < until and conn.poll(0.05):
                    self.handle(pickle.loads(conn.recv_bytes()))
            except (EOFError, OSError):
                if not process.is_alive():
                    return _died(process)
            if self.outcome is None and not process.is_alive() and not conn.poll():
                return _died(process)
            self.beat(process, conn)
        return self.outcome


def _fields(outcome: dict) -> dict:
    """The record's final fields for a training's outcome (``vae.jobs.worker.run_job``)."""
    fields = {"status": outcome.get("status", "failed"), "error_code": outcome.get("code", ""),
              "error": str(outcome.get("detail", ""))[:300], "result_path": outcome.get("path")}
    if outcome.get("metrics") is not None:
        fields["metrics"] = {k: v for k, v in outcome["metrics"].items() if k != "history"}
    if fields["status"] == "done":
        fields["progress"] = 1.0
    return fields


def _end(store: str, job_id: str, fields: dict, url: str, patience: float = END_PATIENCE) -> None:
    """Write a finished training's outcome, retrying while Redis is away (a restart): a saved model must not be
    reported lost because its record could not be written at that very moment."""
    deadline = time.monotonic() + patience
    while True:
        try:
            end_job(store, job_id, fields, url, allowed=("running",))
            return
        except OSError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(1.0)


def run_training(job_id: str, store: str) -> str:
    """Train job ``job_id`` of ``store`` (RQ calls this in ``latent-explorer worker``); returns its final status.

    Never raises for a training that fails: the record says how it ended. A job that was cancelled while it waited,
    or whose spec is not valid, is not run."""
    url = redis_url()
    raw = records.read_raw(store, job_id, url)
    if not raw:
        return "gone"
    try:
        spec = spec_from_wire(raw.get("spec", ""))
    except WireError as exc:
        end_job(store, job_id, {"status": "failed", "error_code": "error", "error": str(exc)}, url)
        return "failed"
    try:
        process, conn = warm_child()  # before the job counts as running (and its heartbeat starts): a training
    except RuntimeError as exc:       # process restarted after a crash may take a while to import PyTorch
        end_job(store, job_id, {"status": "failed", "error_code": "error", "error": str(exc)}, url)
        return "failed"
    verdict = records.start(store, job_id, worker_name(), url)
    if verdict == "stop":
        end_job(store, job_id, {"status": "cancelled", "error_code": "cancel"}, url)
        return "cancelled"
    if verdict != "ok":
        return verdict
    holder = None
    if raw.get("resv_key") and raw.get("resv_value"):
        from ..reservation_redis import Holder

        holder = Holder(url, raw["resv_key"], raw["resv_value"])
    try:
        max_seconds = min(float(raw.get("max_seconds") or 600), Limits.from_env().max_seconds)
    except ValueError:
        max_seconds = Limits.from_env().max_seconds
    out = str(spec.store / spec.name)
    job = _Supervision(store, job_id, url, spec.train_cfg.epochs, spec.image_epochs, max_seconds, holder)
    outcome = None
    try:
        outcome = job.run(process, conn, {"id": job_id, "out": out, "model_cfg": spec.model_cfg.to_dict(),
                                          "train_cfg": spec.train_cfg.to_dict(), "dataset": spec.dataset,
                                          "store_dtype": spec.store_dtype, "max_seconds": max_seconds})
    except BaseException as exc:  # RQ's own time-out, a cold shutdown of the worker: fail the job, then go on out
        close_child()
        outcome = {"status": "failed", "code": "killed", "detail": f"its worker stopped ({type(exc).__name__})"}
        end_job(store, job_id, _fields(outcome), url, allowed=("running",))
        raise
    finally:
        if _CHILD is not None and not _CHILD[0].is_alive():
            close_child()
    _end(store, job_id, _fields(outcome), url)
    metrics = outcome.get("metrics") or {}
    if outcome.get("status") == "done" and metrics.get("train_seconds"):
        records.record_speed(store, spec.image_epochs / max(0.1, float(metrics["train_seconds"])), DEFAULT_SPEED, url)
    return outcome.get("status", "failed")
