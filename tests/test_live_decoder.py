"""Live decoder: export of MLP decoders, the component's data, the server fallback for conv bodies, and
numerical parity of the JavaScript decoder with PyTorch in headless Chromium (blank page + the real app)."""
from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from apptest_utils import ROOT, open_page, output
from browser_utils import StreamlitServer, launch_browser, require_browser, wait_idle
from vae import latent
from vae.checkpoint import load_model, save_model
from vae.config import ModelConfig
from vae.decoder_export import UnsupportedDecoder, export_decoder, weights_payload
from vae.models import build_model

JS_PATH = ROOT / "vae" / "ui" / "live_decoder" / "live_decoder.js"
PARITY_MODELS = ["mnist-vae-2d", "mnist-ae-16d", "sprites-vae-10d"]
TOL = 1e-4


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import available_models

    available_models.clear()
    return tmp_path


def _tiny(arch="mlp", latent_dim=3, hidden=(32, 16), kind="vae"):
    torch.manual_seed(0)
    return build_model(ModelConfig(kind=kind, latent_dim=latent_dim, hidden=list(hidden), arch=arch))


# ---- export (no browser) ------------------------------------------------------------------------------
def test_export_matches_torch_decode():
    model = _tiny()
    exp = export_decoder(model)
    assert exp.layer_sizes == [3, 16, 32, 784]
    z = np.random.default_rng(1).standard_normal((64, 3)).astype(np.float32)
    ref = latent.decode(model, z).reshape(64, -1)
    assert np.abs(exp.forward(z) - ref).max() < 1e-5


def test_payload_spec_offsets_and_size():
    exp = export_decoder(_tiny())
    p = weights_payload(exp)
    spec = p["spec"]
    flat = np.frombuffer(base64.b64decode(p["b64"]), dtype="<f4")
    assert flat.size == spec["n_floats"] == sum(w.size + b.size for w, b in zip(exp.weights, exp.biases))
    for layer, w, b in zip(spec["layers"], exp.weights, exp.biases):
        np.testing.assert_array_equal(flat[layer["w"]:layer["w"] + w.size].reshape(w.shape), w)
        np.testing.assert_array_equal(flat[layer["b"]:layer["b"] + b.size], b)
    assert [layer["relu"] for layer in spec["layers"]] == [True, True, False]
    assert p["n_bytes"] == 4 * flat.size and len(p["hash"]) == 16
    assert json.loads(json.dumps(spec)) == spec
    assert weights_payload(exp)["hash"] == p["hash"]


def test_conv_decoder_refused_with_reason():
    with pytest.raises(UnsupportedDecoder, match="conv"):
        export_decoder(_tiny(arch="conv"))


def test_build_data_sends_weights_only_until_cached():
    from vae.ui.live_decoder import build_data, decoder_payload, pad_limit

    path = str(ROOT / "pretrained" / "mnist-vae-2d")
    h = decoder_payload(path)["hash"]
    args = dict(path=path, model_id="m", z0=np.zeros(2, np.float32), order=[0, 1], labels={0: "a", 1: "b"},
                pad_dims=(0, 1))
    first = build_data(**args, cached=[])
    assert first["weights_b64"] and first["hash"] == h and len(first["point_labels"]) == 1000
    again = build_data(**args, cached=[h])
    assert "weights_b64" not in again
    assert pad_limit(np.zeros((5, 2))) == 4.0 and pad_limit(np.full((5, 2), 10.0)) == 11.0


# ---- pages (AppTest: the component mounts; conv falls back to the server with a note) --------------------
def test_walk_and_map_mount_live_decoder(store):
    at = open_page("latent_walk", "en")
    assert not at.exception
    assert any(s.value == "Live decoder (runs in your browser)" for s in at.subheader)
    assert output(at, "walk.live_code") is None
    at = open_page("latent_map", "fr")
    assert not at.exception
    assert any("Décodeur en direct" in s.value for s in at.subheader)


def test_conv_model_falls_back_to_server(store):
    save_model(_tiny(arch="conv", latent_dim=3, hidden=(32,)), store / "tiny-conv-3d")
    at = open_page("latent_walk", "fr")
    at.selectbox(key="sel_latent").set_value(3).run()
    assert not at.exception
    notes = [i.value for i in at.info]
    assert any("serveur" in n and "conv" in n for n in notes), notes
    assert isinstance(output(at, "walk.decoded"), np.ndarray)  # the server sliders still decode


# ---- headless Chromium: JS decoder == PyTorch --------------------------------------------------------
@pytest.fixture(scope="module")
def chromium():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        yield browser
        browser.close()


@pytest.mark.browser
def test_js_decoder_parity_with_torch(chromium):
    page = chromium.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=JS_PATH.read_text(encoding="utf-8"), type="module")
    page.wait_for_function("() => window.VaeLiveDecoder !== undefined")
    worst = {}
    for name in PARITY_MODELS:
        path = ROOT / "pretrained" / name
        model = load_model(path)
        payload = weights_payload(export_decoder(model))
        codes = (np.random.default_rng(7).standard_normal((40, model.cfg.latent_dim)) * 2).astype(np.float32)
        codes[0] = 0.0
        ref = latent.decode(model, codes).reshape(len(codes), -1)
        got = np.asarray(page.evaluate(
            """([spec, b64, codes]) => {
                const dec = window.VaeLiveDecoder.makeDecoder(spec, window.VaeLiveDecoder.b64ToF32(b64));
                return codes.map((z) => Array.from(dec.decode(z)));
            }""", [payload["spec"], payload["b64"], codes.tolist()]), np.float64)
        worst[name] = float(np.abs(got - ref).max())
    page.close()
    print("max abs error JS vs torch:", worst)
    assert max(worst.values()) < TOL, worst


@pytest.mark.browser
@pytest.mark.slow
def test_live_decoder_in_the_app(chromium, tmp_path):
    """Real app: moving a live slider redraws the canvas (= PyTorch decode of that code, to 1/255) without a
    rerun; releasing reports the code to Python; dragging the map page's pad moves the decoded point."""
    srv = StreamlitServer(env={"VAE_MODEL_STORE": str(tmp_path)})
    try:
        srv.wait_ready()
        ctx = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(srv.url)
        wait_idle(page)
        page.goto(srv.url + "walk?lang=en")
        wait_idle(page)
        page.wait_for_function("() => window.__vaeLive && window.__vaeLive.instances['walk.live'] "
                               "&& window.__vaeLive.instances['walk.live'].decoder", timeout=60_000)
        page.wait_for_timeout(500)
        wait_idle(page)
        runs = page.evaluate("() => window.__vaeLive.firstDecode") is not None
        assert runs
        z = page.evaluate("""() => {
            const inst = window.__vaeLive.instances['walk.live'];
            const s = inst.sliders[inst.data.order[0]];
            s.value = 1.75; s.dispatchEvent(new Event('input', {bubbles: true}));
            return Array.from(inst.z);
        }""")
        pixels = np.asarray(page.evaluate("""() => {
            const c = window.__vaeLive.instances['walk.live'].canvas;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            const out = []; for (let i = 0; i < d.length; i += 4) out.push(d[i]); return out;
        }"""), np.float64) / 255.0
        model = load_model(ROOT / "pretrained" / "mnist-vae-2d")
        ref = latent.decode(model, np.asarray(z, np.float32)).reshape(-1)
        assert np.abs(pixels - ref).max() <= 1.0 / 255 + 1e-6
        assert page.get_by_text("Code received").count() == 0  # no report while moving
        page.evaluate("""() => { const inst = window.__vaeLive.instances['walk.live'];
            inst.sliders[inst.data.order[0]].dispatchEvent(new Event('change', {bubbles: true})); }""")
        page.get_by_text("Code received by the app on release").wait_for(timeout=60_000)
        assert "1.75" in page.get_by_text("Code received by the app on release").inner_text()

        # map page: drag the pad's crosshair, release -> the decode coordinates follow
        page.goto(srv.url + "?lang=en")
        wait_idle(page)
        pad = page.locator("[data-testid='live-pad']")
        pad.scroll_into_view_if_needed()
        box = pad.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.25, steps=8)
        page.mouse.up()
        page.wait_for_timeout(500)
        wait_idle(page)
        limit = page.evaluate("() => window.__vaeLive.instances['map.live'].data.limit")
        x_value = float(page.get_by_label("x (map coordinate)").first.input_value())
        assert x_value == pytest.approx(limit * 0.5, abs=0.1)
        assert not errors, errors
        ctx.close()
    finally:
        srv.stop()
