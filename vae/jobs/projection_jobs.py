"""t-SNE and UMAP maps of a user's model computed out of the web process, with progress (no Streamlit).

A shipped model carries its projections (``make pretrained`` writes them into its folder), so its map opens at
once. A user's model (trained here, imported) has none until someone asks: a t-SNE of 1,000-10,000 codes or a UMAP
(numba-compiled on first use) takes seconds to a minute of CPU, which inside a page's run froze that session and
took a core from everyone else's reruns. Here it runs in one worker process instead, while the page shows the
instant PCA (or native) map and a progress bar, and switches when the fit is done.

Design:

* **A dedicated single-slot executor, not the training pool.** :class:`ProjectionExecutor` wraps a
  ``concurrent.futures.ProcessPoolExecutor`` with one ``spawn``-ed process (a fresh interpreter: forking a threaded
  Streamlit or PyTorch process is unsafe), started at the first request and kept warm (numba's compiled functions,
  scikit-learn's imports). The training pool (:mod:`vae.jobs.pool`) queues ten-minute jobs behind its few slots and
  holds each person to one active job: a map asked for while the class trains would wait behind the whole queue,
  and would count against a student's training. A projection is short and belongs to nobody, so it has its own
  slot; one process at a time keeps its cost to one core (at ``nice`` :data:`NICE`, one BLAS/OpenMP thread: on two
  shared cores, two spinning OpenMP threads made a 300-point t-SNE 12 times slower).
* **One computation per request, whoever asks.** A job's key is the method and a hash of the codes themselves
  (the same hash that names the disk cache file, ``vae.projection``): a class of thirty opening the same user model
  share ONE job, whose progress all their pages show; a retrained model has other codes, hence another job.
* **The result lands in the disk cache.** The worker calls ``vae.projection.project`` with the model's folder, which
  writes the cache folder (``vae.cache_dir``) as an inline fit would: every later session, and every replica on the
  machine, reads the file at once. The finished projection is also kept here (a few of them), for a cache folder
  that cannot be written.
* **Bounded.** At most :data:`MAX_PENDING` distinct projections queued or running; beyond, a request is refused
  with a clear message (the page keeps its PCA map) rather than queued for minutes.
* **Failures are messages.** Codes with NaN or infinite values are refused before anything is queued; a fit that
  raises gives its message (``ValueError``: the data's fault) or its exception's name and message, never a
  traceback; a worker that dies (killed, out of memory) fails its jobs with a message and the next request starts a
  fresh worker. A failed request is answered from memory for :data:`RETRY_AFTER` seconds (thirty pages polling a
  broken model do not restart thirty fits), then may be tried again.
* **With Redis too.** With ``VAE_REDIS_URL`` set, trainings go to the distributed queue (:mod:`vae.jobs.service`),
  but projections still run in this web process's own executor: the fit is short (seconds), its input (the codes,
  at most 10,000 × d floats) is already in this process's memory, and its output goes to the machine's cache folder
  that this process reads next. Sending it through Redis to a worker on another machine would add a round trip and
  a copy of the codes, and the result would still have to come back here.

Progress travels from the worker through one ``multiprocessing`` queue given to the worker when it starts
(``(key, fraction)`` pairs from the fit's ``progress`` callback: t-SNE's iterations, UMAP's epochs); the web
process reads it whenever a page asks for a status, so no thread of ours runs.
"""
from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.context import SpawnContext, SpawnProcess

import numpy as np

from ..projection import NEIGHBOUR_METHODS, Projection, cached_projection, check_size, project

WORKER_NAME = "vae-projection-worker"
MAX_PENDING = 8         # distinct projections queued or running at once
RETRY_AFTER = 30.0      # seconds a failed projection is answered from memory before it may be tried again
KEEP_RESULTS = 16       # finished projections kept in memory (the disk cache keeps them all)
NICE = 10               # the worker's niceness: the class's page reruns go first
WORKER_DIED = ("the projection worker stopped before the map was done (killed, or out of memory); "
               "ask for the projection again to retry")


@dataclass(frozen=True)
class ProjectionStatus:
    """Where one requested projection stands: ``state`` is ``queued`` (``position`` projections before it),
    ``running`` (``progress`` in [0, 1]), ``done``, ``failed`` (``error``: a sentence for the page) or ``full``
    (refused: :data:`MAX_PENDING` others are pending)."""

    state: str
    progress: float = 0.0
    position: int = 0
    error: str | None = None

    @property
    def pending(self) -> bool:
        """True while the projection is queued or running: the page should ask again."""
        return self.state in ("queued", "running")


@dataclass
class _Job:
    key: tuple[str, str]
    future: object
    submitted: float = field(default_factory=time.monotonic)
    progress: float = 0.0
    started: bool = False


def job_key(mu: np.ndarray, method: str) -> tuple[str, str]:
    """The identity of a projection: its method and a hash of the codes (that of its disk cache file's name)."""
    digest = hashlib.sha256(np.ascontiguousarray(mu, dtype=np.float32).tobytes()).hexdigest()[:16]
    return method, digest


class _WorkerProcess(SpawnProcess):
    """A spawned process named :data:`WORKER_NAME`, so that it starts without the web process's ``__main__``
    (``vae.jobs.pool._workers_skip_the_main_script``: under ``streamlit run`` that is the app's script)."""

    def __init__(self, *args, **kwargs):
        kwargs["name"] = WORKER_NAME
        super().__init__(*args, **kwargs)


class _WorkerContext(SpawnContext):
    """The ``spawn`` context whose processes are :class:`_WorkerProcess`."""

    Process = _WorkerProcess


_EVENTS = None  # in the worker: the queue its progress goes to
RUNNING_MAX = 0.99  # the progress a running job shows at most (UMAP reports its last epoch before it returns)


def _worker_init(events) -> None:
    """Worker start: keep the progress queue, lower the priority, one BLAS/OpenMP thread."""
    global _EVENTS
    _EVENTS = events
    if NICE > 0:
        try:
            os.nice(NICE)
        except OSError:
            pass
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
        os.environ[name] = "1"  # read by the libraries scikit-learn and numba load later
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)  # those already loaded (numpy's BLAS)
    except ImportError:
        pass


def _fit(key: tuple[str, str], mu: np.ndarray, method: str, model_dir: str | None) -> Projection:
    """In the worker: ``project`` (which writes the disk cache), its progress sent as ``(key, fraction)``."""
    def progress(fraction: float) -> None:
        if _EVENTS is not None:
            _EVENTS.put((key, float(fraction)))

    progress(0.0)
    return project(mu, method, model_dir=model_dir, progress=progress)


def _failure(exc: BaseException) -> str:
    """A failed fit as a sentence for the page (no traceback)."""
    if isinstance(exc, BrokenProcessPool):
        return WORKER_DIED
    if isinstance(exc, ValueError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


class ProjectionExecutor:
    """t-SNE / UMAP fits in one worker process, shared by every session of this web process (see the module)."""

    def __init__(self, max_pending: int = MAX_PENDING):
        self.max_pending = max_pending
        self._lock = threading.Lock()
        self._jobs: dict[tuple[str, str], _Job] = {}
        self._results: OrderedDict[tuple[str, str], Projection] = OrderedDict()
        self._failed: dict[tuple[str, str], tuple[float, str]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._events = None

    def request(self, mu: np.ndarray, method: str, model_dir: str | os.PathLike | None = None) -> ProjectionStatus:
        """The status of the ``method`` projection of ``mu`` (the model folder ``model_dir``, whose shipped maps and
        cache are read and written as ``vae.projection.project`` does), queuing its fit when nobody has yet.

        Idempotent: pages call it again to poll; every caller with the same codes and method shares one job.
        A map already on disk answers ``done`` at once, without a worker."""
        if method not in NEIGHBOUR_METHODS:
            raise ValueError(f"only {' and '.join(NEIGHBOUR_METHODS)} run in the projection worker, not {method!r}")
        mu = np.asarray(mu, dtype=np.float32)
        key = job_key(mu, method)
        with self._lock:
            self._collect()
            job = self._jobs.get(key)
            if job is not None:
                return self._status(job)
            if key in self._results:
                return ProjectionStatus("done", 1.0)
            failed = self._failed.get(key)
            if failed is not None and time.monotonic() - failed[0] < RETRY_AFTER:
                return ProjectionStatus("failed", error=failed[1])
        if cached_projection(mu, method, model_dir) is not None:
            return ProjectionStatus("done", 1.0)
        problem = _input_problem(mu, method)
        with self._lock:
            if problem:
                self._failed[key] = (time.monotonic(), problem)
                return ProjectionStatus("failed", error=problem)
            job = self._jobs.get(key)  # another session may have queued it meanwhile
            if job is None:
                if len(self._jobs) >= self.max_pending:
                    return ProjectionStatus("full", error=f"{len(self._jobs)} maps are already being computed")
                self._failed.pop(key, None)
                job = self._jobs[key] = _Job(key, self._executor().submit(
                    _fit, key, mu, method, str(model_dir) if model_dir else None))
            return self._status(job)

    def result(self, mu: np.ndarray, method: str) -> Projection | None:
        """The projection this executor finished for ``mu`` and ``method``, if it still holds it (None otherwise:
        read the disk cache)."""
        key = job_key(mu, method)
        with self._lock:
            self._collect()
            return self._results.get(key)

    def pending(self) -> int:
        """How many projections are queued or running."""
        with self._lock:
            self._collect()
            return len(self._jobs)

    def worker_pids(self) -> list[int]:
        """The process ids of the worker (none before the first request or after a shutdown)."""
        with self._lock:
            processes = getattr(self._pool, "_processes", None) or {}
            return [p.pid for p in processes.values() if p.pid]

    def shutdown(self) -> None:
        """Stop the worker (pending projections are cancelled)."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._jobs.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    # -- under the lock --------------------------------------------------------------------------------------------

    def _executor(self) -> ProcessPoolExecutor:
        """The worker, started at the first request or after one died."""
        if self._pool is None or getattr(self._pool, "_broken", False):
            from .pool import _workers_skip_the_main_script

            _workers_skip_the_main_script(WORKER_NAME)
            ctx = _WorkerContext()
            self._events = ctx.Queue()
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx, initializer=_worker_init,
                                             initargs=(self._events,))
        return self._pool

    def _collect(self) -> None:
        """Apply the worker's progress messages, then settle the jobs that ended."""
        events = self._events
        while events is not None:
            try:
                key, fraction = events.get_nowait()
            except (queue.Empty, OSError, EOFError, ValueError):
                break
            job = self._jobs.get(key)
            if job is not None:
                job.started, job.progress = True, max(job.progress, fraction)
        for key, job in list(self._jobs.items()):
            if not job.future.done():
                continue
            del self._jobs[key]
            exc = job.future.exception()
            if exc is None:
                self._results[key] = job.future.result()
                self._results.move_to_end(key)
                while len(self._results) > KEEP_RESULTS:
                    self._results.popitem(last=False)
            else:
                self._failed[key] = (time.monotonic(), _failure(exc))

    def _status(self, job: _Job) -> ProjectionStatus:
        if job.started:  # 100% means done: the fit's last step reported, its result is still being made and stored
            return ProjectionStatus("running", min(job.progress, RUNNING_MAX))
        ahead = sum(1 for other in self._jobs.values() if other.submitted < job.submitted)
        return ProjectionStatus("queued", 0.0, position=ahead)


def _input_problem(mu: np.ndarray, method: str) -> str | None:
    """Why the codes cannot be embedded (a sentence), or None."""
    if mu.ndim != 2 or not len(mu):
        return f"no codes to embed (shape {mu.shape})"
    if not np.isfinite(mu).all():
        return f"the model's codes contain NaN or infinite values ({int((~np.isfinite(mu)).any(1).sum())} of {len(mu)})"
    try:
        check_size(method, len(mu))
    except ValueError as e:
        return str(e)
    return None


_EXECUTOR: ProjectionExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def get_executor() -> ProjectionExecutor:
    """This web process's projection executor (created at first use; its worker starts at the first fit)."""
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ProjectionExecutor()
        return _EXECUTOR
