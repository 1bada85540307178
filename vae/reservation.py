"""One reservation of a model name in the store, shared by trainings and imports, across processes and replicas.

A training takes minutes and only writes ``<store>/<name>`` at its end; an import validates for a few seconds
before its rename. Without a reservation, an import could take a name while a training of that name runs, and
the training would fail at its very end. So both reserve the name first: :func:`reserve_name` creates
``<store>/.reserved/<name>`` with ``O_CREAT | O_EXCL`` (atomic on a local or NFSv3+ filesystem, so two
processes or two replicas sharing the store never both get it) and writes who holds it: its purpose
("training" or "import"), host, boot id and pid. The holder removes it with :meth:`Reservation.release` when
it ends; the final rename into the store still refuses an existing folder (``vae.checkpoint``).

**Stale reservations.** A process killed with SIGKILL cannot release. A reservation is stale when its holder
ran on this machine (same host name and boot id) and its pid is gone, or when it was not refreshed for
:data:`STALE_SECONDS` (a holder on another machine, or a pid reused): long holders (a training) call
:meth:`Reservation.refresh` every minute. Stale files are removed under an ``flock`` of the
``.reserved`` folder, so two processes cleaning the same stale file cannot delete a fresh one in between; the
last release removes the folder, so an idle store holds no trace of reservations.

**With Redis** (``VAE_REDIS_URL`` set, :mod:`vae.shared_state`), the same functions keep a reservation as one key
instead of one file (:mod:`vae.reservation_redis`): ``SET NX`` with an expiry of :data:`STALE_SECONDS` that
:meth:`Reservation.refresh` renews, so a holder on any machine that died frees the name by itself, and one on this
machine whose pid is gone is dropped at once, as with files. A Redis that cannot be reached raises
:class:`vae.errors.SharedStateError` (an ``OSError`` too, so callers report it as a store they cannot write).
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .bounded_io import read_json
from .errors import CheckpointError, ExplorerError
from .shared_state import redis_url

RESERVED = ".reserved"
STALE_SECONDS = 600.0        # a reservation not refreshed for 10 min is stale (holders refresh every minute)
REFRESH_SECONDS = 60.0
MAX_RECORD_BYTES = 4096


class NameReserved(CheckpointError):
    """The name is held by a training or an import in progress; ``purpose`` says which."""

    def __init__(self, name: str, purpose: str):
        self.name, self.purpose = name, purpose
        what = "a training in progress" if purpose == "training" else "an import in progress"
        super().__init__(f"the name {name!r} is being used by {what}; choose another name or wait until it ends")


def machine_id() -> str:
    """This machine: host name plus boot id (a pid seen before a reboot is not a pid of this boot)."""
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{socket.gethostname()}/{boot}"


def pid_alive(pid: int) -> bool:
    """True if a process with this pid exists on this machine (signal 0 checks without sending anything)."""
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return isinstance(pid, int) and pid > 0
    return True


def holder_gone(record: dict) -> bool:
    """True if the process named by a record (``machine``, ``pid``) ran on this machine and is gone."""
    return record.get("machine") == machine_id() and isinstance(record.get("pid"), int) and not pid_alive(record["pid"])


def _read_record(path: Path) -> dict | None:
    """The holder record of a reservation file (None if unreadable: half-written, or not a regular file)."""
    try:
        record = read_json(path, limit=MAX_RECORD_BYTES, max_depth=4)
    except ExplorerError:
        return None
    return record if isinstance(record, dict) else None


def _is_stale(path: Path, record: dict | None) -> bool:
    try:
        age = time.time() - path.lstat().st_mtime
    except OSError:
        return False
    if age > STALE_SECONDS:
        return True
    # unreadable and not brand new (a holder writes its record right after creating the file)
    return holder_gone(record) if record is not None else age > 5.0


@contextmanager
def _folder_lock(folder: Path, create: bool = True):
    """Hold an exclusive ``flock`` on the reservations folder itself (no lock file: an idle store keeps no
    trace of reservations). Yields False if the folder is gone (and ``create`` is off)."""
    while True:
        if create:
            folder.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except FileNotFoundError:
            if create:
                continue  # removed by a release between mkdir and open
            yield False
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(folder, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                yield True
                return
        finally:
            os.close(fd)
        if not create:  # the folder we locked was removed meanwhile: nothing of ours can be in it
            yield False
            return


@dataclass
class Reservation:
    """A held name; release it when the training or import ends (or use it as a context manager)."""

    name: str
    path: Path
    purpose: str
    token: str
    released: bool = False
    holder: object = None   # the Redis backend's handle (None: the file above)

    def refresh(self) -> None:
        """Tell other processes the holder is alive (long holders call this every minute). With Redis, a server
        that cannot be reached is ignored here, as a store that cannot be written is (the next refresh retries)."""
        if self.holder is not None:
            try:
                self.holder.refresh()
            except OSError:
                pass
            return
        try:
            os.utime(self.path, follow_symlinks=False)
        except OSError:
            pass

    def release(self) -> None:
        """Give the name back; only our own file is removed (never one a cleanup handed to someone else)."""
        if self.released:
            return
        self.released = True
        if self.holder is not None:
            self.holder.release()
            return
        with _folder_lock(self.path.parent, create=False) as locked:
            if not locked:
                return
            record = _read_record(self.path)
            if record is not None and record.get("token") == self.token:
                self.path.unlink(missing_ok=True)
            try:
                self.path.parent.rmdir()  # the last holder leaves no folder behind
            except OSError:
                pass

    def __enter__(self) -> "Reservation":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def reservations_dir(store: Path) -> Path:
    """The store's hidden folder of reservations (never listed as a model: it starts with a dot)."""
    return Path(store) / RESERVED


def reserve_name(store: str | os.PathLike, name: str, purpose: str) -> Reservation:
    """Hold model ``name`` of ``store`` for a ``purpose`` ("training" or "import"); raise :class:`NameReserved`
    if another holder has it (a stale reservation is removed first). ``name`` must already be a valid model
    name (``vae.checkpoint.safe_model_path``). OSErrors of the store (full, read-only) propagate, and so does
    :class:`vae.errors.SharedStateError` (an ``OSError``) when the configured Redis cannot be reached."""
    folder = reservations_dir(Path(store))
    path = folder / name
    token = uuid.uuid4().hex
    record = {"name": name, "purpose": purpose, "machine": machine_id(), "pid": os.getpid(), "token": token,
              "created": time.time()}
    url = redis_url()
    if url:
        from .reservation_redis import reserve

        return Reservation(name=name, path=path, purpose=purpose, token=token,
                           holder=reserve(url, Path(store), name, record))
    with _folder_lock(folder):
        for _ in range(2):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            except FileExistsError:
                held = _read_record(path)
                if not _is_stale(path, held):
                    raise NameReserved(name, (held or {}).get("purpose", "training")) from None
                path.unlink(missing_ok=True)
                continue
            try:
                os.write(fd, json.dumps(record).encode())
            except OSError:
                os.close(fd)
                path.unlink(missing_ok=True)
                raise
            os.close(fd)
            return Reservation(name=name, path=path, purpose=purpose, token=token)
    raise OSError(errno.EEXIST, "the reservation could not be taken", str(path))


def held_names(store: str | os.PathLike) -> dict[str, str]:
    """Names currently reserved in ``store`` (stale ones left out) → their purpose."""
    url = redis_url()
    if url:
        from .reservation_redis import held

        return held(url, Path(store))
    folder = reservations_dir(Path(store))
    if not folder.is_dir():
        return {}
    out = {}
    for path in folder.iterdir():
        if path.name.startswith("."):
            continue
        record = _read_record(path)
        if not _is_stale(path, record):
            out[path.name] = (record or {}).get("purpose", "training")
    return out


def drop_stale(store: str | os.PathLike, name: str) -> bool:
    """Remove the reservation of ``name`` if its holder is gone (a server that stopped mid-training); True if one
    was removed. A live holder's reservation is never touched."""
    url = redis_url()
    if url:
        from .reservation_redis import drop

        return drop(url, Path(store), name)
    folder = reservations_dir(Path(store))
    path = folder / name
    with _folder_lock(folder, create=False) as locked:
        if not locked or not os.path.lexists(path) or not _is_stale(path, _read_record(path)):
            return False
        path.unlink(missing_ok=True)
        try:
            folder.rmdir()
        except OSError:
            pass
        return True
