"""Import a model folder a user uploads: validated in a hidden temp folder, then renamed into place.

Nothing uploaded is trusted. ``import_model`` accepts the files of a model folder
(``model.safetensors`` + ``config.json``, optional ``metrics.json``) or a ``.zip`` of such a folder,
and refuses, with a ``ModelImportError`` naming the problem:

* pickle-based checkpoints (``.pt``, ``.pth``, ``.pkl``, ``.bin``, ``.ckpt``), also when disguised
  as ``model.safetensors`` (their bytes are recognised and never unpickled);
* files or a total over the size limits, zip members that are too large once uncompressed (the
  declared size is checked before reading and the read itself is bounded), absolute or ``..``
  member names, symlinks, unexpected files;
* an invalid ``config.json`` (unknown keys, absurd sizes: ``read_config`` validates before any
  allocation), weights that are not safetensors, truncated, claim huge tensors or do not match the
  config's shapes (compared on the ``meta`` device, before allocating anything);
* a model name that is invalid or already taken (``safe_model_path``).

Validation happens in ``<store>/.import-xxxxxxxx`` (ignored by ``list_models``), which is removed on
any failure; on success it is renamed atomically to ``<store>/<name>``.
"""
from __future__ import annotations

import io
import json
import os
import shutil
import stat
import struct
import uuid
import zipfile
from pathlib import Path, PurePosixPath
from typing import Mapping

import torch

from .checkpoint import CONFIG, METRICS, WEIGHTS, load_model, read_config, read_metrics, safe_model_path, user_store
from .errors import CheckpointError, ConfigError
from .models import build_model

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


def _mb(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


def looks_like_pickle(data: bytes) -> bool:
    """True for a pickle stream (protocol 2+ starts with 0x80) or a torch.save zip archive."""
    return data[:1] == b"\x80" or data[:4] == b"PK\x03\x04"


def _check_member_name(raw: str) -> PurePosixPath:
    name = raw.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or ".." in path.parts or "\x00" in name:
        raise ModelImportError("unsafe_name", f"refused: the archive member {raw!r} has an absolute path or '..'",
                               name=raw)
    return path


def read_zip(data: bytes, max_file: int | None = None, max_total: int | None = None) -> dict[str, bytes]:
    """Files of a zipped model folder (at most one folder level), refusing zip bombs and unsafe members."""
    max_file = MAX_FILE_BYTES if max_file is None else max_file
    max_total = MAX_TOTAL_BYTES if max_total is None else max_total
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
        raise ModelImportError("bad_zip", f"the .zip file cannot be read ({exc})", detail=str(exc)) from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise ModelImportError("zip_members", f"the .zip holds {len(infos)} entries; a model folder has at most 3 files",
                                   n=len(infos))
        declared = 0
        members: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
        for info in infos:
            path = _check_member_name(info.filename)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ModelImportError("symlink", f"refused: the archive member {info.filename!r} is a symbolic link",
                                       name=info.filename)
            if info.is_dir() or not path.parts or path.parts[0] in IGNORED or path.name in IGNORED:
                continue
            if info.file_size > max_file:
                raise ModelImportError("too_large", f"{info.filename} would be {_mb(info.file_size)} once unzipped; "
                                       f"the limit is {_mb(max_file)}", name=info.filename,
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
            try:
                with zf.open(info) as f:  # bounded read: a lying header cannot make us inflate more
                    content = f.read(max_file + 1)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, RuntimeError) as exc:
                raise ModelImportError("bad_zip", f"the .zip file cannot be read ({exc})", detail=str(exc)) from None
            if len(content) > max_file:
                raise ModelImportError("too_large", f"{info.filename} is larger than the limit once unzipped",
                                       name=info.filename, size=f"> {_mb(max_file)}", limit=_mb(max_file))
            if path.name in out:
                raise ModelImportError("duplicate", f"the .zip holds {path.name} twice", name=path.name)
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
            raise ModelImportError("unsafe_name", f"refused: the file name {name!r} contains a path", name=name)
        if name.lower().endswith(PICKLE_SUFFIXES):
            raise ModelImportError("pickle", f"{name} is a pickle-based checkpoint: it could run arbitrary code when "
                                   "loaded, so it is never loaded. Export the weights to model.safetensors instead.",
                                   name=name)
        if name not in ALLOWED:
            raise ModelImportError("unexpected", f"unexpected file {name!r}: a model folder holds "
                                   f"{WEIGHTS}, {CONFIG} and optionally {METRICS}", name=name)
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
    """Tensor shapes declared by a safetensors header, read without loading any tensor."""
    if len(data) < 8:
        raise ModelImportError("weights", f"{WEIGHTS} is truncated ({len(data)} bytes)", detail="truncated")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ModelImportError("weights", f"{WEIGHTS} is not a safetensors file (its header length does not fit the file)",
                               detail="header length does not fit the file")
    try:
        header = json.loads(data[8:8 + n])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ModelImportError("weights", f"{WEIGHTS} is not a safetensors file (unreadable header)",
                               detail="unreadable header") from None
    if not isinstance(header, dict):
        raise ModelImportError("weights", f"{WEIGHTS} has an invalid header", detail="invalid header")
    shapes = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            shapes[key] = tuple(int(s) for s in info["shape"])
        except (TypeError, KeyError, ValueError):
            raise ModelImportError("weights", f"{WEIGHTS}: tensor {key!r} has an invalid header entry",
                                   detail=f"invalid entry {key!r}") from None
    return shapes


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


def import_model(files: Mapping[str, bytes] | bytes, name: str, store: str | os.PathLike | None = None) -> Path:
    """Validate an uploaded model folder (dict of file name → bytes, or the bytes of a .zip) and add it
    to the user store as ``name``; return its path. Raises ``ModelImportError``; leaves nothing behind."""
    store = Path(store or user_store()).resolve()
    content = _collect(files)  # in memory: the files are judged before the name
    try:
        target = safe_model_path(str(name).strip(), store)
    except CheckpointError:
        raise ModelImportError("name", f"invalid model name {name!r}", name=name) from None
    if target.exists():
        raise ModelImportError("exists", f"a model named {target.name!r} already exists", name=target.name)
    shapes = safetensors_shapes(content[WEIGHTS])
    store.mkdir(parents=True, exist_ok=True)
    tmp = store / f"{TEMP_PREFIX}{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        for fname, data in content.items():
            (tmp / fname).write_bytes(data)
        try:
            mcfg, _ = read_config(tmp)
        except CheckpointError as exc:
            detail = str(exc).split(": ", 1)[-1].removeprefix(f"{CONFIG}: ")
            raise ModelImportError("config", f"config.json is invalid: {detail}", detail=detail) from None
        if METRICS in content:
            try:
                read_metrics(tmp)
            except CheckpointError:
                raise ModelImportError("metrics", "metrics.json is not valid JSON") from None
        try:
            _check_shapes(mcfg, shapes)
        except ConfigError as exc:
            raise ModelImportError("config", f"config.json is invalid: {exc}", detail=str(exc)) from None
        try:
            load_model(tmp)
        except CheckpointError as exc:
            detail = str(exc).replace(f"{tmp.name}: ", "")
            raise ModelImportError("weights", f"{WEIGHTS} cannot be loaded: {detail}", detail=detail) from None
        try:
            os.rename(tmp, target)  # atomic; fails if a folder of that name appeared meanwhile
        except OSError:
            raise ModelImportError("exists", f"a model named {target.name!r} already exists", name=target.name) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
