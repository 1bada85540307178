"""Job state on disk, ``<store>/.jobs/``: what an operator (``python -m vae jobs``) and other replicas see.

The pool of the web process that owns a job writes ``<id>.json`` (a small record: name, status, progress,
who owns it; never the curves or the film) on every change of status and about once a second while it runs,
atomically (temp file + rename). Anyone may ask a job to stop by creating ``<id>.stop``; the owning pool
checks for it several times a second and stops or cancels the job. A record whose owner ran on this machine
and is gone is reported as ``lost`` (the server stopped while the job was active).
"""
from __future__ import annotations

import json
import os
import re
import time
import uuid
from pathlib import Path

from ..atomic_file import write_file_atomically
from ..bounded_io import read_json
from ..errors import ExplorerError
from ..reservation import drop_stale, holder_gone

JOBS = ".jobs"
ACTIVE = ("queued", "running")
FINAL = ("done", "stopped", "cancelled", "failed")
KEEP_FINISHED = 100
_ID = re.compile(r"^[0-9a-f]{12}\Z")  # \Z, not $: "$" also matches before a trailing newline


def jobs_dir(store: str | os.PathLike) -> Path:
    """The store's hidden folder of job records (never listed as a model: it starts with a dot)."""
    return Path(store) / JOBS


def new_job_id() -> str:
    """A fresh job id: 12 hex digits (also what :func:`valid_id` accepts from a command line)."""
    return uuid.uuid4().hex[:12]


def valid_id(job_id: str) -> bool:
    """True for a well-formed job id (an operator's input never becomes a path otherwise)."""
    return isinstance(job_id, str) and bool(_ID.match(job_id))


def write_record(store: str | os.PathLike, record: dict) -> None:
    """Write a job's record atomically (readers see the old or the new one, never half of it)."""
    folder = jobs_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{record['id']}.json"
    write_file_atomically(path, json.dumps(record, sort_keys=True))


def with_liveness(record: dict) -> dict:
    """The record as an operator should see it: an active job whose owner process is gone is ``lost``."""
    if record.get("status") in ACTIVE and holder_gone(record.get("owner") or {}):
        return {**record, "status": "lost"}
    return record


def read_record(store: str | os.PathLike, job_id: str) -> dict | None:
    """One job's record (None if unknown or unreadable)."""
    if not valid_id(job_id):
        return None
    try:
        record = read_json(jobs_dir(store) / f"{job_id}.json", limit=1 << 16, max_depth=8)
    except ExplorerError:
        return None
    return with_liveness(record) if isinstance(record, dict) and record.get("id") == job_id else None


def read_records(store: str | os.PathLike) -> list[dict]:
    """Every job record of the store, oldest first (unreadable files are skipped)."""
    folder = jobs_dir(store)
    if not folder.is_dir():
        return []
    records = [read_record(store, p.stem) for p in folder.glob("*.json")]
    return sorted((r for r in records if r), key=lambda r: r.get("created", 0))


def settle_lost(store: str | os.PathLike) -> list[str]:
    """Close the records of jobs whose server process is gone (``lost``: a restart, a crash): each becomes a failed
    job with code ``lost``, and its name's reservation is freed. Returns their ids. Run when a pool starts and
    by ``vae jobs list``, so no job stays "running" forever and no name stays taken by nobody."""
    settled = []
    for record in read_records(store):
        if record.get("status") != "lost":
            continue
        write_record(store, {**record, "status": "failed", "error_code": "lost", "position": 0,
                             "error": "its server process ended before the training did", "finished": time.time()})
        name = record.get("name")
        if isinstance(name, str) and name and "/" not in name and not name.startswith("."):
            drop_stale(store, name)
        settled.append(record["id"])
    return settled


def request_stop(store: str | os.PathLike, job_id: str) -> bool:
    """Ask the owner of an active job to stop it (queued: cancelled; running: stopped); False if not active."""
    record = read_record(store, job_id)
    if record is None or record.get("status") not in ACTIVE:
        return False
    (jobs_dir(store) / f"{job_id}.stop").touch()
    return True


def stop_requested(store: str | os.PathLike, job_id: str) -> bool:
    """True once someone asked this job to stop (:func:`request_stop`)."""
    return (jobs_dir(store) / f"{job_id}.stop").exists()


def prune(store: str | os.PathLike, keep: int = KEEP_FINISHED) -> None:
    """Forget all but the ``keep`` newest finished jobs (and every stop request of a finished job)."""
    finished = [r for r in read_records(store) if r.get("status") in FINAL + ("lost",)]
    folder = jobs_dir(store)
    for r in finished:
        (folder / f"{r['id']}.stop").unlink(missing_ok=True)
    for r in finished[:max(0, len(finished) - keep)]:
        (folder / f"{r['id']}.json").unlink(missing_ok=True)
    for tmp in folder.glob(".*.tmp"):
        try:
            if time.time() - tmp.stat().st_mtime > 3600:
                tmp.unlink(missing_ok=True)
        except OSError:
            pass
