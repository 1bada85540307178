"""Untrusted input: every bad upload, hyperparameter or name gets a clear message AND does no harm.

"No harm" is checked on the filesystem: the listing of the whole temporary tree (store and its
parent) is the same before and after, a pickle payload never creates its marker file, and nothing
is written outside the user store.
"""
from __future__ import annotations

import io
import json
import pickle
import stat
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import small_dataset, tiny_config
from hostile_files import good_files, store, tree  # noqa: F401 - fixtures shared with the issue-11 tests
from vae import data as vdata
from vae import model_import
from vae.checkpoint import CONFIG, METRICS, WEIGHTS, list_models, load_model, safe_model_path
from vae.errors import CheckpointError, DatasetError
from vae.jobs.form import FormError, check_name, make_configs
from vae.jobs.pool import start_job
from vae.model_import import ModelImportError, import_model
from vae.models import build_model


class Payload:
    """Unpickling this object opens (creates) ``marker`` for writing: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (open, (self.marker, "w"))







def zipped(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, content in members.items():
            zf.writestr(zipfile.ZipInfo(name) if name.startswith("/") else name, content)
    return buf.getvalue()


def safetensors_bytes(header: dict, body: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<Q", len(raw)) + raw + body


def refused(files, store: Path, code: str, needle: str, name: str = "imported") -> ModelImportError:
    """Assert the import is refused with ``code`` and a message containing ``needle``, leaving no trace."""
    before, listed = tree(store.parent), [m.id for m in list_models(store=store)]
    with pytest.raises(ModelImportError) as info:
        import_model(files, name, store)
    assert info.value.code == code, str(info.value)
    assert needle in str(info.value), str(info.value)
    assert tree(store.parent) == before
    assert [m.id for m in list_models(store=store)] == listed
    return info.value


# -- uploaded checkpoints ----------------------------------------------------------------------------

def test_the_payload_is_real(tmp_path):
    """Control: unpickling the payload really creates its marker (so "marker absent" below means something)."""
    marker = tmp_path / "control-marker"
    pickle.loads(pickle.dumps(Payload(marker))).close()
    assert marker.exists()


@pytest.mark.parametrize("fmt", ["pickle", "torch.save"])
@pytest.mark.parametrize("disguise", ["model.pt", "model.pth", "model.pkl", "model.bin", WEIGHTS])
def test_pickle_checkpoint_is_refused_and_never_unpickled(store, good_files, tmp_path, fmt, disguise):
    marker = tmp_path / "PWNED"
    if fmt == "pickle":
        payload = pickle.dumps({"state_dict": Payload(marker)})
    else:
        buf = io.BytesIO()
        torch.save({"state_dict": Payload(marker)}, buf)
        payload = buf.getvalue()
    files = {disguise: payload, CONFIG: good_files[CONFIG]}
    err = refused(files, store, "pickle", "never loaded")
    assert disguise in str(err)
    assert not marker.exists()


def test_disguised_pickle_in_a_model_folder_is_never_unpickled(tmp_path, good_files):
    """load_model itself (the sidebar path) refuses a pickle renamed model.safetensors."""
    marker = tmp_path / "PWNED"
    folder = tmp_path / "m"
    folder.mkdir()
    (folder / CONFIG).write_bytes(good_files[CONFIG])
    (folder / WEIGHTS).write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(CheckpointError, match="not a safetensors file"):
        load_model(folder)
    assert not marker.exists()


def test_valid_model_is_imported_atomically(store, good_files):
    path = import_model(dict(good_files), "ok-model", store)
    assert path == store / "ok-model" and tree(store) == sorted(["ok-model", *(f"ok-model/{n}" for n in good_files)])
    assert [m.id for m in list_models(store=store) if m.source == "user"] == ["user/ok-model"]
    # the same folder zipped, at the top level or inside one folder, also imports
    import_model(zipped(good_files), "from-zip", store)
    import_model({"m.zip": zipped({f"m/{n}": b for n, b in good_files.items()})}, "from-zip-folder", store)
    assert not [p for p in store.iterdir() if p.name.startswith(".")]


def test_truncated_safetensors(store, good_files):
    w = good_files[WEIGHTS]
    refused({WEIGHTS: w[: len(w) // 2], CONFIG: good_files[CONFIG]}, store, "weights", "truncated")
    refused({WEIGHTS: w[:5], CONFIG: good_files[CONFIG]}, store, "weights", "truncated")


def test_header_claiming_huge_tensors(store, good_files):
    names_shapes = {k: list(v.shape) for k, v in build_model(tiny_config()).state_dict().items()}
    # real names and shapes, but offsets claiming a terabyte
    header = {k: {"dtype": "F32", "shape": s, "data_offsets": [0, 10**12]} for k, s in names_shapes.items()}
    refused({WEIGHTS: safetensors_bytes(header), CONFIG: good_files[CONFIG]}, store, "weights", "header claims")
    # a tensor declared with 10^12 elements: refused by the header parser before anything is allocated
    key = next(iter(names_shapes))
    header = {key: {"dtype": "F32", "shape": [10**6, 10**6], "data_offsets": [0, 4 * 10**12]}}
    refused({WEIGHTS: safetensors_bytes(header), CONFIG: good_files[CONFIG]}, store, "weights", "header claims")
    # a header length (first 8 bytes) larger than the file
    refused({WEIGHTS: struct.pack("<Q", 10**12) + b"{}", CONFIG: good_files[CONFIG]}, store, "weights", "header length")


def test_weights_that_do_not_match_the_config(store, good_files):
    cfg = json.loads(good_files[CONFIG])
    cfg["hidden"] = [32]
    err = refused({WEIGHTS: good_files[WEIGHTS], CONFIG: json.dumps(cfg).encode()}, store, "mismatch", "shape")
    assert "(16, 64)" in str(err) and "(32, 64)" in str(err)
    cfg = json.loads(good_files[CONFIG])
    cfg["kind"] = "ae"  # an AE has no log-variance head: unexpected tensors
    refused({WEIGHTS: good_files[WEIGHTS], CONFIG: json.dumps(cfg).encode()}, store, "mismatch", "unexpected")


@pytest.mark.parametrize("change,needle", [
    ({"evil": "rm -rf /"}, "unknown key(s) in model config: evil"),
    ({"latent_dim": 10**9}, "latent_dim must be an integer in [1, 512]"),
    ({"hidden": [10**9]}, "hidden must be"),
    ({"image_shape": [100000, 100000]}, "image_shape must be"),
    ({"hidden": [4096] * 8, "image_shape": [128, 128]}, "parameters; the limit is"),
])
def test_invalid_config(store, good_files, change, needle):
    cfg = {**json.loads(good_files[CONFIG]), **change}
    refused({WEIGHTS: good_files[WEIGHTS], CONFIG: json.dumps(cfg).encode()}, store, "config", needle)


def test_config_that_is_not_json(store, good_files):
    refused({WEIGHTS: good_files[WEIGHTS], CONFIG: b"\xff\xfe not json"}, store, "config", "not valid JSON")
    refused({WEIGHTS: good_files[WEIGHTS], CONFIG: b"[1, 2]"}, store, "config", "JSON object")
    refused({**good_files, METRICS: b"{oops"}, store, "metrics", "metrics.json")


def test_missing_or_unexpected_files(store, good_files):
    refused({CONFIG: good_files[CONFIG]}, store, "missing", WEIGHTS)
    refused({WEIGHTS: good_files[WEIGHTS]}, store, "missing", CONFIG)
    refused({**good_files, "run.sh": b"#!/bin/sh"}, store, "unexpected", "run.sh")
    refused({}, store, "empty", "no file")
    refused({"../config.json": good_files[CONFIG], WEIGHTS: good_files[WEIGHTS]}, store, "unsafe_name", "path")


@pytest.mark.parametrize("member", ["../config.json", "../../evil/config.json", "/tmp/evil-abs/config.json",
                                    "m/../../config.json"])
def test_zip_with_unsafe_member_names(store, good_files, member, tmp_path):
    data = zipped({WEIGHTS: good_files[WEIGHTS], member: good_files[CONFIG]})
    refused(data, store, "unsafe_name", "absolute path or '..'")
    assert not Path("/tmp/evil-abs").exists() and not (tmp_path / "config.json").exists()


def test_zip_with_a_symlink(store, good_files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(WEIGHTS, good_files[WEIGHTS])
        link = zipfile.ZipInfo(CONFIG)
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    refused(buf.getvalue(), store, "symlink", "symbolic link")


def test_zip_bomb(store, good_files, monkeypatch):
    monkeypatch.setattr(model_import, "MAX_FILE_BYTES", 1 << 20)
    monkeypatch.setattr(model_import, "MAX_TOTAL_BYTES", 2 << 20)
    bomb = zipped({WEIGHTS: good_files[WEIGHTS], CONFIG: b" " * (8 << 20)})  # 8 MB of spaces → a few kB
    assert len(bomb) < 100_000
    refused(bomb, store, "too_large", "once unzipped")
    # members under the per-file limit that together exceed the total
    several = zipped({WEIGHTS: b"\0" * (900 << 10), CONFIG: b" " * (900 << 10), METRICS: b" " * (900 << 10)})
    refused(several, store, "total_too_large", "once unzipped")
    refused(zipped({f"f{i}": b"" for i in range(100)}), store, "zip_members", "100 entries")
    refused(b"PK\x03\x04 not really a zip", store, "bad_zip", "cannot be read")
    refused({"a.zip": b"garbage"}, store, "bad_zip", "cannot be read")


def test_zip_whose_header_lies_about_the_size(store, good_files, monkeypatch):
    """A member whose declared size is small but which inflates to more: the bounded read catches it."""
    monkeypatch.setattr(model_import, "MAX_FILE_BYTES", 1 << 20)
    data = bytearray(zipped({WEIGHTS: good_files[WEIGHTS][:100], CONFIG: b" " * (4 << 20)}))
    # patch the declared uncompressed size (local header offset 22, central directory offset 24) to 10 bytes
    for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            (size,) = struct.unpack_from("<I", data, i + off)
            if size == 4 << 20:
                struct.pack_into("<I", data, i + off, 10)
            start = i + 4
    with pytest.raises(ModelImportError) as info:
        import_model(bytes(data), "liar", store)
    assert info.value.code in ("too_large", "bad_zip", "config", "weights"), str(info.value)
    assert tree(store) == []


def test_import_name_rules(store, good_files):
    import_model(dict(good_files), "taken", store)
    refused(dict(good_files), store, "exists", "already exists", name="taken")
    for bad in ("../x", "/tmp/x", "a/b", ".hidden", "", "x" * 200, ".."):
        refused(dict(good_files), store, "name", "invalid model name", name=bad)


# -- the Train page (AppTest supports uploads in Streamlit 1.67) --------------------------------------

@pytest.mark.slow
def test_import_through_the_train_page(store, good_files, tmp_path):
    from apptest_utils import open_page
    from vae.ui.cache import store_listing

    store_listing.clear()
    marker = tmp_path / "PWNED"
    pkl = pickle.dumps(Payload(marker))
    cfg_big = json.dumps({**json.loads(good_files[CONFIG]), "latent_dim": 10**9}).encode()
    cases = [
        ([("model.pt", pkl)], "pickle-based checkpoint"),
        ([(WEIGHTS, pkl), (CONFIG, good_files[CONFIG])], "pickle-based checkpoint"),
        ([("m.zip", zipped({"../config.json": good_files[CONFIG], WEIGHTS: good_files[WEIGHTS]}))], "'..'"),
        ([(WEIGHTS, good_files[WEIGHTS]), (CONFIG, cfg_big)], "latent_dim must be"),
        ([(WEIGHTS, good_files[WEIGHTS][:50]), (CONFIG, good_files[CONFIG])], "cannot be loaded"),
        ([(CONFIG, good_files[CONFIG]), (CONFIG, b"{}"), (WEIGHTS, good_files[WEIGHTS])], "given twice"),
        ([], "choose the files"),
    ]
    at = open_page("train", "en")
    before = tree(tmp_path)
    for files, needle in cases:
        at.file_uploader(key="importer.files").set_value([(n, b, "application/octet-stream") for n, b in files] or None)
        at.button(key="importer.submit").click().run()
        assert not at.exception
        assert at.error and "Import refused" in at.error[0].value and needle in at.error[0].value, [e.value for e in at.error]
        assert "Nothing was added" in at.error[0].value
        assert tree(tmp_path) == before and not marker.exists()
    # a valid upload is imported and offered by the sidebar at once
    at.file_uploader(key="importer.files").set_value([(n, b, "application/octet-stream") for n, b in good_files.items()])
    at.text_input(key="importer.name").set_value("my-import")
    at.button(key="importer.submit").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "user/my-import" in at.success[0].value
    assert (store / "my-import" / WEIGHTS).is_file()
    at.selectbox(key="sel_dataset").set_value("digits").run()
    assert at.selectbox(key="sel_vae_digits_2").value == "user/my-import"
    # French message for a refusal
    at.selectbox(key="lang").set_value("fr").run()
    at.file_uploader(key="importer.files").set_value(("model.pkl", pkl, "application/octet-stream"))
    at.button(key="importer.submit").click().run()
    assert at.error and "Import refusé" in at.error[0].value and "jamais chargé" in at.error[0].value
    assert not marker.exists()


# -- uploaded datasets --------------------------------------------------------------------------------

def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


rng = np.random.default_rng(0)
GOOD_X = rng.random((20, 8, 8)).astype(np.float32)
BAD_DATASETS = {
    "4-D x": (npz_bytes(x=np.zeros((10, 8, 8, 3))), "must have shape (N, H, W)"),
    "not square": (npz_bytes(x=np.zeros((10, 7))), "not a square image"),
    "NaN": (npz_bytes(x=np.where(GOOD_X > 0.5, np.nan, GOOD_X)), "NaN or infinite"),
    "inf": (npz_bytes(x=np.where(GOOD_X > 0.5, np.inf, GOOD_X)), "NaN or infinite"),
    "negative": (npz_bytes(x=GOOD_X - 1), "must lie in [0, 1] or [0, 255]"),
    "too bright": (npz_bytes(x=GOOD_X * 1000), "must lie in [0, 1] or [0, 255]"),
    "zero rows": (npz_bytes(x=np.zeros((0, 8, 8))), "empty"),
    "no x": (npz_bytes(images=GOOD_X), "no array named 'x'"),
    "bad labels": (npz_bytes(x=GOOD_X, y=np.full(20, -3)), "'y' must be"),
    "text named .npz": (b"just some text, not a zip archive", "not a readable .npz"),
    "huge images": (npz_bytes(x=np.zeros((2, 300, 300), np.uint8)), "between 2 and 128 pixels"),
}


def pickled_object_npz(marker: Path) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, x=np.array([Payload(marker), 1], dtype=object))
    return buf.getvalue()


@pytest.mark.parametrize("case", sorted(BAD_DATASETS))
def test_bad_npz_is_refused(tmp_path, case):
    raw, needle = BAD_DATASETS[case]
    path = tmp_path / "data.npz"
    path.write_bytes(raw)
    with pytest.raises(DatasetError) as info:
        vdata.load_npz(path)
    assert needle in str(info.value)


def test_pickled_object_array_is_never_unpickled(tmp_path):
    marker = tmp_path / "PWNED"
    path = tmp_path / "data.npz"
    path.write_bytes(pickled_object_npz(marker))
    with pytest.raises(DatasetError, match="not a readable .npz"):
        vdata.load_npz(path)
    assert not marker.exists()


def test_npz_over_the_size_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(vdata, "MAX_NPZ_BYTES", 1000)
    path = tmp_path / "data.npz"
    path.write_bytes(npz_bytes(x=GOOD_X))
    with pytest.raises(DatasetError, match="the limit is"):
        vdata.load_npz(path)
    monkeypatch.setattr(vdata, "MAX_NPZ_VALUES", 100)
    monkeypatch.setattr(vdata, "MAX_NPZ_BYTES", 10**9)
    with pytest.raises(DatasetError, match="values; the limit is"):
        vdata.load_npz(path)


def test_good_npz_in_0_255_is_scaled(tmp_path):
    path = tmp_path / "data.npz"
    path.write_bytes(npz_bytes(x=(GOOD_X * 255).astype(np.uint8), y=np.arange(20) % 3))
    ds = vdata.load_npz(path)
    assert ds.image_shape == (8, 8) and float(ds.x_train.max()) <= 1.0 and len(ds.x_train) + len(ds.x_test) == 20


@pytest.mark.slow
def test_bad_datasets_through_the_train_page(store, tmp_path, monkeypatch):
    from apptest_utils import open_page

    marker = tmp_path / "PWNED"
    cases = [(BAD_DATASETS[k][0], BAD_DATASETS[k][1]) for k in ("4-D x", "NaN", "negative", "zero rows", "text named .npz")]
    cases.append((pickled_object_npz(marker), "not a readable .npz"))
    at = open_page("train", "en")
    at.selectbox(key="train.dataset").set_value("upload")
    before = tree(tmp_path)
    for raw, needle in cases:
        at.file_uploader(key="train.upload").set_value(("data.npz", raw, "application/octet-stream"))
        at.button(key="train.submit").click().run()
        assert not at.exception
        # the message quotes the file, so it is shown literally: markdown-escaped in the element's text
        assert at.error and needle in at.error[0].value.replace("\\", ""), [e.value for e in at.error]
        assert tree(tmp_path) == before, "an invalid upload was left in the store"
        assert not marker.exists()
    monkeypatch.setattr(vdata, "MAX_NPZ_BYTES", 1000)
    at.file_uploader(key="train.upload").set_value(("data.npz", npz_bytes(x=GOOD_X), "application/octet-stream"))
    at.button(key="train.submit").click().run()
    assert at.error and "the limit is" in at.error[0].value
    assert tree(tmp_path) == before


# -- hyperparameters ----------------------------------------------------------------------------------

def form(**kw):
    base = dict(kind="vae", beta=1.0, latent_dim=2, arch="mlp", hidden="16", recon="bce", noise=0.0, epochs=2,
                lr=1e-3, batch_size=32, seed=0, dataset="digits", image_shape=(8, 8))
    base.update(kw)
    return make_configs(**base)


def test_huge_learning_rate_stops_cleanly_and_saves_nothing(store, digits):
    data = small_dataset(digits, 200, 50)
    mcfg, tcfg = form(lr=100.0, epochs=3)
    job = start_job("explodes", mcfg, tcfg, data, store=store)
    assert job.wait(60)
    snap = job.snapshot()
    assert snap["status"] == "failed"
    assert "the loss became" in snap["error"] and "smaller learning rate" in snap["error"]
    assert [p for p in tree(store) if not p.startswith(".jobs")] == []  # no model, no temp file (the job's record stays)


@pytest.mark.parametrize("kw,code", [({"epochs": 0}, "epochs"), ({"epochs": -5}, "epochs"),
                                     ({"kind": "beta-vae", "beta": -1.0}, "range"), ({"lr": 0.0}, "lr"),
                                     ({"lr": -1.0}, "lr"), ({"batch_size": 0}, "batch_size"),
                                     ({"noise": 2.0}, "noise"), ({"hidden": "16 -3"}, "hidden")])
def test_invalid_hyperparameters_are_refused(kw, code):
    from vae.kinds import BetaError  # β is refused by its kind's rule (the CLI's message), the rest by the form

    with pytest.raises((FormError, BetaError)) as info:
        form(**kw)
    assert info.value.code == code


def test_batch_larger_than_the_data_is_one_batch(store, digits):
    from vae.train import fit

    data = small_dataset(digits, 40, 10)
    mcfg, tcfg = form(batch_size=10_000, epochs=2)
    steps = []
    torch.manual_seed(0)
    result = fit(build_model(mcfg), data, tcfg, lambda ev, info: steps.append(info["steps"]) if ev == "batch" else None)
    assert result.completed and steps == [1, 1]
    job = start_job("one-batch", mcfg, tcfg, data, store=store)
    assert job.wait(60) and job.snapshot()["status"] == "done", job.snapshot()["error"]
    assert (store / "one-batch" / WEIGHTS).is_file()


# -- names and paths ----------------------------------------------------------------------------------

BAD_NAMES = ["../x", "../../x", "/tmp/abs-model", "a/b", "a\\b", ".hidden", "", " ", "x" * 200, "..", ".",
             "-dash", "nul\x00byte", "CON/../x"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_model_names_cannot_write_outside_the_store(store, tmp_path, good_files, name):
    before = tree(tmp_path)
    with pytest.raises(CheckpointError):
        safe_model_path(name, store)
    with pytest.raises(FormError) as info:
        check_name(name, store)
    assert info.value.code == "name"
    with pytest.raises(ModelImportError) as info:
        import_model(dict(good_files), name, store)
    assert info.value.code == "name"
    assert tree(tmp_path) == before
    assert not Path("/tmp/abs-model").exists()


# -- the upload limit is enforced by the server, not only by the browser -----------------------------

@pytest.mark.slow
@pytest.mark.browser
def test_server_refuses_an_over_limit_upload(tmp_path):
    """PUT a 51 MB multipart body straight to /_stcore/upload_file/<session>/<file>: HTTP 413.

    A real browser opens a session (and gets the XSRF cookie) and uploads a small file, which
    tells us the session's upload URL and token; then the test bypasses the browser's own size
    check and sends the big body directly, as an attacker would.
    """
    from browser_utils import StreamlitServer, launch_browser, require_browser, wait_idle

    require_browser()
    from playwright.sync_api import sync_playwright

    server = StreamlitServer(env={"VAE_MODEL_STORE": str(tmp_path)})
    try:
        server.wait_ready()
        with sync_playwright() as p:
            browser = launch_browser(p)
            ctx = browser.new_context()
            page = ctx.new_page()
            page.goto(server.url + "training?lang=en", timeout=120_000)
            wait_idle(page)
            with page.expect_request(lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT",
                                     timeout=60_000) as info:
                page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
                    files=[{"name": "small.npz", "mimeType": "application/octet-stream", "buffer": npz_bytes(x=GOOD_X)}])
            req = info.value
            token = req.headers.get("x-xsrftoken")
            assert token, "the upload request carries no XSRF token"
            base = req.url.rsplit("/", 1)[0]

            cookie = "; ".join(f"{c['name']}={c['value']}" for c in ctx.cookies())
            path = base.split(str(server.port), 1)[1]

            def put(file_id: str, size: int, with_token: bool = True, chunked: bool = False) -> int:
                """PUT a multipart body straight to the server (no browser, no client-side size check)."""
                import http.client

                head = (b'--xx\r\nContent-Disposition: form-data; name="file"; filename="x.npz"\r\n'
                        b"Content-Type: application/octet-stream\r\n\r\n")
                body = head + b"\0" * size + b"\r\n--xx--\r\n"
                headers = {"Content-Type": "multipart/form-data; boundary=xx", "Cookie": cookie,
                           **({"X-Xsrftoken": token} if with_token else {})}
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
                try:
                    if chunked:  # no Content-Length: the server must cap the stream itself
                        chunks = (body[i:i + (1 << 20)] for i in range(0, len(body), 1 << 20))
                        conn.request("PUT", f"{path}/{file_id}", body=chunks, headers=headers, encode_chunked=True)
                    else:
                        conn.request("PUT", f"{path}/{file_id}", body=body, headers=headers)
                    return conn.getresponse().status
                except (BrokenPipeError, ConnectionResetError):
                    return -1  # the server hung up mid-body; its status is checked by the other variant
                finally:
                    conn.close()

            assert put("small-ok", 1000) == 204  # control: the session and token are valid
            assert put("too-big", 51 * 2**20) == 413  # Content-Length over server.maxUploadSize
            assert put("too-big-chunked", 52 * 2**20, chunked=True) in (413, -1)  # streamed, no length
            assert put("no-token", 1000, with_token=False) == 403  # XSRF protection is on
            browser.close()
        assert server.proc.poll() is None  # the server survived
    finally:
        server.stop()

