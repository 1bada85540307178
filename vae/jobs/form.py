"""The Train form's values → validated configs, with the errors a student can fix (no Streamlit).

The same rules as the CLI (``python -m vae train``): β follows the kind's rule (``vae.kinds.BetaRule``), the
validation split defaults to 0.1 once early stopping is on, and the configs validate themselves. On top of the
CLI, a shared server's budget (:class:`vae.jobs.limits.Limits`) and the store's naming rules apply.
"""
from __future__ import annotations

from pathlib import Path

from ..checkpoint import safe_model_path
from ..config import ModelConfig, TrainConfig
from ..errors import CheckpointError, ExplorerError
from ..kinds import get_kind
from ..models import check_size
from ..reservation import NameReserved, Reservation, reserve_name
from .limits import Limits


class FormError(ExplorerError):
    """An invalid Train form value; ``code`` names a translation key ``train.err.<code>``, ``fmt`` its fields."""

    def __init__(self, code: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(f"{code}: {fmt}" if fmt else code)


def parse_hidden(text: str) -> list[int]:
    """``"256 128"`` (spaces or commas) → [256, 128]; anything else raises ``FormError('hidden')``."""
    parts = str(text).replace(",", " ").split()
    try:
        sizes = [int(p) for p in parts]
    except ValueError:
        raise FormError("hidden", text=text) from None
    if not sizes or any(s < 1 for s in sizes):
        raise FormError("hidden", text=text)
    return sizes


def make_configs(*, kind: str, beta: float | None, latent_dim: int, arch: str, hidden: str, recon: str, noise: float,
                 epochs: int, lr: float, batch_size: int, seed: int, dataset: str, image_shape: tuple[int, int],
                 early_stop: int = 0, val_fraction: float | None = None) -> tuple[ModelConfig, TrainConfig]:
    """Check the form values (clear ``FormError`` for the common mistakes) and build validated configs.

    β follows the kind's rule, exactly as in the CLI (``vae.kinds.BetaRule.resolve``): None (an empty
    field) gives the kind's default; a β the kind refuses (the VAE with β = 4, the AE with any β: it has no KL term)
    raises ``BetaError`` with the CLI's message, never a silent change. ``val_fraction`` None means the CLI's
    default: 0.1 with early stopping, else 0. Other invalid values raise ``ConfigError`` with the config's message.
    """
    if int(epochs) < 1:
        raise FormError("epochs", value=epochs)
    if float(lr) <= 0:
        raise FormError("lr", value=lr)
    if int(batch_size) < 1:
        raise FormError("batch_size", value=batch_size)
    if float(noise) < 0 or float(noise) > 1:
        raise FormError("noise", value=noise)
    if int(early_stop) < 0:
        raise FormError("early_stop", value=early_stop)
    sizes = parse_hidden(hidden)
    beta = get_kind(kind).beta.resolve(kind, None if beta is None else float(beta))
    if val_fraction is None:
        val_fraction = 0.1 if int(early_stop) else 0.0
    mcfg = ModelConfig(kind=kind, latent_dim=int(latent_dim), image_shape=tuple(image_shape), arch=arch, hidden=sizes,
                       beta=beta, recon=recon, noise=float(noise), dataset=dataset).validate()
    tcfg = TrainConfig(epochs=int(epochs), lr=float(lr), batch_size=int(batch_size), seed=int(seed), device="cpu",
                       val_fraction=float(val_fraction), early_stop=int(early_stop)).validate()
    return mcfg, tcfg


def check_budget(n_images: int, epochs: int, limits: Limits) -> None:
    """Refuse (``FormError('budget')``, the limit and the allowed epochs stated) a job over the image-epoch budget."""
    if int(epochs) * int(n_images) > limits.max_image_epochs:
        raise FormError("budget", epochs=int(epochs), images=int(n_images), total=int(epochs) * int(n_images),
                        limit=limits.max_image_epochs, max_epochs=limits.max_epochs(n_images),
                        minutes=f"{limits.max_seconds / 60:g}")


def check_name(name: str, store: Path | None = None) -> Path:
    """Path of a new user model ``name``; ``FormError`` if the name is invalid or a model of that name exists."""
    try:
        path = safe_model_path(str(name).strip(), store)
    except CheckpointError:
        raise FormError("name", name=str(name)[:64]) from None
    if path.exists() or path.is_symlink():
        raise FormError("exists", name=path.name)
    return path


def check_job(model_cfg: ModelConfig, n_images: int, epochs: int, limits: Limits) -> None:
    """What a submitted training must pass on any backend (the local pool, the Redis queue): a model the server
    accepts to build (``FormError('too_big')``) and the image-epoch budget (:func:`check_budget`)."""
    try:
        check_size(model_cfg)
    except ExplorerError as exc:
        raise FormError("too_big", detail=str(exc)) from None
    check_budget(n_images, epochs, limits)


def reserve_training(name: str, store: Path | None) -> tuple[Path, Reservation]:
    """The new model's path (:func:`check_name`) and its name reserved for a training on any backend; the
    reservation's refusals as ``FormError``: held by an import or another training, or the store failing."""
    path = check_name(name, store)
    try:
        reservation = reserve_name(store, path.name, "training")
    except NameReserved as exc:
        raise FormError("reserved_import" if exc.purpose == "import" else "reserved", name=path.name) from None
    except OSError as exc:
        raise FormError("store", detail=exc.strerror or type(exc).__name__) from None
    return path, reservation
