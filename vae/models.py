"""One auto-encoder class for every kind (``vae.kinds``), over two bodies.

Not variational (the AE): x ─E→ z ─D→ x̂, a deterministic code.
Variational (VAE, β-VAE, …): x ─E→ (μ, log σ²); z = μ + σ⊙ε ─D→ x̂ (Kingma & Welling 2014, the
reparameterisation trick). Kinds differ by their regulariser, not by their network: the VAE and the
β-VAE share it exactly (Higgins et al. 2017).

Bodies are registered in ``BODIES`` (``mlp``, ``conv``); kinds in ``vae.kinds.KINDS``, which says
whether the encoder is variational and which extra tensors the model keeps. The decoder ends in
logits; ``decode`` applies the sigmoid so images are in [0, 1]. The MLP with ``hidden=[400]`` and
latent 20 is exactly the pytorch/examples VAE.
"""
from __future__ import annotations

from typing import Callable

import torch
from torch import nn

from .config import ModelConfig
from .errors import ConfigError
from .kinds import Kind, get_kind
from .losses import reparameterise


def _mlp_bodies(cfg: ModelConfig) -> tuple[nn.Module, nn.Module, int]:
    """Encoder trunk x → features and decoder z → logits for fully connected layers (ReLU)."""
    sizes = [cfg.input_dim, *cfg.hidden]
    enc: list[nn.Module] = [nn.Flatten()]
    for a, b in zip(sizes[:-1], sizes[1:]):
        enc += [nn.Linear(a, b), nn.ReLU()]
    rev = [cfg.latent_dim, *reversed(cfg.hidden)]
    dec: list[nn.Module] = []
    for a, b in zip(rev[:-1], rev[1:]):
        dec += [nn.Linear(a, b), nn.ReLU()]
    dec.append(nn.Linear(rev[-1], cfg.input_dim))
    return nn.Sequential(*enc), nn.Sequential(*dec), cfg.hidden[-1]


def _conv_bodies(cfg: ModelConfig) -> tuple[nn.Module, nn.Module, int]:
    """Two stride-2 convolutions (32, 64 channels) then the MLP hidden sizes; mirrored decoder."""
    h, w = cfg.image_shape
    h4, w4 = h // 4, w // 4
    flat = 64 * h4 * w4
    enc: list[nn.Module] = [
        nn.Unflatten(1, (1, h, w)),
        nn.Conv2d(1, 32, 4, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 4, stride=2, padding=1), nn.ReLU(),
        nn.Flatten(),
    ]
    sizes = [flat, *cfg.hidden]
    for a, b in zip(sizes[:-1], sizes[1:]):
        enc += [nn.Linear(a, b), nn.ReLU()]
    rev = [cfg.latent_dim, *reversed(cfg.hidden), flat]
    dec: list[nn.Module] = []
    for a, b in zip(rev[:-1], rev[1:]):
        dec += [nn.Linear(a, b), nn.ReLU()]
    dec += [
        nn.Unflatten(1, (64, h4, w4)),
        nn.ConvTranspose2d(64, 32, 4, stride=2, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(32, 1, 4, stride=2, padding=1),
        nn.Flatten(),
    ]
    return nn.Sequential(*enc), nn.Sequential(*dec), cfg.hidden[-1]


BODIES: dict[str, Callable[[ModelConfig], tuple[nn.Module, nn.Module, int]]] = {
    "mlp": _mlp_bodies,
    "conv": _conv_bodies,
}


class Autoencoder(nn.Module):
    """A model of kind ``cfg.kind`` (``self.kind``, from the registry); body chosen by ``cfg.arch``.

    Inputs may be shaped (N, H, W), (N, 1, H, W) or (N, H·W); outputs of ``decode`` are (N, H·W).
    """

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.kind: Kind = get_kind(cfg.kind)
        self.variational = self.kind.variational
        self.encoder, self.decoder, feat = BODIES[cfg.arch](cfg)
        self.mu_head = nn.Linear(feat, cfg.latent_dim)
        # log σ² head only for variational kinds: the AE has no σ.
        self.logvar_head = nn.Linear(feat, cfg.latent_dim) if self.variational else None
        for name, tensor in self.kind.extra_buffers(cfg).items():  # saved with the weights
            self.register_buffer(name, tensor)

    def _flat(self, x: torch.Tensor) -> torch.Tensor:
        return x.reshape(x.shape[0], -1)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Return (μ, log σ²) for variational kinds, (z, None) for the AE."""
        h = self.encoder(self._flat(x))
        mu = self.mu_head(h)
        return mu, (self.logvar_head(h) if self.logvar_head is not None else None)

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder output before the sigmoid, shape (N, H·W); the BCE loss works on these."""
        return self.decoder(z)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Decode codes to images in [0, 1], shape (N, H·W)."""
        return torch.sigmoid(self.decode_logits(z))

    @staticmethod
    def reparameterize(mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None,
                       eps: torch.Tensor | None = None) -> torch.Tensor:
        """z = μ + σ ⊙ ε, ε ~ N(0, I) (Kingma & Welling 2014, §2.4): the noise is an input, so ∂z/∂μ and ∂z/∂σ exist.

        ``eps`` given: use it (a caller that draws the noise of a whole data set at once); else draw it.
        """
        if eps is None:
            eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return reparameterise(mu, logvar, eps)

    def forward(self, x: torch.Tensor, sample: bool = True, generator: torch.Generator | None = None,
                eps: torch.Tensor | None = None) -> dict:
        """Encode, sample (variational kinds, unless ``sample=False``: then z = μ) and decode.

        Returns a dict with ``mu``, ``logvar`` (None for AE), ``z`` and ``logits``. ``eps``: the
        reparameterisation noise to use instead of drawing it (same shape as μ).
        """
        mu, logvar = self.encode(x)
        z = self.reparameterize(mu, logvar, generator, eps) if (logvar is not None and sample) else mu
        return {"mu": mu, "logvar": logvar, "z": z, "logits": self.decode_logits(z)}


def build_model(cfg: ModelConfig) -> Autoencoder:
    """Create a fresh, randomly initialised model from a config, refusing absurd sizes first."""
    cfg.validate()
    check_size(cfg)
    return Autoencoder(cfg)


def parameter_count(cfg: ModelConfig) -> int:
    """Number of parameters a config would allocate, computed without building it (guards huge configs)."""
    d, n = cfg.latent_dim, cfg.input_dim
    heads = (cfg.hidden[-1] + 1) * d * (2 if cfg.variational else 1)
    if cfg.arch == "mlp":
        sizes = [n, *cfg.hidden]
        enc = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
        rev = [d, *reversed(cfg.hidden), n]
        dec = sum((a + 1) * b for a, b in zip(rev[:-1], rev[1:]))
        return enc + dec + heads
    h, w = cfg.image_shape
    flat = 64 * (h // 4) * (w // 4)
    convs = (16 * 32 + 32) + (16 * 32 * 64 + 64)
    sizes = [flat, *cfg.hidden]
    enc = convs + sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    rev = [d, *reversed(cfg.hidden), flat]
    dec = sum((a + 1) * b for a, b in zip(rev[:-1], rev[1:])) + (16 * 64 * 32 + 32) + (16 * 32 + 1)
    return enc + dec + heads


MAX_PARAMETERS = 50_000_000


def check_size(cfg: ModelConfig) -> None:
    """Refuse configs whose model would exceed ``MAX_PARAMETERS`` (about 200 MB of float32)."""
    count = parameter_count(cfg)
    if count > MAX_PARAMETERS:
        raise ConfigError(f"this model would have {count:,} parameters; the limit is {MAX_PARAMETERS:,}")
