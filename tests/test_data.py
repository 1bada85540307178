"""Datasets: fixed splits, ranges and dtypes, user .npz validation, OpenML with a faked download."""
from __future__ import annotations

import pickle
import urllib.error

import numpy as np
import pytest
import torch

import vae.data as data_mod
from vae.data import SPRITE_FACTORS, dataset_names, load_dataset, load_npz, render_sprites, sprite_factor_grid
from vae.errors import DatasetError


def _check_common(ds, shape):
    for x in (ds.x_train, ds.x_test):
        assert x.dtype == torch.float32 and x.shape[1:] == shape
        assert x.min() >= 0 and x.max() <= 1
    assert ds.y_train.dtype == torch.int64 and ds.y_test.dtype == torch.int64
    assert len(ds.x_train) == len(ds.y_train) and len(ds.x_test) == len(ds.y_test)
    assert ds.image_shape == shape


def test_registry():
    assert set(dataset_names()) >= {"mnist", "digits", "sprites", "mnist-full", "fashion-mnist"}
    with pytest.raises(DatasetError, match="unknown dataset 'cifar'"):
        load_dataset("cifar")


def test_mnist_split(mnist):
    _check_common(mnist, (28, 28))
    assert len(mnist.x_train) == 4000 and len(mnist.x_test) == 1000
    assert torch.equal(torch.bincount(mnist.y_test), torch.full((10,), 100))
    assert torch.equal(torch.bincount(mnist.y_train), torch.full((10,), 400))
    assert mnist.x_train.max() == 1.0 and mnist.n_classes == 10
    # test and train images are different images
    tr = {hash(x.numpy().tobytes()) for x in mnist.x_train}
    assert not any(hash(x.numpy().tobytes()) in tr for x in mnist.x_test[:200])
    assert mnist.label_names == [str(i) for i in range(10)]


def test_mnist_split_is_fixed(mnist):
    again = load_dataset("mnist")  # from the session cache
    assert torch.equal(again.x_test, mnist.x_test) and torch.equal(again.y_train, mnist.y_train)


def test_digits(digits):
    _check_common(digits, (8, 8))
    assert len(digits.x_train) + len(digits.x_test) == 1797
    assert torch.equal(torch.bincount(digits.y_test), torch.full((10,), 30))
    assert digits.x_train.max() == 1.0


def test_sprites(sprites):
    _check_common(sprites, (32, 32))
    n = len(sprites.x_train) + len(sprites.x_test)
    assert n == 3 * 4 * 8 * 8 * 8 and len(sprites.x_test) == n // 5
    assert sprites.factor_names == list(SPRITE_FACTORS) and len(SPRITE_FACTORS) == 5
    assert sprites.factors_train.shape == (len(sprites.x_train), 5)
    assert sprites.factors_test.shape == (len(sprites.x_test), 5)
    sizes = [3, 4, 8, 8, 8]
    for j, k in enumerate(sizes):
        assert set(np.unique(sprites.factors_train[:, j])) == set(range(k))
        assert set(np.unique(sprites.factors_test[:, j])) == set(range(k))
    assert np.array_equal(sprites.y_train.numpy(), sprites.factors_train[:, 0])
    assert set(torch.unique(sprites.x_train).tolist()) <= {0.0, 1.0}
    # every sprite draws something, and is inside the frame
    assert (sprites.x_train.sum((1, 2)) > 5).all()
    assert sprites.label_names == ["square", "ellipse", "heart"]


def test_sprite_factors_change_the_image():
    values, idx = sprite_factor_grid()
    base = values[:1].copy()
    img = render_sprites(base)[0]
    for j, delta in [(0, 1), (1, 0.05), (2, np.pi / 4), (3, 0.1), (4, 0.1)]:
        v = base.copy()
        v[0, j] += delta
        assert not np.array_equal(render_sprites(v)[0], img), SPRITE_FACTORS[j]
    moved = base.copy()
    moved[0, 3] += 8 / 32  # move right by 8 pixels
    assert np.array_equal(np.roll(img, 8, axis=1), render_sprites(moved)[0])


# ---------------------------------------------------------------- user .npz files


def _npz(tmp_path, name="d.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def test_npz_good_0_255_is_scaled(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, size=(20, 12, 12)).astype(np.uint8)
    x[0, 0, 0] = 255
    y = np.arange(20) % 3
    ds = load_dataset(f"npz:{_npz(tmp_path, x=x, y=y)}")
    _check_common(ds, (12, 12))
    assert len(ds.x_train) == 16 and len(ds.x_test) == 4
    all_x = torch.cat([ds.x_train, ds.x_test])
    assert all_x.max().item() == 1.0
    assert torch.allclose(torch.sort(all_x.flatten())[0],
                          torch.sort(torch.from_numpy(x.astype(np.float32) / 255).flatten())[0])
    assert sorted(torch.cat([ds.y_train, ds.y_test]).tolist()) == sorted(y.tolist())
    assert ds.name.startswith("npz:")


def test_npz_flat_rows_and_unit_range_kept(tmp_path):
    x = np.random.default_rng(1).random((10, 36)).astype(np.float64)
    ds = load_npz(_npz(tmp_path, x=x))
    assert ds.image_shape == (6, 6)
    assert torch.allclose(torch.sort(torch.cat([ds.x_train, ds.x_test]).flatten())[0],
                          torch.sort(torch.from_numpy(x.astype(np.float32)).flatten())[0])
    assert (torch.cat([ds.y_train, ds.y_test]) == 0).all()


@pytest.mark.parametrize("arrays, message", [
    ({"x": np.zeros((4, 5, 5, 1))}, "shape"),
    ({"x": np.zeros(10)}, "shape"),
    ({"x": np.zeros((4, 30))}, "not a square"),
    ({"x": np.zeros((0, 8, 8))}, "empty"),
    ({"x": np.zeros((5, 0))}, "empty"),
    ({"x": np.full((3, 8, 8), np.nan)}, "NaN"),
    ({"x": np.array([[[0.0, np.inf], [0.5, 0.2]]] * 3)}, "NaN or infinite"),
    ({"x": np.full((3, 8, 8), -3.0)}, r"\[0, 1\] or \[0, 255\], got \[-3"),
    ({"x": np.full((3, 8, 8), 300.0)}, "300"),
    ({"x": np.array([["a"] * 4] * 3)}, "numbers"),
    ({"x": np.zeros((1, 8, 8))}, "at least 2"),
    ({"x": np.zeros((3, 1, 1))}, "pixels a side"),
    ({"x": np.zeros((3, 200, 200))}, "pixels a side"),
    ({"images": np.zeros((3, 8, 8))}, "no array named 'x'.*images"),
    ({"x": np.zeros((4, 8, 8)), "y": np.array([0, 1, 2])}, "'y' must be 4 integer labels"),
    ({"x": np.zeros((4, 8, 8)), "y": np.array([0, 1, -1, 2])}, "'y'"),
    ({"x": np.zeros((4, 8, 8)), "y": np.array([0.5, 1, 2, 3])}, "'y'"),
    ({"x": np.zeros((4, 8, 8)), "y": np.array([0, 1, 2, 5000])}, "'y'"),
])
def test_npz_invalid(tmp_path, arrays, message):
    with pytest.raises(DatasetError, match=message):
        load_npz(_npz(tmp_path, **arrays))


def test_npz_not_an_npz(tmp_path):
    text = tmp_path / "text.npz"
    text.write_text("this is not numpy")
    with pytest.raises(DatasetError, match="not a readable .npz"):
        load_npz(text)
    npy = tmp_path / "single.npz"
    with open(npy, "wb") as f:
        np.save(f, np.zeros((3, 8, 8)))
    with pytest.raises(DatasetError, match="single .npy"):
        load_npz(npy)
    with pytest.raises(DatasetError, match="no such file"):
        load_npz(tmp_path / "missing.npz")
    with pytest.raises(DatasetError, match="no such file"):
        load_dataset(f"npz:{tmp_path}")  # a folder


def test_npz_pickles_refused(tmp_path):
    obj = np.empty(3, dtype=object)
    obj[:] = [np.zeros((8, 8))] * 3
    with pytest.raises(DatasetError):
        load_npz(_npz(tmp_path, x=obj))
    ylab = _npz(tmp_path, "y.npz", x=np.zeros((3, 8, 8)), y=np.array(["a", None, 1], dtype=object))
    with pytest.raises(DatasetError):
        load_npz(ylab)
    pk = tmp_path / "pickle.npz"
    pk.write_bytes(pickle.dumps({"x": np.zeros((3, 8, 8))}))
    with pytest.raises(DatasetError, match="not a readable"):
        load_npz(pk)


def test_npz_oversized_file_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(data_mod, "MAX_NPZ_BYTES", 100)
    with pytest.raises(DatasetError, match="limit"):
        load_npz(_npz(tmp_path, x=np.zeros((3, 8, 8))))


# ---------------------------------------------------------------- OpenML, download faked


def test_openml_offline_says_a_network_is_needed(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))

    def offline(*a, **k):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(data_mod, "fetch_openml", offline)
    for name in ("mnist-full",):
        with pytest.raises(DatasetError, match="network connection is needed") as err:
            load_dataset(name)
        assert name in str(err.value) and "URLError" in str(err.value)
    assert not list(tmp_path.glob("*.npz"))  # nothing cached after a failure


@pytest.mark.parametrize("name, source", [("mnist-full", "mnist_784")])
def test_openml_loader_with_fake_download_and_cache(tmp_path, monkeypatch, name, source):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    rng = np.random.default_rng(0)
    n = 140
    fake_x = rng.integers(0, 256, size=(n, 784)).astype(np.float64)
    fake_y = np.array([str(i % 10) for i in range(n)], dtype=object)  # OpenML gives string labels
    calls = []

    def fake_fetch(src, **kw):
        calls.append((src, kw))
        return fake_x, fake_y

    monkeypatch.setattr(data_mod, "fetch_openml", fake_fetch)
    ds = load_dataset(name)
    assert len(calls) == 1 and calls[0][0] == source
    assert calls[0][1]["as_frame"] is False and str(tmp_path) in calls[0][1]["data_home"]
    _check_common(ds, (28, 28))
    assert len(ds.x_train) == 120 and len(ds.x_test) == 20  # the last n/7 images are the test split
    assert torch.allclose(ds.x_test[-1].flatten(), torch.from_numpy(fake_x[-1] / 255).float())
    assert ds.y_test.tolist() == [i % 10 for i in range(120, 140)]
    cached = list(tmp_path.glob("*.npz"))
    assert len(cached) == 1 and source in cached[0].name
    # second load: from the cache, no download
    monkeypatch.setattr(data_mod, "fetch_openml", lambda *a, **k: pytest.fail("downloaded again"))
    again = load_dataset(name)
    assert torch.equal(again.x_train, ds.x_train) and torch.equal(again.y_test, ds.y_test)


def test_damaged_cache_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    (tmp_path / "openml-mnist_784-v1.npz").write_bytes(b"garbage")
    monkeypatch.setattr(data_mod, "fetch_openml",
                        lambda *a, **k: (np.zeros((14, 784)), np.array(["1"] * 14, dtype=object)))
    ds = load_dataset("mnist-full")
    assert len(ds.x_test) == 2


def test_cache_dir_follows_env(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "c"))
    assert data_mod.cache_dir() == tmp_path / "c" and (tmp_path / "c").is_dir()


# ---------------------------------------------------------------- Fashion-MNIST from Debian's IDX files
def _idx(path, array: np.ndarray, magic: bytes | None = None, extra: bytes = b"") -> None:
    """Write ``array`` (uint8) as a gzip-compressed IDX file."""
    import gzip
    import struct

    head = magic if magic is not None else bytes([0, 0, 8, array.ndim])
    with gzip.open(path, "wb") as f:
        f.write(head + struct.pack(f">{array.ndim}I", *array.shape) + array.astype(np.uint8).tobytes() + extra)


def _fake_fashion(folder, n_train=30, n_test=10):
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {"x_train": rng.integers(0, 256, (n_train, 28, 28)), "y_train": np.arange(n_train) % 10,
              "x_test": rng.integers(0, 256, (n_test, 28, 28)), "y_test": (np.arange(n_test) * 3) % 10}
    for key, name in data_mod.FASHION_FILES.items():
        _idx(folder / name, arrays[key])
    return arrays


def test_fashion_mnist_reads_the_idx_files_with_the_standard_split(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "fm"))
    arrays = _fake_fashion(tmp_path / "fm")
    ds = load_dataset("fashion-mnist")
    _check_common(ds, (28, 28))
    assert (len(ds.x_train), len(ds.x_test)) == (30, 10)  # the files' own split: training files, then t10k
    assert torch.allclose(ds.x_test[3], torch.from_numpy(arrays["x_test"][3] / 255).float())
    assert ds.y_train.tolist() == arrays["y_train"].tolist() and ds.y_test.tolist() == arrays["y_test"].tolist()
    assert ds.label_names == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                              "Bag", "Ankle boot"]
    # parsed once, then read from the cache folder: the IDX files are not read again
    for f in (tmp_path / "fm").iterdir():
        f.unlink()
    again = load_dataset("fashion-mnist")
    assert torch.equal(again.x_test, ds.x_test) and torch.equal(again.y_train, ds.y_train)


def test_fashion_mnist_missing_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "nowhere"))
    assert not data_mod.fashion_mnist_available()
    with pytest.raises(DatasetError) as err:
        load_dataset("fashion-mnist")
    assert "apt-get install dataset-fashion-mnist" in str(err.value) and "VAE_FASHION_MNIST_DIR" in str(err.value)
    assert not list((tmp_path / "cache").glob("*.npz"))  # nothing cached after a failure


@pytest.mark.parametrize("damage, message", [
    ("magic", "not an IDX file"), ("truncated", "truncated"), ("padded", "more bytes"),
    ("not_gzip", "cannot be decompressed"), ("huge", "declares"), ("labels", "do not match")])
def test_fashion_mnist_damaged_files_are_refused_by_name(tmp_path, monkeypatch, damage, message):
    import gzip
    import struct

    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "fm"))
    _fake_fashion(tmp_path / "fm")
    target = tmp_path / "fm" / "t10k-images-idx3-ubyte.gz"
    images = np.zeros((10, 28, 28), np.uint8)
    if damage == "magic":
        _idx(target, images, magic=b"\0\0\x0d\x03")  # float32 values, not bytes
    elif damage == "truncated":
        with gzip.open(target, "wb") as f:
            f.write(bytes([0, 0, 8, 3]) + struct.pack(">3I", 10, 28, 28) + b"\0" * 100)
    elif damage == "padded":
        _idx(target, images, extra=b"\0")
    elif damage == "not_gzip":
        target.write_bytes(b"not a gzip stream" * 10)
    elif damage == "huge":
        with gzip.open(target, "wb") as f:
            f.write(bytes([0, 0, 8, 3]) + struct.pack(">3I", 4_000_000_000, 28, 28))
    else:
        _idx(tmp_path / "fm" / "t10k-labels-idx1-ubyte.gz", np.arange(7) % 10)  # 7 labels for 10 images
    with pytest.raises(DatasetError, match=message) as err:
        load_dataset("fashion-mnist")
    if damage != "labels":
        assert "t10k-images-idx3-ubyte.gz" in str(err.value)


def test_fashion_mnist_from_debians_package():
    """The real files (CI installs ``dataset-fashion-mnist``; skipped locally without them)."""
    from vae.devtools.ci import missing_prerequisite

    if not data_mod.fashion_mnist_available():
        missing_prerequisite(data_mod.FASHION_MISSING)
    ds = load_dataset("fashion-mnist")
    assert (len(ds.x_train), len(ds.x_test)) == (60_000, 10_000)
    assert np.bincount(ds.y_test.numpy()).tolist() == [1000] * 10
    assert 0.25 < float(ds.x_test.mean()) < 0.32  # Fashion-MNIST's mean intensity is about 0.286
