"""``python -m vae jobs list|stop ID``: an operator's view of the app's trainings, from any process.

It reads and writes only the store's job records (``vae.jobs.jobfiles``; with ``VAE_REDIS_URL``, the distributed
queue's records in Redis, ``vae.jobs.queue_records``: :mod:`vae.jobs.service` picks), so it works from a shell on
any machine, for every replica and worker sharing the store, while they run. ``stop`` asks the process running
the job (a web process's pool, or a worker) to cancel a queued job or stop a running one (nothing is saved) and
waits until it has.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from ..checkpoint import user_store
from ..errors import ExplorerError
from . import jobfiles, service


def add_parser(sub) -> None:
    """Add the ``jobs`` command and its ``list`` and ``stop`` subcommands to the CLI's subparsers."""
    j = sub.add_parser("jobs", help="list or stop the app's training jobs (works from another process)")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", default=None, help="model store (default $VAE_MODEL_STORE or ./models)")
    jsub = j.add_subparsers(dest="jobs_command", required=True)
    ls = jsub.add_parser("list", parents=[common], help="queued and running jobs (--all: the finished ones too)")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--json", action="store_true")
    st = jsub.add_parser("stop", parents=[common], help="cancel a queued job or stop a running one; nothing is saved")
    st.add_argument("id")
    st.add_argument("--wait", type=float, default=30.0, help="seconds to wait for the job to end (default 30)")


def _store(args) -> Path:
    return Path(args.store).resolve() if args.store else user_store()


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(max(0, seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s"


def cmd_list(args) -> int:
    """Print the store's jobs, one line each (or one JSON list); jobs whose server (or worker) is gone are closed
    first (failed, their names freed: ``vae.jobs.service.read_records``)."""
    records = service.read_records(_store(args))
    if not args.all:
        records = [r for r in records if r.get("status") in jobfiles.ACTIVE + ("lost",)]
    if args.json:
        print(json.dumps(records))
        return 0
    print(f"{'id':<12}  {'status':<9} {'progress':>13}  {'running':>8}  {'name':<24} {'kind':<9} session  detail")
    now = time.time()
    for r in records:
        progress = f"{r.get('epoch', 0)}/{r.get('epochs', '?')} {100 * float(r.get('progress') or 0):3.0f}%"
        running = _age(((r.get("finished") or now) - r["started"]) if r.get("started") else None)
        detail = f"queue #{r['position']}" if r.get("status") == "queued" and r.get("position") else (r.get("error") or "")
        print(f"{r['id']:<12}  {r.get('status', '?'):<9} {progress:>13}  {running:>8}  {str(r.get('name'))[:24]:<24} "
              f"{str(r.get('kind'))[:9]:<9} {str(r.get('session') or '-'):<8} {detail[:60]}")
    return 0


def cmd_stop(args) -> int:
    """Ask the owner of job ``args.id`` to stop it, then wait for its final status."""
    store = _store(args)
    if not jobfiles.valid_id(args.id):
        raise ExplorerError(f"{args.id[:40]!r} is not a job id (12 hex digits, see `python -m vae jobs list`)")
    record = service.read_record(store, args.id)
    if record is None:
        raise ExplorerError(f"no job {args.id} in {store}")
    if record.get("status") not in jobfiles.ACTIVE:
        print(f"job {args.id} ({record.get('name')}) is already {record.get('status')}")
        return 0
    service.request_stop(store, args.id)
    deadline = time.time() + args.wait
    while time.time() < deadline:
        record = service.read_record(store, args.id) or record
        if record.get("status") not in jobfiles.ACTIVE:
            print(f"job {args.id} ({record.get('name')}): {record.get('status')}")
            return 0
        time.sleep(0.2)
    print(f"job {args.id} ({record.get('name')}): stop requested, still {record.get('status')} after {args.wait:g} s")
    return 1


def cmd_jobs(args: argparse.Namespace) -> int:
    """The ``jobs`` command: dispatch to ``list`` or ``stop``."""
    return {"list": cmd_list, "stop": cmd_stop}[args.jobs_command](args)
