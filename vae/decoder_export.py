"""Export an MLP decoder as plain float32 arrays plus a small JSON spec, for decoding outside PyTorch
(the browser's live decoder runs these layers in JavaScript).

The decoder of an ``mlp`` body is ``Linear, ReLU, …, Linear`` followed by a sigmoid (applied by
``Autoencoder.decode``). Anything else (convolutions, reshapes, other activations) is refused with
:class:`UnsupportedDecoder`, whose message says why, so callers can fall back to server decoding.
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


class UnsupportedDecoder(ExplorerError):
    """The decoder cannot be exported as a chain of dense layers (e.g. a convolutional body)."""


@dataclass
class ExportedDecoder:
    """Layers of a dense decoder: ``weights[k]`` is (out, in) row-major like ``nn.Linear.weight``."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    latent_dim: int
    image_shape: tuple[int, int]

    @property
    def layer_sizes(self) -> list[int]:
        return [self.latent_dim] + [int(w.shape[0]) for w in self.weights]

    def flat(self) -> np.ndarray:
        """All parameters in one float32 vector: W0, b0, W1, b1, … (the order of :meth:`spec`'s offsets)."""
        parts = []
        for w, b in zip(self.weights, self.biases):
            parts += [w.reshape(-1), b.reshape(-1)]
        return np.concatenate(parts).astype("<f4", copy=False)

    def spec(self) -> dict:
        """JSON-friendly description: sizes, and per layer the float offsets of W and b in :meth:`flat`."""
        layers, offset = [], 0
        for w, b in zip(self.weights, self.biases):
            n_out, n_in = w.shape
            layers.append({"in": int(n_in), "out": int(n_out), "w": offset, "b": offset + n_out * n_in,
                           "relu": True})
            offset += n_out * n_in + n_out
        layers[-1]["relu"] = False
        return {"latent_dim": self.latent_dim, "image_shape": list(self.image_shape), "layers": layers,
                "n_floats": offset, "output": "sigmoid"}

    def forward(self, z: np.ndarray) -> np.ndarray:
        """Reference NumPy decode (N, d) -> (N, H*W) in [0, 1], the same computation the browser does."""
        h = np.atleast_2d(np.asarray(z, np.float32))
        for k, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = h @ w.T + b
            if k < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return 1.0 / (1.0 + np.exp(-h))


def export_decoder(model: Autoencoder) -> ExportedDecoder:
    """Dense layers of ``model.decoder``, or :class:`UnsupportedDecoder` with the reason."""
    if getattr(model.cfg, "arch", "mlp") != "mlp":
        raise UnsupportedDecoder(f"decoder body '{model.cfg.arch}' is not a chain of dense layers "
                                 "(only 'mlp' decoders run in the browser)")
    modules = list(model.decoder.children()) if isinstance(model.decoder, nn.Sequential) else [model.decoder]
    weights, biases = [], []
    for k, m in enumerate(modules):
        expect_linear = k % 2 == 0
        if expect_linear:
            if not isinstance(m, nn.Linear):
                raise UnsupportedDecoder(f"decoder layer {k} is {type(m).__name__}, expected Linear")
            with torch.no_grad():
                weights.append(m.weight.detach().cpu().numpy().astype(np.float32).copy())
                bias = m.bias if m.bias is not None else torch.zeros(m.out_features)
                biases.append(bias.detach().cpu().numpy().astype(np.float32).copy())
        elif not isinstance(m, nn.ReLU):
            raise UnsupportedDecoder(f"decoder layer {k} is {type(m).__name__}, expected ReLU")
    if not modules or not isinstance(modules[-1], nn.Linear):
        raise UnsupportedDecoder("the decoder does not end with a Linear layer")
    h, w = model.cfg.image_shape
    if weights[0].shape[1] != model.cfg.latent_dim or weights[-1].shape[0] != h * w:
        raise UnsupportedDecoder("decoder sizes do not match the latent dimension and the image size")
    for a, b in zip(weights[:-1], weights[1:]):
        if a.shape[0] != b.shape[1]:
            raise UnsupportedDecoder("consecutive decoder layers have mismatched sizes")
    return ExportedDecoder(weights, biases, int(model.cfg.latent_dim), (int(h), int(w)))


def weights_payload(exported: ExportedDecoder) -> dict:
    """The spec plus the parameters as base64 little-endian float32 and a short content hash."""
    raw = exported.flat().tobytes()
    return {"spec": exported.spec(), "b64": base64.b64encode(raw).decode("ascii"),
            "hash": hashlib.sha256(raw).hexdigest()[:16], "n_bytes": len(raw)}


def floats_b64(a: np.ndarray) -> str:
    """A float array as base64 little-endian float32 (compact transport of μ's to the browser)."""
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode("ascii")
