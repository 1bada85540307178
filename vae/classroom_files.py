"""The embedded backend of :mod:`vae.classroom`: a class as files in the model store (the default).

A class lives in ``<store>/.classroom/<CODE>/``: ``meta.json`` (choices, owner, size, creation and expiry time,
whether the answer is revealed), ``step`` (the teacher's lecture step), one empty file per participant under
``participants/`` (its modification time is when it joined) and one small file per participant's vote under
``votes/``. Every write is a write-then-rename or an exclusive create, so concurrent students never corrupt each
other; every read is bounded and refuses what is not a regular file (``vae.bounded_io``).

This module only stores: every code, token, choice and step it receives was already checked by
:mod:`vae.classroom`, which also checks what it reads back.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

from .atomic_file import write_file_atomically
from .bounded_io import read_bytes, read_json
from .errors import ExplorerError

META = "meta.json"
PARTICIPANTS = "participants"
VOTES = "votes"
STEP_FILE = "step"
_NAME = re.compile(r"^[A-Z0-9]{1,16}\Z")          # a class folder's name (the facade checks the exact format)
_TOKEN = re.compile(r"^[0-9a-f]{16,64}\Z")


class FileClasses:
    """Classes as folders under ``root`` (``<store>/.classroom``)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def ident(self, code: str) -> str:
        """A name of class ``code`` unique in this process (the tally cache's key)."""
        return str(self.root / code)

    def codes(self) -> list[str]:
        """The code of every class stored (open, expired or half-created)."""
        if not self.root.is_dir():
            return []
        return [f.name for f in self.root.iterdir()
                if _NAME.match(f.name) and not f.is_symlink() and f.is_dir()]

    def meta(self, code: str) -> dict | None:
        """The class's meta data as stored (bounded, regular file only), or None if missing or unreadable."""
        try:
            meta = read_json(self.root / code / META, limit=4096, max_depth=3)
        except ExplorerError:
            return None
        return meta if isinstance(meta, dict) else None

    def orphan(self, code: str, now: float) -> bool:
        """True if class ``code``, which has no readable meta data, can be removed: not one being created now."""
        try:
            return now - (self.root / code).stat().st_mtime > 60
        except OSError:
            return False

    def ended_at(self, code: str) -> float | None:
        """When an expired class ended, once its meta data is gone: files keep the meta data until a cleanup, so
        never known here."""
        return None

    def create(self, code: str, meta: dict) -> bool:
        """Create class ``code`` with ``meta``; False if the code is taken (``mkdir`` is atomic)."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / code
        try:
            folder.mkdir()
        except FileExistsError:
            return False
        (folder / VOTES).mkdir()
        (folder / PARTICIPANTS).mkdir()
        write_file_atomically(folder / META, json.dumps(meta))
        return True

    def write_meta(self, code: str, meta: dict) -> None:
        """Replace the meta data of an open class (write-then-rename)."""
        write_file_atomically(self.root / code / META, json.dumps(meta))

    def delete(self, code: str) -> None:
        """Remove class ``code`` and everything in it."""
        shutil.rmtree(self.root / code, ignore_errors=True)

    def is_participant(self, code: str, token: str) -> bool:
        """True if ``token`` joined class ``code``."""
        path = self.root / code / PARTICIPANTS / token
        return path.is_file() and not path.is_symlink()

    def add_participant(self, code: str, token: str, size: int) -> bool:
        """Give ``token`` a place in class ``code`` if it has fewer than ``size`` participants; False when full.
        An ``OSError`` of the store propagates."""
        places = self.root / code / PARTICIPANTS
        if sum(1 for _ in places.iterdir()) >= size:
            return False
        os.close(os.open(places / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        return True

    def join_times(self, code: str) -> list[float]:
        """When each participant of class ``code`` joined."""
        times = []
        for entry in os.scandir(self.root / code / PARTICIPANTS):
            try:
                times.append(entry.stat(follow_symlinks=False).st_mtime)
            except OSError:
                continue
        return times

    def put_vote(self, code: str, token: str, choice: str) -> bool:
        """Record participant ``token``'s ``choice`` (replacing an earlier one); False if it did not join."""
        if not self.is_participant(code, token):
            return False
        write_file_atomically(self.root / code / VOTES / token, choice)
        return True

    def votes(self, code: str) -> list[str]:
        """Every participant's answer in class ``code`` (unreadable files left out)."""
        out = []
        for entry in (self.root / code / VOTES).iterdir():
            if entry.name.startswith(".") or not _TOKEN.match(entry.name) or entry.is_symlink():
                continue
            try:
                out.append(read_bytes(entry, 64).decode("utf-8", "replace"))
            except ExplorerError:
                continue  # removed meanwhile, too long, or not a regular file (a FIFO is never waited on)
        return out

    def set_step(self, code: str, step: str) -> None:
        """Publish the teacher's step (a write-then-rename of one small file)."""
        write_file_atomically(self.root / code / STEP_FILE, step)

    def step(self, code: str) -> str | None:
        """The published step as stored, or None (none yet, too long, a symbolic link, not a regular file)."""
        try:
            return read_bytes(self.root / code / STEP_FILE, 64).decode("utf-8", "replace")
        except ExplorerError:
            return None

