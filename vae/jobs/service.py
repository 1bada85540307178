"""The one place that picks where trainings run: this process's pool, or the distributed queue when Redis is set.

Without ``VAE_REDIS_URL`` (``make run``, one server): the local process pool (:mod:`vae.jobs.pool`) and job records
in files (:mod:`vae.jobs.jobfiles`), exactly as before. With it (:mod:`vae.shared_state`): the RQ queue that
``latent-explorer worker`` processes consume on any machine (:mod:`vae.jobs.queue_client`) and records in Redis
(:mod:`vae.jobs.queue_records`). The Train page, ``vae jobs`` and scripts call only this module, so both backends
answer them with the same methods and the same records.
"""
from __future__ import annotations

import threading
from pathlib import Path

from ..checkpoint import user_store
from ..shared_state import redis_url
from . import jobfiles

_SERVICES: dict[tuple[str, str], object] = {}
_LOCK = threading.Lock()


def get_service():
    """This process's training service: the pool (:func:`vae.jobs.pool.get_pool`) without Redis, else one
    :class:`vae.jobs.queue_client.QueueService` per Redis URL and store, started at first use. Both have
    ``submit(JobSpec)``, ``job(id)``, ``active_jobs()``, ``stop(id)``, ``seen(id)``, ``limits`` and
    ``worker_count()``; their jobs have ``id``, ``name``, ``status``, ``active``, ``snapshot()``, ``stop()``,
    ``wait()``."""
    url = redis_url()
    if not url:
        from .pool import get_pool

        return get_pool()
    from .queue_client import QueueService

    key = (url, str(user_store()))
    with _LOCK:
        service = _SERVICES.get(key)
        if service is None:
            service = _SERVICES[key] = QueueService(url, user_store())
    return service


def read_records(store: str | Path) -> list[dict]:
    """Every job record of ``store``, oldest first, from the backend in use; jobs whose process is gone are closed
    first (files: their server stopped; Redis: their worker stopped beating)."""
    url = redis_url()
    if url:
        from . import queue_records
        from .queue_client import settle_lost

        settle_lost(store, url)
        return queue_records.read_records(store, url)
    try:
        jobfiles.settle_lost(store)
    except OSError:
        pass  # a read-only store: listed as it is
    return jobfiles.read_records(store)


def active_records(store: str | Path) -> list[dict]:
    """The queued and running jobs' records of ``store`` from the backend in use (what must not lose its data)."""
    url = redis_url()
    if url:
        from . import queue_records

        return queue_records.read_records(store, url, active_only=True)
    return [r for r in jobfiles.read_records(store) if r.get("status") in jobfiles.ACTIVE]


def read_record(store: str | Path, job_id: str) -> dict | None:
    """One job's record from the backend in use (None if unknown)."""
    url = redis_url()
    if url:
        from . import queue_records

        return queue_records.read_record(store, job_id, url)
    return jobfiles.read_record(store, job_id)


def request_stop(store: str | Path, job_id: str) -> bool:
    """Cancel a queued job or stop a running one, whichever process runs it; False if it is not active."""
    url = redis_url()
    if url:
        from .queue_client import request_stop as stop

        return stop(store, job_id, url)
    return jobfiles.request_stop(store, job_id)
