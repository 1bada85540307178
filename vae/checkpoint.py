"""Model folders and the model store. Loading never unpickles: weights are safetensors, config JSON.

A model folder holds ``model.safetensors`` (weights), ``config.json`` (the ``ModelConfig`` the
model is rebuilt from, plus the ``TrainConfig`` under ``"train"``) and ``metrics.json``.
Saving writes a temporary sibling folder and renames it into place, so a reader never sees a
half-written model. Shipped models live in ``pretrained/`` (read-only); models a user trains go
to the user store, ``$VAE_MODEL_STORE`` or ``./models``.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import struct
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from .config import ModelConfig, TrainConfig
from .errors import CheckpointError, ConfigError
from .kinds import get_kind
from .models import Autoencoder, build_model

WEIGHTS, CONFIG, METRICS = "model.safetensors", "config.json", "metrics.json"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PRETRAINED_DIR = PROJECT_ROOT / "pretrained"
MAX_CONFIG_BYTES = 1 << 20
MAX_WEIGHTS_BYTES = 512 << 20
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def user_store() -> Path:
    """Folder for user-trained models: ``$VAE_MODEL_STORE`` or ``models/`` in the working directory."""
    return Path(os.environ.get("VAE_MODEL_STORE") or "models").resolve()


def safe_model_path(name: str, store: Path | None = None) -> Path:
    """Path of model ``name`` inside ``store``; names with slashes, ``..`` or odd characters are refused."""
    store = (store or user_store()).resolve()
    if not isinstance(name, str) or not _NAME.match(name) or ".." in name:
        raise CheckpointError(f"invalid model name {name!r}: use 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
    path = (store / name).resolve()
    if path.parent != store:
        raise CheckpointError(f"model name {name!r} would leave the model store")
    return path


def write_folder_atomically(folder: Path, write: Callable[[Path], None]) -> None:
    """Fill a hidden sibling temp folder with ``write(tmp)``, fsync it, then rename it to ``folder``.

    A reader sees the old folder or the complete new one, never a half-written one; an existing
    folder is swapped out and removed after the rename. On any failure the temp folder is removed.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = folder.parent / f".{folder.name}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    try:
        write(tmp)
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        if folder.exists():
            trash = folder.parent / f".{folder.name}.old-{uuid.uuid4().hex[:8]}"
            os.replace(folder, trash)
            os.replace(tmp, folder)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_model(model: Autoencoder, folder: str | os.PathLike, metrics: dict | None = None,
               train_cfg: TrainConfig | None = None, dtype: torch.dtype = torch.float32,
               overwrite: bool = False) -> Path:
    """Write a model folder atomically: temp folder next to the target, then rename.

    ``dtype=torch.float16`` halves the file; loading always restores float32. Refuses to write
    into ``pretrained/`` unless ``overwrite`` is passed explicitly (the regeneration script does).
    """
    folder = Path(folder).resolve()
    if not overwrite and (folder == PRETRAINED_DIR or PRETRAINED_DIR in folder.parents):
        raise CheckpointError("refusing to write into pretrained/: user models go to the user store")
    if folder.exists() and not overwrite:
        raise CheckpointError(f"{folder} already exists; choose another name")

    def write(tmp: Path) -> None:
        tensors = {k: v.detach().to("cpu", dtype).contiguous() for k, v in model.state_dict().items()}
        save_file(tensors, str(tmp / WEIGHTS), metadata={"format": "latent-explorer-1", "dtype": str(dtype)})
        config = model.cfg.to_dict()
        if train_cfg is not None:
            config["train"] = train_cfg.to_dict()
        (tmp / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True))
        (tmp / METRICS).write_text(json.dumps(metrics or {}, indent=2, sort_keys=True))

    write_folder_atomically(folder, write)
    return folder


def read_config(folder: str | os.PathLike) -> tuple[ModelConfig, TrainConfig | None]:
    """Parse and validate ``config.json`` of a model folder (no weights read)."""
    folder = Path(folder)
    path = folder / CONFIG
    if not path.is_file():
        raise CheckpointError(f"{folder.name}: missing {CONFIG}")
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise CheckpointError(f"{folder.name}: {CONFIG} is too large to be a config")
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{folder.name}: {CONFIG} is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{folder.name}: {CONFIG} must hold a JSON object")
    train = data.pop("train", None)
    try:
        mcfg = ModelConfig.from_dict(data)
        tcfg = TrainConfig.from_dict(train) if train is not None else None
    except ConfigError as exc:
        raise CheckpointError(f"{folder.name}: {CONFIG}: {exc}") from None
    return mcfg, tcfg


def read_metrics(folder: str | os.PathLike) -> dict:
    """The stored ``metrics.json`` of a model folder ({} when absent)."""
    path = Path(folder) / METRICS
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{Path(folder).name}: {METRICS} is not valid JSON ({exc})") from None
    return data if isinstance(data, dict) else {}


def _check_safetensors_header(path: Path) -> None:
    """Reject a weights file whose header is not safetensors or claims more bytes than the file has."""
    size = path.stat().st_size
    if size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{path.name} is {size / 2**20:.0f} MB; the limit is {MAX_WEIGHTS_BYTES >> 20} MB")
    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise CheckpointError(f"{path.name} is truncated (only {size} bytes)")
        (n,) = struct.unpack("<Q", head)
        if n > min(size - 8, 100 << 20):
            raise CheckpointError(f"{path.name} is not a safetensors file (its header length {n} does not fit the file; "
                                  "a pickle-based .pt/.pth checkpoint is never loaded)")
        try:
            header = json.loads(f.read(n))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise CheckpointError(f"{path.name} is not a safetensors file (unreadable header)") from None
    if not isinstance(header, dict):
        raise CheckpointError(f"{path.name} has an invalid safetensors header")
    end = 0
    for key, info in header.items():
        if key == "__metadata__":
            continue
        try:
            end = max(end, int(info["data_offsets"][1]))
        except (TypeError, KeyError, IndexError, ValueError):
            raise CheckpointError(f"{path.name}: tensor {key!r} has an invalid header entry") from None
    if 8 + n + end > size:
        raise CheckpointError(f"{path.name} is truncated or corrupt: its header claims {8 + n + end} bytes, the file has {size}")


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
    if not wpath.is_file():
        legacy = [p.name for p in folder.iterdir() if p.suffix in (".pt", ".pth", ".pkl", ".bin")]
        hint = f" (found {', '.join(legacy)}: pickle-based checkpoints are never loaded)" if legacy else ""
        raise CheckpointError(f"{folder.name}: missing {WEIGHTS}{hint}")
    _check_safetensors_header(wpath)
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
        if not tensors[key].is_floating_point():
            raise CheckpointError(f"{folder.name}: {key} is not a floating-point tensor")
    model.load_state_dict({k: v.float() for k, v in tensors.items()})
    return model.to(device).eval()


@dataclass
class ModelInfo:
    """One entry of the model store listing (what the pickers and ``vae list`` show)."""

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

    Temporary folders of unfinished saves are ignored; a folder whose config or weights header cannot be read is
    skipped with a ``warnings.warn`` naming it, so one broken model never hides the others.
    """
    roots = [("pretrained", PRETRAINED_DIR)]
    if include_user:
        roots.append(("user", (store or user_store())))
    out: list[ModelInfo] = []
    for source, root in roots:
        if not root.is_dir():
            continue
        for folder in sorted(root.iterdir()):
            if not folder.is_dir() or folder.name.startswith((".", "_")):  # temp saves, _classifiers
                continue
            try:
                mcfg, _ = read_config(folder)
                if not (folder / WEIGHTS).is_file():
                    raise CheckpointError(f"{folder.name}: missing {WEIGHTS}")
                _check_safetensors_header(folder / WEIGHTS)  # header only: garbage or truncated weights are not listed
            except CheckpointError as exc:
                warnings.warn(f"skipping model folder {folder}: {exc}", stacklevel=2)
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
