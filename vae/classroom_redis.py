"""The Redis backend of :mod:`vae.classroom` (``VAE_REDIS_URL`` set): a class as a few keys with its expiry.

Keys, under the store's prefix ``P = vae:<store digest>`` (:func:`vae.shared_state.namespace`):

* ``P:class:<CODE>`` — the meta data as JSON (choices, owner, size, creation and expiry time, reveal flag), set
  with ``SET NX PXAT expires_at``: creating a class is one atomic command (two teachers never get one code) and
  Redis drops the class when it expires;
* ``P:class:<CODE>:participants`` — a hash participant token → when it joined; ``…:votes`` — a hash token →
  answer (``HSET``: one vote per participant, a re-vote replaces it); ``…:step`` — the teacher's step (polled);
  all three expire with the class;
* ``P:class:<CODE>:ended`` — when the class expires, kept an hour longer, so a teacher (and a student) is told
  the class *expired* rather than *unknown*; ``P:classes`` — a sorted set code → expiry, the list of classes
  that the limits count and the cleanup walks.

Joining (a place while the class has room), voting (only a participant) and publishing a step (only in an open
class) are short Lua scripts, each atomic in Redis. This module only stores: :mod:`vae.classroom` checks every
code, token, choice and step before and every meta data after.
"""
from __future__ import annotations

import json
import os
import threading
import time
from functools import wraps

from .shared_state import client, namespace, reachable

ENDED_GRACE = 3600.0   # seconds an expired class is still known as "expired" (then "unknown")

_JOIN = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 1 end
if redis.call('HLEN', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1
"""
_VOTE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[3], ttl) end
return 1
"""
_STEP = """
local ttl = redis.call('PTTL', KEYS[1])
if ttl <= 0 then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ttl)
return 1
"""
_CREATE = """
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
if ARGV[5] == '1' then redis.call('SET', KEYS[1], ARGV[1], 'PXAT', ARGV[2]) end
redis.call('SET', KEYS[2], ARGV[4], 'PXAT', ARGV[3])
redis.call('ZADD', KEYS[3], ARGV[4], ARGV[6])
return 1
"""

_SCRIPTS: dict[tuple[int, str], object] = {}
_SCRIPTS_LOCK = threading.Lock()


def _script(redis_client, source: str):
    """The registered script ``source`` of this client (``EVALSHA``, sent again after a Redis restart)."""
    key = (id(redis_client), source)
    with _SCRIPTS_LOCK:
        found = _SCRIPTS.get(key)
        if found is None:
            found = _SCRIPTS[key] = redis_client.register_script(source)
    return found


def _served(method):
    """Run a backend method with Redis errors turned into :class:`vae.errors.SharedStateError`."""
    @wraps(method)
    def run(self, *args, **kwargs):
        with reachable(self.url):
            return method(self, *args, **kwargs)
    return run


class RedisClasses:
    """Classes of model store ``store`` in the Redis at ``url``."""

    def __init__(self, url: str, store: str | os.PathLike):
        self.url = url
        self.r = client(url)
        self.prefix = f"{namespace(store)}:class"
        self.index = f"{namespace(store)}:classes"

    def _key(self, code: str, part: str = "") -> str:
        return f"{self.prefix}:{code}" + (f":{part}" if part else "")

    def ident(self, code: str) -> str:
        """A name of class ``code`` unique in this process (the tally cache's key)."""
        return f"{self.url}|{self._key(code)}"

    @_served
    def codes(self) -> list[str]:
        """The code of every class listed (open, or expired and not cleaned yet)."""
        return list(self.r.zrange(self.index, 0, -1))

    @_served
    def meta(self, code: str) -> dict | None:
        """The class's meta data as stored, or None (never opened, closed, expired, or not JSON)."""
        raw = self.r.get(self._key(code))
        if raw is None or len(raw) > 4096:
            return None
        try:
            meta = json.loads(raw)
        except ValueError:
            return None
        return meta if isinstance(meta, dict) else None

    def orphan(self, code: str, now: float) -> bool:
        """True: a listed class without meta data expired or was closed (creating one is atomic)."""
        return True

    @_served
    def ended_at(self, code: str) -> float | None:
        """When class ``code`` expired, for an hour after (None: open, closed, unknown, or long gone)."""
        raw = self.r.get(self._key(code, "ended"))
        try:
            end = float(raw) if raw is not None else None
        except ValueError:
            return None
        return end if end is not None and time.time() > end else None

    @_served
    def create(self, code: str, meta: dict) -> bool:
        """Create class ``code`` with ``meta`` (expiring at its ``expires_at``); False if the code is taken."""
        end = float(meta["expires_at"])
        keys = [self._key(code), self._key(code, "ended"), self.index]
        alive = end > time.time()   # a class born expired (a ttl <= 0) is only ever "expired"
        args = [json.dumps(meta), int(end * 1000), int((end + ENDED_GRACE) * 1000), repr(end), "1" if alive else "0",
                code]
        return bool(_script(self.r, _CREATE)(keys=keys, args=args))

    @_served
    def write_meta(self, code: str, meta: dict) -> None:
        """Replace the meta data of an open class, keeping its expiry (``SET XX KEEPTTL``)."""
        self.r.set(self._key(code), json.dumps(meta), xx=True, keepttl=True)

    @_served
    def delete(self, code: str) -> None:
        """Remove class ``code`` and everything in it."""
        pipe = self.r.pipeline()
        pipe.delete(*(self._key(code, part) for part in ("", "participants", "votes", "step", "ended")))
        pipe.zrem(self.index, code)
        pipe.execute()

    @_served
    def is_participant(self, code: str, token: str) -> bool:
        """True if ``token`` joined class ``code``."""
        return bool(self.r.hexists(self._key(code, "participants"), token))

    @_served
    def add_participant(self, code: str, token: str, size: int) -> bool | None:
        """Give ``token`` a place in class ``code`` if it has fewer than ``size`` participants (atomic); False
        when full, None when the class is gone."""
        done = _script(self.r, _JOIN)(keys=[self._key(code), self._key(code, "participants")],
                                      args=[token, repr(time.time()), size])
        return None if done == -1 else bool(done)

    @_served
    def join_times(self, code: str) -> list[float]:
        """When each participant of class ``code`` joined."""
        out = []
        for value in self.r.hvals(self._key(code, "participants")):
            try:
                out.append(float(value))
            except ValueError:
                continue
        return out

    @_served
    def put_vote(self, code: str, token: str, choice: str) -> bool:
        """Record participant ``token``'s ``choice`` (``HSET``: a re-vote replaces it); False if it did not join."""
        keys = [self._key(code), self._key(code, "participants"), self._key(code, "votes")]
        return _script(self.r, _VOTE)(keys=keys, args=[token, choice]) == 1

    @_served
    def votes(self, code: str) -> list[str]:
        """Every participant's answer in class ``code``."""
        return list(self.r.hvals(self._key(code, "votes")))

    @_served
    def set_step(self, code: str, step: str) -> None:
        """Publish the teacher's step (expires with the class)."""
        _script(self.r, _STEP)(keys=[self._key(code), self._key(code, "step")], args=[step])

    @_served
    def step(self, code: str) -> str | None:
        """The published step as stored, or None."""
        value = self.r.get(self._key(code, "step"))
        return value if value is None or len(value) <= 64 else None
