"""Import a model folder a user uploads: validated in a hidden temp folder, then renamed into place.

Nothing uploaded is trusted. ``import_model`` accepts the files of a model folder
(``model.safetensors`` + ``config.json``, optional ``metrics.json``) or a ``.zip`` of such a folder,
and refuses, with a ``ModelImportError`` naming the problem:

* pickle-based checkpoints (``.pt``, ``.pth``, ``.pkl``, ``.bin``, ``.ckpt``), also when disguised
  as ``model.safetensors`` (their bytes are recognised and never unpickled);
* files or a total over the size limits; zips with too many entries (counted from the zip's end record
  before the directory is parsed), members compressed other than stored/deflated, members that are too
  large once uncompressed (the declared size is checked before reading and the read itself stops one byte
  past it: ``vae.bounded_io``), absolute or ``..`` member names, symlinks, unexpected files;
* an invalid ``config.json`` (unknown keys, absurd sizes: ``read_config`` validates before any
  allocation; JSON nested too deeply, NaN/Infinity); a ``dataset`` that is neither a registered dataset
  nor a file in the store's uploads folder, or whose images are not the config's ``image_shape``;
* a ``metrics.json`` that does not fit its schema (``vae.metrics_schema``);
* weights that are not safetensors, truncated, claim huge tensors, do not match the config's shapes
  (compared on the ``meta`` device, before allocating anything), or hold NaN or infinite values;
* a model name that is invalid or already taken (``safe_model_path``); a store that is full, read-only or
  missing gets one clear message.

Validation happens in ``<store>/.import-xxxxxxxx`` (ignored by ``list_models``), which is removed on
any failure; on success it is renamed atomically to ``<store>/<name>``.
"""
from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import uuid
from pathlib import Path, PurePosixPath
from typing import Mapping

import torch

from .bounded_io import open_zip, read_member, short
from .checkpoint import (CONFIG, METRICS, WEIGHTS, load_model, read_config, read_metrics_checked, rename_no_replace,
                         safe_model_path, uploads_dir, user_store)
from .data import dataset_image_shape
from .errors import CheckpointError, ConfigError, DatasetError
from .models import build_model
from .reservation import NameReserved, Reservation, reserve_name
from .safetensors_header import header_from_bytes

MAX_FILE_BYTES = 100 << 20     # one file of the model folder
MAX_TOTAL_BYTES = 100 << 20    # all files together (after unzipping)
MAX_ZIP_MEMBERS = 32
PICKLE_SUFFIXES = (".pt", ".pth", ".pkl", ".pickle", ".bin", ".ckpt", ".joblib")
ALLOWED = (WEIGHTS, CONFIG, METRICS)
IGNORED = ("__MACOSX", ".DS_Store")
TEMP_PREFIX = ".import-"


class ModelImportError(CheckpointError):
    """An uploaded model was refused. ``code`` names a translation key ``importer.err.<code>``;
    ``fmt`` holds its fields; ``str(exc)`` is the English message."""

    def __init__(self, code: str, message: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(message)


def _clip(text: str, limit: int = 64) -> str:
    """An outside name as a message field: at most ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def looks_like_pickle(data: bytes) -> bool:
    """True for a pickle stream (protocol 2+ starts with 0x80) or a torch.save zip archive."""
    return data[:1] == b"\x80" or data[:4] == b"PK\x03\x04"


def _check_member_name(raw: str) -> PurePosixPath:
    name = raw.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts or "\x00" in name:
        raise ModelImportError("unsafe_name", f"refused: the archive member {short(raw)} has an absolute path or '..'",
                               name=_clip(raw))
    return path


def read_zip(data: bytes, max_file: int | None = None, max_total: int | None = None) -> dict[str, bytes]:
    """Files of a zipped model folder (at most one folder level), refusing zip bombs and unsafe members.

    The entry count comes from the zip's end record before the directory is parsed, every size is judged
    from the declared one before inflating, and each read stops one byte past it (``vae.bounded_io``).
    """
    max_file = MAX_FILE_BYTES if max_file is None else max_file
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total

    def refuse(message: str) -> ModelImportError:
        return ModelImportError("bad_zip", f"the .zip file cannot be read ({message})", detail=message)

    def too_many(n: int, message: str) -> ModelImportError:
        return ModelImportError("zip_members", f"the .zip holds {n:,} entries; a model folder has at most 3 files", n=f"{n:,}")

    zf = open_zip(io.BytesIO(data), what="the file", max_members=MAX_ZIP_MEMBERS, error=refuse, too_many=too_many)
    with zf:
        declared = 0
        members = []
        for info in zf.infolist():
            path = _check_member_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ModelImportError("symlink", f"refused: the archive member {short(info.filename)} is a symbolic link",
                                       name=_clip(info.filename))
            if info.is_dir() or not path.parts or path.parts[0] in IGNORED or path.name in IGNORED:
                continue
            if info.file_size > max_file:
                raise ModelImportError("too_large", f"{short(info.filename)} would be {_mb(info.file_size)} once unzipped; "
                                       f"the limit is {_mb(max_file)}", name=_clip(info.filename),
                                       size=_mb(info.file_size), limit=_mb(max_file))
            declared += info.file_size
            if declared > max_total:
                raise ModelImportError("total_too_large", f"the files would take more than {_mb(max_total)} once unzipped",
                                       limit=_mb(max_total))
            members.append((info, path))
        if len({p.parent for _, p in members}) > 1 or any(len(p.parts) > 2 for _, p in members):
            raise ModelImportError("zip_layout", "the .zip must hold the files of one model folder "
                                   "(model.safetensors, config.json), at its top level or in one folder")
        out: dict[str, bytes] = {}
        for info, path in members:
            content = read_member(zf, info, max_file, what=f"member {short(info.filename)}", error=refuse)
            if path.name in out:
                raise ModelImportError("duplicate", f"the .zip holds {short(path.name)} twice", name=_clip(path.name))
            out[path.name] = content
    return out


def _collect(files: Mapping[str, bytes] | bytes) -> dict[str, bytes]:
    """Normalise the upload into {file name: bytes} and apply the name and size rules."""
    if isinstance(files, (bytes, bytearray)):
        files = read_zip(bytes(files))
    else:
        files = dict(files)
        if not files:
            raise ModelImportError("empty", "no file was uploaded")
        zips = [n for n in files if n.lower().endswith(".zip")]
        if zips:
            if len(files) > 1:
                raise ModelImportError("zip_alone", "upload either one .zip or the files of the folder, not both")
            files = read_zip(files[zips[0]])
    out: dict[str, bytes] = {}
    total = 0
    for raw, data in files.items():
        name = str(raw)
        if "/" in name or "\\" in name or name in ("", ".", ".."):
            raise ModelImportError("unsafe_name", f"refused: the file name {short(name)} contains a path", name=_clip(name))
        if name.lower().endswith(PICKLE_SUFFIXES):
            raise ModelImportError("pickle", f"{short(name)} is a pickle-based checkpoint: it could run arbitrary code "
                                   "when loaded, so it is never loaded. Export the weights to model.safetensors instead.",
                                   name=_clip(name))
        if name not in ALLOWED:
            raise ModelImportError("unexpected", f"unexpected file {short(name)}: a model folder holds "
                                   f"{WEIGHTS}, {CONFIG} and optionally {METRICS}", name=_clip(name))
        if len(data) > MAX_FILE_BYTES:
            raise ModelImportError("too_large", f"{name} is {_mb(len(data))}; the limit is {_mb(MAX_FILE_BYTES)}",
                                   name=name, size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))
        total += len(data)
        out[name] = bytes(data)
    if total > MAX_TOTAL_BYTES:
        raise ModelImportError("total_too_large", f"the files take {_mb(total)}; the limit is {_mb(MAX_TOTAL_BYTES)}",
                               limit=_mb(MAX_TOTAL_BYTES))
    for required in (WEIGHTS, CONFIG):
        if required not in out:
            raise ModelImportError("missing", f"{required} is missing: a model folder needs {WEIGHTS} and {CONFIG}",
                                   name=required)
    if looks_like_pickle(out[WEIGHTS]):
        raise ModelImportError("pickle", f"{WEIGHTS} is really a pickle-based (torch.save) checkpoint: it could run "
                               "arbitrary code when loaded, so it is never loaded.", name=WEIGHTS)
    return out


def safetensors_shapes(data: bytes) -> dict[str, tuple[int, ...]]:
    """Tensor shapes declared by a safetensors header (``vae.safetensors_header``: the one parser), read
    without loading any tensor; any problem is a ``ModelImportError`` ``weights``."""
    try:
        header = header_from_bytes(data, WEIGHTS)
    except CheckpointError as exc:
        detail = str(exc).removeprefix(f"{WEIGHTS} ")
        raise ModelImportError("weights", str(exc), detail=detail) from None
    return {key: entry.shape for key, entry in header.items()}


def _check_shapes(mcfg, shapes: dict[str, tuple[int, ...]]) -> None:
    """Compare the header's shapes with the model the config describes, built on the meta device (no memory)."""
    with torch.device("meta"):
        expected = {k: tuple(v.shape) for k, v in build_model(mcfg).state_dict().items()}
    missing, extra = sorted(set(expected) - set(shapes)), sorted(set(shapes) - set(expected))
    if missing or extra:
        detail = "; ".join(([f"missing {', '.join(missing[:4])}"] if missing else [])
                           + ([f"unexpected {', '.join(extra[:4])}"] if extra else []))
        raise ModelImportError("mismatch", f"the weights do not match config.json ({detail})", detail=detail)
    for key, shape in expected.items():
        if shapes[key] != shape:
            detail = f"{key} has shape {shapes[key]}, the config needs {shape}"
            raise ModelImportError("mismatch", f"the weights do not match config.json: {detail}", detail=detail)


STORE_ERRORS = {errno.ENOSPC: "store_full", errno.EDQUOT: "store_full", errno.EROFS: "store_readonly",
                errno.EACCES: "store_readonly", errno.EPERM: "store_readonly", errno.ENOENT: "store_missing",
                errno.ENOTDIR: "store_missing"}


def _store_error(exc: OSError) -> ModelImportError:
    """The message for a store that cannot be written: full, read-only, missing (or another system error)."""
    code = STORE_ERRORS.get(exc.errno, "store")
    reason = exc.strerror or type(exc).__name__
    return ModelImportError(code, f"the model store cannot be written ({reason})", detail=reason)


def _check_dataset(mcfg, store: Path) -> None:
    """The config's dataset must be a registered one or an upload of this store, with the config's image shape."""
    try:
        shape = dataset_image_shape(mcfg.dataset, uploads=uploads_dir(store))
    except DatasetError as exc:
        raise ModelImportError("dataset", f"config.json names an unusable dataset: {exc}", detail=str(exc)) from None
    if tuple(mcfg.image_shape) != tuple(shape):
        have, need = "×".join(map(str, mcfg.image_shape)), "×".join(map(str, shape))
        raise ModelImportError("dataset_shape", f"config.json says {have} images but the dataset's images are {need}",
                               have=have, need=need)


def _validate_folder(tmp: Path, shapes: dict[str, tuple[int, ...]], store: Path) -> None:
    """Every check that reads the written files: config, metrics schema, shapes, dataset, loadable finite weights."""
    try:
        mcfg, _ = read_config(tmp)
    except CheckpointError as exc:
        detail = str(exc).split(": ", 1)[-1].removeprefix(f"{CONFIG}: ")
        raise ModelImportError("config", f"config.json is invalid: {detail}", detail=detail) from None
    try:
        _, problems = read_metrics_checked(tmp)
    except CheckpointError as exc:
        detail = str(exc).split(": ", 1)[-1]
        raise ModelImportError("metrics", f"metrics.json is not valid: {detail}", detail=detail) from None
    if problems:
        detail = "; ".join(problems[:3]) + ("; …" if len(problems) > 3 else "")
        raise ModelImportError("metrics", f"metrics.json is not valid: {detail}", detail=detail)
    try:
        _check_shapes(mcfg, shapes)
    except ConfigError as exc:
        raise ModelImportError("config", f"config.json is invalid: {exc}", detail=str(exc)) from None
    _check_dataset(mcfg, store)
    try:
        load_model(tmp)
    except CheckpointError as exc:
        detail = str(exc).replace(f"{tmp.name}: ", "")
        raise ModelImportError("weights", f"{WEIGHTS} cannot be loaded: {detail}", detail=detail) from None


def import_model(files: Mapping[str, bytes] | bytes, name: str, store: str | os.PathLike | None = None) -> Path:
    """Validate an uploaded model folder (dict of file name → bytes, or the bytes of a .zip) and add it
    to the user store as ``name``; return its path. Raises ``ModelImportError``; leaves nothing behind,
    also when the store is full, read-only or missing (``store_*`` codes)."""
    store = Path(store or user_store()).resolve()
    content = _collect(files)  # in memory: the files are judged before the name
    try:
        target = safe_model_path(str(name).strip(), store)
    except CheckpointError:
        raise ModelImportError("name", f"invalid model name {short(name)}", name=_clip(str(name))) from None
    if os.path.lexists(target):
        raise ModelImportError("exists", f"a model named {target.name!r} already exists", name=target.name)
    shapes = safetensors_shapes(content[WEIGHTS])
    reservation = _reserve(store, target.name)  # until the rename: a training of that name cannot start meanwhile
    try:
        return _write_validated(content, shapes, store, target)
    finally:
        reservation.release()


def _reserve(store: Path, name: str) -> Reservation:
    """Reserve ``name`` for this import (``vae.reservation``: shared with trainings, across replicas)."""
    try:
        return reserve_name(store, name, "import")
    except NameReserved as exc:
        raise ModelImportError("reserved", str(exc), name=name) from None
    except OSError as exc:
        raise _store_error(exc) from None


def _write_validated(content: dict[str, bytes], shapes: dict, store: Path, target: Path) -> Path:
    """Write the files into a temp folder of the store, validate them there, rename it to ``target``."""
    try:
        store.mkdir(parents=True, exist_ok=True)
        tmp = store / f"{TEMP_PREFIX}{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
    except OSError as exc:
        raise _store_error(exc) from None
    try:
        try:
            for fname, data in content.items():
                (tmp / fname).write_bytes(data)
        except OSError as exc:
            raise _store_error(exc) from None
        _validate_folder(tmp, shapes, store)
        try:
            rename_no_replace(tmp, target)  # atomic; refuses a folder (even empty) that appeared meanwhile
        except FileExistsError:
            raise ModelImportError("exists", f"a model named {target.name!r} already exists", name=target.name) from None
        except OSError as exc:
            raise _store_error(exc) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
