"""A class around the lecture: a teacher opens a class code, students join it, vote on the micro-quiz and
follow the teacher's step; the teacher sees the tally and how many joined.

Why files in the model store: a class can be served by several replicas behind nginx (sticky sessions
send each browser to one replica), so a vote cast on replica 1 must show on the teacher's screen served
by replica 2. Every replica already shares the user store (``$VAE_MODEL_STORE``), so a class lives in the
store's hidden folder ``.classroom/<CODE>/``: ``meta.json`` (choices, owner, size, creation and expiry time,
whether the answer is revealed), ``step`` (the teacher's lecture step), one empty file per participant under
``participants/`` and one small file per participant's vote under ``votes/``. Every write is a
write-then-rename (or an exclusive create), so concurrent students never corrupt each other.

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
touches a path, so a forged message can neither escape the folder nor grow it without bound.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import threading
import time
import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .atomic_file import write_file_atomically
from .bounded_io import read_bytes, read_json
from .checkpoint import user_store
from .errors import ExplorerError

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read off a projector
CODE_LENGTH = 5
DEFAULT_TTL = 2 * 3600.0
DEFAULT_SIZE = 60         # participants a class admits unless the teacher says otherwise
MAX_SIZE = 500            # a large lecture hall, and a bound on the files one class holds
MAX_CLASSES = 200         # open classes per store (every teacher together)
MAX_CLASSES_PER_OWNER = 10
MAX_CHOICES = 8
TALLY_SECONDS = 2.0       # a class's tally is counted at most this often per process (the pollers' interval)
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}\\Z")
_VOTER = re.compile(r"^[0-9a-f]{16,64}\Z")
_CHOICE = re.compile(r"^[a-z0-9_-]{1,32}\Z")
_OWNER = re.compile(r"^[0-9a-f]{12}\Z")
META = "meta.json"
PARTICIPANTS = "participants"


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
    """The folder holding every open class (in the shared user store, so all replicas see it)."""
    return (store or user_store()) / ".classroom"


def normalise_code(text: object) -> str:
    """A class code as a student types it (any case, spaces) -> ``ABCDE``; anything else raises ``ClassroomError``."""
    code = "".join(str(text or "").split()).upper()
    if not _CODE.match(code):
        raise ClassroomError("bad_code", f"a class code is {CODE_LENGTH} letters or digits")
    return code


def new_voter_token() -> str:
    """A random anonymous participant token (what :func:`join` hands out)."""
    return secrets.token_hex(16)


def _write_json(path: Path, data: dict) -> None:
    write_file_atomically(path, json.dumps(data))


def _read_meta(folder: Path) -> dict:
    """A class's ``meta.json`` (bounded, regular file only: ``vae.bounded_io``), checked field by field."""
    def number(v):
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    try:
        meta = read_json(folder / META, limit=4096, max_depth=3)
        ok = (isinstance(meta, dict) and isinstance(meta.get("choices"), list)
              and all(isinstance(c, str) for c in meta["choices"]) and number(meta.get("expires_at", 0))
              and isinstance(meta.get("owner"), str) and number(meta.get("size")))
    except ExplorerError:
        ok = False
    if not ok:
        raise ClassroomError("unknown_code", "no open class has this code")
    return meta


def _open_folder(code: str, store: Path | None, now: float | None = None) -> tuple[Path, dict]:
    folder = classroom_root(store) / normalise_code(code)
    meta = _read_meta(folder)
    if (now or time.time()) > float(meta.get("expires_at", 0)):
        raise ClassroomError("expired", "this class code has expired")
    return folder, meta


def clean_expired(store: Path | None = None, now: float | None = None) -> list[str]:
    """Remove expired (or unreadable) classes; return their codes."""
    root, now = classroom_root(store), now or time.time()
    removed = []
    if not root.is_dir():
        return removed
    for folder in root.iterdir():
        if folder.is_symlink() or not folder.is_dir() or not _CODE.match(folder.name):
            continue
        try:
            expired = now > float(_read_meta(folder).get("expires_at", 0))
        except ClassroomError:
            expired = now - folder.stat().st_mtime > 60  # a class still being created has no meta for a moment
        if expired:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return sorted(removed)


def _owner(owner: object) -> str:
    if not isinstance(owner, str) or not _OWNER.match(owner):
        raise ClassroomError("not_teacher", "a teacher key is needed for this")
    return owner


def _owned(code: str, owner: object, store: Path | None) -> tuple[Path, dict]:
    """The open class ``code`` if ``owner`` (a teacher key's owner id) opened it; else ``not_teacher``."""
    owner = _owner(owner)
    folder, meta = _open_folder(code, store)
    if meta.get("owner") != owner:
        raise ClassroomError("not_teacher", "only the teacher who opened this class can do this")
    return folder, meta


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
    root = classroom_root(store)
    root.mkdir(parents=True, exist_ok=True)
    clean_expired(store)
    folders = [f for f in root.iterdir() if _CODE.match(f.name)]
    if len(folders) >= MAX_CLASSES:
        raise ClassroomError("too_many", "too many open classes on this server; try again later")
    mine = 0
    for f in folders:
        try:
            mine += _read_meta(f).get("owner") == owner
        except ClassroomError:
            continue
    if mine >= MAX_CLASSES_PER_OWNER:
        raise ClassroomError("too_many_mine", f"this teacher key already has {mine} open classes; close one first")
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        folder = root / code
        try:
            folder.mkdir()  # atomic: two teachers never get the same code
        except FileExistsError:
            continue
        (folder / "votes").mkdir()
        (folder / PARTICIPANTS).mkdir()
        now = time.time()
        _write_json(folder / META, {"choices": choices, "owner": owner, "size": size, "created_at": now,
                                    "expires_at": now + ttl, "revealed": False})
        return code
    raise ClassroomError("too_many", "could not find a free class code; try again")


def close_class(code: str, owner: str, store: Path | None = None) -> None:
    """End class ``code`` now (its teacher only): its votes, participants and step are removed."""
    folder, _ = _owned(code, owner, store)
    shutil.rmtree(folder, ignore_errors=True)
    _forget_tally(folder)


def _participant(folder: Path, token: object) -> bool:
    return isinstance(token, str) and bool(_VOTER.match(token)) and (folder / PARTICIPANTS / token).is_file() \
        and not (folder / PARTICIPANTS / token).is_symlink()


def join(code: str, token: str | None = None, store: Path | None = None) -> str:
    """Join class ``code``; returns this participant's token. A ``token`` that already joined this class is
    returned as it is (a reload, another page: no new place is taken); otherwise a new place is taken, while the
    class has fewer than its ``size`` participants (``class_full`` after)."""
    folder, meta = _open_folder(code, store)
    if _participant(folder, token):
        return token
    places = folder / PARTICIPANTS
    if sum(1 for _ in places.iterdir()) >= int(meta["size"]):
        raise ClassroomError("class_full", "this class is full; ask your teacher")
    token = new_voter_token()
    try:
        os.close(os.open(places / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError as exc:
        raise ClassroomError("store", f"the class cannot be joined now ({exc.strerror or exc})") from None
    return token


def is_participant(code: str, token: object, store: Path | None = None) -> bool:
    """True when ``token`` joined the open class ``code`` (False for a closed, expired or unknown class)."""
    try:
        folder, _ = _open_folder(code, store)
    except ClassroomError:
        return False
    return _participant(folder, token)


def attendance(code: str, store: Path | None = None, now: float | None = None) -> Attendance:
    """How many joined class ``code``, how many in the last minute, and its size (shown to the teacher)."""
    folder, meta = _open_folder(code, store)
    now = now or time.time()
    joined = recent = 0
    for entry in os.scandir(folder / PARTICIPANTS):
        try:
            t = entry.stat(follow_symlinks=False).st_mtime
        except OSError:
            continue
        joined += 1
        recent += now - t <= 60
    return Attendance(joined, recent, int(meta["size"]))


def vote(code: str, voter: str, choice: str, store: Path | None = None) -> None:
    """Record (or change) the answer of participant ``voter`` (a token :func:`join` gave) in class ``code``: one
    vote per participant, a re-vote replaces the earlier one."""
    folder, meta = _open_folder(code, store)
    if not isinstance(voter, str) or not _VOTER.match(voter):
        raise ClassroomError("bad_voter", "invalid voter id")
    if not _participant(folder, voter):
        raise ClassroomError("not_joined", "join the class before voting")
    if choice not in meta["choices"]:
        raise ClassroomError("bad_choice", "not an answer of this question")
    write_file_atomically(folder / "votes" / voter, choice)
    _forget_tally(folder)


_TALLIES: dict[str, tuple[float, Tally]] = {}   # class folder -> (when counted, its tally)
_TALLIES_LOCK = threading.Lock()


def _forget_tally(folder: Path) -> None:
    with _TALLIES_LOCK:
        _TALLIES.pop(str(folder), None)


def tally(code: str, store: Path | None = None, max_age: float = TALLY_SECONDS) -> Tally:
    """The votes of class ``code`` per answer (votes with an unknown answer are ignored), counted at most once per
    ``max_age`` seconds in this process and shared by every reader (a vote cast here is counted at once; one cast
    on another replica within ``max_age``)."""
    folder, meta = _open_folder(code, store)
    key, now = str(folder), time.monotonic()
    with _TALLIES_LOCK:
        cached = _TALLIES.get(key)
        if cached is not None and now - cached[0] < max_age:
            return dataclasses.replace(cached[1], revealed=bool(meta.get("revealed")))
    counted = _count(folder, meta)
    with _TALLIES_LOCK:
        if len(_TALLIES) >= 4 * MAX_CLASSES:
            _TALLIES.clear()
        _TALLIES[key] = (now, counted)
    return counted


def _count(folder: Path, meta: dict) -> Tally:
    counts = {c: 0 for c in meta["choices"]}
    for entry in (folder / "votes").iterdir():
        if entry.name.startswith(".") or not _VOTER.match(entry.name) or entry.is_symlink():
            continue
        try:
            answer = read_bytes(entry, 64).decode("utf-8", "replace")
        except ExplorerError:
            continue  # removed meanwhile, too long, or not a regular file (a FIFO is never waited on)
        if answer in counts:
            counts[answer] += 1
    return Tally(code=folder.name, counts=counts, revealed=bool(meta.get("revealed")),
                 expires_at=float(meta["expires_at"]))


def reveal(code: str, owner: str, store: Path | None = None) -> None:
    """Mark the class's answer as revealed (its teacher only; students' screens then show the samples too)."""
    folder, meta = _owned(code, owner, store)
    _write_json(folder / META, {**meta, "revealed": True})


def state(code: str, store: Path | None = None) -> ClassState:
    """The reveal flag, the teacher's step and the expiry of class ``code``: what a student's poll needs, read from
    two small files (no vote is counted). Raises ``ClassroomError`` for an unknown, closed or expired class."""
    folder, meta = _open_folder(code, store)
    return ClassState(code=folder.name, revealed=bool(meta.get("revealed")), step=_step(folder),
                      expires_at=float(meta["expires_at"]), owner=str(meta["owner"]))


def expired_at(code: str, store: Path | None = None) -> float | None:
    """When class ``code`` ended if it expired but is still on disk; None otherwise (open, or gone)."""
    try:
        meta = _read_meta(classroom_root(store) / normalise_code(code))
    except ClassroomError:
        return None
    end = float(meta.get("expires_at", 0))
    return end if time.time() > end else None


STEP_FILE = "step"


def publish_step(code: str, step: str, owner: str, store: Path | None = None) -> None:
    """Publish the teacher's lecture step (a slug such as ``kl``) in class ``code`` (its teacher only), so students
    who follow the teacher see the same step; a write-then-rename of one small file (every replica reads it)."""
    folder, _ = _owned(code, owner, store)
    if not isinstance(step, str) or not _CHOICE.match(step):
        raise ClassroomError("bad_step", "invalid lecture step")
    write_file_atomically(folder / STEP_FILE, step)


def teacher_step(code: str, store: Path | None = None) -> str | None:
    """The lecture step the teacher of class ``code`` last published, or None (none yet, or unreadable)."""
    folder, _ = _open_folder(code, store)
    return _step(folder)


def _step(folder: Path) -> str | None:
    path = folder / STEP_FILE
    try:
        step = read_bytes(path, 64).decode("utf-8", "replace")
    except ExplorerError:
        return None  # none yet, too long, a symbolic link or not a regular file (a FIFO is never waited on)
    return step if _CHOICE.match(step) else None
