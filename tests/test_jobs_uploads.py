"""Uploaded training datasets (vae/uploads.py): unique temp files, atomic rename, quota, value limit, cleanup."""
from __future__ import annotations

import io
import os
import threading
import time

import numpy as np
import pytest

from vae import uploads
from vae.checkpoint import save_model, uploads_dir
from vae.errors import DatasetError
from vae.jobs import jobfiles
from vae.uploads import UploadError, discard_unused, save_upload, sweep

GOOD_X = np.random.default_rng(0).random((20, 8, 8)).astype(np.float32)


def npz(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def files(store, labels: bool = False) -> list[str]:
    """The uploads folder's files (the ``.name`` labels beside the uploads only with ``labels``)."""
    folder = uploads_dir(store)
    names = sorted(os.listdir(folder)) if folder.is_dir() else []
    return names if labels else [n for n in names if not n.endswith(uploads.LABEL_SUFFIX)]


def test_a_valid_upload_is_kept_under_its_content_name(tmp_path):
    name, data = save_upload(npz(x=GOOD_X), tmp_path)
    assert name.startswith(f"npz:{uploads_dir(tmp_path)}/") and name.endswith(".npz")
    assert data.name == name and data.image_shape == (8, 8) and len(data.x_train) + len(data.x_test) == 20
    assert files(tmp_path) == [name.rsplit("/", 1)[1]]  # no temp file left
    assert save_upload(npz(x=GOOD_X), tmp_path)[0] == name  # the same bytes: the same file


def test_simultaneous_uploads_of_one_file_all_succeed(tmp_path):
    raw, results, errors = npz(x=GOOD_X), [], []

    def upload():
        try:
            results.append(save_upload(raw, tmp_path)[0])
        except Exception as exc:  # noqa: BLE001 - any failure is the bug this test looks for
            errors.append(repr(exc))

    threads = [threading.Thread(target=upload) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == [] and len(set(results)) == 1 and len(results) == 6
    assert files(tmp_path) == [results[0].rsplit("/", 1)[1]]


@pytest.mark.parametrize("raw,needle", [(b"not a zip", "not a readable .npz"), (npz(y=np.arange(3)), "no array named 'x'"),
                                        (npz(x=np.full((4, 8, 8), np.nan, np.float32)), "NaN")])
def test_an_invalid_upload_keeps_nothing(tmp_path, raw, needle):
    with pytest.raises(DatasetError, match=needle):
        save_upload(raw, tmp_path)
    assert files(tmp_path) == []


def test_the_quota_refuses_before_writing(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_UPLOADS_QUOTA_MB", "0.01")  # about 10 kB
    raw = npz(x=np.random.default_rng(1).random((400, 8, 8)).astype(np.float32))
    with pytest.raises(UploadError) as e:
        save_upload(raw, tmp_path)
    assert e.value.code == "quota" and e.value.fmt == {"used": "0.0", "limit": "0.0"}
    assert files(tmp_path) == []
    monkeypatch.setenv("VAE_UPLOADS_QUOTA_MB", "10")
    assert save_upload(raw, tmp_path)


def test_a_small_file_of_many_values_is_refused_from_its_header(tmp_path, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_VALUES", 10_000)
    raw = npz(x=np.zeros((200, 8, 8), np.uint8))  # 12,800 values in a few hundred bytes
    with pytest.raises(UploadError) as e:
        save_upload(raw, tmp_path)
    assert e.value.code == "values" and e.value.fmt["count"] == 12_800
    assert files(tmp_path) == []


def test_unused_uploads_are_discarded_and_used_ones_kept(tmp_path, make_model):
    name, _ = save_upload(npz(x=GOOD_X), tmp_path)
    other, _ = save_upload(npz(x=GOOD_X[:10]), tmp_path)
    model = make_model()
    model.cfg.dataset = name
    save_model(model, tmp_path / "uses-it")                      # a model trained on the first upload
    jobfiles.write_record(tmp_path, {"id": "0123456789ab", "status": "queued", "dataset": other, "owner": {}})
    assert not discard_unused(tmp_path, name) and not discard_unused(tmp_path, other)
    jobfiles.write_record(tmp_path, {"id": "0123456789ab", "status": "failed", "dataset": other, "owner": {}})
    assert not discard_unused(tmp_path, other, since=time.time() - 60)  # re-uploaded after that moment: kept
    assert discard_unused(tmp_path, other)
    assert files(tmp_path) == [name.rsplit("/", 1)[1]]
    assert not discard_unused(tmp_path, "digits") and not discard_unused(tmp_path, "npz:/etc/passwd.npz")


def test_sweep_ignores_a_file_that_vanishes_while_it_looks(tmp_path, monkeypatch):
    """Another session's temp file can be renamed between the sweep's listing and its ``stat`` (the race
    that made six simultaneous uploads fail with FileNotFoundError)."""
    folder = uploads_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / ".tmp-renamed.npz").write_bytes(b"x")
    real_scandir = os.scandir

    def scandir_then_vanish(path):
        entries = list(real_scandir(path))
        for e in entries:
            os.unlink(e.path)
        return iter(entries)

    monkeypatch.setattr(uploads.os, "scandir", scandir_then_vanish)
    assert sweep(tmp_path) == []


def test_sweep_removes_old_temp_and_unused_files(tmp_path):
    name, _ = save_upload(npz(x=GOOD_X), tmp_path)
    folder = uploads_dir(tmp_path)
    (folder / ".tmp-dead.npz").write_bytes(b"half")
    for p in folder.iterdir():
        os.utime(p, (0, 0))
    base = name.rsplit("/", 1)[1]
    assert sweep(tmp_path) == sorted([".tmp-dead.npz", base, base + uploads.LABEL_SUFFIX])
    assert files(tmp_path, labels=True) == []


def test_pages_name_an_upload_by_its_file_name_never_by_a_server_path(tmp_path, make_model):
    name, _ = save_upload(npz(x=GOOD_X), tmp_path, filename="C:\\fakepath\\mes chiffres.npz")
    assert uploads.dataset_label(name, tmp_path) == "mes chiffres.npz (upload)"
    assert save_upload(npz(x=GOOD_X), tmp_path, filename="renamed.npz")[0] == name  # the first name stays
    assert uploads.dataset_label(name, tmp_path) == "mes chiffres.npz (upload)"
    assert uploads.dataset_label("mnist", tmp_path) == "mnist"
    assert uploads.dataset_label("npz:/srv/data/x.npz", tmp_path) == "x.npz"
    for raw in (b"not a zip", npz(y=np.arange(3))):  # a refusal quotes the student's file, not a temp name
        with pytest.raises(DatasetError) as err:
            save_upload(raw, tmp_path, filename="broken.npz")
        assert "broken.npz" in str(err.value) and ".tmp-" not in str(err.value) and str(tmp_path) not in str(err.value)
    model = make_model()
    model.cfg.dataset = name
    save_model(model, tmp_path / "uses-it")
    for p in uploads_dir(tmp_path).iterdir():
        os.utime(p, (0, 0))
    assert sweep(tmp_path) == [] and files(tmp_path, labels=True) == [name.rsplit("/", 1)[1] + s for s in ("", ".name")]
    (tmp_path / "uses-it" / "config.json").unlink()  # the model is gone: the upload and its label go together
    assert discard_unused(tmp_path, name) and files(tmp_path, labels=True) == []
