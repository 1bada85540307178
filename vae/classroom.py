"""A class around the lecture: a teacher opens a class code, students join it, vote on the micro-quiz and
follow the teacher's step; the teacher sees the tally and how many joined.

Where a class lives: a class can be served by several replicas behind nginx (sticky sessions send each
browser to one replica), so a vote cast on replica 1 must show on the teacher's screen served by replica 2.
Two backends keep it, below this module (:mod:`vae.shared_state` chooses):

* by default, files in the shared user store (``$VAE_MODEL_STORE``), which every replica already shares:
  ``.classroom/<CODE>/`` (:mod:`vae.classroom_files`; write-then-rename and exclusive creates, so concurrent
  students never corrupt each other);
* when ``VAE_REDIS_URL`` is set, a few keys in that Redis, expiring with the class (:mod:`vae.classroom_redis`,
  atomic commands and scripts; ``docs/redis.md``). A Redis that cannot be reached gives a ``ClassroomError``
  with code ``unreachable`` (a sentence naming the server), so the page shows a notice and keeps serving.

The functions below are the one public interface: every check (formats, rights, limits, expiry) is made here,
the same for both backends, which only store.

Who may do what (a classroom is an adversarial place, #21):

* opening, revealing, advancing and closing a class needs a teacher key (:mod:`vae.teacher_key`): the class
  records its owner (the key's digest), and at most :data:`MAX_CLASSES_PER_OWNER` classes per key are open,
  so anonymous clicks open nothing and one teacher cannot fill the server;
* a student *joins* (:func:`join`) and gets a participant token; a class admits at most its ``size``
  participants, and the teacher sees how many joined and how many in the last minute (:func:`attendance`),
  so a scripted burst is visible and bounded;
* one vote per participant per question: a vote needs a token that joined, and a re-vote replaces the
  earlier one.

Students poll the class every few seconds: :func:`state` reads the reveal flag and the teacher's step (two
small files) without counting votes, and :func:`tally` is computed at most once per :data:`TALLY_SECONDS` per
class in a process and shared by every reader. Nothing personal is kept: a participant is a random token.
Classes expire (default 2 h); expired ones are removed when a new one opens.

Everything a browser sends (class code, token, choice, step) is checked against a strict format before it
reaches a backend (a path or a key), so a forged message can neither escape the folder nor grow it without bound.
"""
from __future__ import annotations

import dataclasses
import functools
import re
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .checkpoint import user_store
from .classroom_files import META, PARTICIPANTS, STEP_FILE, FileClasses  # noqa: F401  (names the tests use)
from .errors import ExplorerError, SharedStateError
from .shared_state import redis_url

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read off a projector
CODE_LENGTH = 5
DEFAULT_TTL = 2 * 3600.0
DEFAULT_SIZE = 60         # participants a class admits unless the teacher says otherwise
MAX_SIZE = 500            # a large lecture hall, and a bound on the files one class holds
MAX_CLASSES = 200         # open classes per store (every teacher together)
MAX_CLASSES_PER_OWNER = 10
MAX_CHOICES = 8
TALLY_SECONDS = 2.0       # a class's tally is counted at most this often per process (the pollers' interval)
STATE_SECONDS = 0.5       # a class's state serves every rerun of this process for this long (the poll route's too)
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}\\Z")
_VOTER = re.compile(r"^[0-9a-f]{16,64}\Z")
_CHOICE = re.compile(r"^[a-z0-9_-]{1,32}\Z")
_OWNER = re.compile(r"^[0-9a-f]{12}\Z")


class ClassroomError(ExplorerError):
    """A class code, vote or tally request that cannot be served; ``code`` names a translation key."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


@dataclass(frozen=True)
class ClassState:
    """What a student's screen polls: the reveal flag, the teacher's step, the expiry (no vote counted)."""

    code: str
    revealed: bool
    step: str | None
    expires_at: float
    owner: str


@dataclass(frozen=True)
class Attendance:
    """How many joined a class, how many of them in the last minute, and how many it admits."""

    joined: int
    last_minute: int
    size: int


@dataclass(frozen=True)
class Tally:
    """Votes of one class: counts per choice (every choice present, zeros included)."""

    code: str
    counts: dict[str, int]
    revealed: bool
    expires_at: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def classroom_root(store: Path | None = None) -> Path:
    """The folder holding every open class of the file backend (in the shared user store, so all replicas see it)."""
    return (store or user_store()) / ".classroom"


def backend(store: Path | None = None):
    """The backend keeping the classes of ``store``: Redis when ``VAE_REDIS_URL`` is set, else the store's files."""
    url = redis_url()
    if url:
        from .classroom_redis import RedisClasses

        return RedisClasses(url, store or user_store())
    return FileClasses(classroom_root(store))


def _served(function):
    """A public function whose shared-state server failures become ``ClassroomError("unreachable")``."""
    @functools.wraps(function)
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except SharedStateError as exc:
            raise ClassroomError("unreachable", str(exc)) from None
    return run


def normalise_code(text: object) -> str:
    """A class code as a student types it (any case, spaces) -> ``ABCDE``; anything else raises ``ClassroomError``."""
    code = "".join(str(text or "").split()).upper()
    if not _CODE.match(code):
        raise ClassroomError("bad_code", f"a class code is {CODE_LENGTH} letters or digits")
    return code


def new_voter_token() -> str:
    """A random anonymous participant token (what :func:`join` hands out)."""
    return secrets.token_hex(16)


def _valid_meta(meta: object) -> bool:
    """A class's meta data as a backend read it, checked field by field (a store or a Redis may be tampered with)."""
    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    return (isinstance(meta, dict) and isinstance(meta.get("choices"), list)
            and all(isinstance(c, str) for c in meta["choices"]) and number(meta.get("expires_at", 0))
            and isinstance(meta.get("owner"), str) and number(meta.get("size")))


def _meta(back, code: str) -> dict:
    meta = back.meta(code)
    if not _valid_meta(meta):
        if back.ended_at(code) is not None:
            raise ClassroomError("expired", "this class code has expired")
        raise ClassroomError("unknown_code", "no open class has this code")
    return meta


def _open_class(code: object, store: Path | None, now: float | None = None) -> tuple[object, str, dict]:
    """(backend, code, meta) of the open class ``code``; ``bad_code``, ``unknown_code`` or ``expired`` otherwise."""
    code = normalise_code(code)
    back = backend(store)
    meta = _meta(back, code)
    if (now or time.time()) > float(meta.get("expires_at", 0)):
        raise ClassroomError("expired", "this class code has expired")
    return back, code, meta


@_served
def clean_expired(store: Path | None = None, now: float | None = None) -> list[str]:
    """Remove expired (or unreadable) classes; return their codes."""
    back, now = backend(store), now or time.time()
    removed = []
    for code in back.codes():
        if not _CODE.match(code):
            continue
        meta = back.meta(code)
        expired = now > float(meta.get("expires_at", 0)) if _valid_meta(meta) else back.orphan(code, now)
        if expired:
            back.delete(code)
            _forget(back.ident(code))
            removed.append(code)
    return sorted(removed)


def _owner(owner: object) -> str:
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise ClassroomError("not_teacher", "a teacher key is needed for this")
    return owner


def _owned(code: str, owner: object, store: Path | None) -> tuple[object, str, dict]:
    """The open class ``code`` if ``owner`` (a teacher key's owner id) opened it; else ``not_teacher``."""
    owner = _owner(owner)
    back, code, meta = _open_class(code, store)
    if meta.get("owner") != owner:
        raise ClassroomError("not_teacher", "only the teacher who opened this class can do this")
    return back, code, meta


@_served
def open_class(choices: Sequence[str], owner: str, size: int = DEFAULT_SIZE, ttl: float = DEFAULT_TTL,
               store: Path | None = None) -> str:
    """Open a class for one question with the given answer ids, for at most ``size`` participants; return its
    new code (valid ``ttl`` seconds). ``owner``: the opening teacher key's id (:func:`vae.teacher_key.check_key`),
    who alone may reveal, advance and close it; a key has at most :data:`MAX_CLASSES_PER_OWNER` open classes."""
    owner = _owner(owner)
    choices = list(choices)
    if not 2 <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices) or \
            not all(isinstance(c, str) and _CHOICE.match(c) for c in choices):
        raise ClassroomError("bad_choices", "a question needs 2–8 distinct answer ids")
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= MAX_SIZE:
        raise ClassroomError("bad_size", f"a class admits 1 to {MAX_SIZE} participants")
    back = backend(store)
    clean_expired(store)
    codes = [c for c in back.codes() if _CODE.match(c)]
    if len(codes) >= MAX_CLASSES:
        raise ClassroomError("too_many", "too many open classes on this server; try again later")
    mine = 0
    for c in codes:
        meta = back.meta(c)
        mine += _valid_meta(meta) and meta.get("owner") == owner
    if mine >= MAX_CLASSES_PER_OWNER:
        raise ClassroomError("too_many_mine", f"this teacher key already has {mine} open classes; close one first")
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        now = time.time()
        meta = {"choices": choices, "owner": owner, "size": size, "created_at": now, "expires_at": now + ttl,
                "revealed": False}
        if back.create(code, meta):  # atomic: two teachers never get the same code
            return code
    raise ClassroomError("too_many", "could not find a free class code; try again")


@_served
def close_class(code: str, owner: str, store: Path | None = None) -> None:
    """End class ``code`` now (its teacher only): its votes, participants and step are removed."""
    back, code, _ = _owned(code, owner, store)
    back.delete(code)
    _forget(back.ident(code))


def _token(token: object) -> bool:
    return isinstance(token, str) and bool(_VOTER.match(token))


@_served
def join(code: str, token: str | None = None, store: Path | None = None) -> str:
    """Join class ``code``; returns this participant's token. A ``token`` that already joined this class is
    returned as it is (a reload, another page: no new place is taken); otherwise a new place is taken, while the
    class has fewer than its ``size`` participants (``class_full`` after)."""
    back, code, meta = _open_class(code, store)
    if _token(token) and back.is_participant(code, token):
        return token
    token = new_voter_token()
    try:
        added = back.add_participant(code, token, int(meta["size"]))
    except SharedStateError:
        raise
    except OSError as exc:
        raise ClassroomError("store", f"the class cannot be joined now ({exc.strerror or exc})") from None
    if added is None:
        raise ClassroomError("unknown_code", "no open class has this code")
    if not added:
        raise ClassroomError("class_full", "this class is full; ask your teacher")
    return token


def is_participant(code: str, token: object, store: Path | None = None) -> bool:
    """True when ``token`` joined the open class ``code`` (False for a closed, expired or unknown class, and while
    the class server cannot be reached)."""
    try:
        back, code, _ = _open_class(code, store)
        return _token(token) and back.is_participant(code, token)
    except (ClassroomError, SharedStateError):
        return False


@_served
def attendance(code: str, store: Path | None = None, now: float | None = None) -> Attendance:
    """How many joined class ``code``, how many in the last minute, and its size (shown to the teacher)."""
    back, code, meta = _open_class(code, store)
    now = now or time.time()
    times = back.join_times(code)
    return Attendance(len(times), sum(now - t <= 60 for t in times), int(meta["size"]))


@_served
def vote(code: str, voter: str, choice: str, store: Path | None = None) -> None:
    """Record (or change) the answer of participant ``voter`` (a token :func:`join` gave) in class ``code``: one
    vote per participant, a re-vote replaces the earlier one."""
    back, code, meta = _open_class(code, store)
    if not _token(voter):
        raise ClassroomError("bad_voter", "invalid voter id")
    if not back.is_participant(code, voter):
        raise ClassroomError("not_joined", "join the class before voting")
    if not isinstance(choice, str) or choice not in meta["choices"]:
        raise ClassroomError("bad_choice", "not an answer of this question")
    if not back.put_vote(code, voter, choice):
        raise ClassroomError("not_joined", "join the class before voting")
    _forget_tally(back.ident(code))


class _Recent:
    """What this process read of each class lately (a class's backend name -> (when read, value)), shared by every
    session: hundreds of students' reruns read one class, and a value at most ``max_age`` old serves them all. A
    write through this module forgets its class at once, so whoever wrote reads their own write."""

    def __init__(self):
        self._kept: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, ident: str, max_age: float, now: float):
        with self._lock:
            kept = self._kept.get(ident)
        return kept[1] if kept is not None and now - kept[0] < max_age else None

    def put(self, ident: str, now: float, value) -> None:
        with self._lock:
            if len(self._kept) >= 4 * MAX_CLASSES:
                self._kept.clear()
            self._kept[ident] = (now, value)

    def forget(self, ident: str) -> None:
        with self._lock:
            self._kept.pop(ident, None)


_TALLIES = _Recent()   # tallies, counted at most once per TALLY_SECONDS
_STATES = _Recent()    # ClassState, read at most once per max_age of state()


def _forget_tally(ident: str) -> None:
    """A vote was cast, or the class changed or ended: its next tally is counted afresh."""
    _TALLIES.forget(ident)


def _forget(ident: str) -> None:
    """The class's meta data or step changed (or it ended): forget what this process read of it."""
    _TALLIES.forget(ident)
    _STATES.forget(ident)


@_served
def tally(code: str, store: Path | None = None, max_age: float = TALLY_SECONDS) -> Tally:
    """The votes of class ``code`` per answer (votes with an unknown answer are ignored), counted at most once per
    ``max_age`` seconds in this process and shared by every reader (a vote cast here is counted at once; one cast
    on another replica within ``max_age``)."""
    back, code, meta = _open_class(code, store)
    key, now = back.ident(code), time.monotonic()
    cached = _TALLIES.get(key, max_age, now)
    if cached is not None:
        return dataclasses.replace(cached, revealed=bool(meta.get("revealed")))
    counted = _count(back, code, meta)
    _TALLIES.put(key, now, counted)
    return counted


def _count(back, code: str, meta: dict) -> Tally:
    counts = {c: 0 for c in meta["choices"]}
    for answer in back.votes(code):
        if answer in counts:
            counts[answer] += 1
    return Tally(code=code, counts=counts, revealed=bool(meta.get("revealed")), expires_at=float(meta["expires_at"]))


@_served
def reveal(code: str, owner: str, store: Path | None = None) -> None:
    """Mark the class's answer as revealed (its teacher only; students' screens then show the samples too)."""
    back, code, meta = _owned(code, owner, store)
    back.write_meta(code, {**meta, "revealed": True})
    _forget(back.ident(code))


@_served
def state(code: str, store: Path | None = None, max_age: float = 0.0) -> ClassState:
    """The reveal flag, the teacher's step and the expiry of class ``code``: what a student's poll needs, two
    small reads (no vote is counted). Raises ``ClassroomError`` for an unknown, closed or expired class.

    ``max_age`` > 0: a state this process read less than ``max_age`` seconds ago is returned without reading (the
    Lecture page of every student reads it on every rerun: ``STATE_SECONDS``); a change made through this module
    in this process is seen at once, one made on another replica within ``max_age``. Errors are never kept."""
    now = time.monotonic()
    if max_age > 0:
        code = normalise_code(code)
        back = backend(store)
        kept = _STATES.get(back.ident(code), max_age, now)
        if kept is not None:
            if time.time() > kept.expires_at:
                raise ClassroomError("expired", "this class code has expired")
            return kept
    back, code, meta = _open_class(code, store)
    read = ClassState(code=code, revealed=bool(meta.get("revealed")), step=_step(back, code),
                      expires_at=float(meta["expires_at"]), owner=str(meta["owner"]))
    _STATES.put(back.ident(code), now, read)
    return read


def expired_at(code: str, store: Path | None = None) -> float | None:
    """When class ``code`` ended if it expired but is still known; None otherwise (open, gone, or the class
    server cannot be reached)."""
    try:
        back = backend(store)
        code = normalise_code(code)
        meta = back.meta(code)
        if not _valid_meta(meta):
            return back.ended_at(code)
    except (ClassroomError, SharedStateError):
        return None
    end = float(meta.get("expires_at", 0))
    return end if time.time() > end else None


@_served
def publish_step(code: str, step: str, owner: str, store: Path | None = None) -> None:
    """Publish the teacher's lecture step (a slug such as ``kl``) in class ``code`` (its teacher only), so students
    who follow the teacher see the same step (every replica reads it)."""
    back, code, _ = _owned(code, owner, store)
    if not isinstance(step, str) or not _CHOICE.match(step):
        raise ClassroomError("bad_step", "invalid lecture step")
    back.set_step(code, step)
    _forget(back.ident(code))


@_served
def teacher_step(code: str, store: Path | None = None) -> str | None:
    """The lecture step the teacher of class ``code`` last published, or None (none yet, or unreadable)."""
    back, code, _ = _open_class(code, store)
    return _step(back, code)


def _step(back, code: str) -> str | None:
    step = back.step(code)
    return step if isinstance(step, str) and _CHOICE.match(step) else None
