"""Where the state shared by every replica lives: files in the model store (the default) or Redis.

A class (:mod:`vae.classroom`) and the reservations of model names (:mod:`vae.reservation`) must be seen by every
process and replica serving the same store. By default they are files in the store (``flock``, ``O_EXCL``,
write-then-rename), which needs nothing beyond the shared folder. When ``VAE_REDIS_URL`` is set (``python -m
vae.ui.serve --redis URL`` sets it for the server), they live in that Redis instead; see ``docs/redis.md``.

This module holds what both Redis users share: the configuration (:func:`redis_url`), one client per URL and
process (:func:`client`), the key prefix of a store (:func:`namespace`), and :func:`reachable`, which turns a
connection failure into :class:`vae.errors.SharedStateError` ("the class server (Redis at …) is not
reachable"), so a page shows a notice and keeps serving.
"""
from __future__ import annotations

import hashlib
import os
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import SharedStateError

ENV = "VAE_REDIS_URL"
CONNECT_TIMEOUT = 1.0     # seconds: a student's poll must not hang on a server that is gone
SOCKET_TIMEOUT = 2.0

_CLIENTS: dict[str, object] = {}
_CLIENTS_LOCK = threading.Lock()


def redis_url() -> str | None:
    """The Redis URL of the shared state (``$VAE_REDIS_URL``), or None: the files of the model store."""
    url = os.environ.get(ENV, "").strip()
    return url or None


def backend_name() -> str:
    """``"redis"`` when ``VAE_REDIS_URL`` is set, else ``"files"``."""
    return "redis" if redis_url() else "files"


def shown_url(url: str) -> str:
    """``url`` without its password (what a message may show)."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.hostname or ""
        netloc = (f"{parts.username}:***@" if parts.username else ":***@") + host + (f":{parts.port}" if parts.port else "")
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return "an invalid URL"


def unreachable(url: str, reason: object = None) -> SharedStateError:
    """The error of a Redis that cannot be reached (named without its password)."""
    detail = f" ({reason})" if reason else ""
    return SharedStateError(f"the class server (Redis at {shown_url(url)}) is not reachable{detail}")


def client(url: str | None = None):
    """This process's Redis client for ``url`` (default :func:`redis_url`): one connection pool per URL, short
    time-outs, one retry. Creating it does not connect; a bad URL raises :class:`SharedStateError`."""
    url = url or redis_url()
    if not url:
        raise SharedStateError(f"no Redis is configured (set {ENV})")
    with _CLIENTS_LOCK:
        found = _CLIENTS.get(url)
        if found is None:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry

            try:
                found = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=SOCKET_TIMEOUT,
                                             retry=Retry(NoBackoff(), 1), decode_responses=True,
                                             encoding_errors="replace")
            except ValueError as exc:
                raise unreachable(url, exc) from None
            _CLIENTS[url] = found
    return found


@contextmanager
def reachable(url: str | None = None):
    """Run Redis calls; a connection failure, a time-out or a refused command becomes :class:`SharedStateError`
    (a sentence naming the server), never a traceback."""
    import redis

    url = url or redis_url() or ""
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise unreachable(url, type(exc).__name__) from None
    except redis.exceptions.RedisError as exc:  # a read-only replica, out of memory, a wrong password …
        raise unreachable(url, str(exc)[:200]) from None


def namespace(store: str | os.PathLike) -> str:
    """The key prefix of a model store in Redis: ``vae:<12 hex digits of its absolute path>``. Two stores sharing
    one Redis never see each other's classes or reservations; replicas that mount the store at the same path
    (``deploy/``) share them."""
    digest = hashlib.sha256(str(Path(store).absolute()).encode()).hexdigest()[:12]
    return f"vae:{digest}"
