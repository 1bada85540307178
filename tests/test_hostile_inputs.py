"""Issue 11, classes 1 and 2: decompression bombs and parsers that crash, tested on the functions that read
outside bytes (``vae.bounded_io``, ``vae.safetensors_header``, ``vae.data.load_npz``, ``vae.model_import``,
``vae.checkpoint``, the explorer's message gate).

Every refusal must be the project's own error with a short message, cost little (time and memory measured
with ``tracemalloc``, which numpy reports its buffers to), and leave nothing behind.
"""
from __future__ import annotations

import io
import json
import math
import struct
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import tiny_config
from hostile_files import (bz2_zip, good_files, many_entries_zip, npy_header, npz_bomb, raw_zip,  # noqa: F401 - fixtures
                           safetensors_raw, store, tree, zeros_deflate)
from vae import safetensors_header
from vae.bounded_io import json_depth, loads_json, read_json
from vae.checkpoint import CONFIG, METRICS, WEIGHTS, list_models, load_model, read_config, read_metrics
from vae.data import load_npz
from vae.errors import CheckpointError, ConfigError, DatasetError, ExplorerError
from vae.model_import import ModelImportError, import_model, read_zip
from vae.models import build_model
from vae.ui.explorer import messages

SHORT = 300  # no refusal message may be longer than this, whatever the input



class Cost:
    """Time and peak Python/numpy allocation of a block (``tracemalloc``)."""

    def __enter__(self):
        tracemalloc.start()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0
        self.peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()


def refused_npz(tmp_path: Path, raw: bytes, needle: str, max_seconds: float = 1.0, max_mb: float = 20) -> str:
    path = tmp_path / "bomb.npz"
    path.write_bytes(raw)
    with Cost() as cost, pytest.raises(DatasetError) as info:
        load_npz(path)
    message = str(info.value)
    assert needle in message, message
    assert len(message) < SHORT, len(message)
    assert cost.seconds < max_seconds and cost.peak_mb < max_mb, (cost.seconds, cost.peak_mb)
    return message






def import_refused(files, store: Path, code: str, needle: str = "") -> ModelImportError:
    before = tree(store.parent)
    with pytest.raises(ModelImportError) as info:
        import_model(files, "hostile", store)
    assert info.value.code == code, str(info.value)
    assert needle in str(info.value), str(info.value)
    assert len(str(info.value)) < SHORT
    assert tree(store.parent) == before
    return info.value


# -- class 1: decompression bombs ---------------------------------------------------------------------------------

def test_npz_header_claiming_terabytes_is_a_clear_error(tmp_path):
    """5.7 TiB declared (was an uncaught MemoryError): refused from the header, nothing allocated."""
    shape = (1_500_000, 1024, 1024)  # × 4 bytes = 5.7 TiB
    refused_npz(tmp_path, npz_bomb(shape, actual_zeros=4096), "the limit is 60,000,000")
    absurd = (10**40, 10**40)
    refused_npz(tmp_path, npz_bomb(absurd, actual_zeros=16), "absurd shape")


def test_npz_of_compressed_zeros_is_refused_before_inflating(tmp_path):
    """3.5 GiB of zeros in 3.6 MB, honest header: refused in milliseconds, without inflating."""
    bomb = npz_bomb((917_504, 32, 32))
    assert len(bomb) < 4 << 20
    refused_npz(tmp_path, bomb, "values; the limit is", max_seconds=0.5, max_mb=5)
    # under the value limit but over the byte limit once decompressed (float64: 8 bytes a value)
    refused_npz(tmp_path, npz_bomb((50_000, 32, 32), "<f8"), "once decompressed")


def test_npz_member_that_inflates_past_its_declared_size(tmp_path):
    """Header and declared size say 25 kB, the deflate stream holds 256 MB: never more than 25 kB is read."""
    shape = (100, 8, 8)
    header = npy_header(shape)
    raw = raw_zip([{"name": "x.npy", "data": zeros_deflate(header, 256 << 20), "size": len(header) + 25_600}])
    refused_npz(tmp_path, raw, "cannot be read", max_mb=5)  # zipfile's CRC check at the declared end
    # a member that declares more bytes than its header needs (padding a bomb behind a small header)
    raw = raw_zip([{"name": "x.npy", "data": zeros_deflate(header, 25_600), "size": len(header) + 10**9}])
    refused_npz(tmp_path, raw, "does not match its header")


def test_npz_with_600k_entries_is_refused_from_22_bytes(tmp_path):
    """zipfile alone takes ~4 s and ~500 MB to parse this directory; the end record is enough to refuse it."""
    many = many_entries_zip(600_000)
    message = refused_npz(tmp_path, many, "600,000 entries", max_seconds=0.2, max_mb=2)
    assert len(message) < 100
    # a lying end record (2 entries) over the same huge directory: its size gives it away
    lying = bytearray(many_entries_zip(20_000))
    end = lying.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", lying, end + 8, 2, 2)
    refused_npz(tmp_path, bytes(lying), "zip directory", max_seconds=0.2)


@pytest.mark.parametrize("case,raw,needle", [
    ("bzip2 member", None, "unsupported compression"),
    ("npy header length 2 GB", None, "header of 2,147,483,648 bytes"),
    ("nested header", None, "unreadable .npy header"),
    ("negative shape", None, "unreadable .npy header"),
    ("object dtype", None, "never unpickled"),
    ("structured dtype", None, "structured dtype"),
    ("x twice", None, "twice"),
    ("truncated member", None, "truncated"),
])
def test_npz_hostile_variants(tmp_path, case, raw, needle):
    stored = lambda data, size=None: raw_zip([{"name": "x.npy", "data": data, "size": len(data) if size is None else size,  # noqa: E731
                                               "method": 0}])
    header = npy_header((3, 8, 8))
    raws = {
        "bzip2 member": bz2_zip("x.npy", header + bytes(768)),
        "npy header length 2 GB": stored(b"\x93NUMPY\x03\x00" + struct.pack("<I", 2**31) + b"{" * 64),
        "nested header": stored(b"\x93NUMPY\x01\x00" + struct.pack("<H", 4000) + b"(" * 4000),
        "negative shape": stored(npy_header((-3, 8, 8))),
        "object dtype": stored(npy_header((3,), "|O") + bytes(24)),
        "structured dtype": stored(npy_header((3,), [("a", "<f4"), ("b", "<f4")]) + bytes(24)),
        "x twice": raw_zip([{"name": "x.npy", "data": header + bytes(768), "size": len(header) + 768, "method": 0}] * 2),
        "truncated member": stored(header + bytes(100), size=len(header) + 768),
    }
    refused_npz(tmp_path, raws[case], needle)


def test_npz_good_variants_still_load(tmp_path):
    """The bounded reader reads what numpy writes: compressed or not, Fortran order, big-endian, (N, D)."""
    rng = np.random.default_rng(0)
    x = rng.random((6, 8, 8)).astype(">f4")
    for save in (np.savez, np.savez_compressed):
        for arr in (x, np.asfortranarray(x), x.reshape(6, 64)):
            path = tmp_path / "ok.npz"
            save(path, x=arr, y=np.arange(6))
            ds = load_npz(path)
            got = torch.cat([ds.x_train, ds.x_test]).numpy()
            assert got.shape == (6, 8, 8) and sorted(np.round(got.sum((1, 2)), 4)) == sorted(np.round(x.sum((1, 2)), 4))


def test_model_zip_bombs(store, good_files):
    many = many_entries_zip(600_000)
    with Cost() as cost:
        err = import_refused(many, store, "zip_members", "600,000 entries")
    assert cost.seconds < 0.5 and cost.peak_mb < 5, (cost.seconds, cost.peak_mb)
    assert len(str(err)) < 100
    import_refused(bz2_zip(CONFIG, good_files[CONFIG]), store, "bad_zip", "unsupported compression")
    # config.json declares 100 bytes and inflates to 64 MB: the read stops one byte past the declaration
    raw = raw_zip([{"name": WEIGHTS, "data": good_files[WEIGHTS], "size": len(good_files[WEIGHTS]), "method": 0},
                   {"name": CONFIG, "data": zeros_deflate(b"{", 64 << 20), "size": 100}])
    with Cost() as cost:
        import_refused(raw, store, "bad_zip", "cannot be read")  # zipfile stops at the declared end: bad CRC
    assert cost.peak_mb < 10, cost.peak_mb


def test_read_zip_is_bounded_even_without_import(good_files):
    """``read_zip`` is the only reader of uploaded zips: entry count first, then declared sizes."""
    with pytest.raises(ModelImportError) as info:
        read_zip(many_entries_zip(70_000))
    assert info.value.code == "zip_members"
    ok = io.BytesIO()
    with zipfile.ZipFile(ok, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in good_files.items():
            zf.writestr(name, data)
    assert read_zip(ok.getvalue()) == good_files


# -- class 2: one safetensors header parser ---------------------------------------------------------------------

def _entries():
    model = build_model(tiny_config())
    out, offset = {}, 0
    for k, v in model.state_dict().items():
        n = v.numel() * 4
        out[k] = {"dtype": "F32", "shape": list(v.shape), "data_offsets": [offset, offset + n]}
        offset += n
    return out, offset


def _header_text(entries: dict) -> str:
    return json.dumps(entries)


def _first(entries: dict) -> str:
    return next(iter(entries))


HOSTILE_HEADERS = {
    "Infinity as a shape": lambda e, body: _header_text(e).replace(json.dumps(e[_first(e)]["shape"]), "[Infinity, 2]", 1),
    "NaN as an offset": lambda e, body: _header_text(e).replace('"data_offsets": [0,', '"data_offsets": [NaN,', 1),
    "1e400 as an offset": lambda e, body: _header_text(e).replace('"data_offsets": [0,', '"data_offsets": [1e400,', 1),
    "10**400 as an offset": lambda e, body: _header_text(e).replace('"data_offsets": [0,', f'"data_offsets": [{10**400},', 1),
    "negative shape": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "shape": [-16, -2]}}),
    "float shape": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "shape": [16.0, 2]}}),
    "string shape": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "shape": ["16", 2]}}),
    "bool shape": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "shape": [True, 2]}}),
    "shape not a list": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "shape": 32}}),
    "offsets reversed": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "data_offsets": [128, 0]}}),
    "offsets overlap": lambda e, body: _header_text({k: {**v, "data_offsets": [0, v["data_offsets"][1] - v["data_offsets"][0]]}
                                                     for k, v in e.items()}),
    "offsets past the end": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "data_offsets": [0, 10**15]}}),
    "unknown dtype": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "dtype": "PICKLE"}}),
    "entry not an object": lambda e, body: _header_text({**e, _first(e): [1, 2, 3]}),
    "extra key": lambda e, body: _header_text({**e, _first(e): {**e[_first(e)], "code": "rm -rf /"}}),
    "metadata not strings": lambda e, body: _header_text({"__metadata__": {"a": [1]}, **e}),
    "nested 100k deep": lambda e, body: '{"__metadata__": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "duplicate tensor": lambda e, body: _header_text(e)[:-1] + ", " + json.dumps(_first(e)) + ": "
    + json.dumps(e[_first(e)]) + "}",
    "not JSON": lambda e, body: "{" + "\xff" * 10,
    "header of 2 MB": lambda e, body: _header_text(e) + " " * (2 << 20),
    "top level a list": lambda e, body: "[1, 2]",
    "10k tensors": lambda e, body: _header_text({f"t{i}": {"dtype": "F32", "shape": [0], "data_offsets": [0, 0]}
                                                 for i in range(10_000)}),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_HEADERS))
def test_hostile_safetensors_header(tmp_path, store, good_files, case):
    """Every hostile header is a CheckpointError with a short message: through load_model (the sidebar and
    pages), list_models (skipped with a warning) and import_model."""
    entries, size = _entries()
    header = HOSTILE_HEADERS[case](entries, size)
    raw = safetensors_raw(header.encode("utf-8", "surrogateescape") if "\xff" not in header else header.encode("latin-1"),
                          bytes(size))
    folder = tmp_path / "user" / "m"
    folder.mkdir(parents=True)
    (folder / CONFIG).write_bytes(good_files[CONFIG])
    (folder / WEIGHTS).write_bytes(raw)
    with Cost() as cost, pytest.raises(CheckpointError) as info:
        load_model(folder)
    assert len(str(info.value)) < SHORT, str(info.value)[:500]
    assert cost.seconds < 2, cost.seconds
    with pytest.warns(UserWarning, match="skipping model folder"):
        assert [m for m in list_models(store=tmp_path / "user") if m.source == "user"] == []
    import_refused({WEIGHTS: raw, CONFIG: good_files[CONFIG]}, store, "weights")


def test_one_parser_serves_loading_listing_and_import(tmp_path, store, good_files, monkeypatch):
    """There is one safetensors header parser: break it and all three readers fail the same way."""
    calls = []

    def parse(header_bytes, data_size, what="model.safetensors"):
        calls.append(what)
        raise CheckpointError("sentinel from the one parser")

    monkeypatch.setattr(safetensors_header, "parse_header", parse)
    folder = tmp_path / "user" / "m"
    folder.mkdir(parents=True)
    for name, data in good_files.items():
        (folder / name).write_bytes(data)
    with pytest.raises(CheckpointError, match="sentinel"):
        load_model(folder)
    assert len(calls) == 1
    with pytest.warns(UserWarning, match="sentinel"):
        assert not [m for m in list_models(store=tmp_path / "user") if m.source == "user"]
    n = len(calls)
    with pytest.raises(ModelImportError, match="sentinel"):
        import_model(dict(good_files), "x", store)
    assert len(calls) == n + 1


# -- class 2: one bounded JSON loader ---------------------------------------------------------------------------

@pytest.mark.parametrize("text,needle", [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested too deeply"),
    ('{"latent_dim": NaN}', "NaN is not a number"),
    ('{"latent_dim": Infinity}', "Infinity is not a number"),
    ('{"latent_dim": -Infinity}', "-Infinity is not a number"),
    ('{"beta": 1e400}', "too large"),
    ('{"latent_dim": ' + "9" * 400 + "}", "too large"),
    ('{"kind": "vae", "kind": "ae"}', "appears twice"),
    ('{"kind": "v', "not valid JSON"),
    ("\xff\xfe{}", "not UTF-8"),
])
def test_bounded_json_refusals(tmp_path, text, needle):
    """The loader used for config.json, metrics.json, report.json, safetensors headers and class files."""
    raw = text.encode("latin-1") if "\xff" in text else text.encode()
    with Cost() as cost, pytest.raises(ExplorerError) as info:
        loads_json(raw, what="config.json", limit=10 << 20)
    assert needle in str(info.value) and len(str(info.value)) < SHORT, str(info.value)[:400]
    assert cost.seconds < 1
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / CONFIG).write_bytes(raw[: 1 << 20])
    with pytest.raises(CheckpointError) as info:
        read_config(folder)
    assert len(str(info.value)) < SHORT
    (folder / METRICS).write_bytes(raw[: 8 << 20])
    with pytest.raises(CheckpointError):
        read_metrics(folder)


def test_json_depth_prescan_ignores_brackets_in_strings():
    assert json_depth('{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}') == 1
    assert json_depth('{"a": "\\"[[[[", "b": [[1]]}') == 3
    assert json_depth("") == 0
    assert loads_json(b'{"a": [1, 2.5, null, "x"]}', what="t") == {"a": [1, 2.5, None, "x"]}


def test_oversized_json_is_refused_from_its_size(tmp_path):
    path = tmp_path / "config.json"
    path.write_bytes(b" " * (2 << 20) + b"{}")
    with Cost() as cost, pytest.raises(ExplorerError, match="the limit is"):
        read_json(path, limit=1 << 20)
    assert cost.peak_mb < 3


def test_config_from_json_uses_the_bounded_loader():
    from vae.config import ModelConfig

    with pytest.raises(ConfigError, match="nested too deeply"):
        ModelConfig.from_json("[" * 10_000 + "]" * 10_000)
    with pytest.raises(ConfigError, match="unknown dataset"):
        ModelConfig.from_dict({"dataset": "![x](http://evil.example/a.png)"})
    with pytest.raises(ConfigError, match="unknown dataset"):
        ModelConfig.from_dict({"dataset": ["mnist"]})
    with pytest.raises(ConfigError, match="unknown dataset"):
        ModelConfig.from_dict({"dataset": "npz:/x\n![x](y)"})
    with pytest.raises(ConfigError) as info:
        ModelConfig.from_dict({"kind": "x" * 1_000_000})
    assert len(str(info.value)) < SHORT


# -- class 2: component state forged from the devtools ---------------------------------------------------------

FORGED = [["a", "b"], [[1, 2]], [[[[]]]], {"0": 1, "1": 2}, 10**400, -10**400, float("nan"), float("inf"),
          "3", "0.5", None, True, [True, False], [1, "2"], [10**400, 0], [1e308, 1e308], [float("nan"), 0], [],
          list(range(10_000)), {"walk": {"z": [1, 2]}}, b"\x00\x01", object()]


@pytest.mark.parametrize("value", FORGED, ids=["a bare object()" if type(v) is object else repr(v)[:30] for v in FORGED])
def test_forged_component_state_never_raises(value):
    """Every gate returns a clean value or None for anything a forged message can hold."""
    assert messages.index(value, 100) is None or messages.index(value, 100) in range(100)
    assert messages.code(value, 2) is None
    assert messages.choice(value, ("pca", "tsne")) is None
    assert isinstance(messages.mapping(value), dict)
    for result in (value, {"inspected": value, "pinned": value}, [value]):
        messages.index(messages.state_value(result, "inspected"), 10)
        messages.code(messages.state_value(result, "pinned"), 2)
        messages.mapping(messages.state_value(result, "walk"))


def test_component_gates_accept_good_values():
    assert messages.index(3, 10) == 3 and messages.index(3.0, 10) == 3 and messages.index(10, 10) is None
    assert messages.code([1, 2.5], 2) == [1.0, 2.5] and messages.code([1, 2.5], 3) is None
    assert messages.code([1e5, 0], 2) is None  # over MAX_ABS_CODE
    assert messages.choice("pca", ["pca", "tsne"]) == "pca"


def test_walk_request_with_forged_fields_is_ignored(monkeypatch):
    """The walk's server fallback reads z, z0, a, b, steps from the browser: forged ones give None."""
    from vae.ui import cache
    from vae.ui.explorer import views

    mu = np.zeros((20, 2), np.float32)
    monkeypatch.setattr(cache, "encoded_test_set", lambda path: {"mu": mu, "logvar": None, "labels": np.zeros(20)})
    monkeypatch.setattr(cache, "decode", lambda path, z: np.zeros((len(z), 8, 8), np.float32))
    for request in ({"z": ["a", "b"], "z0": [0, 0], "a": 0, "b": 1, "steps": 5},
                    {"z": [0, 0], "z0": [[0], [0]], "a": 0, "b": 1, "steps": 5},
                    {"z": [0, 0], "z0": [0, 0], "a": 10**400, "b": 1, "steps": 5},
                    {"z": [0, 0], "z0": [0, 0], "a": 0, "b": 1, "steps": float("nan")},
                    {"z": [0, 0], "z0": [0, 0], "a": 0, "b": 1, "steps": 10**9}):
        assert views.server_walk_images("m", request) is None
    good = views.server_walk_images("m", {"z": [0, 0], "z0": [0, 0], "a": 0, "b": 1, "steps": 5})
    assert good is not None and len(good["interp"]) == 10
    assert math.isfinite(messages.MAX_ABS_CODE)
