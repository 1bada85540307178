"""Teacher rights: the key that opens, reveals, advances and closes a class.

A classroom is an adversarial place: if opening a class needed no rights, 210 anonymous clicks would fill the
server's classes for two hours (#21). So every teacher action needs a **teacher key**, and a class remembers
which key opened it (its *owner*, a short digest of the key, never the key itself).

Where the key comes from, in order:

* ``$VAE_TEACHER_KEY``: one key, or several separated by commas (one per teacher: each has its own classes
  and its own limit), for a course served by several replicas or machines, documented with the production
  command in the README;
* otherwise the store's ``.teacher_key`` file, created at the first start with a random key (readable by the
  server's user only) and printed by the launcher; replicas that share the store share it.

A teacher types the key once per browser: the page then keeps a *browser token* in a cookie
(:func:`browser_token`, an HMAC of the key, so the cookie can be checked but does not reveal the key), and
later sessions of that browser are recognised from it (:func:`owner_of_token`).
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from .bounded_io import read_bytes
from .checkpoint import rename_no_replace, user_store
from .errors import ExplorerError

ENV = "VAE_TEACHER_KEY"
KEY_FILE = ".teacher_key"
MIN_KEY_CHARS = 8
MAX_KEY_CHARS = 128
_TOKEN_CONTEXT = b"vae-explorer teacher browser token v1"


class TeacherKeyError(ExplorerError):
    """No usable teacher key (a too short ``$VAE_TEACHER_KEY``, a store that cannot hold the key file)."""


def _clean(key: str) -> str | None:
    key = key.strip()
    return key if MIN_KEY_CHARS <= len(key) <= MAX_KEY_CHARS and key.isprintable() else None


def _env_keys() -> list[str] | None:
    raw = os.environ.get(ENV)
    if raw is None or not raw.strip():
        return None
    keys = [_clean(k) for k in raw.split(",") if k.strip()]
    if not keys or any(k is None for k in keys):
        raise TeacherKeyError(f"${ENV} must hold keys of {MIN_KEY_CHARS}-{MAX_KEY_CHARS} printable characters, "
                              "separated by commas")
    return keys


def _stored_key(store: Path, create: bool) -> str | None:
    path = store / KEY_FILE
    try:
        key = _clean(read_bytes(path, MAX_KEY_CHARS + 2).decode("utf-8", "replace"))
    except ExplorerError:
        key = None
    if key is not None or not create:
        return key
    tmp = store / f".{KEY_FILE}.{secrets.token_hex(6)}.new"
    try:
        store.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # the server's user only, from the start
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(12))
        rename_no_replace(tmp, path)
    except FileExistsError:
        pass  # two replicas starting together: the first key wins
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise TeacherKeyError(f"cannot keep the teacher key in the model store ({exc.strerror or exc})") from None
    finally:
        tmp.unlink(missing_ok=True)
    return _stored_key(store, create=False)


def teacher_keys(store: Path | None = None, create: bool = False) -> list[str]:
    """The keys that give teacher rights on this server (``$VAE_TEACHER_KEY``, else the store's key file; with
    ``create``, a missing key file is made). Empty when there is none yet."""
    keys = _env_keys()
    if keys is not None:
        return keys
    key = _stored_key(Path(store or user_store()), create)
    return [key] if key else []


def launcher_line(store: Path | None = None) -> str:
    """What the launcher prints at start: where the teacher key comes from, and the key when it is the store's."""
    if _env_keys() is not None:
        return f"Teacher key: from ${ENV}."
    keys = teacher_keys(store, create=True)
    if not keys:
        raise TeacherKeyError(f"the model store's {KEY_FILE} is unreadable or too short: remove it (a new key is then "
                              f"made) or set ${ENV}")
    return (f"Teacher key: {keys[0]}  (kept in {Path(store or user_store()) / KEY_FILE}; set ${ENV} to choose "
            "your own). Teachers type it once per browser on the Lecture page.")


def owner_id(key: str) -> str:
    """The name a class records for the key that opened it: 12 hex digits of its SHA-256 (not the key)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def _token(key: str) -> str:
    return hmac.new(key.encode("utf-8"), _TOKEN_CONTEXT, hashlib.sha256).hexdigest()[:40]


def check_key(text: object, store: Path | None = None) -> str | None:
    """The owner id of the teacher key ``text`` (as typed: surrounding spaces ignored), or None."""
    cleaned = _clean(text) if isinstance(text, str) else None
    if cleaned is None:
        return None
    typed = cleaned.encode("utf-8")
    for key in teacher_keys(store):
        if hmac.compare_digest(typed, key.encode("utf-8")):
            return owner_id(key)
    return None


def browser_token(owner: str, store: Path | None = None) -> str | None:
    """The token a teacher's browser keeps for the key with owner id ``owner`` (None if no such key)."""
    for key in teacher_keys(store):
        if owner_id(key) == owner:
            return _token(key)
    return None


def owner_of_token(token: object, store: Path | None = None) -> str | None:
    """The owner id whose browser token is ``token`` (a cookie's value, from outside), or None."""
    if not isinstance(token, str) or len(token) != 40:
        return None
    for key in teacher_keys(store):
        if hmac.compare_digest(token.encode("ascii", "replace"), _token(key).encode("ascii")):
            return owner_id(key)
    return None
