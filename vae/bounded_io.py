"""Bounded reading of files and bytes that come from outside: every reader of uploads and store files uses it.

Why one module: an attacker controls the bytes of an upload (and, through an import, files in the store), so
every read must have a cost known *before* it is paid. Three rules, applied here once:

* **Files**: only regular files are opened (``os.open`` with ``O_NONBLOCK``, then ``fstat``): a FIFO, device or
  socket planted as ``report.json`` is refused at once instead of blocking its reader forever, and a symbolic
  link is refused unless the caller allows it (``O_NOFOLLOW``). A file larger than the caller's limit is
  refused from its size, and the read itself stops at the limit.
* **JSON** (``loads_json``/``read_json``): a size limit, a nesting-depth limit checked by a linear pre-scan
  (Python's parser raises ``RecursionError`` on deep nesting), no ``NaN``/``Infinity`` constants, no number
  that overflows to ``inf`` (``1e400``), no integer longer than 40 digits, no duplicate keys.
* **.npz archives** (``NpzReader``): the zip's end record is read first (a bounded read of at most 64 kB) and
  the entry count and central-directory size are checked *before* ``zipfile`` parses the directory (600,000
  empty entries are refused from 22 bytes); only stored or deflated members are accepted (a bzip2 or LZMA
  chunk can inflate by a factor of a million in a single call); each member's ``.npy`` header is parsed with
  bounded reads, its declared shape × dtype is checked against the caller's limits and against the member's
  declared size, and only then is the data inflated, in bounded chunks, into an array of exactly that size.

Every failure raises the caller's error class (``error=``) with a short message (at most a few hundred
characters, whatever the input).
"""
from __future__ import annotations

import ast
import errno
import json
import math
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable

import numpy as np

from .errors import ExplorerError

ErrorFactory = Callable[[str], Exception]

MAX_JSON_DEPTH = 32
MAX_INT_DIGITS = 40
MAX_NPY_HEADER = 16 * 1024
ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
CHUNK = 1 << 20


def short(value: Any, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters: what an error message may quote of an outside value."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MB" if n >= 2**20 else f"{n:,} bytes"


# -- files ------------------------------------------------------------------------------------------------------

def open_regular(path: str | os.PathLike, *, what: str | None = None, error: ErrorFactory = ExplorerError,
                 follow_symlinks: bool = False) -> BinaryIO:
    """Open ``path`` for binary reading, refusing anything but a regular file without ever blocking.

    ``O_NONBLOCK`` makes opening a FIFO return at once (it would otherwise wait for a writer forever); the
    type is then checked on the open descriptor, so what is read is what was checked.
    """
    path = Path(path)
    what = what or path.name
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    if not follow_symlinks:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise error(f"{what} is a symbolic link: refused") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise error(f"missing {what}") from None
        if exc.errno == errno.ENXIO:  # a socket
            raise error(f"{what} is not a regular file") from None
        raise error(f"{what} cannot be read ({exc.strerror or exc})") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise error(f"{what} is not a regular file")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def is_regular(path: str | os.PathLike) -> bool:
    """True when ``path`` is a regular file and not a symbolic link (``lstat``: never opens, never blocks)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def read_bytes(path: str | os.PathLike, limit: int, *, what: str | None = None, error: ErrorFactory = ExplorerError,
               follow_symlinks: bool = False) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes (refused from its size, and the read is capped)."""
    what = what or Path(path).name
    with open_regular(path, what=what, error=error, follow_symlinks=follow_symlinks) as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise error(f"{what} is {_size(size)}; the limit is {_size(limit)}")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise error(f"{what} is larger than the limit of {_size(limit)}")
    return data


# -- JSON -------------------------------------------------------------------------------------------------------

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_OPEN, _CLOSE = np.frombuffer(b"[{", np.uint8), np.frombuffer(b"]}", np.uint8)


def json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects in JSON ``text`` (strings skipped), in linear time, no recursion.

    An unterminated string leaves its brackets counted: the estimate can only be too high, never too low.
    """
    raw = np.frombuffer(_STRING.sub('""', text).encode("utf-8", "replace"), np.uint8)
    if not raw.size:
        return 0
    step = np.isin(raw, _OPEN).astype(np.int64) - np.isin(raw, _CLOSE).astype(np.int64)
    return int(max(0, np.cumsum(step).max()))


class _Refused(ValueError):
    """Raised inside the JSON parser's hooks; turned into the caller's error."""


def _no_constant(name: str):
    raise _Refused(f"{name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {short(text, 24)} is too large")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _Refused(f"an integer of {len(text)} digits is too large")
    return int(text)


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        dup = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise _Refused(f"the key {short(dup)} appears twice")
    return out


def loads_json(data: bytes | str, *, what: str, limit: int = 1 << 20, max_depth: int = MAX_JSON_DEPTH,
               error: ErrorFactory = ExplorerError) -> Any:
    """Parse JSON from outside with a size limit, a depth limit and finite numbers only.

    Refusals are the caller's ``error`` naming ``what`` and the reason in a few words; the parser's own
    message is cut short (it can quote the input).
    """
    if len(data) > limit:
        raise error(f"{what} is too large ({_size(len(data))}; the limit is {_size(limit)})")
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise error(f"{what} is not valid JSON (not UTF-8 text)") from None
    else:
        text = data
    # the depth is at most the number of opening brackets: counting them (in C) spares the exact pass to nearly every
    # text (a widget's state, a class's meta data: read on every rerun of every session)
    depth = json_depth(text) if text.count("[") + text.count("{") > max_depth else 0
    if depth > max_depth:
        raise error(f"{what} is nested too deeply ({depth} levels; the limit is {max_depth})")
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int,
                          object_pairs_hook=_unique_keys)
    except _Refused as exc:
        raise error(f"{what} is not valid JSON ({exc})") from None
    except json.JSONDecodeError as exc:
        raise error(f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise error(f"{what} is not valid JSON ({type(exc).__name__})") from None


def read_json(path: str | os.PathLike, *, limit: int = 1 << 20, what: str | None = None,
              max_depth: int = MAX_JSON_DEPTH, error: ErrorFactory = ExplorerError,
              follow_symlinks: bool = False) -> Any:
    """``loads_json`` of a regular file of at most ``limit`` bytes (``open_regular``'s rules)."""
    what = what or Path(path).name
    data = read_bytes(path, limit, what=what, error=error, follow_symlinks=follow_symlinks)
    return loads_json(data, what=what, limit=limit, max_depth=max_depth, error=error)


# -- zip archives -----------------------------------------------------------------------------------------------

def zip_preflight(f: BinaryIO, *, what: str, max_members: int, error: ErrorFactory = ExplorerError,
                  kind: str = "zip archive", max_directory: int | None = None,
                  too_many: Callable[[int, str], Exception] | None = None) -> None:
    """Check a zip's entry count and central-directory size from its end record (bounded reads only),
    before ``zipfile`` parses the directory; refuses what is not a zip.

    The end record is found exactly as ``zipfile`` finds it (``zipfile._EndRecData``), so both agree on the
    directory that will be parsed; its size bounds the parse (46 bytes per entry at least). ``too_many(n,
    message)``, when given, makes the error for too many entries (callers that translate it).
    """
    too_many = too_many or (lambda n, message: error(message))
    max_directory = max_directory if max_directory is not None else max_members * 1024 + 4096
    try:
        end = zipfile._EndRecData(f)  # noqa: SLF001 - the same end record zipfile will use
    except (OSError, struct.error, EOFError):
        end = None
    if not end:
        raise error(f"{what} is not a readable {kind}")
    entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]  # noqa: SLF001
    if entries > max_members:
        raise too_many(entries, f"{what} holds {entries:,} entries; the limit is {max_members}")
    if directory > max_directory:
        raise error(f"{what} has a zip directory of {_size(directory)}, too large for {max_members} entries")
    f.seek(0)


def open_zip(f: BinaryIO, *, what: str, max_members: int, error: ErrorFactory = ExplorerError,
             kind: str = "zip archive", too_many: Callable[[int, str], Exception] | None = None) -> zipfile.ZipFile:
    """A ``ZipFile`` over ``f`` after ``zip_preflight``; every member uses a supported, bounded compression.
    ``kind`` names the file in messages (``.npz file``)."""
    zip_preflight(f, what=what, max_members=max_members, error=error, kind=kind, too_many=too_many)
    too_many = too_many or (lambda n, message: error(message))
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, NotImplementedError) as exc:
        raise error(f"{what} is not a readable {kind} ({short(str(exc), 60)})") from None
    infos = zf.infolist()
    if len(infos) > max_members:
        zf.close()
        raise too_many(len(infos), f"{what} holds {len(infos):,} entries; the limit is {max_members}")
    for info in infos:
        if info.compress_type not in ZIP_METHODS:
            zf.close()
            raise error(f"{what}: the member {short(info.filename)} uses an unsupported compression "
                        "(only stored or deflated members are read)")
    return zf


#: What inflating a damaged member can raise (a bad CRC, a corrupt deflate stream, a short read).
_STREAM_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, OSError, EOFError,
                  RuntimeError, ValueError)


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, *, what: str,
                error: ErrorFactory = ExplorerError) -> bytes:
    """One zip member's bytes, refused from its declared size over ``limit``; the inflation itself stops one
    byte past the declared size, so a member that inflates to more than it declares is refused too."""
    if info.file_size > limit:
        raise error(f"{what}: {short(info.filename)} would be {_size(info.file_size)} once unzipped; "
                    f"the limit is {_size(limit)}")
    try:
        with zf.open(info) as m:
            data = m.read(info.file_size + 1)
    except _STREAM_ERRORS as exc:
        raise error(f"{what} cannot be read ({short(str(exc), 60)})") from None
    if len(data) != info.file_size:
        raise error(f"{what}: {short(info.filename)} does not match its declared size")
    return data


# -- .npy members of an .npz ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NpyHeader:
    """What an ``.npy`` header declares: shape, dtype, memory order, and where the data starts."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    offset: int

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize


def _read_exact(stream: BinaryIO, n: int, what: str, error: ErrorFactory) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise error(f"{what} is truncated")
    return data


def read_npy_header(stream: BinaryIO, *, what: str, error: ErrorFactory = ExplorerError) -> NpyHeader:
    """Parse an ``.npy`` header from ``stream`` with bounded reads (at most ``MAX_NPY_HEADER`` bytes).

    Object arrays (which would need unpickling), structured and sub-array dtypes are refused; the shape
    must be a tuple of non-negative integers. Nothing of the data is read.
    """
    magic = _read_exact(stream, 8, what, error)
    if magic[:6] != b"\x93NUMPY" or magic[6] not in (1, 2, 3):
        raise error(f"{what} is not a .npy array")
    fmt = "<H" if magic[6] == 1 else "<I"
    (length,) = struct.unpack(fmt, _read_exact(stream, struct.calcsize(fmt), what, error))
    if length > MAX_NPY_HEADER:
        raise error(f"{what} has a header of {length:,} bytes; the limit is {MAX_NPY_HEADER:,}")
    raw = _read_exact(stream, length, what, error)
    try:
        header = ast.literal_eval(raw.decode("latin-1" if magic[6] < 3 else "utf-8"))
        if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
            raise ValueError("keys")
        shape, fortran = header["shape"], header["fortran_order"]
        if not isinstance(shape, tuple) or not all(type(s) is int and s >= 0 for s in shape) or type(fortran) is not bool:
            raise ValueError("shape")
        dtype = np.lib.format.descr_to_dtype(header["descr"])
    except (ValueError, SyntaxError, TypeError, KeyError, RecursionError, MemoryError, UnicodeDecodeError):
        raise error(f"{what} has an unreadable .npy header") from None
    if dtype.hasobject:
        raise error(f"{what} holds Python objects, which are never unpickled")
    if dtype.fields is not None or dtype.subdtype is not None:
        raise error(f"{what} has a structured dtype; plain numbers are expected")
    return NpyHeader(tuple(shape), dtype, fortran, 8 + struct.calcsize(fmt) + length)


class NpzReader:
    """An ``.npz`` file read under limits: headers first (``header``), data only on request (``array``).

    ``max_values`` and ``max_bytes`` bound each array (declared shape × dtype, checked before inflating);
    ``max_file`` bounds the file itself; ``max_members`` the archive's entries (checked from the zip's end
    record before anything else). Use as a context manager.
    """

    def __init__(self, path: str | os.PathLike, *, max_file: int, max_values: int, max_bytes: int,
                 max_members: int = 16, what: str | None = None, error: ErrorFactory = ExplorerError,
                 follow_symlinks: bool = False):
        self.what = what or Path(path).name
        self.error, self.max_values, self.max_bytes = error, max_values, max_bytes
        self._f = open_regular(path, what=self.what, error=error, follow_symlinks=follow_symlinks)
        try:
            size = os.fstat(self._f.fileno()).st_size
            if size > max_file:
                raise error(f"{self.what} is {size / 2**20:.0f} MB; the limit is {max_file // 2**20} MB")
            if self._f.read(6) == b"\x93NUMPY":
                raise error(f"{self.what} is a single .npy array, not an .npz archive with an 'x' array")
            self._f.seek(0)
            self._zip = open_zip(self._f, what=self.what, max_members=max_members, error=error, kind=".npz file")
        except BaseException:
            self._f.close()
            raise
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in self._zip.infolist():
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if name in self.members:
                self.close()
                raise error(f"{self.what} holds the array {short(name)} twice")
            self.members[name] = info
        self._headers: dict[str, NpyHeader] = {}

    @property
    def files(self) -> list[str]:
        """Array names, as ``np.load(...).files`` gives them."""
        return list(self.members)

    def header(self, name: str) -> NpyHeader:
        """The declared shape and dtype of array ``name``, checked against the limits and the member's size."""
        if name in self._headers:
            return self._headers[name]
        info, what = self.members[name], f"array {short(name)}"
        unreadable = lambda m: self.error(f"{self.what} is not a readable .npz file ({m})")  # noqa: E731
        try:
            with self._open(info, what) as stream:
                h = read_npy_header(stream, what=what, error=unreadable)
        except _STREAM_ERRORS as exc:
            raise unreadable(f"{what} cannot be read: {short(str(exc), 60)}") from None
        self._check(name, h, info)
        self._headers[name] = h
        return h

    def _check(self, name: str, h: NpyHeader, info: zipfile.ZipInfo) -> None:
        shown = "×".join(map(str, h.shape)) if len(h.shape) <= 6 else f"{len(h.shape)} dimensions"
        if h.count > self.max_values:
            raise self.error(f"{short(name)} ({shown}) holds {h.count:,} values; the limit is {self.max_values:,}"
                             if h.count < 10**30 else f"{short(name)} declares an absurd shape; the limit is "
                             f"{self.max_values:,} values")
        if h.nbytes > self.max_bytes:
            raise self.error(f"{short(name)} would take {_size(h.nbytes)} once decompressed ({h.dtype}); "
                             f"the limit is {_size(self.max_bytes)}")
        if info.file_size != h.offset + h.nbytes:
            raise self.error(f"{self.what} is not a readable .npz file (the size of {short(name)} does not match "
                             "its header)")

    def _open(self, info: zipfile.ZipInfo, what: str):
        try:
            return self._zip.open(info)
        except _STREAM_ERRORS as exc:
            raise self.error(f"{what} cannot be read ({short(str(exc), 60)})") from None

    def array(self, name: str) -> np.ndarray:
        """Array ``name``: inflated in bounded chunks into an array of exactly its declared size; a member
        that holds more or less than it declares (or fails its CRC) is refused."""
        h, info = self.header(name), self.members[name]
        what = f"array {short(name)} of {self.what}"
        out = np.empty(h.count, h.dtype)
        view = memoryview(out.view(np.uint8).reshape(-1)) if h.nbytes else memoryview(b"")
        try:
            with self._open(info, what) as stream:
                stream.read(h.offset)
                pos = 0
                while pos < h.nbytes:
                    chunk = stream.read(min(CHUNK, h.nbytes - pos))
                    if not chunk:
                        raise self.error(f"{what} is truncated")
                    view[pos:pos + len(chunk)] = chunk
                    pos += len(chunk)
                if stream.read(1):
                    raise self.error(f"{what} holds more data than its header declares")
        except _STREAM_ERRORS as exc:
            if isinstance(exc, ExplorerError):
                raise
            raise self.error(f"{what} cannot be read ({short(str(exc), 60)})") from None
        return out.reshape(h.shape, order="F" if h.fortran_order else "C")

    def arrays(self) -> dict[str, np.ndarray]:
        """Every array of the file (each under the limits)."""
        return {name: self.array(name) for name in self.members}

    def close(self) -> None:
        self._zip.close()
        self._f.close()

    def __enter__(self) -> "NpzReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_npz(path: str | os.PathLike, *, max_file: int, max_values: int, max_bytes: int,
             error: ErrorFactory = ExplorerError, follow_symlinks: bool = False) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file under ``NpzReader``'s limits (caches and other whole-file readers)."""
    with NpzReader(path, max_file=max_file, max_values=max_values, max_bytes=max_bytes, error=error,
                   follow_symlinks=follow_symlinks) as r:
        return r.arrays()
