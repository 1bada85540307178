"""``latent-explorer worker --redis URL``: a training worker of the distributed queue, on any machine.

Start one per machine (or per pair of cores) that should train for the course: each consumes the store's RQ queue
(:func:`vae.jobs.queue_records.queue_name`: the store must be mounted at the same path on every machine, a shared
file system, since the name of the queue and the models' folder both follow from it) and runs one training at a
time (:func:`vae.jobs.queue_task.run_training`). It is an RQ ``SimpleWorker``: the job runs in the worker process,
which supervises its warm training process (``vae.jobs.queue_task``), so no fork of a process that imported
PyTorch; and it runs only that task: an RQ job naming any other function fails without running
(:class:`TrainingJob`), so a queue entry written by someone else never becomes code run on the workers.

Ctrl-C (SIGINT) or SIGTERM once: the worker finishes its current training, then leaves. Twice: it stops now, and
the training fails with a message.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..checkpoint import user_store
from ..errors import ExplorerError
from ..shared_state import ENV, CONNECT_TIMEOUT, reachable, redis_url, shown_url
from .queue_client import TASK
from .queue_records import queue_name

WORKER_TTL = 60   # seconds a worker that stopped beating stays listed (RQ's default is 420)


def _job_class():
    from rq.job import Job

    class TrainingJob(Job):
        """An RQ job that resolves only the training task: any other function name fails the job unrun."""

        @property
        def func(self):
            if self.func_name != TASK:
                raise ExplorerError(f"refused: this worker runs only {TASK}, not {str(self.func_name)[:80]!r}")
            return super().func

    return TrainingJob


def make_worker(url: str, store: Path, name: str | None = None):
    """The RQ worker of ``store``'s queue on ``url`` (a connection of its own: RQ lengthens its time-out for the
    blocking pop). Raises :class:`vae.errors.SharedStateError` if Redis cannot be reached."""
    import redis
    from rq.serializers import JSONSerializer
    from rq.worker import SimpleWorker

    connection = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT)
    with reachable(url):
        connection.ping()
    return SimpleWorker([queue_name(store)], connection=connection, name=name, worker_ttl=WORKER_TTL,
                        job_class=_job_class(), serializer=JSONSerializer)


def run_worker(url: str, store: str | os.PathLike, *, burst: bool = False, name: str | None = None,
               max_jobs: int | None = None, logging_level: str = "INFO") -> int:
    """Consume ``store``'s training queue on Redis ``url`` until stopped (``burst``: until the queue is empty).
    The training process is started before the first job, so a job starts without waiting for PyTorch."""
    from . import queue_task

    store = Path(store).absolute()
    worker = make_worker(url, store, name)   # refuses an unreachable Redis before anything else
    os.environ[ENV] = url                    # the task and the reservations read them from the environment
    os.environ["VAE_MODEL_STORE"] = str(store)
    print(f"training worker {queue_task.worker_name()}: store {store}, queue {worker.queues[0].name} on "
          f"{shown_url(url)}", flush=True)
    queue_task.warm_child()
    try:
        worker.work(burst=burst, max_jobs=max_jobs, logging_level=logging_level, with_scheduler=False)
    finally:
        queue_task.close_child()
    return 0


def add_parser(sub) -> None:
    """Add the ``worker`` command to the CLI's subparsers."""
    w = sub.add_parser("worker", help="train the app's queued trainings (needs Redis: --redis URL or VAE_REDIS_URL)")
    w.add_argument("--redis", default=None, metavar="URL", help="Redis of the course (default $VAE_REDIS_URL)")
    w.add_argument("--store", default=None,
                   help="model store, the same path as the app's on every machine (default $VAE_MODEL_STORE or ./models)")
    w.add_argument("--burst", action="store_true", help="leave once the queue is empty")
    w.add_argument("--name", default=None, help="the worker's name in RQ (default: a random id)")


def cmd_worker(args: argparse.Namespace) -> int:
    """The ``worker`` command."""
    url = args.redis or redis_url()
    if not url:
        raise ExplorerError("a worker needs the course's Redis: --redis redis://HOST:6379/0 (or set VAE_REDIS_URL)")
    store = Path(args.store).resolve() if args.store else user_store()
    return run_worker(url, store, burst=args.burst, name=args.name)
