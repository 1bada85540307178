"""The training pool of one web process: a queue, a few worker processes, and the jobs' state (no Streamlit).

``JobPool.submit`` checks what a shared server must (every limit of the job itself: its size and its
image-epoch budget; one active job per person: per class member or teacher, and a small shared allowance for
anonymous visitors, so thirty throw-away sessions cannot fill the queue; the queue's length; the name: valid,
free, then reserved in the store across trainings, imports and replicas), records the job and queues it. A supervisor thread — the only code of the pool that runs on its own — then

* reads every message of every worker (``vae.jobs.worker``: events, ends) and applies it to the job;
* notices a dead worker (killed, crashed): its job fails with a clear message and a new worker replaces it;
* honours stop requests made from another process (``<store>/.jobs/<id>.stop``, ``python -m vae jobs stop``);
* kills a worker whose job runs a minute past the time budget (the worker itself stops at the budget);
* drops a queued job whose submitter's page stopped polling (:meth:`JobPool.seen`) for
  ``Limits.abandon_seconds``: they left before it started (a running job still finishes and saves);
* hands the oldest queued job to the first idle worker;
* writes each job's record into ``<store>/.jobs`` (``vae.jobs.jobfiles``), the queued ones again whenever their
  position changes, and keeps its name reserved.

Workers are started with the ``spawn`` context (a fresh interpreter: forking a threaded Streamlit or PyTorch
process is unsafe) and set one PyTorch thread. They never run the web process's main script
(:func:`_workers_skip_the_main_script`). Whatever happens to a worker, the web process goes on.
A running job does not depend on the session that submitted it: a student who closes the tab finds the model
in the list once it is saved.
"""
from __future__ import annotations

import hashlib
import multiprocessing as mp
import os
import pickle
import signal
import threading
import time
from dataclasses import dataclass, field
from multiprocessing import spawn
from multiprocessing.connection import wait as wait_for
from pathlib import Path

from ..checkpoint import user_store
from ..config import ModelConfig, TrainConfig
from ..data import Dataset
from ..reservation import REFRESH_SECONDS, Reservation, machine_id
from ..uploads import discard_unused
from . import jobfiles, schedule
from .form import FormError, check_job, reserve_training
from .limits import Limits
from .worker import batch_progress, worker_main

ACTIVE, FINAL = jobfiles.ACTIVE, jobfiles.FINAL
MAX_KEPT = 50                # finished jobs remembered in memory
KEEP_SNAPSHOTS = 8           # finished jobs that keep their film snapshots in memory
RECORD_EVERY = 1.0           # seconds between two records of a running job
BUDGET_GRACE = 60.0          # a worker still on a job this long past its time budget is killed
TICK = 0.25                  # the supervisor's longest sleep
ANONYMOUS = "anonymous"      # the submitter of a page with no class place and no teacher key
WORKER_NAME = "vae-train-worker"
_SKIP_MAIN_NAMES = {WORKER_NAME}  # processes spawned without the parent's __main__ (vae.jobs.projection_jobs adds its own)
SUMMARY = ("id", "name", "status", "epoch", "epochs", "progress", "position", "start_in")  # Job.summary's keys


def _workers_skip_the_main_script(name: str = WORKER_NAME) -> None:
    """Start every worker (a process named :data:`WORKER_NAME`, or ``name``: the projection worker's) without the
    parent's ``__main__``; idempotent.

    ``spawn`` runs the parent's main script again in the child (as ``__mp_main__``) before it unpickles the
    target, and under ``streamlit run`` the main module is the app's script: Streamlit installs app.py as
    ``sys.modules['__main__']`` for every run. So each worker ran the whole app once in bare mode, computing a
    page for no one, and every Streamlit call in it wrote "missing ScriptRunContext" (about 140 lines a worker)
    into the server's log. A worker needs only :func:`vae.jobs.worker.worker_main` (imported by name), so its
    preparation data leaves the main module out; other processes spawned here are left as they are."""
    _SKIP_MAIN_NAMES.add(name)
    original = spawn.get_preparation_data
    if getattr(original, "_vae_workers_skip_main", False):
        return

    def get_preparation_data(name):
        data = original(name)
        if name in _SKIP_MAIN_NAMES:
            data.pop("init_main_from_path", None)
            data.pop("init_main_from_name", None)
        return data

    get_preparation_data._vae_workers_skip_main = True
    spawn.get_preparation_data = get_preparation_data


@dataclass
class JobSpec:
    """What to train: configs, data (a dataset name the worker loads, or a ``Dataset``), where to save it."""

    name: str
    model_cfg: ModelConfig
    train_cfg: TrainConfig
    dataset: str | Dataset
    n_train: int
    store: Path = field(default_factory=user_store)
    session: str = ""
    store_dtype: str = "float32"
    submitter: str = ""  # who, from a page: ANONYMOUS, "class:CODE:TOKEN" or "teacher:OWNER"; "" = a script or the CLI

    @property
    def image_epochs(self) -> int:
        return int(self.n_train) * int(self.train_cfg.epochs)

    @property
    def dataset_name(self) -> str:
        return self.dataset.name if isinstance(self.dataset, Dataset) else str(self.dataset)


class Job:
    """One training: its spec and the state the worker reports (read it with :meth:`snapshot`)."""

    def __init__(self, job_id: str, spec: JobSpec, path: Path, reservation: Reservation, pool: "JobPool"):
        self.id, self.spec, self.path, self.reservation, self._pool = job_id, spec, path, reservation, pool
        self.lock = threading.Lock()
        self.ended = threading.Event()
        self.status = "queued"
        self.progress, self.epoch = 0.0, 0
        self.events: dict[str, list] = {}
        self.error_code, self.error = "", ""
        self.result_path: str | None = None
        self.metrics: dict | None = None
        self.created, self.started, self.finished = time.time(), None, None
        self.stop_requested = False
        self.kill_reason = ""
        self.worker_pid: int | None = None
        self.dirty = True
        self.last_seen = self.created  # the submitter's page last polled the job (:meth:`JobPool.seen`)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def running_seconds(self, now: float | None = None) -> float:
        if self.started is None:
            return 0.0
        return (self.finished or now or time.time()) - self.started

    def images_per_s(self) -> float | None:
        seconds = self.running_seconds()
        done = self.progress * self.spec.image_epochs
        return done / seconds if seconds > 0.5 and done > 0 else None

    def apply(self, event: str, info) -> None:
        """One callback event from the worker: ``batch`` moves the progress, every other event is kept."""
        with self.lock:
            if event == "batch" and isinstance(info, dict):
                self.progress, self.epoch = batch_progress(info, self.spec.train_cfg.epochs, self.epoch)
            else:
                self.events.setdefault(event, []).append(info)
            self.dirty = True

    def stop(self) -> None:
        """Cancel the job if queued; stop it after the current batch if running (nothing is saved)."""
        self._pool.stop(self.id)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests and scripts); True if it ended."""
        return self.ended.wait(timeout)

    def snapshot(self) -> dict:
        """A consistent copy of what the page shows; ``snapshots`` are the training film's events so far,
        ``events`` every non-batch event by name (``history`` = the ``epoch`` events)."""
        queue = self._pool.queue_info(self) if self.status == "queued" else {"position": 0, "start_in": 0.0}
        with self.lock:
            m, t = self.spec.model_cfg, self.spec.train_cfg
            return {"id": self.id, "name": self.name, "status": self.status, "progress": self.progress,
                    "epoch": self.epoch, "epochs": t.epochs, "history": list(self.events.get("epoch", [])),
                    "snapshots": list(self.events.get("snapshot", [])),
                    "events": {k: list(v) for k, v in self.events.items()},
                    "error": self.error, "error_code": self.error_code, "result_path": self.result_path,
                    "metrics": dict(self.metrics) if self.metrics else None, "stop_requested": self.stop_requested,
                    "seconds": self.running_seconds(), "images_per_s": self.images_per_s(),
                    "variational": m.variational, "kind": m.kind, "latent_dim": m.latent_dim,
                    "dataset": self.spec.dataset_name, "created": self.created, **queue}

    def summary(self) -> dict:
        """What the queue's table shows of the job (name, status, epoch, progress, place and estimated start)."""
        snap = self.snapshot()
        return {k: snap[k] for k in SUMMARY}

    def record(self, position: int = 0) -> dict:
        """The job file's content (``vae.jobs.jobfiles``): small, no curves, no film."""
        with self.lock:
            return {"id": self.id, "name": self.name, "store": str(self.spec.store), "status": self.status,
                    "session": hashlib.sha256(self.spec.session.encode()).hexdigest()[:8] if self.spec.session else "",
                    "progress": round(self.progress, 4), "epoch": self.epoch, "epochs": self.spec.train_cfg.epochs,
                    "kind": self.spec.model_cfg.kind, "dataset": self.spec.dataset_name,
                    "created": self.created, "started": self.started, "finished": self.finished,
                    "owner": {"machine": machine_id(), "pid": os.getpid()}, "worker_pid": self.worker_pid,
                    "error_code": self.error_code, "error": self.error[:300], "position": position,
                    "images_per_s": self.images_per_s(), "result_path": self.result_path}


@dataclass
class _Worker:
    process: mp.process.BaseProcess
    conn: object
    ready: bool = False
    job: Job | None = None


class JobPool:
    """A bounded pool of training worker processes with a FIFO queue (see the module's docstring)."""

    distributed = False  # this process's own workers (vae.jobs.queue_client.QueueService: the course's)
    problem = None       # nothing to reach (the queue's service says why Redis could not be read)

    def __init__(self, limits: Limits | None = None):
        self.limits = limits or Limits.from_env()
        self._ctx = mp.get_context("spawn")
        _workers_skip_the_main_script()
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._queue: list[Job] = []
        self._speed = schedule.DEFAULT_SPEED
        self._closed = False
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._workers = [self._start_worker() for _ in range(self.limits.workers)]
        self._last_record = self._last_refresh = 0.0
        self._boot_failures, self._next_start = 0, 0.0
        try:
            jobfiles.settle_lost(user_store())  # jobs of a server that stopped: closed, their names freed
        except OSError:
            pass
        self._thread = threading.Thread(target=self._loop, name="vae-jobs-supervisor", daemon=True)
        self._thread.start()

    # -- the web process's side ------------------------------------------------------------------------------
    def submit(self, spec: JobSpec) -> Job:
        """Queue a training; ``FormError`` if the session has one already, the queue is full, or the name is
        invalid, taken or reserved (by another training or an import, here or on another replica)."""
        check_job(spec.model_cfg, spec.n_train, spec.train_cfg.epochs, self.limits)
        with self._lock:
            if self._closed:
                raise FormError("busy")
            active = [j for j in self._jobs.values() if j.active]
            if spec.session and any(j.spec.session == spec.session for j in active):
                raise FormError("mine")
            if spec.submitter == ANONYMOUS:
                if sum(j.spec.submitter == ANONYMOUS for j in active) >= self.limits.anon_slots:
                    raise FormError("anon_full", n=self.limits.anon_slots)
            elif spec.submitter and any(j.spec.submitter == spec.submitter for j in active):
                raise FormError("mine")
            if len(self._queue) + 1 - self._free_workers() > self.limits.max_queue:  # it would wait: is there room?
                raise FormError("queue_full", n=self.limits.max_queue)
            path, reservation = reserve_training(spec.name, spec.store)
            job = Job(jobfiles.new_job_id(), spec, path, reservation, self)
            self._jobs[job.id] = job
            self._queue.append(job)
            self._write(job)
        self._wake()
        return job

    def stop(self, job_id: str) -> None:
        """Cancel a queued job, or ask a running job's worker to stop after its current batch."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or not job.active:
                return
            with job.lock:
                job.stop_requested = True
            if job.status == "queued":
                self._queue.remove(job)
                self._finish(job, {"status": "cancelled", "code": "cancel"})
                return
            worker = next((w for w in self._workers if w.job is job), None)
        if worker is not None:
            self._send(worker, ("stop",))

    def seen(self, job_id: str) -> None:
        """The submitter's page is still there (its polling fragment calls this every second): a queued job whose
        page stops calling is dropped after ``Limits.abandon_seconds``."""
        job = self._jobs.get(job_id)
        if job is not None:
            job.last_seen = time.time()

    def job(self, job_id: str | None) -> Job | None:
        """The job with this id (None if unknown, e.g. after a server restart)."""
        return self._jobs.get(job_id) if job_id else None

    def jobs(self) -> list[Job]:
        """Every job this pool remembers, oldest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda j: j.created)

    def active_jobs(self) -> list[Job]:
        return [j for j in self.jobs() if j.active]

    def queue_info(self, job: Job) -> dict:
        """``position`` (1 = next) of a queued job and ``start_in``: the estimated seconds until it starts."""
        with self._lock:
            if job not in self._queue:
                return {"position": 0, "start_in": 0.0}
            i = self._queue.index(job)
            cap = self.limits.max_seconds
            now = time.time()
            running = []
            for w in self._workers:
                if w.job is not None:
                    expected = schedule.expected_seconds(w.job.spec.image_epochs, self._speed, cap)
                    left = schedule.remaining_seconds(w.job.running_seconds(now), w.job.progress, expected)
                    running.append(min(left, max(0.0, cap - w.job.running_seconds(now))))
            ahead = [schedule.expected_seconds(j.spec.image_epochs, self._speed, cap) for j in self._queue[:i]]
            return {"position": i + 1, "start_in": schedule.start_in(running, ahead, len(self._workers))}

    def worker_pids(self) -> list[int]:
        """Pids of the live worker processes (the bench and the tests read them)."""
        with self._lock:
            return [w.process.pid for w in self._workers if w.process.pid]

    def worker_count(self) -> int:
        """Trainings this pool runs at once (its worker processes), as the Train page states it."""
        return self.limits.workers

    def busy_workers(self) -> int:
        with self._lock:
            return sum(w.job is not None for w in self._workers)

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every job (nothing saved), end the workers and the supervisor (tests, interpreter exit)."""
        with self._lock:
            self._closed = True
            for job in list(self._queue):
                self.stop(job.id)
            workers = list(self._workers)
        for w in workers:
            if w.job is not None:
                self._send(w, ("stop",))
        deadline = time.time() + timeout
        for w in workers:
            if w.job is not None:
                w.job.wait(max(0.0, deadline - time.time()))
        self._wake()
        self._thread.join(timeout)
        for w in workers:
            self._send(w, ("quit",))
            w.process.join(max(0.1, deadline - time.time()))
            if w.process.is_alive():
                w.process.kill()
                w.process.join(5)

    # -- the supervisor --------------------------------------------------------------------------------------
    def _start_worker(self) -> _Worker:
        parent, child = self._ctx.Pipe(duplex=True)
        process = self._ctx.Process(target=worker_main, args=(child, self.limits.nice), name=WORKER_NAME,
                                    daemon=True)
        process.start()
        child.close()
        return _Worker(process=process, conn=parent)

    def _free_workers(self) -> int:
        """Workers alive and holding no job, ready or still starting: they take queued jobs without waiting.

        The queue bound counts only the jobs that will still wait once these took theirs, so it does not depend
        on how soon the supervisor's thread wakes up to dispatch (a race on a loaded machine)."""
        return sum(1 for w in self._workers if w.job is None and w.process.is_alive())

    def _idle_workers(self) -> list[_Worker]:
        return [w for w in self._workers if w.ready and w.job is None and w.process.is_alive()]

    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"!")
        except OSError:
            pass

    def _send(self, worker: _Worker, message: tuple) -> bool:
        try:
            worker.conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))
            return True
        except (OSError, EOFError, ValueError):
            return False

    def _loop(self) -> None:
        while True:
            with self._lock:
                if self._closed and not any(w.job for w in self._workers):
                    return
                conns = {w.conn: w for w in self._workers}
            try:
                ready = wait_for([*conns, self._wake_r], timeout=TICK)
            except (OSError, ValueError):
                ready = []
            with self._lock:
                for conn in ready:
                    if conn is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                    else:
                        self._drain(conns[conn])
            try:
                self._supervise()
            except Exception:  # the supervisor must survive anything (a full disk while writing records...)
                import traceback

                traceback.print_exc()

    def _drain(self, w: _Worker) -> None:
        """Apply every message a worker has sent; a broken pipe is left to ``_reap`` (the process is dying)."""
        while True:
            try:
                if not w.conn.poll():
                    return
                message = pickle.loads(w.conn.recv_bytes())
            except (EOFError, OSError, pickle.UnpicklingError, ValueError):
                return
            kind = message[0]
            if kind == "ready":
                w.ready = True
            elif kind == "event" and w.job is not None:
                w.job.apply(message[1], message[2])
            elif kind == "end" and w.job is not None:
                job, w.job = w.job, None
                self._finish(job, message[1])

    def _supervise(self) -> None:
        now = time.time()
        with self._lock:
            for w in list(self._workers):
                if not w.process.is_alive():
                    self._reap(w)
            if not self._closed and len(self._workers) < self.limits.workers and now >= self._next_start:
                self._workers.append(self._start_worker())
            for w in self._workers:  # the time budget's backstop: a worker that does not stop is killed
                if w.job is not None and w.job.running_seconds(now) > self.limits.max_seconds + BUDGET_GRACE:
                    w.job.kill_reason = "budget"
                    w.process.kill()
            active = [j for j in self._jobs.values() if j.active]
        for job in active:
            if not job.stop_requested and jobfiles.stop_requested(job.spec.store, job.id):
                self.stop(job.id)
        with self._lock:
            queued = list(self._queue)
            if self.limits.abandon_seconds > 0:
                for job in queued:
                    if job.spec.submitter and now - job.last_seen > self.limits.abandon_seconds:
                        self._queue.remove(job)
                        self._finish(job, {"status": "cancelled", "code": "abandoned",
                                           "detail": "its submitter left before it started"})
            if not self._closed:
                for w in self._idle_workers():
                    if not self._queue:
                        break
                    self._dispatch(w, self._queue.pop(0))
            if self._queue != queued:  # positions moved: the records say where each waiting job now stands
                for job in self._queue:
                    self._write(job)
            if now - self._last_record >= RECORD_EVERY:
                self._last_record = now
                for job in active:
                    if job.dirty:
                        self._write(job)
            if now - self._last_refresh >= REFRESH_SECONDS:
                self._last_refresh = now
                for job in active:
                    job.reservation.refresh()

    def _dispatch(self, w: _Worker, job: Job) -> None:
        spec = job.spec
        message = ("run", {"id": job.id, "out": str(job.path), "model_cfg": spec.model_cfg.to_dict(),
                           "train_cfg": spec.train_cfg.to_dict(), "dataset": spec.dataset,
                           "store_dtype": spec.store_dtype, "max_seconds": self.limits.max_seconds})
        with job.lock:
            job.status, job.started, job.worker_pid = "running", time.time(), w.process.pid
        w.job = job
        if not self._send(w, message):
            self._reap(w)
            return
        self._write(job)

    def _reap(self, w: _Worker) -> None:
        """A worker died: its job fails (SIGKILL, a crash, the budget's backstop) and a new worker replaces it."""
        self._drain(w)  # the events it sent before dying
        w.process.join(1)
        code = w.process.exitcode
        if w.job is not None:
            job, w.job = w.job, None
            if job.kill_reason == "budget":
                self._finish(job, {"status": "stopped", "code": "budget"})
            else:
                how = f"signal {signal.Signals(-code).name}" if code is not None and code < 0 else f"exit code {code}"
                self._finish(job, {"status": "failed", "code": "killed", "detail": how})
        try:
            w.conn.close()
        except OSError:
            pass
        self._workers.remove(w)
        # replaced by _supervise; a worker that dies before it is ready (it cannot even start) is retried later
        self._boot_failures = 0 if w.ready else self._boot_failures + 1
        self._next_start = time.time() + (min(60.0, 2.0 ** self._boot_failures) if self._boot_failures else 0.0)

    def _finish(self, job: Job, outcome: dict) -> None:
        with job.lock:
            job.status = outcome.get("status", "failed")
            job.error_code, job.error = outcome.get("code", ""), str(outcome.get("detail", ""))[:300]
            job.result_path, job.metrics = outcome.get("path"), outcome.get("metrics")
            job.finished = time.time()
            if job.status == "done":
                job.progress = 1.0
        job.reservation.release()  # saved: the folder itself holds the name now
        if job.status == "done" and job.metrics and job.metrics.get("train_seconds"):
            measured = job.spec.image_epochs / max(0.1, float(job.metrics["train_seconds"]))
            self._speed = 0.5 * self._speed + 0.5 * measured
        if job.status != "done":
            discard_unused(job.spec.store, job.spec.dataset_name)
        self._write(job)
        try:
            jobfiles.prune(job.spec.store)
        except OSError:
            pass
        self._forget_old()
        job.ended.set()

    def _write(self, job: Job) -> None:
        position = self._queue.index(job) + 1 if job in self._queue else 0
        try:
            jobfiles.write_record(job.spec.store, job.record(position))
            job.dirty = False
        except OSError:
            pass  # a full disk must not stop the supervisor; the record catches up at the next write

    def _forget_old(self) -> None:
        finished = sorted((j for j in self._jobs.values() if not j.active), key=lambda j: j.finished or 0)
        for j in finished[:-KEEP_SNAPSHOTS] if len(finished) > KEEP_SNAPSHOTS else []:
            with j.lock:
                j.events.pop("snapshot", None)
        for j in finished[:max(0, len(self._jobs) - MAX_KEPT)]:
            self._jobs.pop(j.id, None)


_POOL: JobPool | None = None
_POOL_LOCK = threading.Lock()


def get_pool() -> JobPool:
    """This process's pool, started at first use with the limits of the environment (``vae.jobs.limits``)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = JobPool()
        return _POOL


def start_job(name: str, model_cfg: ModelConfig, train_cfg: TrainConfig, data: str | Dataset,
              store: Path | None = None, session: str = "", store_dtype: str = "float32",
              n_train: int | None = None) -> Job:
    """Submit a training to this process's pool (scripts and tests; the page builds a ``JobSpec`` itself)."""
    if n_train is None:
        n_train = len(data.x_train) if isinstance(data, Dataset) else 0
    if isinstance(data, Dataset) and tuple(data.image_shape) != tuple(model_cfg.image_shape):
        raise FormError("shape", need="×".join(map(str, model_cfg.image_shape)),
                        have="×".join(map(str, data.image_shape)))
    spec = JobSpec(name=name, model_cfg=model_cfg, train_cfg=train_cfg, dataset=data, n_train=n_train,
                   store=Path(store) if store else user_store(), session=session, store_dtype=store_dtype)
    return get_pool().submit(spec)
