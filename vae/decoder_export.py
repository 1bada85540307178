"""Export a model's dense networks (the MLP decoder, and the MLP encoder with its μ and log σ² heads) as
plain float32 arrays plus a small JSON spec, for running them outside PyTorch (the browser's explorer runs
these layers in JavaScript).

One format for both directions. Every network is a list of dense layers ``y = W x + b`` (``W`` row-major,
shape (out, in), like ``nn.Linear.weight``), each optionally followed by a ReLU; all parameters live in one
float32 vector and the spec gives, per layer, the float offsets of ``W`` and ``b`` in it:

* decoder: ``layers`` z → … → logits, then a sigmoid (``"output": "sigmoid"``, applied by
  ``Autoencoder.decode``);
* encoder: ``layers`` x → features (every layer ReLU), then ``heads``: ``mu`` (and ``logvar`` for the
  variational kinds), dense layers without activation reading the features.

Anything else (convolutions, reshapes, other activations) is refused with :class:`UnsupportedNetwork`,
whose message says why, so callers can fall back to running the model on the server.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .errors import ExplorerError
from .models import Autoencoder


class UnsupportedNetwork(ExplorerError):
    """The network cannot be exported as a chain of dense layers (e.g. a convolutional body)."""


#: The historical name (decoder export came first); the same exception.
UnsupportedDecoder = UnsupportedNetwork


@dataclass
class DenseLayer:
    """``y = weight @ x + bias``, then ReLU when ``relu``; ``weight`` is (out, in) float32."""

    weight: np.ndarray
    bias: np.ndarray
    relu: bool

    @property
    def n_in(self) -> int:
        return int(self.weight.shape[1])

    @property
    def n_out(self) -> int:
        return int(self.weight.shape[0])

    def __call__(self, h: np.ndarray) -> np.ndarray:
        y = h @ self.weight.T + self.bias
        return np.maximum(y, 0.0) if self.relu else y


def _run(layers: list[DenseLayer], x: np.ndarray) -> np.ndarray:
    h = np.atleast_2d(np.asarray(x, np.float32))
    for layer in layers:
        h = layer(h)
    return h


def _pack(groups: list[list[DenseLayer]]) -> tuple[np.ndarray, list[list[dict]]]:
    """All parameters of ``groups`` (lists of layers) in one float32 vector W0, b0, W1, b1, …, and per
    layer its JSON spec ``{"in", "out", "w", "b", "relu"}`` (``w``, ``b``: float offsets in the vector)."""
    parts, specs, offset = [], [], 0
    for group in groups:
        specs.append([])
        for layer in group:
            specs[-1].append({"in": layer.n_in, "out": layer.n_out, "w": offset,
                              "b": offset + layer.n_out * layer.n_in, "relu": bool(layer.relu)})
            parts += [layer.weight.reshape(-1), layer.bias.reshape(-1)]
            offset += layer.n_out * layer.n_in + layer.n_out
    flat = np.concatenate(parts).astype("<f4", copy=False) if parts else np.zeros(0, "<f4")
    return flat, specs


def _linear(m: nn.Linear, relu: bool) -> DenseLayer:
    with torch.no_grad():
        w = m.weight.detach().cpu().numpy().astype(np.float32).copy()
        b = (m.bias.detach().cpu().numpy() if m.bias is not None else np.zeros(m.out_features)).astype(np.float32).copy()
    return DenseLayer(w, b, relu)


def dense_chain(modules: list[nn.Module], what: str) -> list[DenseLayer]:
    """``Linear[, ReLU], Linear[, ReLU], …`` (no other module, ``Flatten`` only in first place) as dense
    layers; :class:`UnsupportedNetwork` naming the first module that does not fit."""
    offset = 1 if modules and isinstance(modules[0], nn.Flatten) else 0
    layers: list[DenseLayer] = []
    for k, m in enumerate(modules[offset:], start=offset):
        if isinstance(m, nn.Linear):
            layers.append(_linear(m, relu=False))
        elif isinstance(m, nn.ReLU) and layers and not layers[-1].relu:
            layers[-1].relu = True
        else:
            expected = "Linear or ReLU" if layers and not layers[-1].relu else "Linear"
            raise UnsupportedNetwork(f"{what} layer {k} is {type(m).__name__}, expected {expected}")
    for a, b in zip(layers[:-1], layers[1:]):
        if a.n_out != b.n_in:
            raise UnsupportedNetwork(f"consecutive {what} layers have mismatched sizes")
    return layers


def _children(module: nn.Module) -> list[nn.Module]:
    return list(module.children()) if isinstance(module, nn.Sequential) else [module]


def _require_mlp(model: Autoencoder, what: str) -> None:
    if getattr(model.cfg, "arch", "mlp") != "mlp":
        raise UnsupportedNetwork(f"{what} body '{model.cfg.arch}' is not a chain of dense layers "
                                 f"(only 'mlp' {what}s run in the browser)")


@dataclass
class ExportedDecoder:
    """Layers of a dense decoder: ``weights[k]`` is (out, in) row-major like ``nn.Linear.weight``."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    latent_dim: int
    image_shape: tuple[int, int]

    @property
    def layers(self) -> list[DenseLayer]:
        last = len(self.weights) - 1
        return [DenseLayer(w, b, k < last) for k, (w, b) in enumerate(zip(self.weights, self.biases))]

    @property
    def layer_sizes(self) -> list[int]:
        return [self.latent_dim] + [int(w.shape[0]) for w in self.weights]

    def flat(self) -> np.ndarray:
        """All parameters in one float32 vector: W0, b0, W1, b1, … (the order of :meth:`spec`'s offsets)."""
        return _pack([self.layers])[0]

    def spec(self) -> dict:
        """JSON-friendly description: sizes, and per layer the float offsets of W and b in :meth:`flat`."""
        flat, (layers,) = _pack([self.layers])
        return {"net": "decoder", "latent_dim": self.latent_dim, "image_shape": list(self.image_shape),
                "layers": layers, "n_floats": int(flat.size), "output": "sigmoid"}

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Reference NumPy decode (N, d) -> (N, H*W) in [0, 1], the same computation the browser does."""
        return 1.0 / (1.0 + np.exp(-_run(self.layers, z)))


def export_decoder(model: Autoencoder) -> ExportedDecoder:
    """Dense layers of ``model.decoder``, or :class:`UnsupportedNetwork` with the reason."""
    _require_mlp(model, "decoder")
    layers = dense_chain(_children(model.decoder), "decoder")
    if not layers or layers[-1].relu or not all(layer.relu for layer in layers[:-1]):
        raise UnsupportedNetwork("the decoder is not Linear, ReLU, …, Linear")
    h, w = model.cfg.image_shape
    if layers[0].n_in != model.cfg.latent_dim or layers[-1].n_out != h * w:
        raise UnsupportedNetwork("decoder sizes do not match the latent dimension and the image size")
    return ExportedDecoder([layer.weight for layer in layers], [layer.bias for layer in layers],
                           int(model.cfg.latent_dim), (int(h), int(w)))


@dataclass
class ExportedEncoder:
    """A dense encoder: ``trunk`` x → features (ReLU after every layer), then the heads ``mu`` and, for the
    variational kinds, ``logvar`` (q(z|x) = N(μ, diag σ²), Kingma & Welling 2014), without activation."""

    trunk: list[DenseLayer]
    heads: dict[str, DenseLayer]
    latent_dim: int
    image_shape: tuple[int, int]

    @property
    def variational(self) -> bool:
        return "logvar" in self.heads

    def _groups(self) -> list[list[DenseLayer]]:
        return [self.trunk] + [[self.heads[name]] for name in self.heads]

    def flat(self) -> np.ndarray:
        """All parameters in one float32 vector: the trunk's layers, then each head (``spec``'s offsets)."""
        return _pack(self._groups())[0]

    def spec(self) -> dict:
        """JSON-friendly description: the trunk's layers and the heads, with float offsets in :meth:`flat`."""
        flat, (trunk, *heads) = _pack(self._groups())
        return {"net": "encoder", "input_dim": int(np.prod(self.image_shape)), "latent_dim": self.latent_dim,
                "image_shape": list(self.image_shape), "layers": trunk,
                "heads": {name: spec[0] for name, spec in zip(self.heads, heads)},
                "variational": self.variational, "n_floats": int(flat.size)}

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Reference NumPy encode (N, H*W) in [0, 1] -> (μ, log σ² or None), what the browser computes."""
        x = np.atleast_2d(np.asarray(x, np.float32))
        h = _run(self.trunk, x.reshape(len(x), -1))
        mu = self.heads["mu"](h)
        return mu, (self.heads["logvar"](h) if self.variational else None)


def export_encoder(model: Autoencoder) -> ExportedEncoder:
    """Dense layers of ``model.encoder`` and its heads, or :class:`UnsupportedNetwork` with the reason."""
    _require_mlp(model, "encoder")
    trunk = dense_chain(_children(model.encoder), "encoder")
    if not all(layer.relu for layer in trunk):
        raise UnsupportedNetwork("the encoder trunk is not Linear, ReLU, …, Linear, ReLU")
    heads = {"mu": _linear(model.mu_head, relu=False)}
    if model.logvar_head is not None:
        heads["logvar"] = _linear(model.logvar_head, relu=False)
    h, w = model.cfg.image_shape
    n_features = trunk[-1].n_out if trunk else h * w
    if (trunk and trunk[0].n_in != h * w) or any(
            head.n_in != n_features or head.n_out != model.cfg.latent_dim for head in heads.values()):
        raise UnsupportedNetwork("encoder sizes do not match the image size and the latent dimension")
    return ExportedEncoder(trunk, heads, int(model.cfg.latent_dim), (int(h), int(w)))


def weights_payload(exported: ExportedDecoder | ExportedEncoder) -> dict:
    """The spec plus the parameters as base64 little-endian float32 and a short content hash."""
    raw = exported.flat().tobytes()
    return {"spec": exported.spec(), "b64": base64.b64encode(raw).decode("ascii"),
            "hash": hashlib.sha256(raw).hexdigest()[:16], "n_bytes": len(raw)}


def floats_b64(a: np.ndarray) -> str:
    """A float array as base64 little-endian float32 (compact transport of μ's to the browser)."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")
