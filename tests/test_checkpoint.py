"""Model folders: exact round trip, atomic saves, and every kind of corrupt or hostile checkpoint refused."""
from __future__ import annotations

import json
import os
import pickle
import struct
import warnings
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

import vae.checkpoint as ck
from vae.checkpoint import (CONFIG, METRICS, PRETRAINED_DIR, WEIGHTS, list_models, load_model, read_config,
                            read_metrics, safe_model_path, save_model)
from vae.config import TrainConfig
from vae.errors import CheckpointError


@pytest.fixture
def saved(tmp_path, make_model):
    model = make_model(kind="beta-vae", beta=2.0, latent_dim=3, hidden=[16, 8])
    folder = save_model(model, tmp_path / "m", {"loss": 1.5}, TrainConfig(epochs=2))
    return model, folder


def _outputs(model, x):
    model.eval()
    with torch.no_grad():
        out = model(x, sample=False)
        return out["mu"], out["logvar"], out["logits"]


def test_save_load_identical_float32(saved):
    model, folder = saved
    assert sorted(p.name for p in folder.iterdir()) == sorted([WEIGHTS, CONFIG, METRICS])
    loaded = load_model(folder)
    assert loaded.cfg == model.cfg and not loaded.training
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v)
    x = torch.rand(6, 8, 8)
    for a, b in zip(_outputs(model, x), _outputs(loaded, x)):
        assert torch.equal(a, b)
    mcfg, tcfg = read_config(folder)
    assert mcfg == model.cfg and tcfg == TrainConfig(epochs=2)
    assert read_metrics(folder) == {"loss": 1.5}


@pytest.mark.parametrize("arch, shape", [("mlp", (8, 8)), ("conv", (28, 28))])
def test_float16_storage_gives_float32_back(tmp_path, make_model, arch, shape):
    model = make_model(kind="vae", arch=arch, image_shape=shape, hidden=[16])
    folder = save_model(model, tmp_path / "h", dtype=torch.float16)
    assert (folder / WEIGHTS).stat().st_size < 0.6 * sum(p.numel() * 4 for p in model.parameters()) + 4096
    loaded = load_model(folder)
    for k, v in loaded.state_dict().items():
        assert v.dtype == torch.float32
        assert torch.equal(v, model.state_dict()[k].half().float())


def test_save_refuses_existing_folder_unless_overwrite(saved, make_model):
    _, folder = saved
    other = make_model(seed=1, kind="ae")
    with pytest.raises(CheckpointError, match="exists"):
        save_model(other, folder)
    save_model(other, folder, overwrite=True)
    assert load_model(folder).cfg.kind == "ae"
    assert [p.name for p in folder.parent.iterdir()] == ["m"]  # no temp or trash folder left


def test_save_is_atomic_and_failure_leaves_nothing(tmp_path, make_model, monkeypatch):
    model = make_model()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(ck, "save_file", boom)
    with pytest.raises(OSError, match="disk full"):
        save_model(model, tmp_path / "x")
    assert list(tmp_path.iterdir()) == []


def test_failed_overwrite_keeps_the_old_model(saved, make_model, monkeypatch):
    model, folder = saved
    monkeypatch.setattr(ck, "save_file", lambda *a, **k: (_ for _ in ()).throw(OSError("disk full")))
    with pytest.raises(OSError):
        save_model(make_model(seed=3), folder, overwrite=True)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["m"]
    assert torch.equal(load_model(folder).mu_head.weight, model.mu_head.weight)


def test_save_goes_through_a_temp_sibling(tmp_path, make_model, monkeypatch):
    """While the files are written the target does not exist yet: they go to a hidden temp folder."""
    seen = []
    real = ck.save_file

    def spy(tensors, path, metadata=None):
        seen.append(Path(path).parent)
        assert not (tmp_path / "y").exists()
        return real(tensors, path, metadata=metadata)

    monkeypatch.setattr(ck, "save_file", spy)
    save_model(make_model(), tmp_path / "y")
    assert seen[0].name.startswith(".y.tmp-") and seen[0].parent == tmp_path
    assert not seen[0].exists()
    assert [p.name for p in tmp_path.iterdir()] == ["y"]


def test_refuses_writing_into_pretrained(make_model):
    target = PRETRAINED_DIR / "should-not-exist-test"
    with pytest.raises(CheckpointError, match="pretrained"):
        save_model(make_model(), target)
    with pytest.raises(CheckpointError, match="pretrained"):
        save_model(make_model(), PRETRAINED_DIR)
    assert not target.exists()


# ---------------------------------------------------------------- corrupt checkpoints


def test_truncated_safetensors(saved):
    _, folder = saved
    w = folder / WEIGHTS
    data = w.read_bytes()
    w.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated|corrupt"):
        load_model(folder)
    w.write_bytes(data[:5])
    with pytest.raises(CheckpointError, match="truncated"):
        load_model(folder)
    w.write_bytes(b"")
    with pytest.raises(CheckpointError):
        load_model(folder)


def _write_raw_safetensors(path: Path, header: dict, payload: bytes = b""):
    h = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(h)) + h + payload)


def test_header_claiming_huge_tensors(saved):
    _, folder = saved
    huge = {"encoder.1.weight": {"dtype": "F32", "shape": [100000, 100000], "data_offsets": [0, 4 * 10**10]}}
    _write_raw_safetensors(folder / WEIGHTS, huge, b"\0" * 64)
    with pytest.raises(CheckpointError, match="truncated|corrupt"):
        load_model(folder)
    # a header whose own length is absurd
    (folder / WEIGHTS).write_bytes(struct.pack("<Q", 2**62) + b"{}")
    with pytest.raises(CheckpointError, match="not a safetensors"):
        load_model(folder)
    # shape and offsets that disagree (the safetensors library's own check)
    bad = {"encoder.1.weight": {"dtype": "F32", "shape": [1000, 1000], "data_offsets": [0, 16]}}
    _write_raw_safetensors(folder / WEIGHTS, bad, b"\0" * 16)
    with pytest.raises(CheckpointError):
        load_model(folder)


def test_random_bytes(saved):
    _, folder = saved
    (folder / WEIGHTS).write_bytes(os.urandom(4096))
    with pytest.raises(CheckpointError, match=WEIGHTS.split(".")[0]):
        load_model(folder)
    # bytes whose first 8 happen to give a small header length, followed by garbage
    (folder / WEIGHTS).write_bytes(struct.pack("<Q", 16) + os.urandom(100))
    with pytest.raises(CheckpointError):
        load_model(folder)


def test_weights_shape_mismatch_after_config_change(saved):
    _, folder = saved
    cfg = json.loads((folder / CONFIG).read_text())
    cfg["latent_dim"] = 5
    (folder / CONFIG).write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="shape"):
        load_model(folder)
    cfg["latent_dim"] = 3
    cfg["hidden"] = [16, 8, 4]  # an extra layer: tensors missing
    (folder / CONFIG).write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="missing"):
        load_model(folder)


def test_missing_and_unexpected_tensor(saved):
    model, folder = saved
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    del tensors["mu_head.bias"]
    save_file(tensors, str(folder / WEIGHTS))
    with pytest.raises(CheckpointError, match="missing mu_head.bias"):
        load_model(folder)
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    tensors["evil"] = torch.zeros(3)
    save_file(tensors, str(folder / WEIGHTS))
    with pytest.raises(CheckpointError, match="unexpected evil"):
        load_model(folder)


def test_integer_tensor_refused(saved):
    model, folder = saved
    tensors = {k: v.clone() for k, v in model.state_dict().items()}
    tensors["mu_head.bias"] = torch.zeros_like(tensors["mu_head.bias"], dtype=torch.int32)
    save_file(tensors, str(folder / WEIGHTS))
    with pytest.raises(CheckpointError, match="floating"):
        load_model(folder)


def test_missing_files(saved):
    _, folder = saved
    (folder / WEIGHTS).unlink()
    (folder / "model.pt").write_bytes(b"x")
    with pytest.raises(CheckpointError, match="missing model.safetensors.*pickle"):
        load_model(folder)
    (folder / CONFIG).unlink()
    with pytest.raises(CheckpointError, match="missing config.json"):
        load_model(folder)
    with pytest.raises(CheckpointError, match="no model folder"):
        load_model(folder / "nope")


def test_config_with_unknown_keys(saved):
    _, folder = saved
    cfg = json.loads((folder / CONFIG).read_text())
    cfg["activation"] = "gelu"
    (folder / CONFIG).write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="activation"):
        load_model(folder)


def test_config_with_unknown_train_keys(saved):
    _, folder = saved
    cfg = json.loads((folder / CONFIG).read_text())
    cfg["train"]["optimizer"] = "sgd"
    (folder / CONFIG).write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="optimizer"):
        load_model(folder)


def test_config_with_absurd_size(saved):
    _, folder = saved
    cfg = json.loads((folder / CONFIG).read_text())
    cfg["latent_dim"] = 10**9
    (folder / CONFIG).write_text(json.dumps(cfg))
    with pytest.raises(CheckpointError, match="latent_dim"):
        load_model(folder)


@pytest.mark.parametrize("text", ["{not json", "", "[1, 2, 3]", "\xff\xfe"])
def test_invalid_config_json(saved, text):
    _, folder = saved
    (folder / CONFIG).write_bytes(text.encode("latin-1"))
    with pytest.raises(CheckpointError, match="config.json"):
        load_model(folder)


def test_invalid_metrics_json(saved):
    _, folder = saved
    (folder / METRICS).write_text("{oops")
    with pytest.raises(CheckpointError, match="metrics.json"):
        read_metrics(folder)


class _Exploit:
    def __init__(self, marker: Path, how: str):
        self.marker, self.how = str(marker), how

    def __reduce__(self):
        if self.how == "system":
            return (os.system, (f"touch {self.marker}",))
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("how", ["system", "open"])
@pytest.mark.parametrize("writer", ["pickle", "torch"])
def test_pickle_disguised_as_safetensors_is_never_unpickled(saved, tmp_path, how, writer):
    _, folder = saved
    marker = tmp_path / f"pwned-{how}-{writer}"
    payload = {"mu_head.weight": _Exploit(marker, how)}
    if writer == "pickle":
        (folder / WEIGHTS).write_bytes(pickle.dumps(payload, protocol=2))
    else:
        torch.save(payload, folder / WEIGHTS)
    with pytest.raises(CheckpointError, match="not a safetensors|corrupt|truncated"):
        load_model(folder)
    assert not marker.exists()
    # sanity check: the payload really is armed
    if writer == "pickle" and how == "open":
        pickle.loads((folder / WEIGHTS).read_bytes())
        assert marker.exists()
        marker.unlink()


# ---------------------------------------------------------------- names and the store


@pytest.mark.parametrize("name", ["../x", "/abs", "a/b", ".hidden", "..", "", "a" * 65, "a\\b", "x y", "a/../b", None])
def test_safe_model_path_rejects(tmp_path, name):
    with pytest.raises(CheckpointError):
        safe_model_path(name, tmp_path)


@pytest.mark.parametrize("name", ["my-model_1", "m", "vae.v2", "A1"])
def test_safe_model_path_accepts(tmp_path, name):
    path = safe_model_path(name, tmp_path)
    assert path == tmp_path.resolve() / name


def test_safe_model_path_uses_the_user_store(monkeypatch, tmp_path):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    assert safe_model_path("abc") == tmp_path.resolve() / "abc"


def test_list_models_skips_corrupt_and_temp_folders(tmp_path, make_model):
    store = tmp_path / "store"
    save_model(make_model(kind="ae"), store / "good-ae")
    save_model(make_model(kind="beta-vae", beta=3.0, latent_dim=4), store / "good-bvae")
    bad = store / "broken"
    bad.mkdir()
    (bad / CONFIG).write_text("{nope")
    (bad / WEIGHTS).write_bytes(b"")
    tmp = store / ".half.tmp-1234abcd"
    save_model(make_model(), tmp)  # a complete-looking folder, but a temp name
    (store / "not-a-folder.txt").write_text("hi")
    noweights = store / "no-weights"
    save_model(make_model(), noweights)
    (noweights / WEIGHTS).unlink()
    with pytest.warns(UserWarning) as record:
        models = list_models(include_user=True, store=store)
    messages = " ".join(str(w.message) for w in record)
    assert "broken" in messages and "no-weights" in messages and ".half" not in messages
    users = [m for m in models if m.source == "user"]
    assert [m.id for m in users] == ["user/good-ae", "user/good-bvae"]
    ae, bvae = users
    assert ae.kind == "ae" and ae.beta is None and ae.latent_dim == 2 and ae.dataset == "digits"
    assert bvae.kind == "beta-vae" and bvae.beta == 3.0 and bvae.latent_dim == 4
    assert set(ae.to_dict()) >= {"id", "path", "source", "kind", "beta", "latent_dim", "dataset"}
    shipped = [m for m in models if not m.id.startswith("user/")]
    assert shipped and all(m.source == "pretrained" for m in shipped)  # pretrained/ is in git: never an empty list


def test_list_models_pretrained_only(tmp_path, make_model):
    """``include_user=False`` lists the shipped models (pretrained/ is in git, so there are some) and none of the
    store's, although the store is readable: the same call with ``include_user=True`` lists its model."""
    save_model(make_model(), tmp_path / "u")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        models = list_models(include_user=False, store=tmp_path)
        everything = list_models(include_user=True, store=tmp_path)
    assert models, "no shipped model listed"
    assert all(m.source == "pretrained" and m.id.startswith("pretrained/") for m in models)
    assert [m.id for m in everything if m.source == "user"] == ["user/u"]
    assert [m.id for m in models] == [m.id for m in everything if m.source == "pretrained"]


def test_list_models_missing_store(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert [m for m in list_models(store=tmp_path / "nope") if m.source == "user"] == []
