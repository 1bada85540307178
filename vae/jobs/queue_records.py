"""Job records of the distributed queue in Redis: what every replica, every worker and ``vae jobs`` read and write.

RQ (:mod:`vae.jobs.queue_client`) only carries a job id from a replica to a worker; the job's state lives here,
under the store's prefix ``P`` (:func:`vae.shared_state.namespace`), so it is the same for every replica:

=============================== ====== =========================================================================
key                             type   holds
=============================== ====== =========================================================================
``P:job:<id>``                  hash   the record: the fields of ``vae.jobs.jobfiles``' records (name, status,
                                       progress, epoch, started, error …) plus ``spec`` (``vae.jobs.wire``),
                                       ``heartbeat``, ``stop``, ``last_seen``, ``metrics`` and the name's
                                       reservation (``resv_key``, ``resv_value``)
``P:job:<id>:events``           stream the training's events but ``batch`` (epochs, film snapshots), JSON
``P:jobs``                      zset   id → created: every known job (finished ones expire after a day)
``P:jobs:active``               hash   id → who submitted it, for the "one active job per person" rule
``P:jobs:speed``                string images/s of the last trainings (the estimated starts)
=============================== ====== =========================================================================

Every change of status is one Lua script, so two processes never both move a job: creating checks the
submitter's allowance and the queue's length and writes the record in one step; starting, cancelling, stopping
and finishing compare the status first. A running job's worker writes its ``heartbeat`` every second; a job whose
heartbeat stopped for :func:`heartbeat_timeout` seconds (its worker killed, its machine gone) is failed by whoever
notices first (:func:`settle_lost`: every replica's keeper, ``vae jobs list``).
"""
from __future__ import annotations

import json
import os
import time

from ..shared_state import client, namespace, reachable, redis_url
from .jobfiles import ACTIVE, FINAL, valid_id

FINISHED_TTL = 86_400          # seconds a finished job's record and events are kept
MAX_EVENTS = 4000              # events kept per job (a film has a few dozen snapshots, a run ≤ 10,000 epochs)
HEARTBEAT_TIMEOUT = 20.0       # seconds without a heartbeat before a running job is declared lost
MAX_FIELD_CHARS = 65_536

# KEYS: active, job, index, rq queue list. ARGV: id, session, submitter, anonymous, anon slots, max queue, created,
# the record's fields as a JSON object of strings.
_CREATE = """
local anon = 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  local ok, o = pcall(cjson.decode, v)
  if ok and type(o) == 'table' then
    if ARGV[2] ~= '' and o.session == ARGV[2] then return 'mine' end
    if ARGV[3] == ARGV[4] then
      if o.submitter == ARGV[4] then anon = anon + 1 end
    elseif ARGV[3] ~= '' and o.submitter == ARGV[3] then return 'mine' end
  end
end
if ARGV[3] == ARGV[4] and anon >= tonumber(ARGV[5]) then return 'anon_full' end
if redis.call('LLEN', KEYS[4]) >= tonumber(ARGV[6]) then return 'queue_full' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'exists' end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode({session = ARGV[2], submitter = ARGV[3]}))
for k, v in pairs(cjson.decode(ARGV[8])) do redis.call('HSET', KEYS[2], k, v) end
redis.call('ZADD', KEYS[3], ARGV[7], ARGV[1])
return 'ok'
"""

# KEYS: job. ARGV: worker, now. 'ok' when the job moved queued → running; else why not (its status, or 'stop').
_START = """
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' then return status or 'gone' end
if redis.call('HGET', KEYS[1], 'stop') == '1' then return 'stop' end
redis.call('HSET', KEYS[1], 'status', 'running', 'started', ARGV[2], 'heartbeat', ARGV[2], 'worker', ARGV[1],
           'position', '0')
return 'ok'
"""

# KEYS: job. ARGV: the fields (JSON object of strings). Applied only while running; returns {running, stop}.
_UPDATE = """
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return {0, 0} end
for k, v in pairs(cjson.decode(ARGV[1])) do redis.call('HSET', KEYS[1], k, v) end
return {1, redis.call('HGET', KEYS[1], 'stop') == '1' and 1 or 0}
"""

# KEYS: job, active, events, rq queue list. ARGV: id, fields (JSON), ttl, allowed statuses (space separated),
# expected heartbeat ('' = any). 1 if the job was active in an allowed status and is now final.
_FINISH = """
local status = redis.call('HGET', KEYS[1], 'status')
if not status or not string.find(' ' .. ARGV[4] .. ' ', ' ' .. status .. ' ', 1, true) then return 0 end
if ARGV[5] ~= '' and redis.call('HGET', KEYS[1], 'heartbeat') ~= ARGV[5] then return 0 end
for k, v in pairs(cjson.decode(ARGV[2])) do redis.call('HSET', KEYS[1], k, v) end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('LREM', KEYS[4], 0, ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[3]) end
return 1
"""

# KEYS: job. 'running' after setting the stop flag of a running job; its status otherwise (nothing changed).
_STOP_RUNNING = """
local status = redis.call('HGET', KEYS[1], 'status')
if status == 'running' then redis.call('HSET', KEYS[1], 'stop', '1') end
return status or 'gone'
"""


def heartbeat_timeout() -> float:
    """Seconds without a heartbeat before a running job counts as lost: ``$VAE_QUEUE_HEARTBEAT_TIMEOUT`` (at least
    3), else :data:`HEARTBEAT_TIMEOUT`. Workers beat every second; the timeout leaves room for a loaded machine."""
    try:
        value = float(os.environ.get("VAE_QUEUE_HEARTBEAT_TIMEOUT", "") or HEARTBEAT_TIMEOUT)
    except ValueError:
        return HEARTBEAT_TIMEOUT
    return max(3.0, value)


class Keys:
    """The Redis keys of one store's jobs (see the module's table)."""

    def __init__(self, store: str | os.PathLike):
        self.prefix = namespace(store)
        self.index, self.active, self.speed = f"{self.prefix}:jobs", f"{self.prefix}:jobs:active", f"{self.prefix}:jobs:speed"

    def job(self, job_id: str) -> str:
        return f"{self.prefix}:job:{job_id}"

    def events(self, job_id: str) -> str:
        return f"{self.prefix}:job:{job_id}:events"


def queue_name(store: str | os.PathLike) -> str:
    """The RQ queue of a store's trainings: workers started with the same store path consume it, and only them."""
    return "vae-train-" + namespace(store).split(":", 1)[1]


def _url(url: str | None) -> str:
    url = url or redis_url()
    if not url:
        from ..errors import SharedStateError

        raise SharedStateError("no Redis is configured (set VAE_REDIS_URL)")
    return url


def _strings(fields: dict) -> str:
    """A record's fields as the JSON object of strings the scripts write (None → "")."""
    return json.dumps({k: "" if v is None else v if isinstance(v, str) else json.dumps(v) if isinstance(v, (dict, list))
                       else repr(v) if isinstance(v, float) else str(v) for k, v in fields.items()})


def create(store, record: dict, *, session: str, submitter: str, anonymous: str, anon_slots: int, max_queue: int,
           queue_key: str, url: str | None = None) -> str:
    """Write a new queued job's record if its submitter may have one more and the queue has room: ``"ok"``, or the
    refusal (``"mine"``, ``"anon_full"``, ``"queue_full"``, ``"exists"``), decided atomically across replicas."""
    url, keys = _url(url), Keys(store)
    with reachable(url):
        return client(url).eval(_CREATE, 4, keys.active, keys.job(record["id"]), keys.index, queue_key,
                                record["id"], session, submitter, anonymous, int(anon_slots), int(max_queue),
                                repr(float(record["created"])), _strings(record))


def start(store, job_id: str, worker: str, url: str | None = None) -> str:
    """Move a queued job to running on ``worker`` (``host/pid``): ``"ok"``, or why not (``"stop"`` if a stop was
    asked meanwhile, else the status it has: a job cancelled while it waited is not run)."""
    url = _url(url)
    with reachable(url):
        return client(url).eval(_START, 1, Keys(store).job(job_id), worker, repr(time.time()))


def update(store, job_id: str, fields: dict, url: str | None = None) -> tuple[bool, bool]:
    """Write a running job's progress (and heartbeat); returns (still running, stop requested). A job that is no
    longer running (declared lost meanwhile) is left as it is, and its worker learns it here."""
    url = _url(url)
    with reachable(url):
        running, stop = client(url).eval(_UPDATE, 1, Keys(store).job(job_id), _strings(fields))
    return bool(running), bool(stop)


def finish(store, job_id: str, fields: dict, queue_key: str, *, allowed=ACTIVE, heartbeat: str = "",
           url: str | None = None) -> bool:
    """Make an active job final (``fields`` holds ``status``, ``error_code``, ``error``, …): only from an
    ``allowed`` status, and with ``heartbeat`` only if its heartbeat is still that value. Frees the submitter's
    slot, drops the job from the RQ queue if it waited there, and lets the record expire after
    :data:`FINISHED_TTL`. True if this call finished it (the caller then releases what the job held)."""
    url, keys = _url(url), Keys(store)
    fields = {"finished": time.time(), "position": 0, **fields}
    with reachable(url):
        return bool(client(url).eval(_FINISH, 4, keys.job(job_id), keys.active, keys.events(job_id), queue_key,
                                     job_id, _strings(fields), FINISHED_TTL, " ".join(allowed), heartbeat))


def stop_running(store, job_id: str, url: str | None = None) -> str:
    """Ask a running job's worker to stop after its current batch; returns the job's status (``"gone"`` if unknown)."""
    url = _url(url)
    with reachable(url):
        return client(url).eval(_STOP_RUNNING, 1, Keys(store).job(job_id))


_SET_IF_EXISTS = ("if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end "
                  "for k, v in pairs(cjson.decode(ARGV[1])) do redis.call('HSET', KEYS[1], k, v) end return 1")


def touch(store, job_id: str, fields: dict, url: str | None = None) -> None:
    """Set a few fields of an existing record that no status depends on (``last_seen``); an expired one stays gone."""
    url = _url(url)
    with reachable(url):
        client(url).eval(_SET_IF_EXISTS, 1, Keys(store).job(job_id), _strings(fields))


def _number(value, cast=float):
    try:
        return cast(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def parse(raw: dict) -> dict | None:
    """A record as read from Redis (strings) → typed like ``vae.jobs.jobfiles``' records (None if not a record)."""
    if not raw or not valid_id(raw.get("id", "")) or raw.get("status") not in ACTIVE + FINAL:
        return None
    hidden = ("spec", "resv_key", "resv_value", "metrics", "stop")
    record = {k: v for k, v in raw.items() if k not in hidden and len(v) <= MAX_FIELD_CHARS}
    for k in ("progress", "created", "started", "finished", "heartbeat", "last_seen", "images_per_s"):
        record[k] = _number(raw.get(k))
    for k in ("epoch", "epochs", "position", "latent_dim", "image_epochs"):
        record[k] = _number(raw.get(k), int) or 0
    record["progress"] = record["progress"] or 0.0
    record["stop_requested"] = raw.get("stop") == "1"
    record["variational"] = raw.get("variational") == "True"
    try:
        metrics = json.loads(raw.get("metrics") or "null")
    except ValueError:
        metrics = None
    record["metrics"] = metrics if isinstance(metrics, dict) else None
    record["result_path"] = raw.get("result_path") or None
    return record


def read_raw(store, job_id: str, url: str | None = None) -> dict:
    """A job's record exactly as stored (strings; ``{}`` if unknown)."""
    url = _url(url)
    if not valid_id(job_id):
        return {}
    with reachable(url):
        return client(url).hgetall(Keys(store).job(job_id))


def read_record(store, job_id: str, url: str | None = None) -> dict | None:
    """One job's record (None if unknown or expired)."""
    return parse(read_raw(store, job_id, url))


def read_records(store, url: str | None = None, active_only: bool = False) -> list[dict]:
    """Every known job of the store (or only the active ones), oldest first; ids whose record expired are dropped
    from the index."""
    url, keys = _url(url), Keys(store)
    with reachable(url):
        r = client(url)
        ids = sorted(r.hkeys(keys.active)) if active_only else r.zrange(keys.index, 0, -1)
        ids = [i for i in ids if valid_id(i)]
        with r.pipeline() as p:
            for i in ids:
                p.hgetall(keys.job(i))
            raws = p.execute()
        gone = [i for i, raw in zip(ids, raws) if not raw]
        if gone and not active_only:
            r.zrem(keys.index, *gone)
    records = [rec for rec in (parse(raw) for raw in raws) if rec]
    return sorted(records, key=lambda rec: rec.get("created") or 0)


def add_event(store, job_id: str, text: str, url: str | None = None) -> None:
    """Append one encoded event (``vae.jobs.wire.encode_event``) to the job's stream."""
    url = _url(url)
    with reachable(url):
        client(url).xadd(Keys(store).events(job_id), {"e": text}, maxlen=MAX_EVENTS, approximate=True)


def read_events(store, job_id: str, after: str = "", url: str | None = None) -> list[tuple[str, str]]:
    """The job's events after stream id ``after`` (all with ""), as ``(id, text)``."""
    url = _url(url)
    with reachable(url):
        entries = client(url).xrange(Keys(store).events(job_id), min=f"({after}" if after else "-", max="+")
    return [(entry_id, fields.get("e", "")) for entry_id, fields in entries]


def speed(store, default: float, url: str | None = None) -> float:
    """Images per second of one worker, from the trainings that ended well (``default`` before the first)."""
    url = _url(url)
    with reachable(url):
        value = _number(client(url).get(Keys(store).speed))
    return value if value and value > 0 else default


def record_speed(store, measured: float, default: float, url: str | None = None) -> None:
    """Blend a finished training's speed into the store's (half the old value, half the new)."""
    url = _url(url)
    blended = 0.5 * speed(store, default, url) + 0.5 * float(measured)
    with reachable(url):
        client(url).set(Keys(store).speed, repr(blended))


def lost_jobs(store, now: float | None = None, url: str | None = None) -> list[dict]:
    """Running jobs whose heartbeat is older than :func:`heartbeat_timeout` (with the raw heartbeat, ``beat``, that
    :func:`finish` must still find for the job to be declared lost)."""
    now = time.time() if now is None else now
    limit = heartbeat_timeout()
    lost = []
    for record in read_records(store, url, active_only=True):
        beat = record.get("heartbeat")
        if record["status"] == "running" and beat is not None and now - beat > limit:
            lost.append({**record, "beat": read_raw(store, record["id"], url).get("heartbeat", "")})
    return lost
