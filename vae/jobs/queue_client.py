"""The distributed training queue, a web process's side (Redis configured): submit, watch, cancel, stop.

:class:`QueueService` answers the Train page exactly as :class:`vae.jobs.pool.JobPool` does (``submit``, ``job``,
``active_jobs``, ``stop``, ``seen``, ``limits``, ``worker_count``), but a submitted training goes to an RQ queue in
Redis, which ``latent-explorer worker`` processes on any machine consume (:mod:`vae.jobs.queue_worker`), and its
state is a record every replica reads (:mod:`vae.jobs.queue_records`). What the local pool promises holds here:

* one active job per person (session, class member, teacher; a shared allowance for anonymous visitors) and a
  bounded queue, checked atomically in Redis across replicas; the name reserved in the store (``vae.reservation``);
* a queued job's position (its place in the RQ list) and estimated start (``vae.jobs.schedule`` over the running
  jobs' progress, the jobs ahead and the live workers);
* Stop: a queued job is cancelled (removed from the RQ list), a running one stops after its batch;
* a job outlives its tab and its replica: any replica shows it, the keeper of every replica looks after it.

A small keeper thread per web process (Redis calls only: it never competes with the pages for the CPU) fails the
running jobs whose worker stopped beating (killed, machine lost), drops the queued jobs whose page left
(``Limits.abandon_seconds``) and renews the queued jobs' name reservations.
"""
from __future__ import annotations

import hashlib
import os
import threading
import time
from collections import OrderedDict
from pathlib import Path

from ..checkpoint import user_store
from ..reservation import REFRESH_SECONDS, machine_id
from ..shared_state import CONNECT_TIMEOUT, SOCKET_TIMEOUT, reachable, redis_url
from ..uploads import discard_unused
from . import queue_records as records
from . import schedule
from .form import FormError, check_job, reserve_training
from .jobfiles import ACTIVE, new_job_id
from .limits import Limits
from .pool import ANONYMOUS
from .wire import decode_event, spec_to_wire, WireError

TASK = "vae.jobs.queue_task.run_training"
BUDGET_GRACE = 60.0           # the worker kills a training still running this long past its time budget
OVERVIEW_SECONDS = 0.5        # how long one process reuses what it read of the queue (many pages poll at once)
KEEP_EVERY = 1.0              # seconds between two rounds of the keeper
SEEN_EVERY = 5.0              # a page's "still here" is written at most this often
MAX_CACHED_JOBS = 50          # jobs whose events this process keeps (the pages poll them every second)

_RQ: dict[str, object] = {}
_RQ_LOCK = threading.Lock()


def rq_connection(url: str):
    """This process's Redis connection for RQ (bytes, as RQ wants them; short time-outs: a page never hangs on a
    Redis that went away)."""
    with _RQ_LOCK:
        found = _RQ.get(url)
        if found is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            found = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT,
                                         retry=Retry(NoBackoff(), 1))
            _RQ[url] = found
    return found


def rq_queue(store, url: str, connection=None):
    """The RQ queue of ``store``'s trainings (JSON-serialised jobs: nothing read from Redis is unpickled)."""
    from rq import Queue
    from rq.serializers import JSONSerializer

    return Queue(records.queue_name(store), connection=connection or rq_connection(url), serializer=JSONSerializer)


def digest(text: str) -> str:
    """A short one-way digest: session ids and submitters are compared in Redis, never stored in clear."""
    return hashlib.sha256(text.encode()).hexdigest()[:16] if text else ""


def release_job(store, raw: dict, status: str, url: str) -> None:
    """What a job held once it is final (whoever finished it: a worker, a cancel, the keeper): its name's
    reservation; the uploaded dataset it alone used if it saved nothing (as the local pool does); and, for a job
    that never left the queue, RQ's copy of it."""
    from ..reservation_redis import Holder

    if raw.get("resv_key") and raw.get("resv_value"):
        Holder(url, raw["resv_key"], raw["resv_value"]).release()
    if status != "done":
        try:
            discard_unused(Path(store), raw.get("dataset", ""))
        except OSError:
            pass
    if raw.get("status") == "queued":
        import redis
        from rq.exceptions import NoSuchJobError
        from rq.job import Job
        from rq.serializers import JSONSerializer

        try:
            Job.fetch(raw["id"], connection=rq_connection(url), serializer=JSONSerializer).delete()
        except (NoSuchJobError, redis.RedisError):
            pass  # taken by a worker meanwhile (it will find the job final and not run it), or Redis away


def end_job(store, job_id: str, fields: dict, url: str, *, allowed=ACTIVE, heartbeat: str = "") -> bool:
    """Make an active job final (see :func:`vae.jobs.queue_records.finish`) and release what it held; True if this
    call ended it."""
    raw = records.read_raw(store, job_id, url)
    if not raw or not records.finish(store, job_id, fields, rq_queue(store, url).key, allowed=allowed,
                                     heartbeat=heartbeat, url=url):
        return False
    release_job(store, raw, fields.get("status", "failed"), url)
    return True


def settle_lost(store, url: str | None = None) -> list[str]:
    """Fail the running jobs whose worker stopped beating (:func:`vae.jobs.queue_records.lost_jobs`), with a
    sentence naming the worker; returns their ids. Safe to run from every replica at once."""
    url = url or redis_url()
    settled = []
    for job in records.lost_jobs(store, url=url):
        silent = time.time() - job["heartbeat"]
        detail = f"its worker {job.get('worker') or '?'} stopped answering {silent:.0f} s ago (killed, or its machine lost)"
        if end_job(store, job["id"], {"status": "failed", "error_code": "killed", "error": detail}, url,
                   allowed=("running",), heartbeat=job["beat"]):
            settled.append(job["id"])
    return settled


def request_stop(store, job_id: str, url: str | None = None) -> bool:
    """Cancel a queued job or ask a running one to stop (nothing is saved); False if the job is not active.
    What ``vae jobs stop``, the Stop button and the teacher's remove control do."""
    url = url or redis_url()
    if end_job(store, job_id, {"status": "cancelled", "error_code": "cancel"}, url, allowed=("queued",)):
        return True
    return records.stop_running(store, job_id, url) == "running"


class RemoteJob:
    """A job of the distributed queue as the pages see it: the record read when this handle was made
    (:meth:`refresh` reads it again), the live :meth:`snapshot`, :meth:`stop` and :meth:`wait`."""

    def __init__(self, service: "QueueService", record: dict):
        self._service, self.record = service, record

    id = property(lambda self: self.record["id"])
    name = property(lambda self: self.record.get("name", ""))
    status = property(lambda self: self.record["status"])
    active = property(lambda self: self.record["status"] in ACTIVE)

    def refresh(self) -> "RemoteJob":
        """Read the record again (it stays as it was if Redis cannot be reached or the record expired)."""
        try:
            self.record = records.read_record(self._service.store, self.id, self._service.url) or self.record
        except OSError:
            pass
        return self

    def snapshot(self) -> dict:
        """What the page shows, with the keys of :meth:`vae.jobs.pool.Job.snapshot`."""
        return self._service.snapshot(self.refresh().record)

    def summary(self) -> dict:
        """What the queue's table shows (the keys of :meth:`vae.jobs.pool.Job.summary`), from the record this
        handle holds: no events read, so a table of the whole course costs no more than its records."""
        r = self.record
        queue = self._service.queue_info(self.id) if r["status"] == "queued" else {"position": 0, "start_in": 0.0}
        return {"id": r["id"], "name": r.get("name", ""), "status": r["status"], "epoch": r.get("epoch", 0),
                "epochs": r.get("epochs", 0), "progress": r.get("progress", 0.0), "position": queue["position"],
                "start_in": queue["start_in"]}

    def stop(self) -> None:
        """Cancel the job if queued; stop it after the current batch if running (nothing is saved)."""
        self._service.stop(self.id)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests and scripts); True if it ended."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.refresh().active:
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True


class QueueService:
    """The Train page's job interface on the distributed queue of one store (see the module's docstring)."""

    distributed = True  # the course's workers, on any machine

    def __init__(self, url: str, store: Path | None = None, limits: Limits | None = None, keeper: bool = True,
                 overview_seconds: float = OVERVIEW_SECONDS):
        self.url, self.store = url, Path(store or user_store()).absolute()
        self.overview_seconds = overview_seconds
        self.limits = limits or Limits.from_env()
        self._lock = threading.Lock()
        self._events: OrderedDict[str, tuple[str, dict]] = OrderedDict()
        self._overview: tuple[float, dict] | None = None
        self._seen: dict[str, float] = {}
        self._last_refresh = 0.0
        self._away_at = 0.0  # when the keeper last found Redis away
        self.problem: str | None = None  # why the queue could not be read at the last try (Redis away), else None
        self._closed = threading.Event()
        self._thread = None
        if keeper:
            self._thread = threading.Thread(target=self._keep, name="vae-queue-keeper", daemon=True)
            self._thread.start()

    # -- submitting ------------------------------------------------------------------------------------------
    def submit(self, spec) -> RemoteJob:
        """Queue a training for any worker; ``FormError`` as from the local pool (too big, over budget, one active
        job per person, queue full, name invalid, taken or reserved, Redis unreachable: "store")."""
        check_job(spec.model_cfg, spec.n_train, spec.train_cfg.epochs, self.limits)
        wire = spec_to_wire(spec)
        path, reservation = reserve_training(spec.name, spec.store)
        job_id, now, m = new_job_id(), time.time(), spec.model_cfg
        record = {"id": job_id, "name": path.name, "store": str(spec.store), "status": "queued",
                  "session": digest(spec.session)[:8], "progress": 0.0, "epoch": 0, "epochs": spec.train_cfg.epochs,
                  "kind": m.kind, "dataset": spec.dataset_name, "latent_dim": m.latent_dim, "variational": m.variational,
                  "created": now, "last_seen": now, "image_epochs": spec.image_epochs, "spec": wire,
                  "max_seconds": self.limits.max_seconds, "owner": {"machine": machine_id(), "pid": os.getpid()},
                  "resv_key": getattr(reservation.holder, "key", ""), "resv_value": getattr(reservation.holder, "value", "")}
        submitter = spec.submitter if spec.submitter in ("", ANONYMOUS) else digest(spec.submitter)
        try:
            queue = rq_queue(spec.store, self.url)
            verdict = records.create(spec.store, record, session=digest(spec.session), submitter=submitter,
                                     anonymous=ANONYMOUS, anon_slots=self.limits.anon_slots,
                                     max_queue=self.limits.max_queue, queue_key=queue.key, url=self.url)
        except OSError as exc:
            reservation.release()
            raise FormError("store", detail=exc.strerror or str(exc)) from None
        if verdict != "ok":
            reservation.release()
            if verdict == "anon_full":
                raise FormError("anon_full", n=self.limits.anon_slots)
            if verdict == "queue_full":
                raise FormError("queue_full", n=self.limits.max_queue)
            raise FormError("mine")
        try:
            with reachable(self.url):
                queue.enqueue_call(TASK, args=(job_id, str(spec.store)), job_id=job_id, description=f"train {path.name}",
                                   timeout=int(self.limits.max_seconds + BUDGET_GRACE + 60), result_ttl=3600,
                                   failure_ttl=records.FINISHED_TTL)
        except OSError as exc:
            try:
                end_job(spec.store, job_id, {"status": "failed", "error_code": "store", "error": str(exc)}, self.url)
            except OSError:
                reservation.release()
            raise FormError("store", detail=exc.strerror or str(exc)) from None
        self._overview = None
        return self.job(job_id) or RemoteJob(self, {**records.parse({"id": job_id, "status": "queued"}), "name": path.name})

    # -- reading -----------------------------------------------------------------------------------------------
    def job(self, job_id: str | None) -> RemoteJob | None:
        """The job with this id (None if unknown, expired, or Redis cannot be reached)."""
        if not job_id:
            return None
        try:
            record = records.read_record(self.store, job_id, self.url)
        except OSError as exc:
            self.problem = str(exc)
            return None
        return RemoteJob(self, record) if record else None

    def active_jobs(self) -> list[RemoteJob]:
        """Every queued or running job of the store, whichever replica submitted it, oldest first."""
        return [RemoteJob(self, r) for r in self._read_overview()["active"]]

    def jobs(self) -> list[RemoteJob]:
        """Every job the store's records still hold (finished ones for a day), oldest first."""
        return [RemoteJob(self, r) for r in records.read_records(self.store, self.url)]

    def worker_count(self) -> int:
        """Workers consuming this store's queue now (``latent-explorer worker`` processes that beat)."""
        return self._read_overview()["workers"]

    def busy_workers(self) -> int:
        return sum(r["status"] == "running" for r in self._read_overview()["active"])

    def _read_overview(self) -> dict:
        """The queue's order, the active records and the live workers, read at most every OVERVIEW_SECONDS."""
        with self._lock:
            cached = self._overview
        if cached and time.monotonic() - cached[0] < self.overview_seconds:
            return cached[1]
        try:
            from rq import Worker

            queue = rq_queue(self.store, self.url)
            with reachable(self.url):
                order = [i.decode() if isinstance(i, bytes) else i for i in queue.get_job_ids()]
                workers = Worker.count(connection=queue.connection, queue=queue)
            active = records.read_records(self.store, self.url, active_only=True)
            speed = records.speed(self.store, schedule.DEFAULT_SPEED, self.url)
            self.problem = None
        except OSError as exc:
            active, order, workers, speed = [], [], 0, schedule.DEFAULT_SPEED
            self.problem = str(exc)
        overview = {"active": active, "order": order, "workers": workers, "speed": speed}
        with self._lock:
            self._overview = (time.monotonic(), overview)
        return overview

    def queue_info(self, job_id: str) -> dict:
        """``position`` (1 = next) of a queued job, ``start_in`` (estimated seconds until it starts) and ``workers``."""
        view = self._read_overview()
        order, workers = view["order"], view["workers"]
        if job_id not in order:
            return {"position": 0, "start_in": 0.0, "workers": workers}
        cap, now = self.limits.max_seconds, time.time()
        by_id = {r["id"]: r for r in view["active"]}
        running = []
        for r in view["active"]:
            if r["status"] == "running" and r.get("started"):
                elapsed = now - r["started"]
                expected = schedule.expected_seconds(r["image_epochs"], view["speed"], cap)
                running.append(min(schedule.remaining_seconds(elapsed, r["progress"], expected), max(0.0, cap - elapsed)))
        i = order.index(job_id)
        ahead = [schedule.expected_seconds(by_id[j]["image_epochs"], view["speed"], cap) for j in order[:i] if j in by_id]
        return {"position": i + 1, "start_in": schedule.start_in(running, ahead, max(1, workers)), "workers": workers}

    def _read_events(self, job_id: str) -> dict:
        """The job's events so far (``epoch``, ``snapshot`` …), read incrementally and kept for the next poll."""
        with self._lock:
            last, events = self._events.pop(job_id, ("", {}))
        try:
            for entry_id, text in records.read_events(self.store, job_id, last, self.url):
                last = entry_id
                try:
                    event, info = decode_event(text)
                except WireError:
                    continue
                events.setdefault(event, []).append(info)
        except OSError:
            pass
        with self._lock:
            self._events[job_id] = (last, events)
            while len(self._events) > MAX_CACHED_JOBS:
                self._events.popitem(last=False)
        return events

    def snapshot(self, record: dict) -> dict:
        """A record and its events as the page's snapshot (the keys of :meth:`vae.jobs.pool.Job.snapshot`)."""
        events = self._read_events(record["id"])
        queue = self.queue_info(record["id"]) if record["status"] == "queued" else \
            {"position": 0, "start_in": 0.0, "workers": self.worker_count()}
        started, finished = record.get("started"), record.get("finished")
        seconds = ((finished or time.time()) - started) if started else 0.0
        return {"id": record["id"], "name": record.get("name", ""), "status": record["status"],
                "progress": record["progress"], "epoch": record["epoch"], "epochs": record["epochs"],
                "history": list(events.get("epoch", [])), "snapshots": list(events.get("snapshot", [])),
                "events": {k: list(v) for k, v in events.items()}, "error": record.get("error", ""),
                "error_code": record.get("error_code", ""), "result_path": record.get("result_path"),
                "metrics": record.get("metrics"), "stop_requested": record["stop_requested"], "seconds": seconds,
                "images_per_s": record.get("images_per_s"), "variational": record["variational"],
                "kind": record.get("kind", ""), "latent_dim": record["latent_dim"], "dataset": record.get("dataset", ""),
                "created": record.get("created"), "worker": record.get("worker", ""), **queue}

    # -- acting ------------------------------------------------------------------------------------------------
    def stop(self, job_id: str) -> None:
        """Cancel a queued job, or ask a running job's worker to stop after its current batch."""
        try:
            request_stop(self.store, job_id, self.url)
        except OSError:
            pass
        self._overview = None

    def seen(self, job_id: str) -> None:
        """The submitter's page is still there (it polls every second; written at most every SEEN_EVERY seconds)."""
        now = time.time()
        if now - self._seen.get(job_id, 0.0) < SEEN_EVERY:
            return
        self._seen[job_id] = now
        try:
            records.touch(self.store, job_id, {"last_seen": now}, self.url)
        except OSError:
            pass

    # -- the keeper --------------------------------------------------------------------------------------------
    def keep_once(self, now: float | None = None) -> None:
        """One round of the keeper: fail lost jobs, drop abandoned queued ones, renew queued jobs' names.

        A round that finds Redis away (an ``OSError``, raised to the caller) holds back the lost-job check until
        a heartbeat timeout after Redis is back: the workers could not beat meanwhile, and they beat again within
        a second of its return, so their jobs are not failed for the silence of Redis itself."""
        now = time.time() if now is None else now
        try:
            self._keep_round(now)
        except OSError:
            self._away_at = now
            raise

    def _keep_round(self, now: float) -> None:
        if now - self._away_at > records.heartbeat_timeout():
            settle_lost(self.store, self.url)
        refresh = now - self._last_refresh >= REFRESH_SECONDS
        for r in records.read_records(self.store, self.url, active_only=True):
            if r["status"] != "queued":
                continue
            abandon = self.limits.abandon_seconds
            if abandon > 0 and r.get("last_seen") and now - r["last_seen"] > abandon and self._has_submitter(r["id"]):
                end_job(self.store, r["id"], {"status": "cancelled", "error_code": "abandoned",
                                              "error": "its submitter left before it started"}, self.url,
                        allowed=("queued",))
            elif refresh:
                raw = records.read_raw(self.store, r["id"], self.url)
                if raw.get("resv_key") and raw.get("resv_value"):
                    from ..reservation_redis import Holder

                    try:
                        Holder(self.url, raw["resv_key"], raw["resv_value"]).refresh()
                    except OSError:
                        pass
        if refresh:
            self._last_refresh = now

    def _has_submitter(self, job_id: str) -> bool:
        """True for a job submitted from a page (a script's or the CLI's job is never dropped as abandoned)."""
        import json

        from ..shared_state import client

        with reachable(self.url):
            raw = client(self.url).hget(records.Keys(self.store).active, job_id) or "{}"
        try:
            return bool(json.loads(raw).get("submitter"))
        except (ValueError, AttributeError):
            return False

    def _keep(self) -> None:
        while not self._closed.wait(KEEP_EVERY):
            try:
                self.keep_once()
            except OSError:
                pass  # Redis away: the next round retries
            except Exception:  # the keeper must survive anything
                import traceback

                traceback.print_exc()

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop the keeper (tests, interpreter exit). Jobs are left to the workers: they outlive this process."""
        self._closed.set()
        if self._thread is not None:
            self._thread.join(timeout)

