"""Class votes for the lecture's micro-quiz: a teacher opens a class code, students vote, the teacher sees the tally.

Why files in the model store: a class can be served by several replicas behind nginx (sticky sessions
send each browser to one replica), so a vote cast on replica 1 must show on the teacher's screen served
by replica 2. Every replica already shares the user store (``$VAE_MODEL_STORE``), so a class lives in the
store's hidden folder ``.classroom/<CODE>/``: ``meta.json`` (choices, creation and expiry time, whether the
answer is revealed) and one small file per voter under ``votes/`` holding the chosen answer. A vote is a
write-then-rename of that one file, so concurrent voters never corrupt each other and a student who
changes their mind replaces their own vote. Nothing personal is kept: a voter is a random token made by
their browser session. Classes expire (default 2 h) and expired ones are removed when a new one opens.

Everything a browser sends (class code, voter token, choice) is checked against a strict format before it
touches a path, so a forged message can neither escape the folder nor grow it without bound.
"""
from __future__ import annotations

import json
import re
import secrets
import shutil
import time
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
MAX_VOTES = 2000          # per class: a large lecture hall, and a bound on files written by forged voters
MAX_CLASSES = 200         # open classes per store
MAX_CHOICES = 8
_CODE = re.compile(f"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}\\Z")
_VOTER = re.compile(r"^[0-9a-f]{16,64}\Z")
_CHOICE = re.compile(r"^[a-z0-9_-]{1,32}\Z")
META = "meta.json"


class ClassroomError(ExplorerError):
    """A class code, vote or tally request that cannot be served; ``code`` names a translation key."""

    def __init__(self, code: str, message: str):
        self.code = code
        super().__init__(message)


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
    """A random anonymous voter id for one browser session."""
    return secrets.token_hex(16)


def _write_json(path: Path, data: dict) -> None:
    write_file_atomically(path, json.dumps(data))


def _read_meta(folder: Path) -> dict:
    """A class's ``meta.json`` (bounded, regular file only: ``vae.bounded_io``), checked field by field."""
    try:
        meta = read_json(folder / META, limit=4096, max_depth=3)
        ok = (isinstance(meta, dict) and isinstance(meta.get("choices"), list)
              and all(isinstance(c, str) for c in meta["choices"])
              and isinstance(meta.get("expires_at", 0), (int, float)) and not isinstance(meta.get("expires_at"), bool))
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


def open_class(choices: Sequence[str], ttl: float = DEFAULT_TTL, store: Path | None = None) -> str:
    """Open a class for one question with the given answer ids; return its new code (valid ``ttl`` seconds)."""
    choices = list(choices)
    if not 2 <= len(choices) <= MAX_CHOICES or len(set(choices)) != len(choices) or \
            not all(isinstance(c, str) and _CHOICE.match(c) for c in choices):
        raise ClassroomError("bad_choices", "a question needs 2–8 distinct answer ids")
    root = classroom_root(store)
    root.mkdir(parents=True, exist_ok=True)
    clean_expired(store)
    if sum(1 for _ in root.iterdir()) >= MAX_CLASSES:
        raise ClassroomError("too_many", "too many open classes on this server; try again later")
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        folder = root / code
        try:
            folder.mkdir()  # atomic: two teachers never get the same code
        except FileExistsError:
            continue
        (folder / "votes").mkdir()
        now = time.time()
        _write_json(folder / META, {"choices": choices, "created_at": now, "expires_at": now + ttl, "revealed": False})
        return code
    raise ClassroomError("too_many", "could not find a free class code; try again")


def vote(code: str, voter: str, choice: str, store: Path | None = None) -> None:
    """Record (or change) one voter's answer in class ``code``."""
    folder, meta = _open_folder(code, store)
    if not isinstance(voter, str) or not _VOTER.match(voter):
        raise ClassroomError("bad_voter", "invalid voter id")
    if choice not in meta["choices"]:
        raise ClassroomError("bad_choice", "not an answer of this question")
    target = folder / "votes" / voter
    if not target.exists() and sum(1 for _ in (folder / "votes").iterdir()) >= MAX_VOTES:
        raise ClassroomError("full", "this class has reached its vote limit")
    write_file_atomically(target, choice)


def tally(code: str, store: Path | None = None) -> Tally:
    """Count the votes of class ``code`` (votes with an unknown answer are ignored)."""
    folder, meta = _open_folder(code, store)
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


def reveal(code: str, store: Path | None = None) -> None:
    """Mark the class's answer as revealed (students' screens then show the samples too)."""
    folder, meta = _open_folder(code, store)
    _write_json(folder / META, {**meta, "revealed": True})


STEP_FILE = "step"


def publish_step(code: str, step: str, store: Path | None = None) -> None:
    """Publish the teacher's lecture step (a slug such as ``kl``) in class ``code``, so students who follow the
    teacher see the same step; a write-then-rename of one small file, like a vote (every replica reads it)."""
    folder, _ = _open_folder(code, store)
    if not isinstance(step, str) or not _CHOICE.match(step):
        raise ClassroomError("bad_step", "invalid lecture step")
    write_file_atomically(folder / STEP_FILE, step)


def teacher_step(code: str, store: Path | None = None) -> str | None:
    """The lecture step the teacher of class ``code`` last published, or None (none yet, or unreadable)."""
    folder, _ = _open_folder(code, store)
    path = folder / STEP_FILE
    try:
        step = read_bytes(path, 64).decode("utf-8", "replace")
    except ExplorerError:
        return None  # none yet, too long, a symbolic link or not a regular file (a FIFO is never waited on)
    return step if _CHOICE.match(step) else None
