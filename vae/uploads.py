"""Datasets students upload for training, kept in the store's uploads folder (``vae.checkpoint.uploads_dir``).

A trained model names its data as ``npz:<store>/.uploads/<sha>.npz``, so the file must outlive the form.
:func:`save_upload` writes it safely for a class uploading at once:

* each upload goes to a temp file of its own (``.tmp-<random>.npz``), is validated there
  (``vae.data.load_npz``: bounded reads, refused before anything is inflated), then renamed to its
  content's name without replacing anything (``vae.checkpoint.rename_no_replace``): six sessions uploading
  the same file at once all end with the same complete file, none sees a half-written one;
* an upload is refused before it is written when the folder would pass its quota
  (``VAE_UPLOADS_QUOTA_MB``, default :data:`DEFAULT_QUOTA_MB`), and once written when its images hold more
  than :data:`MAX_UPLOAD_VALUES` values (read from the ``.npy`` header, before inflating): the app keeps a
  dataset in memory while its models are open, so a small compressed file must not become hundreds of MB;
* a file no model and no active job uses is removed when the form or the training that brought it fails
  (:func:`discard_unused`), and by :func:`sweep` an hour later at the latest;
* the name the student gave the file is kept beside it (``<sha>.npz.name``) and is what pages show
  (:func:`dataset_label`), and what an error about the file quotes: never the server's path or a temp name.
"""
from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import time
import uuid
import warnings
from pathlib import Path

from . import data as vdata
from .atomic_file import write_file_atomically
from .bounded_io import NpzReader, read_bytes
from .checkpoint import list_models, rename_no_replace, uploads_dir, user_store
from .data import Dataset, load_npz
from .errors import DatasetError, ExplorerError
from .jobs.service import active_records

MAX_UPLOAD_VALUES = 20_000_000    # values of x in one upload: 80 MB as float32 in memory (25,000 MNIST images)
DEFAULT_QUOTA_MB = 200
TEMP_PREFIX = ".tmp-"
STALE_SECONDS = 3600.0
LABEL_SUFFIX = ".name"           # <sha>.npz.name: the file's name as the student uploaded it
MAX_LABEL_CHARS = 80


class UploadError(ExplorerError):
    """An upload the store will not keep; ``code`` names a translation key ``train.err.upload_<code>``."""

    def __init__(self, code: str, message: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(message)


def quota_bytes() -> int:
    """The uploads folder's quota: ``$VAE_UPLOADS_QUOTA_MB`` megabytes (default :data:`DEFAULT_QUOTA_MB`)."""
    try:
        mb = float(os.environ.get("VAE_UPLOADS_QUOTA_MB", "") or DEFAULT_QUOTA_MB)
    except ValueError:
        mb = DEFAULT_QUOTA_MB
    return int(max(0.0, mb) * 2**20)


def usage_bytes(folder: Path) -> int:
    """Bytes held by the regular files of an uploads folder (temp files included)."""
    total = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def _store_error(exc: OSError) -> UploadError:
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    reason = exc.strerror or type(exc).__name__
    return UploadError("disk" if full else "store", f"the upload cannot be stored ({reason})", detail=reason)


def _check_values(path: Path) -> None:
    """Refuse an ``x`` over :data:`MAX_UPLOAD_VALUES` from its header alone (nothing inflated)."""
    try:
        with NpzReader(path, max_file=vdata.MAX_NPZ_BYTES, max_values=vdata.MAX_NPZ_VALUES,
                       max_bytes=vdata.MAX_NPZ_ARRAY_BYTES, error=DatasetError) as reader:
            count = reader.header("x").count if "x" in reader.members else 0
    except DatasetError:
        return  # load_npz gives the precise message
    if count > MAX_UPLOAD_VALUES:
        raise UploadError("values", f"the images hold {count:,} values; uploads are limited to {MAX_UPLOAD_VALUES:,}",
                          count=count, limit=MAX_UPLOAD_VALUES)


def clean_filename(name: object) -> str:
    """The student's file name as pages may show it: its last path part, printable, at most 80 characters."""
    text = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(c for c in text if c.isprintable())[:MAX_LABEL_CHARS].strip()
    return text or "upload.npz"


def _quoted(exc: DatasetError, tmp: Path, filename: str) -> DatasetError:
    """The same refusal, quoting the student's file name instead of the server's temp file."""
    text = str(exc).replace(str(tmp), filename).replace(tmp.name, filename)
    return DatasetError(text)


def save_upload(raw: bytes, store: Path | None = None, filename: str | None = None) -> tuple[str, Dataset]:
    """Validate and keep an uploaded ``.npz``; return its dataset name (``npz:PATH``) and the loaded dataset.
    ``filename``: the name the student's browser gave (kept for display, quoted by errors).

    Raises ``DatasetError`` (an invalid file: nothing kept) or :class:`UploadError` (quota, too many values,
    a store that cannot be written: nothing kept).
    """
    filename = clean_filename(filename)
    folder = uploads_dir(Path(store) if store else user_store())
    final = folder / f"{hashlib.sha256(raw).hexdigest()[:16]}.npz"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _store_error(exc) from None
    sweep(folder.parent)
    if final.is_file() and not final.is_symlink():
        data = load_npz(final)  # the same bytes were uploaded before: keep them (and mark them as in use)
        os.utime(final)
        _keep_label(final, filename)
        return f"npz:{final}", data
    used, quota = usage_bytes(folder), quota_bytes()
    if used + len(raw) > quota:
        _remove_if_empty(folder)
        raise UploadError("quota", f"the uploads folder is full ({_mb(used)} of {_mb(quota)} MB used)",
                          used=_mb(used), limit=_mb(quota))
    tmp = folder / f"{TEMP_PREFIX}{uuid.uuid4().hex}.npz"
    kept = False
    try:
        try:
            with open(tmp, "xb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:
            raise _store_error(exc) from None
        _check_values(tmp)
        try:
            data = load_npz(tmp)
        except DatasetError as exc:
            raise _quoted(exc, tmp, filename) from None
        _keep_label(final, filename)
        try:
            rename_no_replace(tmp, final)
        except FileExistsError:
            pass  # another session stored the same bytes a moment ago: theirs is complete
        except OSError as exc:
            raise _store_error(exc) from None
        kept = True
    finally:
        tmp.unlink(missing_ok=True)
        if not kept:
            _remove_if_empty(folder)
    return f"npz:{final}", dataclasses.replace(data, name=f"npz:{final}")


def _keep_label(final: Path, filename: str) -> None:
    """Keep the student's file name beside the upload (the first name given to these bytes stays)."""
    label = final.with_name(final.name + LABEL_SUFFIX)
    if not os.path.lexists(label):
        try:
            write_file_atomically(label, filename)
        except OSError:
            pass  # a label is a nicety: the upload itself is what must be kept


def dataset_label(dataset: str, store: Path | None = None) -> str:
    """How pages name a dataset: a registry name as it is; an upload of the store by the file name the student
    gave ("digits.npz (upload)"); another ``npz:`` file by its file name. Never a server path."""
    if not isinstance(dataset, str) or not dataset.startswith("npz:"):
        return str(dataset)
    path = _upload_path(Path(store) if store else user_store(), dataset)
    if path is None:
        return Path(dataset[4:]).name
    try:
        name = clean_filename(read_bytes(path.with_name(path.name + LABEL_SUFFIX), 4 * MAX_LABEL_CHARS)
                              .decode("utf-8", "replace"))
    except ExplorerError:
        name = f"{path.stem[:8]}.npz"
    return f"{name} (upload)"


def _remove_if_empty(folder: Path) -> None:
    """A refused first upload leaves no empty uploads folder behind."""
    try:
        folder.rmdir()
    except OSError:
        pass


def _upload_path(store: Path, dataset: str) -> Path | None:
    """The file of an ``npz:`` dataset if it lies directly in the store's uploads folder, else None."""
    if not isinstance(dataset, str) or not dataset.startswith("npz:"):
        return None
    path = Path(dataset[4:])
    try:
        inside = path.parent.resolve() == uploads_dir(store).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return path if inside and path.suffix == ".npz" else None


def in_use(store: Path) -> set[str]:
    """Dataset names used by a model of the store or by an active job (of any replica sharing the store)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        names = {m.dataset for m in list_models(store=store) if m.source == "user"}
    return names | {r.get("dataset", "") for r in active_records(store)}  # the local pool's or the Redis queue's


def discard_unused(store: Path, dataset: str, since: float | None = None) -> bool:
    """Remove an uploaded dataset no model or active job uses (a failed form, a failed training).

    With ``since``, a file touched after it (someone uploaded the same bytes meanwhile) is kept."""
    store = Path(store)
    path = _upload_path(store, dataset)
    try:
        if path is None or dataset in in_use(store):
            return False
    except OSError:  # the job records cannot be read (Redis away): keep the file, a later cleanup may remove it
        return False
    try:
        if since is not None and path.stat().st_mtime > since:
            return False
        path.unlink()
    except OSError:
        return False
    path.with_name(path.name + LABEL_SUFFIX).unlink(missing_ok=True)
    _remove_if_empty(path.parent)
    return True


def _mtime(entry: os.DirEntry, default: float) -> float:
    """An entry's modification time, or ``default`` when it vanished meanwhile (another session's temp file,
    renamed or removed between the listing and the ``stat``: not stale, nothing to sweep)."""
    try:
        return entry.stat(follow_symlinks=False).st_mtime
    except OSError:
        return default


def sweep(store: Path, max_age: float = STALE_SECONDS) -> list[str]:
    """Remove temp files and unused uploads older than ``max_age`` seconds; return their names."""
    folder = uploads_dir(Path(store))
    now, removed = time.time(), []
    try:
        entries = [e for e in os.scandir(folder) if e.is_file(follow_symlinks=False)]
    except OSError:
        return []
    old = [e for e in entries if now - _mtime(e, now) > max_age]
    if not old:
        return []
    used = in_use(Path(store))
    for e in sorted(old, key=lambda e: e.name.endswith(LABEL_SUFFIX)):  # labels last: their upload may go first
        if e.name.endswith(LABEL_SUFFIX):
            keep = os.path.lexists(folder / e.name[:-len(LABEL_SUFFIX)])  # the label of a kept upload
        else:
            keep = not e.name.startswith(TEMP_PREFIX) and f"npz:{folder / e.name}" in used
        if keep:
            continue
        try:
            os.unlink(e.path)
            removed.append(e.name)
        except OSError:
            pass
    return sorted(removed)
