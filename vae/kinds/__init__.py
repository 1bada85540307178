"""The registry of kinds: one line per kind, in the order pickers and pages show them.

A new kind is one file here (a ``Kind`` subclass, see ``base.py``) and one line in ``KINDS`` below;
nothing else in the code base names a kind. ``config.json`` stores ``Kind.name``, so these names
never change: shipped models load unchanged.
"""
from __future__ import annotations

from ..errors import ConfigError
from .ae import AE
from .ae_gauss import FittedGaussianAE
from .base import MAX_BETA, BetaError, BetaRule, Kind
from .beta_vae import BetaVAE
from .vae import VAE

KINDS: dict[str, Kind] = {k.name: k for k in (
    AE(),
    VAE(),
    BetaVAE(),
    FittedGaussianAE(),
)}

DEFAULT_KIND = "vae"  # what a form proposes and a page explores first (the lecture's subject)


def get_kind(name: str) -> Kind:
    """The registered kind called ``name``; ``ConfigError`` naming the known kinds otherwise."""
    kind = KINDS.get(name) if isinstance(name, str) else None
    if kind is None:
        raise ConfigError(f"kind must be one of {', '.join(KINDS)}, got {name!r}")
    return kind


def kind_names() -> tuple[str, ...]:
    """Registered kind names in display order (the CLI's ``--kind`` choices, the pickers' order)."""
    return tuple(KINDS)


def free_beta_kind() -> str:
    """The first kind whose β is free (``beta-vae``): what the VAE's β message suggests instead."""
    return next((k.name for k in KINDS.values() if k.beta.free), "beta-vae")


def register(kind: Kind) -> Kind:
    """Add ``kind`` to the registry (tests, plug-ins); refuses a name already taken."""
    if not kind.name or kind.name in KINDS:
        raise ValueError(f"kind name {kind.name!r} is empty or already registered")
    KINDS[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind added with ``register`` (tests clean up after themselves)."""
    KINDS.pop(name, None)


__all__ = ["KINDS", "DEFAULT_KIND", "MAX_BETA", "BetaError", "BetaRule", "Kind", "get_kind", "kind_names", "free_beta_kind",
           "register", "unregister"]
