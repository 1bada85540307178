"""The Redis backend of :mod:`vae.reservation` (``VAE_REDIS_URL`` set): one key per reserved model name.

``P:reserved:<name>`` (``P``: the store's prefix, :func:`vae.shared_state.namespace`) holds the holder's record
as JSON (purpose, machine, pid, a random token), created with ``SET NX PX`` :data:`~vae.reservation.STALE_SECONDS`:
the one atomic command that both takes a free name and refuses a held one, across every process and replica
using this Redis. The holder renews the expiry every minute (:meth:`Holder.refresh`), so a holder that died on
any machine frees the name by itself after ``STALE_SECONDS``; one that ran on this machine and whose pid is gone
is dropped at once (:func:`vae.reservation.holder_gone`, as with files). Renewing, releasing and dropping compare
the stored record with the one expected first (a Lua script, atomic), so a holder never removes a name that was
handed to someone else meanwhile.
"""
from __future__ import annotations

import json
from pathlib import Path

from .reservation import NameReserved, holder_gone
from .shared_state import client, namespace, reachable

# KEYS[1] = the reservation; ARGV[1] = the record expected there
_DELETE_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
_RENEW_IF = ("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end "
             "return 0")
MAX_RECORD_CHARS = 4096


def _stale_ms() -> int:
    from . import reservation

    return int(reservation.STALE_SECONDS * 1000)


def _key(store: Path, name: str) -> str:
    return f"{namespace(store)}:reserved:{name}"


def _record(raw: str | None) -> dict | None:
    if raw is None or len(raw) > MAX_RECORD_CHARS:
        return None
    try:
        record = json.loads(raw)
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


class Holder:
    """A reservation held in Redis: its key and the exact record written there."""

    def __init__(self, url: str, key: str, value: str):
        self.url, self.key, self.value = url, key, value

    def refresh(self) -> None:
        """Renew the expiry, if the key still holds our record."""
        with reachable(self.url):
            client(self.url).eval(_RENEW_IF, 1, self.key, self.value, _stale_ms())

    def release(self) -> None:
        """Give the name back: delete the key if it still holds our record. A Redis that cannot be reached is
        ignored (the key expires by itself)."""
        try:
            with reachable(self.url):
                client(self.url).eval(_DELETE_IF, 1, self.key, self.value)
        except OSError:
            pass


def reserve(url: str, store: Path, name: str, record: dict) -> Holder:
    """Take ``name`` of ``store`` for ``record``'s holder (``SET NX PX``); a stale holder's key is dropped first;
    :class:`vae.reservation.NameReserved` if someone alive holds it."""
    key, value = _key(store, name), json.dumps(record)
    r = client(url)
    with reachable(url):
        for _ in range(2):
            if r.set(key, value, nx=True, px=_stale_ms()):
                return Holder(url, key, value)
            raw = r.get(key)
            held = _record(raw)
            if raw is not None and (held is None or not holder_gone(held)):
                raise NameReserved(name, (held or {}).get("purpose", "training"))
            if raw is not None:
                r.eval(_DELETE_IF, 1, key, raw)
    raise OSError(f"the reservation of {name!r} could not be taken")


def held(url: str, store: Path) -> dict[str, str]:
    """Names reserved in ``store`` (holders gone left out) → their purpose."""
    prefix = _key(store, "")
    r = client(url)
    out = {}
    with reachable(url):
        keys = list(r.scan_iter(match=prefix.replace("[", "\\[").replace("*", "\\*").replace("?", "\\?") + "*",
                                count=500))
        for key, raw in zip(keys, r.mget(keys) if keys else []):
            record = _record(raw)
            if raw is not None and not (record is not None and holder_gone(record)):
                out[key[len(prefix):]] = (record or {}).get("purpose", "training")
    return out


def drop(url: str, store: Path, name: str) -> bool:
    """Remove the reservation of ``name`` if its holder is gone; True if one was removed."""
    key = _key(store, name)
    r = client(url)
    with reachable(url):
        raw = r.get(key)
        record = _record(raw)
        if raw is None or record is None or not holder_gone(record):
            return False
        return bool(r.eval(_DELETE_IF, 1, key, raw))
