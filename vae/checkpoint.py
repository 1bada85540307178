"""Model folders and the model store. Loading never unpickles: weights are safetensors, config JSON.

A model folder holds ``model.safetensors`` (weights), ``config.json`` (the ``ModelConfig`` the
model is rebuilt from, plus the ``TrainConfig`` under ``"train"``) and ``metrics.json``.
Saving writes a temporary sibling folder and renames it into place, so a reader never sees a
half-written model. Shipped models live in ``pretrained/`` (read-only); models a user trains go
to the user store, ``$VAE_MODEL_STORE`` or ``./models``.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import json
import os
import re
import shutil
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .bounded_io import read_json, short
from .config import ModelConfig, TrainConfig
from .data import IMAGE_SHAPES
from .errors import CheckpointError, ConfigError
from .kinds import get_kind
from .metrics_schema import check_metrics
from .models import Autoencoder, build_model
from .safetensors_header import FLOAT_DTYPES, read_header

WEIGHTS, CONFIG, METRICS = "model.safetensors", "config.json", "metrics.json"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shipped_models_dir() -> Path:
    """Where the shipped models are: ``$VAE_PRETRAINED_DIR`` when set; else the package's own ``pretrained/``
    (an installed wheel carries them as package data, copied there at build time by ``setup.py``); else the
    checkout's ``pretrained/`` (a source tree or an editable install). Always read-only for the app."""
    configured = os.environ.get("VAE_PRETRAINED_DIR", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    packaged = Path(__file__).resolve().parent / "pretrained"
    return packaged if packaged.is_dir() else PROJECT_ROOT / "pretrained"


PRETRAINED_DIR = shipped_models_dir()
MAX_CONFIG_BYTES = 1 << 20
MAX_METRICS_BYTES = 8 << 20   # 10,000 epochs of history take about 2 MB
MAX_WEIGHTS_BYTES = 512 << 20
UPLOADS = ".uploads"          # the store's folder of uploaded datasets (hidden: never listed as a model)
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def user_store() -> Path:
    """Folder for user-trained models: ``$VAE_MODEL_STORE`` or ``models/`` in the working directory, resolved once
    per process for each value (a page's rerun asks for it several times, and resolving walks every folder of the
    path with an ``lstat``: under a class's load each one also waits to take the interpreter's lock back)."""
    value = os.environ.get("VAE_MODEL_STORE") or "models"
    return _resolved(value if os.path.isabs(value) else os.path.join(os.getcwd(), value))


@functools.lru_cache(maxsize=64)
def _resolved(path: str) -> Path:
    return Path(path).resolve()


def safe_model_path(name: str, store: Path | None = None) -> Path:
    """Path of model ``name`` inside ``store``; names with slashes, ``..`` or odd characters are refused."""
    store = (store or user_store()).resolve()
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise CheckpointError(f"invalid model name {name!r}: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    if (store / name).is_symlink():
        raise CheckpointError(f"{name!r} in the model store is a symbolic link: it is never written through")
    path = (store / name).resolve()
    if path.parent != store:
        raise CheckpointError(f"model name {name!r} would leave the model store")
    return path


def uploads_dir(store: Path | None = None) -> Path:
    """The store's folder of uploaded datasets: the only place an imported config's ``npz:`` dataset may name."""
    return (store or user_store()) / UPLOADS


_RENAME_NOREPLACE = 1


def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    return fn


_RENAMEAT2 = _renameat2()
_AT_FDCWD = -100


def rename_no_replace(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst`` atomically, failing with ``FileExistsError`` if ``dst`` exists (even as an empty
    folder or a symbolic link, which a plain ``rename`` would replace).

    Linux ``renameat2(RENAME_NOREPLACE)`` makes the check and the rename one step; where it is missing (or the
    filesystem does not support it), an existing ``dst`` is refused first and ``rename`` itself still fails
    on a non-empty folder.
    """
    if _RENAMEAT2 is not None:
        if _RENAMEAT2(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise FileExistsError(errno.EEXIST, "already exists", str(dst))
        if err not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(err, os.strerror(err), str(dst))
    if os.path.lexists(dst):
        raise FileExistsError(errno.EEXIST, "already exists", str(dst))
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise FileExistsError(errno.EEXIST, "already exists", str(dst)) from None
        raise


def write_folder_atomically(folder: Path, write: Callable[[Path], None], overwrite: bool = False) -> None:
    """Fill a hidden sibling temp folder with ``write(tmp)``, fsync it, then rename it to ``folder``.

    A reader sees the old folder or the complete new one, never a half-written one. Without ``overwrite``
    the final rename refuses an existing target in the same atomic step (``rename_no_replace``): a folder
    that appeared meanwhile (an import landing while a job saves) is never deleted, the save fails with
    ``CheckpointError`` instead. With ``overwrite`` an existing folder is swapped out and removed after the
    rename. On any failure the temp folder is removed.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    trash = None
    try:
        write(tmp)
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        if overwrite and os.path.lexists(folder):  # the old folder (or a link) moves aside, never followed
            trash = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(folder, trash)
        try:
            rename_no_replace(tmp, folder)
        except FileExistsError:
            raise CheckpointError(f"{folder.name} already exists; choose another name") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if trash is not None and not os.path.lexists(folder):
            os.rename(trash, folder)  # the new folder could not take its place: the old one comes back
        raise
    if trash is not None:
        if trash.is_symlink():
            trash.unlink()
        else:
            shutil.rmtree(trash, ignore_errors=True)


def save_model(model: Autoencoder, folder: str | os.PathLike, metrics: dict | None = None,
               train_cfg: TrainConfig | None = None, dtype: torch.dtype = torch.float32,
               overwrite: bool = False) -> Path:
    """Write a model folder atomically: temp folder next to the target, then rename.

    ``dtype=torch.float16`` halves the file; loading always restores float32. Refuses to write
    into ``pretrained/`` unless ``overwrite`` is passed explicitly (the regeneration script does), and
    refuses weights that are NaN or infinite once stored in ``dtype`` (float16 overflows beyond 65,504): a
    model that cannot be used is never saved.
    """
    folder = Path(folder)
    if folder.is_symlink():
        raise CheckpointError(f"{folder.name} is a symbolic link: a model is never written through one")
    folder = folder.resolve()
    if not overwrite and (folder == PRETRAINED_DIR or PRETRAINED_DIR in folder.parents):
        raise CheckpointError("refusing to write into pretrained/: user models go to the user store")
    if folder.exists() and not overwrite:
        raise CheckpointError(f"{folder} already exists; choose another name")
    tensors = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items()}
    check_finite(tensors, f"refusing to save {folder.name}", dtype)

    def write(tmp: Path) -> None:
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": "latent-explorer-1", "dtype": str(dtype)})
        config = model.cfg.to_dict()
        if train_cfg is not None:
            config["train"] = train_cfg.to_dict()
        (tmp / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True))
        (tmp / METRICS).write_text(json.dumps(metrics or {}, indent=2, sort_keys=True))

    write_folder_atomically(folder, write, overwrite=overwrite)
    return folder


def check_finite(tensors: dict[str, torch.Tensor], what: str, dtype: torch.dtype | None = None) -> None:
    """Raise ``CheckpointError`` naming the first floating-point tensor holding NaN or ±inf."""
    for key, value in tensors.items():
        if value.is_floating_point() and not bool(torch.isfinite(value).all()):
            hint = (" (float16 stores at most ±65,504: keep float32 for this model)"
                    if dtype == torch.float16 else "")
            raise CheckpointError(f"{what}: weight {short(key)} holds NaN or infinite values{hint}")


def read_config(folder: str | os.PathLike) -> tuple[ModelConfig, TrainConfig | None]:
    """Parse and validate ``config.json`` of a model folder (no weights read)."""
    folder = Path(folder)
    data = read_json(folder / CONFIG, limit=MAX_CONFIG_BYTES, max_depth=4,
                     error=lambda m: CheckpointError(f"{folder.name}: {m}"))
    if not isinstance(data, dict):
        raise CheckpointError(f"{folder.name}: {CONFIG} must hold a JSON object")
    train = data.pop("train", None)
    try:
        mcfg = ModelConfig.from_dict(data)
        tcfg = TrainConfig.from_dict(train) if train is not None else None
    except ConfigError as exc:
        raise CheckpointError(f"{folder.name}: {CONFIG}: {exc}") from None
    return mcfg, tcfg


def read_metrics_checked(folder: str | os.PathLike) -> tuple[dict, list[str]]:
    """``metrics.json`` of a model folder sorted by ``vae.metrics_schema.check_metrics``: (the fields that fit
    the schema, the problems). Absent: ({}, []). Unreadable (not JSON, too large, not a regular file):
    ``CheckpointError``."""
    path = Path(folder) / METRICS
    if not os.path.lexists(path):
        return {}, []
    data = read_json(path, limit=MAX_METRICS_BYTES, max_depth=4,
                     error=lambda m: CheckpointError(f"{Path(folder).name}: {m}"))
    return check_metrics(data)


def read_metrics(folder: str | os.PathLike) -> dict:
    """The stored ``metrics.json`` of a model folder ({} when absent), keeping only the fields that fit the
    schema, so a bad file in the store cannot break a page that reads it."""
    return read_metrics_checked(folder)[0]


def check_weights_header(path: Path) -> dict:
    """The validated safetensors header of a weights file (``vae.safetensors_header.read_header``)."""
    return read_header(path, MAX_WEIGHTS_BYTES)


def load_model(folder: str | os.PathLike, device: str | torch.device = "cpu") -> Autoencoder:
    """Rebuild the model from ``config.json`` and load ``model.safetensors`` (float32, eval mode).

    Raises ``CheckpointError`` naming the problem: a missing file, an invalid config, a corrupt or
    truncated weights file, a tensor missing, unexpected or of the wrong shape for the config.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError(f"no model folder at {folder}")
    mcfg, _ = read_config(folder)
    wpath = folder / WEIGHTS
    if not os.path.lexists(wpath):
        legacy = [p.name for p in folder.iterdir() if p.suffix in (".pt", ".pth", ".pkl", ".bin")]
        hint = f" (found {', '.join(legacy)}: pickle-based checkpoints are never loaded)" if legacy else ""
        raise CheckpointError(f"{folder.name}: missing {WEIGHTS}{hint}")
    header = check_weights_header(wpath)
    try:
        tensors = load_file(str(wpath))
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{folder.name}: {WEIGHTS} is corrupt ({exc})") from None
    try:
        model = build_model(mcfg)
    except ConfigError as exc:
        raise CheckpointError(f"{folder.name}: {exc}") from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(tensors))
    extra = sorted(set(tensors) - set(expected))
    if missing or extra:
        parts = ([f"missing {', '.join(missing[:4])}"] if missing else []) + ([f"unexpected {', '.join(extra[:4])}"] if extra else [])
        raise CheckpointError(f"{folder.name}: weights do not match config.json ({'; '.join(parts)})")
    for key, ref in expected.items():
        if tuple(tensors[key].shape) != tuple(ref.shape):
            raise CheckpointError(f"{folder.name}: weights do not match config.json: {key} has shape "
                                  f"{tuple(tensors[key].shape)}, the config needs {tuple(ref.shape)}")
        if header[key].dtype not in FLOAT_DTYPES or not tensors[key].is_floating_point():
            raise CheckpointError(f"{folder.name}: {key} is not a floating-point tensor")
    check_finite(tensors, f"{folder.name}: {WEIGHTS} cannot be used")
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.to(device).eval()


@dataclass(frozen=True)
class ModelInfo:
    """One entry of the model store listing (what the pickers and ``vae list`` show). Frozen: the app's listing is
    one object shared by every session (``vae.ui.cache.store_listing``)."""

    id: str
    path: str
    source: str  # "pretrained" or "user"
    kind: str
    beta: float | None  # None for a kind without KL term (the AE)
    latent_dim: int
    dataset: str
    arch: str
    noise: float
    recon: str

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def list_models(include_user: bool = True, store: Path | None = None) -> list[ModelInfo]:
    """Every model folder the app can open: shipped (``pretrained/``) then user-trained.

    Temporary folders of unfinished saves are ignored, and so are symbolic links (a link could make a page
    read, or a save write, outside the store). A folder whose name is not a valid model name, whose config
    or weights header cannot be read, or whose config's image shape is not its dataset's, is skipped with a
    ``warnings.warn`` naming it, so one broken model never hides the others.
    """
    roots = [("pretrained", PRETRAINED_DIR)]
    if include_user:
        roots.append(("user", (store or user_store())))
    out: list[ModelInfo] = []
    for source, root in roots:
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if folder.name.startswith((".", "_")) or folder.is_symlink() or not folder.is_dir():  # temp saves, _classifiers
                continue
            try:
                if not _NAME.match(folder.name):
                    raise CheckpointError(f"{short(folder.name)} is not a valid model name")
                mcfg, _ = read_config(folder)
                if not os.path.lexists(folder / WEIGHTS):
                    raise CheckpointError(f"{folder.name}: missing {WEIGHTS}")
                check_weights_header(folder / WEIGHTS)  # header only: garbage or truncated weights are not listed
                expected = IMAGE_SHAPES.get(mcfg.dataset)
                if expected is not None and tuple(mcfg.image_shape) != expected:
                    raise CheckpointError(f"{folder.name}: its images are {mcfg.image_shape[0]}×{mcfg.image_shape[1]} "
                                          f"but {mcfg.dataset} images are {expected[0]}×{expected[1]}")
            except CheckpointError as exc:
                warnings.warn(f"skipping model folder {short(str(folder), 200)}: {exc}", stacklevel=2)
                continue
            out.append(ModelInfo(id=f"{source}/{folder.name}", path=str(folder), source=source, kind=mcfg.kind,
                                 beta=mcfg.beta if get_kind(mcfg.kind).beta.weighs_kl else None, latent_dim=mcfg.latent_dim, dataset=mcfg.dataset, arch=mcfg.arch,
                                 noise=mcfg.noise, recon=mcfg.recon))
    return out


STALE_TEMP_SECONDS = 3600


def clean_stale_temp(store: Path | None = None, max_age: float = STALE_TEMP_SECONDS) -> list[str]:
    """Remove leftovers of interrupted saves and imports (``.NAME.tmp-*``, ``.NAME.old-*``, ``.import-*``)
    older than ``max_age`` seconds from the user store; return their names. Complete models are never
    touched, and a recent temp folder may belong to a save in progress, so it is kept."""
    import time

    root = (store or user_store())
    if not root.is_dir():
        return []
    removed = []
    now = time.time()
    for folder in root.iterdir():
        name = folder.name
        is_temp = name.startswith(".") and (".tmp-" in name or ".old-" in name or name.startswith(".import-"))
        if not is_temp or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            if now - folder.stat().st_mtime < max_age:
                continue
        except OSError:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(name)
    return sorted(removed)
