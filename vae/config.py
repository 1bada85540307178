"""Model and training configurations: validated dataclasses with a strict JSON round trip.

A model folder carries its ``ModelConfig`` (as in nanoGPT, the checkpoint carries the config the
model is rebuilt from). Unknown keys and absurd values are rejected with a clear ``ConfigError``
before any tensor is allocated, so a hostile ``config.json`` cannot ask for a 10^9-wide layer.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field, fields
from typing import Any

from .bounded_io import loads_json, short
from .errors import ConfigError, DatasetError
from .kinds import KINDS, get_kind

ARCHS = ("mlp", "conv")
RECON_LOSSES = ("bce", "mse", "l1")
DEVICES = ("auto", "cpu", "cuda")

MAX_LATENT_DIM = 512
MAX_HIDDEN = 4096
MAX_HIDDEN_LAYERS = 8
MAX_SIDE = 128  # image height/width in pixels


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return abs(value) < 1e300 if isinstance(value, int) else math.isfinite(value)


def _from_dict(cls, data: dict, what: str):
    if not isinstance(data, dict):
        raise ConfigError(f"{what} must be a JSON object, got {type(data).__name__}")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"unknown key(s) in {what}: {', '.join(unknown)} (allowed: {', '.join(sorted(known))})")
    try:
        obj = cls(**data)
    except TypeError as exc:  # e.g. a missing required key
        raise ConfigError(f"invalid {what}: {exc}") from None
    obj.validate()
    return obj


@dataclass
class ModelConfig:
    """What a model is: kind, body, sizes, loss. Enough to rebuild it from ``config.json``.

    ``kind`` names an entry of the kinds registry (``vae.kinds``), which decides what the model is.
    ``beta`` weighs the KL term (Higgins et al. 2017) under the kind's ``BetaRule`` (e.g. 1 for the
    VAE by definition, none for the AE).
    ``noise`` > 0 makes a denoising model: trained on clip(x + N(0, noise²)) to reconstruct x.
    """

    kind: str = "vae"
    latent_dim: int = 2
    image_shape: tuple[int, int] = (28, 28)
    arch: str = "mlp"
    hidden: list[int] = field(default_factory=lambda: [256, 128])
    beta: float = 1.0
    recon: str = "bce"
    noise: float = 0.0
    dataset: str = "mnist"

    def __post_init__(self):
        if isinstance(self.image_shape, list):
            self.image_shape = tuple(self.image_shape)
        if isinstance(self.hidden, tuple):
            self.hidden = list(self.hidden)
        if isinstance(self.kind, str) and self.kind in KINDS and _is_number(self.beta):
            get_kind(self.kind).beta.check(self.kind, self.beta)  # e.g. a VAE with β = 4, refused at once

    @property
    def variational(self) -> bool:
        """True for the kinds whose encoder outputs a Gaussian (μ, log σ²) (declared by the kind)."""
        return get_kind(self.kind).variational

    @property
    def input_dim(self) -> int:
        """Number of pixels of one image."""
        return self.image_shape[0] * self.image_shape[1]

    def validate(self) -> "ModelConfig":
        """Raise ``ConfigError`` naming the first invalid field; return self when all is well."""
        _check(isinstance(self.kind, str) and self.kind in KINDS, f"kind must be one of {', '.join(KINDS)}, got {short(self.kind)}")
        _check(self.arch in ARCHS, f"arch must be one of {', '.join(ARCHS)}, got {short(self.arch)}")
        _check(self.recon in RECON_LOSSES, f"recon must be one of {', '.join(RECON_LOSSES)}, got {short(self.recon)}")
        _check(_is_int(self.latent_dim) and 1 <= self.latent_dim <= MAX_LATENT_DIM,
               f"latent_dim must be an integer in [1, {MAX_LATENT_DIM}], got {short(self.latent_dim)}")
        _check(isinstance(self.image_shape, tuple) and len(self.image_shape) == 2
               and all(_is_int(s) and 1 <= s <= MAX_SIDE for s in self.image_shape),
               f"image_shape must be [height, width] with sides in [1, {MAX_SIDE}], got {short(self.image_shape)}")
        _check(isinstance(self.hidden, list) and 1 <= len(self.hidden) <= MAX_HIDDEN_LAYERS
               and all(_is_int(h) and 1 <= h <= MAX_HIDDEN for h in self.hidden),
               f"hidden must be 1 to {MAX_HIDDEN_LAYERS} layer sizes in [1, {MAX_HIDDEN}], got {short(self.hidden)}")
        get_kind(self.kind).beta.check(self.kind, self.beta)
        _check(_is_number(self.noise) and 0 <= self.noise <= 1, f"noise must be a number in [0, 1], got {short(self.noise)}")
        from .data import check_dataset_name  # data imports nothing of this module; lazily, to keep it light

        try:
            check_dataset_name(self.dataset)
        except DatasetError as exc:
            raise ConfigError(str(exc)) from None
        if self.arch == "conv":
            h, w = self.image_shape
            _check(h % 4 == 0 and w % 4 == 0 and h >= 8 and w >= 8,
                   f"the conv body needs image sides divisible by 4 and ≥ 8 (e.g. 28×28, 32×32), got {h}×{w}")
        return self

    def to_dict(self) -> dict:
        """JSON-ready dict (tuples become lists)."""
        d = dataclasses.asdict(self)
        d["image_shape"] = list(self.image_shape)
        return d

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        """Build and validate from a dict; unknown keys raise ``ConfigError``."""
        return _from_dict(cls, data, "model config")

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "ModelConfig":
        """Parse JSON text; malformed JSON raises ``ConfigError``."""
        return cls.from_dict(loads_json(text, what="config", error=ConfigError))


@dataclass
class TrainConfig:
    """How a model is trained. Adam (Kingma & Ba 2015) with a fixed seed for reproducibility."""

    epochs: int = 30
    lr: float = 1e-3
    batch_size: int = 128
    seed: int = 0
    device: str = "auto"
    # Early stopping (Prechelt 1998): hold out ``val_fraction`` of the training split, evaluate it after every
    # epoch, stop after ``early_stop`` epochs without a better validation loss and keep the best epoch's weights.
    # 0 = off. ``val_fraction`` alone only records the validation loss.
    val_fraction: float = 0.0
    early_stop: int = 0

    def validate(self) -> "TrainConfig":
        """Raise ``ConfigError`` naming the first invalid field; return self when all is well."""
        _check(_is_int(self.epochs) and 1 <= self.epochs <= 10000, f"epochs must be an integer in [1, 10000], got {short(self.epochs)}")
        _check(_is_number(self.lr) and 0 < self.lr <= 1000, f"lr must be a number in (0, 1000], got {short(self.lr)}")
        _check(_is_int(self.batch_size) and 1 <= self.batch_size <= 65536,
               f"batch_size must be an integer in [1, 65536], got {short(self.batch_size)}")
        _check(_is_int(self.seed) and 0 <= self.seed < 2**32, f"seed must be an integer in [0, 2^32), got {short(self.seed)}")
        _check(self.device in DEVICES, f"device must be one of {', '.join(DEVICES)}, got {short(self.device)}")
        _check(_is_number(self.val_fraction) and 0 <= self.val_fraction <= 0.5,
               f"val_fraction must be a number in [0, 0.5], got {short(self.val_fraction)}")
        _check(_is_int(self.early_stop) and 0 <= self.early_stop <= 10000,
               f"early_stop must be an integer in [0, 10000] (epochs of patience; 0 = off), got {short(self.early_stop)}")
        _check(self.early_stop == 0 or self.val_fraction > 0,
               "early_stop needs a validation split: give val_fraction > 0 (e.g. 0.1)")
        return self

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        """Build and validate from a dict; unknown keys raise ``ConfigError``."""
        return _from_dict(cls, data, "train config")
