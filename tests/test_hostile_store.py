"""Issue 11, classes 3 and 7: imported models that are valid JSON but wrong, and filesystem faults.

Class 3: ``metrics.json`` against its schema (``vae.metrics_schema``), the config's ``dataset`` restricted to
the registry and the store's uploads (one message whether an outside path exists or not), the image shape
checked against the dataset, non-finite weights refused at import, load and save, file data never rendered
as markdown (``vae.ui.plain_text.escape_markdown``). A bad model already in the store must not break a page
for anyone (AppTest of Compare and How a VAE trains).

Class 7: a full, read-only or missing store on import (clear message, nothing left), FIFOs, devices and
sockets planted as model or cache files (never a hang), symlinked folders and files (neither listed nor
written through), float16 overflow at save (refused, one CLI line), and the no-replace final rename.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import socket
import stat
import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from conftest import require_shipped, small_dataset, tiny_config
from hostile_files import good_files, store, tree  # noqa: F401 - shared fixtures
from vae import checkpoint, model_import
from vae.checkpoint import (CONFIG, METRICS, PRETRAINED_DIR, WEIGHTS, list_models, load_model, read_config,
                            read_metrics, safe_model_path, save_model, uploads_dir, write_folder_atomically)
from vae.errors import CheckpointError, ExplorerError
from vae.metrics_schema import check_metrics
from vae.model_import import ModelImportError, import_model
from vae.models import build_model
from vae.ui.plain_text import escape_markdown

SHORT = 300







def with_config(good_files, **changes) -> dict[str, bytes]:
    cfg = {**json.loads(good_files[CONFIG]), **changes}
    return {**good_files, CONFIG: json.dumps(cfg).encode()}


def with_weights(good_files, change) -> dict[str, bytes]:
    """The files with model.safetensors rewritten after ``change(tensors)`` (bypassing save_model's checks)."""
    import tempfile

    from safetensors.torch import load

    tensors = load(good_files[WEIGHTS])
    change(tensors)
    with tempfile.TemporaryDirectory() as tmp:
        save_file(tensors, f"{tmp}/w")
        return {**good_files, WEIGHTS: Path(f"{tmp}/w").read_bytes()}


def refused(files, store: Path, code: str, needle: str = "", name: str = "hostile") -> ModelImportError:
    before = tree(store.parent)
    with pytest.raises(ModelImportError) as info:
        import_model(files, name, store)
    assert info.value.code == code, str(info.value)
    assert needle in str(info.value), str(info.value)
    assert len(str(info.value)) < SHORT
    assert tree(store.parent) == before
    return info.value


def plant(store: Path, name: str, files: dict[str, bytes]) -> Path:
    """Write a model folder straight into the store (what an older, laxer import could have left there)."""
    folder = store / name
    folder.mkdir(parents=True)
    for fname, data in files.items():
        (folder / fname).write_bytes(data)
    return folder


def no_hang(fn, seconds: float = 10.0):
    """Run ``fn`` in a daemon thread; fail (instead of hanging the suite) if it has not returned in time."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            out["error"] = exc

    th = threading.Thread(target=run, daemon=True)
    th.start()
    th.join(seconds)
    assert not th.is_alive(), f"{getattr(fn, '__name__', fn)} hung on a non-regular file"
    return out


# -- class 3: metrics.json schema -------------------------------------------------------------------------------

BAD_METRICS = {
    "history a string": ({"history": "x"}, "history must be"),
    "history of strings": ({"history": ["x", "y"]}, "history must be"),
    "epoch a string": ({"history": [{"epoch": "a", "train_recon": 1.0}]}, "history must be"),
    "loss term a string": ({"history": [{"epoch": 1, "train_kl": "big"}]}, "history must be"),
    "nested history": ({"history": [[{"epoch": 1}]]}, "history must be"),
    "kl a list": ({"kl": [1, 2]}, "kl must be"),
    "loss a dict": ({"loss": {"a": 1}}, "loss must be"),
    "n_test negative": ({"n_test": -1}, "n_test must be"),
    "n_test a bool": ({"n_test": True}, "n_test must be"),
    "unknown field": ({"evil": "<img src=x>"}, "unknown field"),
    "not an object": ([1, 2, 3], "JSON object"),
    "command huge": ({"command": "x" * 100_000}, "command must be"),
}


@pytest.mark.parametrize("case", sorted(BAD_METRICS))
def test_import_refuses_metrics_that_do_not_fit_the_schema(store, good_files, case):
    metrics, needle = BAD_METRICS[case]
    refused({**good_files, METRICS: json.dumps(metrics).encode()}, store, "metrics", needle)


def test_metrics_in_the_store_are_cleaned_by_the_reader(store, good_files):
    folder = plant(store, "bad-metrics", {**good_files, METRICS: json.dumps(
        {"history": [{"epoch": 1, "train_kl": 2.0}, "x", {"epoch": "a"}], "kl": "big", "recon": 3.5, "evil": 1}).encode()})
    assert read_metrics(folder) == {"history": [{"epoch": 1, "train_kl": 2.0}], "recon": 3.5}
    (folder / METRICS).write_text('{"history": "x"}')
    assert read_metrics(folder) == {}


def test_shipped_and_trained_metrics_fit_the_schema(tmp_path, digits):
    """The schema knows every field training writes (else imports of our own models would be refused)."""
    from vae.config import TrainConfig
    from vae.training_run import train_and_save

    for path in PRETRAINED_DIR.glob("*/metrics.json"):
        assert check_metrics(json.loads(path.read_text()))[1] == [], path
    run = train_and_save(tiny_config(), TrainConfig(epochs=1, batch_size=64), small_dataset(digits, 128, 32),
                         tmp_path / "m", extra_metrics={"trained_in": "app", "command": "python -m vae train"})
    assert check_metrics(json.loads((run.path / METRICS).read_text())) == (json.loads((run.path / METRICS).read_text()), [])


# -- class 3: the config's dataset and image shape ---------------------------------------------------------------

def test_dataset_must_be_registered_or_an_upload_of_this_store(store, good_files, tmp_path):
    secret = tmp_path / "secret.npz"
    np.savez(secret, x=np.zeros((4, 8, 8), np.float32))
    messages = set()
    for dataset in (f"npz:{secret}", f"npz:{tmp_path}/nope.npz", "npz:/etc/passwd", "npz:/dev/zero",
                    f"npz:{uploads_dir(store)}/../../secret.npz", f"npz:{uploads_dir(store)}/sub/x.npz",
                    "npz:relative.npz"):
        err = refused(with_config(good_files, dataset=dataset), store, "dataset")
        messages.add(str(err).replace(dataset, ""))
    assert len(messages) == 1, messages  # an outside path that exists gets the same answer as one that does not
    assert "exist" not in next(iter(messages)) and "no such file" not in next(iter(messages))
    for dataset in ("imagenet", "![x](http://evil.example/a.png)", "npz:", "npz:\n![x](y)"):
        refused(with_config(good_files, dataset=dataset), store, "config", "unknown dataset")
    # a symlink in the uploads folder pointing outside is an outside path too
    uploads = uploads_dir(store)
    uploads.mkdir()
    (uploads / "link.npz").symlink_to(secret)
    refused(with_config(good_files, dataset=f"npz:{uploads / 'link.npz'}"), store, "dataset")


def test_an_upload_of_the_store_with_the_right_shape_is_accepted(store, good_files):
    uploads = uploads_dir(store)
    uploads.mkdir()
    np.savez(uploads / "0123456789abcdef.npz", x=np.random.default_rng(0).random((10, 8, 8)).astype(np.float32))
    path = import_model(with_config(good_files, dataset=f"npz:{uploads / '0123456789abcdef.npz'}"), "mine", store)
    assert read_config(path)[0].dataset.endswith("0123456789abcdef.npz")
    np.savez(uploads / "fedcba9876543210.npz", x=np.zeros((10, 28, 28), np.float32))
    refused(with_config(good_files, dataset=f"npz:{uploads / 'fedcba9876543210.npz'}"), store, "dataset_shape", "28×28")


def test_image_shape_must_match_the_dataset(store, good_files):
    """8×8 weights whose config claims mnist (28×28) broke four pages: refused at import, skipped in the store."""
    err = refused(with_config(good_files, dataset="mnist"), store, "dataset_shape", "8×8")
    assert err.fmt == {"have": "8×8", "need": "28×28"}
    plant(store, "liar-mnist", with_config(good_files, dataset="mnist"))
    with pytest.warns(UserWarning, match="liar-mnist.*28×28"):
        assert "user/liar-mnist" not in [m.id for m in list_models(store=store)]


# -- class 3: non-finite weights ----------------------------------------------------------------------------------

@pytest.mark.parametrize("poison", [float("nan"), float("inf"), -float("inf")])
def test_non_finite_weights_are_refused_at_import_and_load(store, good_files, poison):
    def poisoned(t):
        key = next(iter(t))
        t[key] = torch.full_like(t[key], poison)

    files = with_weights(good_files, poisoned)
    err = refused(files, store, "weights", "NaN or infinite")
    assert "NaN or infinite" in err.fmt["detail"]
    folder = plant(store, "nan-model", files)
    with pytest.raises(CheckpointError, match="NaN or infinite"):
        load_model(folder)


def test_save_refuses_non_finite_and_float16_overflow(tmp_path):
    model = build_model(tiny_config())
    with torch.no_grad():
        model.mu_head.weight[0, 0] = 1e5  # fine in float32, inf in float16 (max 65,504)
    with pytest.raises(CheckpointError, match="float16") as info:
        save_model(model, tmp_path / "half", dtype=torch.float16)
    assert "mu_head.weight" in str(info.value)
    assert list(tmp_path.iterdir()) == []
    save_model(model, tmp_path / "full")  # float32 keeps it
    with torch.no_grad():
        model.mu_head.weight[0, 0] = float("nan")
    with pytest.raises(CheckpointError, match="NaN or infinite"):
        save_model(model, tmp_path / "nan")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]


def test_cli_store_dtype_float16_overflow_is_one_line(tmp_path, capsys, monkeypatch):
    """``--store-dtype float16`` with a weight of 1e5 used to save inf silently."""
    from vae import training_run
    from vae.__main__ import main

    real_fit = training_run.fit

    def fit_then_grow(model, *a, **k):
        result = real_fit(model, *a, **k)
        with torch.no_grad():
            model.mu_head.weight[0, 0] = 1e5
        return result

    monkeypatch.setattr(training_run, "fit", fit_then_grow)
    out = tmp_path / "m"
    code = main(["train", "--kind", "vae", "--dataset", "digits", "--hidden", "16", "--epochs", "1",
                 "--store-dtype", "float16", "--out", str(out)])
    err = capsys.readouterr().err
    lines = [line for line in err.replace("\r", "\n").splitlines() if "error:" in line]
    assert code == 2 and len(lines) == 1 and "float16" in lines[0] and "Traceback" not in err, err
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# -- class 3: data from files is never rendered as markdown --------------------------------------------------------

@pytest.mark.parametrize("text", ["![x](http://evil.example/a.png)", "[click](javascript:alert(1))", "<img src=x>",
                                  ":red[big] :material/home: $x^2$", "www.evil.example", "http://evil.example",
                                  "**bold** _it_ ~~del~~ `code`", "# title\n- item\n1. one", "a | b\n--|--",
                                  "mail me: evil@evil.example", "HTTPS://EVIL.EXAMPLE"])
def test_escape_markdown_leaves_no_markup(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    for ch in "[]<>!*`~$:#|":  # ( and ) mean something only after an (escaped) ]
        assert ch not in escaped.replace(f"\\{ch}", ""), (text, escaped)
    # GFM autolinks the text after escapes are resolved: the invisible word joiner must break every URL
    unescaped = re.sub(r"\\(.)", r"\1", escaped)
    assert re.search(r"(?i)https?://|www\.|@\w", unescaped) is None, escaped
    assert unescaped.replace("\u2060", "") == " ".join(text.split())


def test_escape_markdown_keeps_ordinary_names():
    for name in ("mnist-vae-2d", "my_vae", "betavae0.5-16d", "user/tiny.v2", "digits"):
        assert escape_markdown(name) == name


# -- class 3: a bad model in the store does not break pages for anyone --------------------------------------------

@pytest.mark.slow
def test_compare_survives_a_model_with_bad_metrics(store):
    """``{"history": "x"}`` made Compare raise AttributeError for every user once the model was in the store."""
    require_shipped("mnist-betavae4-2d", "mnist-vae-2d", "mnist-ae-2d")
    from apptest_utils import open_page
    from vae.ui.cache import store_listing

    src = PRETRAINED_DIR / "mnist-betavae4-2d"
    folder = store / "hostile-beta3"
    shutil.copytree(src, folder, ignore=shutil.ignore_patterns("projections"))
    cfg = json.loads((folder / CONFIG).read_text())
    cfg["beta"] = 3.0  # its own β, so the sweep keeps it next to the shipped β = 4 model
    (folder / CONFIG).write_text(json.dumps(cfg))
    (folder / METRICS).write_text('{"history": 5, "best_epoch": [1], "kl": [1], "recon": {"a": 1}}')
    store_listing.clear()
    at = open_page("compare", "en", timeout=600)
    assert not at.exception, at.exception
    at.radio(key="compare.split").set_value("train").run()
    assert not at.exception, at.exception
    store_listing.clear()


@pytest.mark.slow
def test_pages_survive_a_model_with_nan_weights(store, good_files):
    """All-NaN weights crashed How a VAE trains: now every page shows the load error as a message."""
    from apptest_utils import open_page
    from vae.ui.cache import store_listing

    def poisoned(t):
        for k in t:
            t[k] = torch.full_like(t[k], float("nan"))

    plant(store, "nan-vae", with_weights(good_files, poisoned))
    store_listing.clear()
    at = open_page("how_vae_trains", "en")
    at.selectbox(key="sel_dataset").set_value("digits").run()
    assert not at.exception, at.exception
    assert any("NaN or infinite" in e.value for e in at.error), [e.value for e in at.error]
    for page in ("latent_map", "generate"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
    store_listing.clear()


@pytest.mark.slow
def test_store_warning_is_rendered_as_plain_text(store, good_files):
    """A forged config whose kind is markdown shows as text in every user's sidebar warning."""
    from apptest_utils import open_page
    from vae.ui.cache import store_listing

    plant(store, "evil", with_config(good_files, kind="![x](http://evil.example/a.png)"))
    store_listing.clear()
    at = open_page("latent_map", "en")
    warnings = [w.value for w in at.sidebar.warning]
    assert any("evil" in w for w in warnings), warnings
    assert all(re.search(r"(?<!\\)[\[\]!:]", w.split(": ", 1)[1]) is None for w in warnings), warnings
    # a second student, served from the listing the first one's run made: the same warning, and the same objects
    again = open_page("latent_map", "en")
    assert [w.value for w in again.sidebar.warning] == warnings
    assert store_listing() is store_listing() and isinstance(store_listing().models, tuple)
    store_listing.clear()


# -- class 7: filesystem faults on import -----------------------------------------------------------------------------

@pytest.mark.parametrize("err,code", [(errno.ENOSPC, "store_full"), (errno.EROFS, "store_readonly"),
                                      (errno.EACCES, "store_readonly"), (errno.EIO, "store")])
def test_import_onto_a_failing_store_leaves_nothing(store, good_files, monkeypatch, err, code):
    """A write that fails half-way (the disk fills after 1 kB) leaves no temp folder and gets a clear message."""
    real = Path.write_bytes

    def failing(self, data):
        real(self, data[:1024])  # part of the file is written, then the disk is full
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(Path, "write_bytes", failing)
    e = refused(dict(good_files), store, code, "cannot be written")
    assert e.fmt["detail"] == os.strerror(err)


def test_import_onto_a_read_only_or_missing_store(tmp_path, good_files, monkeypatch):
    parent_file = tmp_path / "a-file"
    parent_file.write_text("not a folder")
    with pytest.raises(ModelImportError) as info:
        import_model(dict(good_files), "m", parent_file / "store")
    assert info.value.code == "store_missing"
    assert tree(tmp_path) == ["a-file"]
    real_mkdir = Path.mkdir

    def read_only(self, *a, **k):
        if self.name.startswith(".import-"):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS))
        return real_mkdir(self, *a, **k)

    monkeypatch.setattr(Path, "mkdir", read_only)
    with pytest.raises(ModelImportError) as info:
        import_model(dict(good_files), "m", tmp_path / "ro")
    assert info.value.code == "store_readonly"
    assert tree(tmp_path / "ro") == []


@pytest.mark.slow
def test_full_store_through_the_train_page(store, good_files, monkeypatch):
    from apptest_utils import open_page

    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "No space")))
    at = open_page("train", "en")
    at.file_uploader(key="importer.files").set_value([(n, b, "application/octet-stream") for n, b in good_files.items()])
    at.button(key="importer.submit").click().run()
    assert not at.exception
    assert at.error and "disk of the model store is full" in at.error[0].value, [e.value for e in at.error]
    assert tree(store) == []


# -- class 7: non-regular files never hang a reader -------------------------------------------------------------------

def _special(path: Path, kind: str):
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "device":
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero: endless bytes
    elif kind == "socket":
        s = socket.socket(socket.AF_UNIX)
        here = os.getcwd()
        os.chdir(path.parent)  # bound by a relative name: a long tmp path (pytest-xdist) passes AF_UNIX's 108 bytes
        try:
            s.bind(path.name)
        finally:
            os.chdir(here)
        return s
    elif kind == "symlink to /dev/zero":
        path.symlink_to("/dev/zero")
    return None


KINDS = ["fifo", "device", "socket", "symlink to /dev/zero"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fname", [CONFIG, METRICS, WEIGHTS])
def test_special_file_in_a_model_folder(store, good_files, kind, fname):
    folder = plant(store, "m", {k: v for k, v in good_files.items() if k != fname})
    keep = _special(folder / fname, kind)
    try:
        if fname == METRICS:  # only read by read_metrics (Compare's sweep): the model itself still loads
            out = no_hang(lambda: read_metrics(folder))
            reason = "is a symbolic link" if kind.startswith("symlink") else "is not a regular file"
            assert isinstance(out.get("error"), CheckpointError) and f"{METRICS} {reason}" in str(out["error"]), out
            loaded = no_hang(lambda: load_model(folder))
            assert "error" not in loaded and loaded["value"].cfg.kind, loaded
            return
        out = no_hang(lambda: load_model(folder))
        assert isinstance(out.get("error"), CheckpointError), out
        assert len(str(out["error"])) < SHORT
        out = no_hang(lambda: [m.id for m in list_models(store=store)])
        assert "user/m" not in out["value"]
    finally:
        if keep:
            keep.close()


@pytest.mark.parametrize("kind", KINDS)
def test_special_file_as_report_or_projection_cache(store, good_files, kind, monkeypatch):
    from vae import report
    from vae.projection import _cache_file, project

    folder = plant(store, "m", good_files)
    keeps = [_special(folder / report.REPORT_FILE, kind)]
    mu = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    (folder / "projections").mkdir()
    cache_path = _cache_file(folder, "pca", mu)[0]
    keeps.append(_special(cache_path, kind))
    try:
        digest = report.weights_digest(folder)
        out = no_hang(lambda: report._read_cached(report._cache_paths(folder, digest), digest))
        assert out == {"value": None}, out
        out = no_hang(lambda: project(mu, "pca", model_dir=folder))
        assert out["value"].coords.shape == (40, 2), out
    finally:
        for k in keeps:
            if k:
                k.close()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_special_file_in_a_class_folder(store, kind):
    from vae import classroom

    code = classroom.open_class(["a", "b"], "0123456789ab", store=store)
    folder = classroom.classroom_root(store) / code
    _special(folder / "votes" / ("0" * 32), kind)
    out = no_hang(lambda: classroom.tally(code, store=store, max_age=0))
    assert out["value"].total == 0, out
    (folder / classroom.META).unlink()
    _special(folder / classroom.META, kind)
    out = no_hang(lambda: classroom.tally(code, store=store, max_age=0))
    assert isinstance(out.get("error"), classroom.ClassroomError), out


def test_special_file_as_an_uploaded_dataset(tmp_path):
    from vae.data import load_npz

    for kind in ("fifo", "device"):
        path = tmp_path / f"{kind}.npz"
        _special(path, kind)
        out = no_hang(lambda: load_npz(path))
        assert isinstance(out.get("error"), ExplorerError), out


# -- class 7: symbolic links in the store ------------------------------------------------------------------------------

def test_symlinked_folders_are_neither_listed_nor_written_through(store, good_files, tmp_path):
    outside = tmp_path / "outside"
    plant(outside, "real", good_files)
    (store / "linked").symlink_to(outside / "real")
    plant(store, "inside", good_files)
    (store / "alias").symlink_to(store / "inside")
    assert sorted(m.id for m in list_models(store=store) if m.source == "user") == ["user/inside"]
    before = tree(outside)
    for name in ("linked", "alias"):
        with pytest.raises(CheckpointError, match="symbolic link"):
            safe_model_path(name, store)
        with pytest.raises(CheckpointError):
            save_model(build_model(tiny_config()), store / name)
        with pytest.raises(ModelImportError) as info:
            import_model(dict(good_files), name, store)
        assert info.value.code in ("name", "exists")
    assert tree(outside) == before
    assert (outside / "real" / CONFIG).read_bytes() == good_files[CONFIG]
    # a symlinked file inside a real folder is refused too
    folder = plant(store, "half-linked", {WEIGHTS: good_files[WEIGHTS]})
    (folder / CONFIG).symlink_to(outside / "real" / CONFIG)
    with pytest.raises(CheckpointError, match="symbolic link"):
        load_model(folder)


def test_overwrite_replaces_a_link_not_its_target(tmp_path, good_files):
    outside = plant(tmp_path / "outside", "real", good_files)
    (tmp_path / "store").mkdir()
    link = tmp_path / "store" / "m"
    link.symlink_to(outside)
    write_folder_atomically(link, lambda tmp: (tmp / "f").write_text("new"), overwrite=True)
    assert not link.is_symlink() and (link / "f").read_text() == "new"
    assert sorted(p.name for p in outside.iterdir()) == sorted(good_files)


# -- class 7 (item 4's rename): the final rename never replaces a folder --------------------------------------------

@pytest.mark.parametrize("existing", ["empty folder", "an import's folder"])
def test_save_never_replaces_a_folder_that_appears_meanwhile(tmp_path, good_files, existing):
    """A folder that appears while a save writes (an import landing): the save fails, the folder survives."""
    target = tmp_path / "store" / "m"

    def write(tmp: Path) -> None:
        (tmp / "f").write_text("the job's model")
        target.mkdir()  # meanwhile, someone else takes the name
        if existing != "empty folder":
            for name, data in good_files.items():
                (target / name).write_bytes(data)

    with pytest.raises(CheckpointError, match="already exists"):
        write_folder_atomically(target, write)
    assert sorted(p.name for p in target.iterdir()) == ([] if existing == "empty folder" else sorted(good_files))
    assert [p.name for p in target.parent.iterdir()] == ["m"]  # no temp folder left


def test_import_never_replaces_a_folder_that_appears_meanwhile(store, good_files, monkeypatch):
    real = model_import._validate_folder

    def slow_validation(tmp, shapes, store_):
        real(tmp, shapes, store_)
        (store / "raced").mkdir()  # an empty folder: a plain rename would replace it

    monkeypatch.setattr(model_import, "_validate_folder", slow_validation)
    with pytest.raises(ModelImportError) as info:
        import_model(dict(good_files), "raced", store)
    assert info.value.code == "exists"
    assert tree(store) == ["raced"]
    assert checkpoint.rename_no_replace is model_import.rename_no_replace
