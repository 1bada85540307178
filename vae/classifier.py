"""A small digit classifier used to score generated images (prior-sample quality metrics).

Trained by the project on the same training split as the auto-encoders and shipped in
``pretrained/_classifiers/<dataset>/`` (safetensors + JSON, never pickled). A LeNet-style CNN
with random-shift augmentation reaches ≥ 97% on the 1,000-image MNIST test split.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file
from torch import nn

from .bounded_io import read_json
from .checkpoint import PRETRAINED_DIR, write_folder_atomically
from .data import Dataset
from .errors import CheckpointError

CLASSIFIER_DIR = PRETRAINED_DIR / "_classifiers"


class DigitClassifier(nn.Module):
    """Two conv blocks (32, 64 channels, 3×3, max-pool) and a 128-unit layer with dropout."""

    def __init__(self, image_shape: tuple[int, int] = (28, 28), n_classes: int = 10):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.n_classes = n_classes
        h, w = self.image_shape
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(),
        )
        self.head = nn.Sequential(nn.Linear(64 * (h // 4) * (w // 4), 128), nn.ReLU(), nn.Dropout(0.3),
                                  nn.Linear(128, n_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (N, n_classes) for images shaped (N, H, W), (N, 1, H, W) or (N, H·W)."""
        h, w = self.image_shape
        return self.head(self.features(x.reshape(-1, 1, h, w)))


def _shift(x: torch.Tensor, gen: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Random translation by up to ``max_shift`` pixels (zero padding), one shift per batch."""
    dx, dy = (int(v) for v in torch.randint(-max_shift, max_shift + 1, (2,), generator=gen))
    return torch.roll(F.pad(x, (max_shift,) * 4), shifts=(dy, dx), dims=(-2, -1))[..., max_shift:-max_shift, max_shift:-max_shift]


def train_classifier(data: Dataset, epochs: int = 20, seed: int = 0, batch_size: int = 64, lr: float = 1e-3,
                     progress=None) -> tuple[DigitClassifier, float]:
    """Train on ``data.x_train`` (Adam, shift augmentation); return the model and its test accuracy.

    ``progress(epochs_done, epochs)`` is called after every batch with a fractional count of epochs, so a bar
    moves during an epoch too (an epoch of Fashion-MNIST's 60,000 images takes about 30 s on one core)."""
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = DigitClassifier(data.image_shape, data.n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    x, y = data.x_train.unsqueeze(1), data.y_train
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(x), generator=gen)
        for i in range(0, len(x), batch_size):
            idx = perm[i:i + batch_size]
            loss = F.cross_entropy(model(_shift(x[idx], gen)), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if progress:
                progress(epoch + min(i + batch_size, len(x)) / len(x), epochs)
    return model.eval(), accuracy(model, data.x_test, data.y_test)


@torch.no_grad()
def predict_proba(model: DigitClassifier, images: torch.Tensor | np.ndarray) -> np.ndarray:
    """Class probabilities (N, n_classes) of images in [0, 1]."""
    model.eval()
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    return torch.softmax(model(x), dim=1).numpy()


def accuracy(model: DigitClassifier, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of images classified correctly."""
    return float((predict_proba(model, x).argmax(1) == y.numpy()).mean())


def save_classifier(model: DigitClassifier, folder: Path, info: dict, dtype: torch.dtype = torch.float16) -> None:
    """Write weights (safetensors, float16 by default: half the size, like the shipped models; round the model
    first with ``vae.training_run.round_to`` so its accuracy describes what is stored) and ``config.json``
    atomically, like a model folder. Loading restores float32."""
    def write(tmp: Path) -> None:
        save_file({k: v.to(dtype).contiguous() for k, v in model.state_dict().items()}, str(tmp / "model.safetensors"))
        config = {"image_shape": list(model.image_shape), "n_classes": model.n_classes, **info}
        (tmp / "config.json").write_text(json.dumps(config, indent=2))

    write_folder_atomically(Path(folder), write, overwrite=True)  # the CLI regenerates a shipped classifier


def load_classifier(dataset: str = "mnist") -> DigitClassifier:
    """The shipped classifier for ``dataset`` (raises ``CheckpointError`` when there is none)."""
    folder = CLASSIFIER_DIR / dataset
    try:
        cfg = read_json(folder / "config.json", limit=64 * 1024, error=CheckpointError)
        model = DigitClassifier(tuple(cfg["image_shape"]), int(cfg["n_classes"]))
        model.load_state_dict(load_file(str(folder / "model.safetensors")))
    except (CheckpointError, OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"no usable classifier for dataset {dataset!r} ({exc})") from None
    return model.eval()


def has_classifier(dataset: str) -> bool:
    """True when a classifier is shipped for ``dataset``."""
    return (CLASSIFIER_DIR / dataset / "model.safetensors").is_file()
