"""What the explorer sends the browser (no browser here): bundles, decoder export, test set and projection
contents, the map inverse the JavaScript must reproduce, the published files, and the one validator of
everything the browser sends back (forged component state)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from apptest_utils import ROOT
from vae import latent
from vae.browser_bundle import BundleError, pack, unpack
from vae.checkpoint import load_model
from vae.config import ModelConfig
from vae.data import load_dataset
from vae.decoder_export import UnsupportedDecoder, export_decoder
from vae.explorer_data import decoder_bundle, flat_uint8, map_to_code, projection_bundle, split_bundle
from vae.models import build_model
from vae.projection import fit_pca, fit_tsne, native
from vae.ui.explorer import messages

VAE_2D = ROOT / "pretrained" / "mnist-vae-2d"


def _tiny(arch="mlp", latent_dim=3, hidden=(32, 16), kind="vae"):
    torch.manual_seed(0)
    return build_model(ModelConfig(kind=kind, latent_dim=latent_dim, hidden=list(hidden), arch=arch))


# ---- bundles ------------------------------------------------------------------------------------------
def test_bundle_round_trip_keeps_arrays_meta_and_alignment():
    arrays = {"a": np.arange(12, dtype=np.float64).reshape(3, 4), "b": np.array([1, 255], np.uint8),
              "c": np.array([-5, 7], np.int64), "empty": np.zeros((0, 2), np.float32)}
    b = pack({"x": [1, "é"]}, arrays)
    meta, out = unpack(b.data)
    assert meta == {"x": [1, "é"]}
    np.testing.assert_array_equal(out["a"], arrays["a"].astype(np.float32))
    assert out["a"].dtype == np.float32 and out["b"].dtype == np.uint8 and out["c"].dtype == np.int32
    np.testing.assert_array_equal(out["c"], [-5, 7])
    assert out["empty"].shape == (0, 2)
    assert len(b.data) % 8 == 0 and len(b.hash) == 20
    assert pack({"x": [1, "é"]}, arrays).hash == b.hash            # deterministic: the hash names the file
    assert pack({"x": [2]}, arrays).hash != b.hash


@pytest.mark.parametrize("data", [b"", b"VXB2" + bytes(8), b"VXB1" + (10**6).to_bytes(4, "little"),
                                  b"VXB1" + (5).to_bytes(4, "little") + b"{bad}"])
def test_malformed_bundles_are_refused(data):
    with pytest.raises(BundleError):
        unpack(data)


def test_bundle_with_array_outside_the_data_is_refused():
    b = bytearray(pack({}, {"a": np.zeros(4, np.float32)}).data)
    with pytest.raises(BundleError):
        unpack(bytes(b[:-8]))  # truncated


# ---- the decoder ----------------------------------------------------------------------------------------
def test_export_matches_torch_decode():
    model = _tiny()
    exp = export_decoder(model)
    assert exp.layer_sizes == [3, 16, 32, 784]
    z = np.random.default_rng(1).standard_normal((64, 3)).astype(np.float32)
    ref = latent.decode(model, z).reshape(64, -1)
    assert np.abs(exp.forward(z) - ref).max() < 1e-5


def test_decoder_bundle_layout_matches_the_spec():
    model = _tiny()
    exp = export_decoder(model)
    meta, arrays = unpack(decoder_bundle(model).data)
    spec, flat = meta["spec"], arrays["params"]
    assert flat.size == spec["n_floats"] == sum(w.size + b.size for w, b in zip(exp.weights, exp.biases))
    for layer, w, b in zip(spec["layers"], exp.weights, exp.biases):
        np.testing.assert_array_equal(flat[layer["w"]:layer["w"] + w.size].reshape(w.shape), w)
        np.testing.assert_array_equal(flat[layer["b"]:layer["b"] + b.size], b)
    assert [layer["relu"] for layer in spec["layers"]] == [True, True, False]


def test_conv_decoder_is_not_sent_and_the_test_set_carries_reconstructions():
    with pytest.raises(UnsupportedDecoder, match="conv"):
        export_decoder(_tiny(arch="conv"))
    model = _tiny(arch="conv", latent_dim=2, hidden=(32,))
    assert decoder_bundle(model) is None
    data = load_dataset("mnist")
    mu, logvar = latent.encode(model, data.x_test[:50])
    small = type(data)(**{**data.__dict__, "x_test": data.x_test[:50], "y_test": data.y_test[:50]})
    _, arrays = unpack(split_bundle(model, small, mu, logvar, browser_decodes=False).data)
    np.testing.assert_array_equal(arrays["recon"], flat_uint8(latent.decode(model, mu)))


# ---- the test set and the projections ------------------------------------------------------------------------
def test_split_bundle_of_a_shipped_model():
    model = load_model(VAE_2D)
    data = load_dataset("mnist")
    mu, logvar = latent.encode(model, data.x_test)
    meta, arrays = unpack(split_bundle(model, data, mu, logvar, browser_decodes=True).data)
    assert meta["n"] == 1000 and meta["latent_dim"] == 2 and meta["variational"] and meta["image_shape"] == [28, 28]
    np.testing.assert_allclose(arrays["mu"], mu, rtol=0, atol=0)
    np.testing.assert_allclose(arrays["logvar"], logvar, rtol=0, atol=0)
    np.testing.assert_array_equal(arrays["labels"], data.y_test.numpy())
    assert arrays["images"].shape == (1000, 784) and arrays["images"].dtype == np.uint8
    assert np.abs(arrays["images"] / 255.0 - data.x_test.numpy().reshape(1000, -1)).max() <= 0.5 / 255 + 1e-6
    assert "recon" not in arrays  # the browser decodes μ itself
    order, score, name = latent.dimension_order(mu, logvar)
    assert meta["order"] == list(order) and meta["score_name"] == name == "kl"


def test_a_large_test_split_shows_a_stratified_thousand_with_matching_images():
    """Fashion-MNIST's 10,000 test images: the explorer shows 1,000 (each class its share), the same as the films,
    and the bundle's images, labels and codes are those of the shown indices."""
    from vae.data import Dataset
    from vae.explorer_data import SHOWN_IMAGES, shown_indices
    from vae.film import film_indices

    rng = np.random.default_rng(3)
    y = torch.from_numpy(np.repeat(np.arange(10), [500, 400, 300, 300, 300, 300, 300, 300, 300, 1000]))
    x = torch.from_numpy(rng.random((len(y), 28, 28), dtype=np.float32))
    data = Dataset("big", x[:10], y[:10], x, y, (28, 28), [str(i) for i in range(10)])
    shown = shown_indices(data)
    assert len(shown) == SHOWN_IMAGES == 1000 and np.all(np.diff(shown) > 0)
    assert np.bincount(y.numpy()[shown]).tolist() == [125, 100, 75, 75, 75, 75, 75, 75, 75, 250]
    np.testing.assert_array_equal(shown, film_indices(y.numpy()))
    model = build_model(ModelConfig(kind="vae", latent_dim=2, hidden=[16], image_shape=(28, 28)))
    mu, logvar = latent.encode(model, x[shown])
    meta, arrays = unpack(split_bundle(model, data, mu, logvar, browser_decodes=True).data)
    assert meta["n"] == 1000
    np.testing.assert_array_equal(arrays["labels"], y.numpy()[shown])
    assert np.abs(arrays["images"] / 255.0 - x.numpy()[shown].reshape(1000, -1)).max() <= 0.5 / 255 + 1e-6
    small = Dataset("small", x[:10], y[:10], x[:900], y[:900], (28, 28))
    np.testing.assert_array_equal(shown_indices(small), np.arange(900))  # a small split is shown whole


@pytest.mark.parametrize("n_test, offered", [(1000, [1000]), (900, [900]), (3000, [1000, 3000]),
                                             (10_000, [1000, 5000, 10_000]), (60_000, [1000, 5000, 10_000])])
def test_the_map_offers_only_the_sizes_a_test_split_has(n_test, offered):
    from vae.explorer_data import SHOWN_IMAGES, shown_counts

    assert shown_counts(n_test) == offered
    assert shown_counts(n_test)[0] == min(SHOWN_IMAGES, n_test)  # the default comes first


@pytest.mark.parametrize("count", [1000, 5000, 10_000])
def test_the_bundle_carries_as_many_test_images_as_the_map_shows(count):
    """1,000, 5,000 or all 10,000 of a Fashion-MNIST-sized split: codes, log σ², labels and images of exactly the
    shown indices (each class its share), and a bundle refuses codes of another count."""
    from vae.data import Dataset
    from vae.explorer_data import shown_indices

    rng = np.random.default_rng(4)
    y = torch.from_numpy(np.repeat(np.arange(10), 1000))
    x = torch.from_numpy(rng.random((len(y), 28, 28), dtype=np.float32))
    data = Dataset("big", x[:10], y[:10], x, y, (28, 28), [str(i) for i in range(10)])
    shown = shown_indices(data, count)
    assert len(shown) == count and np.all(np.diff(shown) > 0)
    assert np.bincount(y.numpy()[shown]).tolist() == [count // 10] * 10
    model = build_model(ModelConfig(kind="vae", latent_dim=2, hidden=[16], image_shape=(28, 28)))
    mu, logvar = latent.encode(model, x[shown])
    meta, arrays = unpack(split_bundle(model, data, mu, logvar, browser_decodes=True, count=count).data)
    assert meta["n"] == count and arrays["mu"].shape == arrays["logvar"].shape == (count, 2)
    np.testing.assert_array_equal(arrays["labels"], y.numpy()[shown])
    assert arrays["images"].shape == (count, 784)
    assert np.abs(arrays["images"] / 255.0 - x.numpy()[shown].reshape(count, -1)).max() <= 0.5 / 255 + 1e-6
    with pytest.raises(ValueError, match="codes for"):
        split_bundle(model, data, mu[:-1], logvar[:-1], browser_decodes=True, count=count)


@pytest.mark.parametrize("method", ["native", "pca", "tsne"])
def test_projection_bundle_inverts_like_the_server(method):
    rng = np.random.default_rng(0)
    d = 2 if method == "native" else 5
    mu = (rng.standard_normal((120, d)) * np.arange(1, d + 1)).astype(np.float32)
    proj = {"native": native, "pca": fit_pca, "tsne": lambda m: fit_tsne(m, seed=0)}[method](mu)
    meta, arrays = unpack(projection_bundle(proj).data)
    assert meta["method"] == method and meta["exact_inverse"] == (method != "tsne")
    np.testing.assert_array_equal(arrays["coords"], proj.coords)
    point = np.array([0.3, -0.7])
    z = map_to_code(proj, point)
    if method == "pca":  # what model.js computes (codeAt): mean + x·C₀ + y·C₁
        np.testing.assert_allclose(z, arrays["mean"] + point[0] * arrays["components"][0] + point[1] * arrays["components"][1],
                                   atol=1e-5)
        np.testing.assert_allclose(fit_pca(mu).coords[:5], ((mu - arrays["mean"]) @ arrays["components"].T)[:5], atol=1e-4)
    elif method == "native":
        np.testing.assert_allclose(z, point, atol=1e-6)
    else:  # inverse-distance average of the μ of the 8 nearest map points
        d2 = ((arrays["coords"] - point) ** 2).sum(1)
        nn = np.argsort(d2)[:8]
        w = 1 / (np.sqrt(d2[nn]) + 1e-6)
        np.testing.assert_allclose(z, (w[:, None] * mu[nn]).sum(0) / w.sum(), atol=1e-5)


# ---- published files ---------------------------------------------------------------------------------------
def test_publish_writes_a_content_addressed_file_once(tmp_path, monkeypatch):
    from vae.ui.explorer import assets_store

    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    b = pack({"k": 1}, {"a": np.ones(3, np.float32)})
    ref = assets_store.publish(b)
    path = tmp_path / "explorer" / "data" / f"{b.hash}.bin"
    assert ref == {"url": f"data/{b.hash}.bin", "hash": b.hash, "bytes": len(b.data)}
    assert path.read_bytes() == b.data
    mtime = path.stat().st_mtime_ns
    assert assets_store.publish(b) == ref and path.stat().st_mtime_ns == mtime  # not rewritten
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp left


def test_publish_prunes_the_oldest_bundles_beyond_the_limit(tmp_path, monkeypatch):
    from vae.ui.explorer import assets_store

    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(assets_store, "MAX_DATA_BYTES", 3000)
    refs = [assets_store.publish(pack({"i": i}, {"a": np.zeros(200, np.float32)})) for i in range(6)]
    data = tmp_path / "explorer" / "data"
    left = sorted(p.name for p in data.glob("*.bin"))
    assert f"{refs[-1]['hash']}.bin" in left and len(left) < 6
    assert sum(p.stat().st_size for p in data.glob("*.bin")) <= 3000


# ---- forged component state: one validator, never an exception ----------------------------------------------
FORGED = [None, "a", ["a", "b"], [[1, 2]], [1], [1, 2, 3], [float("nan"), 0], [math.inf, 0], [1e300, 0],
          {"z": [1, 2]}, [True, False], 3, -1, 2.5, 10**30, "0", [], [[[[]]]], {"__proto__": 1}]


@pytest.mark.parametrize("value", FORGED)
def test_forged_values_are_ignored(value):
    assert messages.code(value, 2) is None
    assert messages.index(value, 1000) == (3 if value == 3 else None)
    assert messages.mapping(value) == (value if isinstance(value, dict) else {})
    assert messages.choice(value, ("a",)) == ("a" if value == "a" else None)


def test_valid_values_pass():
    assert messages.code([1, -2.5], 2) == [1.0, -2.5]
    assert messages.index(7, 10) == 7 and messages.index(7.0, 10) == 7 and messages.index(10, 10) is None
    assert messages.state_value({"inspected": 3}, "inspected") == 3
    assert messages.state_value(object(), "inspected") is None


def test_server_walk_images_validate_the_request(monkeypatch):
    """Conv fallback of the walk: a forged request is refused; a valid one is decoded by the server."""
    from vae.ui.explorer import views

    model = _tiny(arch="conv", latent_dim=2, hidden=(32,))
    mu = np.random.default_rng(0).standard_normal((20, 2)).astype(np.float32)
    monkeypatch.setattr(views.cache, "encoded_test_set", lambda path: {"mu": mu, "logvar": None, "labels": np.zeros(20)})
    monkeypatch.setattr(views.cache, "decode", lambda path, z: latent.decode(model, z))
    good = {"z": [0.5, -1], "z0": [0, 0], "a": 1, "b": 2, "steps": 5}
    out = views.server_walk_images("x", good)
    assert len(out["decoded"]) == 784 and len(out["traversal"]) == 2 * 11 and len(out["interp"]) == 10
    np.testing.assert_array_equal(out["decoded"], flat_uint8(latent.decode(model, np.array([[0.5, -1]], np.float32)))[0])
    for bad in ({**good, "z": ["a", "b"]}, {**good, "a": 99}, {**good, "steps": 2}, {**good, "z0": [[1, 2]]}, {}):
        assert views.server_walk_images("x", bad) is None
