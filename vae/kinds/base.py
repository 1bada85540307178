"""What a *kind* of auto-encoder is, declared in one place: the ``Kind`` base class and β's rule.

A kind (``ae``, ``vae``, ``beta-vae``, …) is one small file in ``vae/kinds/`` holding a ``Kind``
subclass, plus one line in the registry (``vae/kinds/__init__.py``). Everything else — config
validation, the model's heads, the loss, training, the CLI's choices, the Train form, the model
list, the sidebar's pickers, the pages' columns and labels — reads the registry, never a kind's
name. The shape follows disentanglement_lib's ``vae.py``: the base model computes the
reconstruction and the closed-form Gaussian KL once, and asks the kind for its ``regularizer``
(so the β-VAE is β·KL, Higgins et al. 2017), and AntixK/PyTorch-VAE's registry (one file, one line).

No Streamlit here. A kind's labels are plain ``{"en": …, "fr": …}`` dicts that ``vae.ui.strings``
turns into translation keys ``kind.<name>``, ``kind.<name>.long`` and ``kind.<name>.generator``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import torch

from ..errors import ConfigError

MAX_BETA = 1000.0

# β's three messages, in English; ``vae.ui.strings.kinds`` uses these very texts for the app's English
# (``kind.err.<code>``), so the CLI and the Train form say the same thing.
BETA_MESSAGES = {
    "range": "beta: β must be a number in [0, {max:g}], got {value}",
    "fixed": "kind '{kind}' has β = {beta:g} by definition; use kind '{free}' for another β",
    "no_kl": "kind '{kind}' has no KL term: beta (β) does not apply, leave it empty",
}


class BetaError(ConfigError):
    """β is not allowed for this kind. ``code`` and ``fmt`` name the app's translation ``kind.err.<code>``."""

    def __init__(self, code: str, **fmt):
        self.code, self.fmt = code, fmt
        super().__init__(BETA_MESSAGES[code].format(**fmt))


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and bool(np.isfinite(value))


@dataclass(frozen=True)
class BetaRule:
    """How a kind treats β, the weight of the KL term — the one rule the CLI, the Train form and
    ``ModelConfig`` all apply.

    ``default``: the β a model of this kind gets when none is given (and that ``config.json`` stores).
    ``free``: the user may choose any β in [0, ``MAX_BETA``] (the β-VAE). Otherwise β is fixed at
    ``default``: the VAE has β = 1 by definition (a VAE with another β *is* a β-VAE), and a kind
    without KL term (``weighs_kl`` False, the AE) has no β at all; its configs store the default
    (old AE configs stored 0, still accepted).
    """

    default: float = 1.0
    free: bool = False
    weighs_kl: bool = True

    def check(self, kind: str, beta) -> None:
        """Raise ``BetaError`` unless ``beta`` is a valid β for ``kind`` (a config's stored value)."""
        if not _is_number(beta) or not 0 <= beta <= MAX_BETA:
            raise BetaError("range", max=MAX_BETA, value=beta)
        if self.free:
            return
        if not self.weighs_kl:
            if beta not in (0, self.default):
                raise BetaError("no_kl", kind=kind)
        elif beta != self.default:
            from . import free_beta_kind  # the kind to suggest instead, from the registry

            raise BetaError("fixed", kind=kind, beta=self.default, free=free_beta_kind())

    def resolve(self, kind: str, beta: float | None) -> float:
        """The β to train ``kind`` with when the user asked for ``beta`` (None: not given).

        Not given: the kind's default. Given: checked by ``check`` (a VAE given β = 4 is refused with
        the reason, never silently changed); a kind without KL term refuses any β.
        """
        if beta is None:
            return float(self.default)
        if not self.weighs_kl:
            raise BetaError("no_kl", kind=kind)
        self.check(kind, beta)
        return float(beta)


class Kind:
    """One kind of auto-encoder. Subclasses set the class attributes and override hooks as needed.

    ``name``: the string in ``config.json`` (never change it: shipped models carry it).
    ``variational``: the encoder outputs q(z|x) = N(μ, diag σ²) (a log σ² head) and z is sampled
    with the reparameterisation trick; the loss then has the closed-form KL(q(z|x) ‖ N(0, I)).
    ``beta``: the ``BetaRule``. ``lecture_trio``: one of the lecture's AE | VAE | β-VAE, shown in
    every page by default; other kinds are added from the sidebar. ``labels``: translations of the
    short name, the long name and the generator (how codes are drawn to generate images).
    """

    name: ClassVar[str] = ""
    variational: ClassVar[bool] = True
    beta: ClassVar[BetaRule] = BetaRule()
    lecture_trio: ClassVar[bool] = True
    labels: ClassVar[dict[str, dict[str, str]]] = {}

    def regularizer(self, kl: torch.Tensor, beta: float, out: dict) -> torch.Tensor:
        """The term added to the reconstruction loss, per image, shape (N,).

        ``kl`` is the closed-form KL(q(z|x) ‖ N(0, I)) of each image (zeros for a kind that is not
        variational), ``beta`` the model's β, ``out`` the model's forward dict (μ, log σ², z, logits)
        for regularisers that need more than the KL. Default: β·KL (Higgins et al. 2017, eq. 4).
        """
        return beta * kl

    def extra_buffers(self, cfg) -> dict[str, torch.Tensor]:
        """Tensors the model stores besides its weights (saved in ``model.safetensors``); none by default."""
        return {}

    def after_fit(self, model, x_train: torch.Tensor) -> None:
        """Called once when training completes, before evaluation and saving; nothing by default."""

    def sample_codes(self, model, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
        """n codes to decode into new images: by default from the prior N(0, temperature² I)."""
        rng = np.random.default_rng(seed)
        return (temperature * rng.standard_normal((n, model.cfg.latent_dim))).astype(np.float32)
