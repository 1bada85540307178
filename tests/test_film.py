"""The training film (vae/film.py): schedule, recording inside fit, the fixed projection, the file format and
its refusal of broken or hostile files."""
from __future__ import annotations

import io
import math
import os
import zipfile

import numpy as np
import pytest
import torch

from conftest import tiny_config
from vae.checkpoint import list_models, load_model
from vae.config import TrainConfig
from vae.film import (FILM, N_FRAMES, VERSION, FilmError, FilmRecorder, film_bytes, film_from_snapshots, film_indices,
                      quantize_grey, read_film, snapshot_schedule, write_film)
from vae.models import build_model
from vae.train import fit
from vae.training_run import train_and_save


# -- schedule and subset -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("epochs,steps", [(100, 29), (40, 32), (40, 39), (10, 32)])
def test_schedule_count_log_spaced_dense_early(epochs, steps):
    g = snapshot_schedule(epochs, steps)
    assert len(g) == N_FRAMES
    assert g[0] == 0 and g[-1] == epochs * steps and g == sorted(set(g))
    first_epoch = [s for s in g if 0 < s < steps]
    assert len(first_epoch) >= 8, "batch-level frames during the first epoch"
    later = [s for s in g if s >= steps]
    assert all(s % steps == 0 for s in later), "after the first epoch, frames are whole epochs"
    # log-spaced: the log gaps stay within a small factor of each other (linear spacing over 100 epochs would not)
    logs = np.diff(np.log(np.asarray(g[1:], float) + steps / 8))
    assert logs.max() / logs.min() < 12
    assert sum(1 for s in g if s <= epochs * steps / 10) >= N_FRAMES // 2, "half the frames in the first tenth"


def test_schedule_short_runs_take_every_batch():
    assert snapshot_schedule(1, 5) == [0, 1, 2, 3, 4, 5]
    assert snapshot_schedule(2, 3, count=10) == list(range(7))
    assert snapshot_schedule(5, 4, count=12) == [0, 1, 2, 3, 4, 8, 12, 16, 20]  # every batch of epoch 1, every epoch
    assert len(snapshot_schedule(5, 4, count=8)) == 8


def test_film_indices_stratified_and_fixed():
    labels = np.repeat([0, 1, 2], [600, 300, 100])
    idx = film_indices(labels, 100)
    assert len(idx) == 100 and len(set(idx.tolist())) == 100
    assert np.bincount(labels[idx]).tolist() == [60, 30, 10]
    assert np.array_equal(idx, film_indices(labels.copy(), 100))
    assert np.array_equal(film_indices(labels[:50], 100), np.arange(50))


# -- recording inside fit ------------------------------------------------------------------------------------------

def _train(data, film: FilmRecorder | None, epochs=3, **kw):
    torch.manual_seed(0)
    model = build_model(tiny_config(**kw))
    events = []
    result = fit(model, data, TrainConfig(epochs=epochs, batch_size=64, seed=0, device="cpu"),
                 callback=lambda e, i: events.append((e, i)), film=film)
    return model, result, events


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_recording_leaves_weights_and_random_streams_bit_identical(tiny_digits, kind):
    plain, r1, _ = _train(tiny_digits, None, kind=kind)
    rng_plain = torch.get_rng_state()
    film = FilmRecorder(tiny_digits.x_test, tiny_digits.y_test)
    recorded, r2, events = _train(tiny_digits, film, kind=kind)
    rng_recorded = torch.get_rng_state()
    assert len(film.events) == len(snapshot_schedule(3, 8)) == 25  # 512 images / 64: every batch
    for k, v in plain.state_dict().items():
        assert torch.equal(v, recorded.state_dict()[k]), k
    assert torch.equal(rng_plain, rng_recorded)
    assert r1.history == r2.history
    assert recorded.training, "fit leaves the model in train mode, as without a film"


def test_snapshot_events(tiny_digits):
    film = FilmRecorder(tiny_digits.x_test, tiny_digits.y_test, n_points=100)
    _, _, events = _train(tiny_digits, film, epochs=2)
    snaps = [i for e, i in events if e == "snapshot"]
    assert [s["frame"] for s in snaps] == list(range(len(snaps)))
    steps = snapshot_schedule(2, 8)  # 512 images / 64
    assert [s["global_step"] for s in snaps] == steps
    batches_before = [sum(1 for e, _ in events[:k] if e == "batch") for k, (e, _) in enumerate(events) if e == "snapshot"]
    assert batches_before == steps, "each snapshot follows the batch it is taken after"
    s = snaps[-1]
    assert s["mu"].shape == (100, 2) and s["mu"].dtype == np.float32
    assert s["samples"].shape == (4, 8, 8) and s["samples"].dtype == np.uint8
    assert s["epoch"] == 2.0 and snaps[1]["epoch"] == 1 / 8
    assert math.isfinite(s["recon"]) and s["kl"] > 0
    assert snaps[0]["recon"] > s["recon"], "training lowers the reconstruction loss of the film's images"
    assert not np.array_equal(snaps[0]["mu"], s["mu"])
    assert np.array_equal(snaps[0]["indices"], film_indices(tiny_digits.y_test.numpy(), 100))


def test_early_stopping_ends_the_film_at_its_last_batch(tiny_digits):
    film = FilmRecorder(tiny_digits.x_test, tiny_digits.y_test)
    torch.manual_seed(0)
    model = build_model(tiny_config())
    cfg = TrainConfig(epochs=200, batch_size=64, seed=0, device="cpu", val_fraction=0.2, early_stop=1, lr=0.05)
    result = fit(model, tiny_digits, cfg, film=film)
    ran = len(result.history)
    assert ran < 200, "this configuration stops early"
    assert film.events[-1]["global_step"] == ran * film.steps_per_epoch
    assert film_from_snapshots(film.events, result.best_epoch).best_epoch == result.best_epoch


# -- one fixed projection ------------------------------------------------------------------------------------------

def _events(mus: list[np.ndarray], kl=True) -> list[dict]:
    n, d = mus[0].shape
    return [{"global_step": f, "steps_per_epoch": 1, "epochs": len(mus), "recon": 1.0 / (f + 1), "kl": 0.5 if kl else None,
             "mu": m.astype(np.float32), "samples": np.full((2, 4, 4), f, np.uint8), "labels": np.arange(n) % 3,
             "indices": np.arange(n), "z": np.zeros((2, d), np.float32)} for f, m in enumerate(mus)]


def test_pca_film_projects_every_frame_on_the_final_basis():
    """Codes that spin around while their spread changes: a per-frame PCA would swap and mirror the axes between
    frames; the film uses the last frame's basis for all, so a code that does not move stays still."""
    rng = np.random.default_rng(0)
    base = rng.normal(size=(200, 3)) * [3.0, 1.0, 0.2]
    mus = []
    for f in range(6):
        a = f * 0.5
        rot = np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])
        m = base @ rot.T
        m[0] = [0.5, -0.25, 1.0]  # one code that never moves
        mus.append(m)
    film = film_from_snapshots(_events(mus))
    assert film.projection == "pca" and film.components.shape == (2, 3)
    for f, m in enumerate(mus):
        expected = (m.astype(np.float32) - film.mean) @ film.components.T
        np.testing.assert_allclose(film.coords[f], expected, atol=1e-5)
    assert np.ptp(film.coords[:, 0], axis=0).max() < 1e-5, "the still code stays at one place in every frame"
    from vae.projection import fit_pca
    np.testing.assert_allclose(np.abs(film.components), np.abs(fit_pca(mus[-1]).components), atol=1e-6)
    per_frame = [fit_pca(m).coords[0] for m in mus]
    assert np.ptp(np.asarray(per_frame), axis=0).max() > 0.1, "(a per-frame PCA would move it: the test can fail)"


def test_native_film_is_the_plane_itself():
    rng = np.random.default_rng(1)
    mus = [rng.normal(size=(50, 2)) for _ in range(3)]
    film = film_from_snapshots(_events(mus, kl=False))
    assert film.projection == "native" and film.kl is None
    np.testing.assert_array_equal(film.coords, np.stack(mus).astype(np.float32))


# -- the file ------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def saved(tmp_path_factory, digits):
    """A tiny model trained and saved through train_and_save (the CLI's and the app's path), and its events."""
    from conftest import small_dataset

    data = small_dataset(digits, 512, 128)
    out = tmp_path_factory.mktemp("film") / "m"
    events = []
    run = train_and_save(tiny_config(latent_dim=3), TrainConfig(epochs=2, batch_size=64, seed=0, device="cpu"), data, out,
                         callback=lambda e, i: events.append(i) if e == "snapshot" else None)
    return run, [e for e in events]


def test_train_and_save_writes_the_film(saved):
    run, events = saved
    assert (run.path / FILM).is_file()
    film = read_film(run.path, latent_dim=3, n_test=128)
    ref = film_from_snapshots(events)
    assert film.n_frames == len(events) == len(snapshot_schedule(2, 8)) and film.projection == "pca"
    np.testing.assert_allclose(film.coords, ref.coords, rtol=1e-3, atol=1e-3)  # float16 on disk
    np.testing.assert_array_equal(film.samples, quantize_grey(ref.samples))
    assert np.abs(film.samples.astype(int) - ref.samples).max() <= 4
    np.testing.assert_array_equal(film.recon, ref.recon)
    np.testing.assert_array_equal(film.steps, ref.steps)
    np.testing.assert_allclose(film.components, ref.components)
    assert film.epoch[-1] == 2.0 and film.explained == ref.explained
    assert (run.path / FILM).stat().st_size < 40_000


def test_train_and_save_without_film(tmp_path, tiny_digits):
    run = train_and_save(tiny_config(), TrainConfig(epochs=1, batch_size=64, seed=0, device="cpu"), tiny_digits,
                         tmp_path / "m", record_film=False)
    assert run.saved and not (run.path / FILM).exists()
    assert read_film(run.path) is None


def _arrays(saved) -> dict:
    with np.load(saved[0].path / FILM, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write(folder, arrays: dict) -> None:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    (folder / FILM).write_bytes(buf.getvalue())


def _meta(arrays, **change) -> np.ndarray:
    import json
    meta = json.loads(bytes(arrays["meta"]))
    meta.update(change)
    return np.frombuffer(json.dumps(meta).encode(), np.uint8)


HOSTILE = {  # case: (arrays of a valid film, frames, points) -> arrays of a broken one
    "version 2": lambda a, f, n: {**a, "meta": _meta(a, version=VERSION + 1)},
    "unknown projection": lambda a, f, n: {**a, "meta": _meta(a, projection="tsne")},
    "meta not JSON": lambda a, f, n: {**a, "meta": np.frombuffer(b"{nope", np.uint8)},
    "meta NaN": lambda a, f, n: {**a, "meta": np.frombuffer(b'{"version": NaN}', np.uint8)},
    "coords 3-D points": lambda a, f, n: {**a, "coords": np.zeros((f, n, 3), np.float16)},
    "coords NaN": lambda a, f, n: {**a, "coords": np.where(np.arange(n)[None, :, None] == 3, np.nan, a["coords"]).astype(np.float16)},
    "coords inf": lambda a, f, n: {**a, "coords": np.full_like(a["coords"], np.inf)},
    "coords integers": lambda a, f, n: {**a, "coords": a["coords"].astype(np.int32)},
    "frames mismatch": lambda a, f, n: {**a, "samples": a["samples"][:-1]},
    "labels short": lambda a, f, n: {**a, "labels": a["labels"][:-1]},
    "negative index": lambda a, f, n: {**a, "indices": -a["indices"] - 1},
    "index beyond test set": lambda a, f, n: {**a, "indices": a["indices"] + 1000},
    "steps backwards": lambda a, f, n: {**a, "steps": a["steps"][::-1].copy()},
    "no samples": lambda a, f, n: {k: v for k, v in a.items() if k != "samples"},
    "missing coords": lambda a, f, n: {k: v for k, v in a.items() if k != "coords"},
    "z wrong dim": lambda a, f, n: {**a, "z": np.zeros((a["z"].shape[0], 5), np.float32)},
    "pca without basis": lambda a, f, n: {k: v for k, v in a.items() if k != "components"},
    "extra array": lambda a, f, n: {**a, "payload": np.zeros(3)},
    "recon NaN": lambda a, f, n: {**a, "recon": np.full(f, np.nan, np.float32)},
    "bad explained": lambda a, f, n: {**a, "meta": _meta(a, explained=[2.0, -1.0])},
    "bad epochs": lambda a, f, n: {**a, "meta": _meta(a, steps_per_epoch=0)},
}




def test_round_trip_of_the_raw_file_is_accepted(saved, tmp_path):
    _write(tmp_path, _arrays(saved))
    assert read_film(tmp_path, latent_dim=3, n_test=128).n_frames == len(saved[1])


@pytest.mark.parametrize("case", list(HOSTILE))
def test_broken_film_is_refused_with_a_clear_message(saved, tmp_path, case):
    a = _arrays(saved)
    _write(tmp_path, HOSTILE[case](a, *a["coords"].shape[:2]))
    with pytest.raises(FilmError) as err:
        read_film(tmp_path, latent_dim=3, n_test=128)
    assert FILM in str(err.value) and len(str(err.value)) < 300


def test_hostile_files_are_refused(saved, tmp_path):
    path = tmp_path / FILM
    for data in (b"", b"not a zip at all", (saved[0].path / FILM).read_bytes()[:500]):
        path.write_bytes(data)
        with pytest.raises(FilmError):
            read_film(tmp_path)
    # a pickled object array is never unpickled
    buf = io.BytesIO()
    np.savez(buf, meta=np.array([{"version": 1}], dtype=object), steps=np.zeros(1, np.int32))
    path.write_bytes(buf.getvalue())
    with pytest.raises(FilmError, match="never unpickled|objects"):
        read_film(tmp_path)
    # an array that declares a huge shape is refused from its header, before anything is inflated
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        header = "{'descr': '<f2', 'fortran_order': False, 'shape': (100000, 100000, 2), }"
        z.writestr("coords.npy", b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header.encode())
    path.write_bytes(buf.getvalue())
    with pytest.raises(FilmError, match="limit"):
        read_film(tmp_path)
    # a FIFO or a symbolic link planted as film.npz is refused at once, never followed or waited on
    path.unlink()
    os.mkfifo(path)
    with pytest.raises(FilmError):
        read_film(tmp_path)
    path.unlink()
    path.symlink_to(saved[0].path / FILM)
    with pytest.raises(FilmError, match="symbolic link"):
        read_film(tmp_path)


def test_a_broken_film_leaves_the_model_usable(saved, tmp_path, monkeypatch):
    import shutil

    store = tmp_path / "store"
    folder = store / "broken-film"
    shutil.copytree(saved[0].path, folder)
    (folder / FILM).write_bytes(b"garbage")
    monkeypatch.setenv("VAE_MODEL_STORE", str(store))
    model = load_model(folder)
    assert model.cfg.latent_dim == 3
    assert [m.id for m in list_models(include_user=True, store=store) if m.source == "user"] == ["user/broken-film"]
    with pytest.raises(FilmError):
        read_film(folder)


def test_write_film_is_atomic(saved, tmp_path):
    film = read_film(saved[0].path)
    write_film(film, tmp_path)
    write_film(film, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [FILM]
