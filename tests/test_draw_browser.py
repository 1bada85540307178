"""The drawing pad in a real headless Chromium against the real app: a "1" and a "0" drawn with the mouse are
encoded in the browser exactly as PyTorch encodes the same 28×28 input (≤ 1e-4), the classifier reads the
digit that was drawn, the VAE places it among the test digits of its class, each reconstruction is the
decoder's output (1/255 on the canvas), the denoising AE's output matches, and drawing sends nothing to the
server. English and French."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from browser_utils import ROOT, wait_idle
from vae import latent
from vae.checkpoint import load_model
from vae.classifier import load_classifier, predict_proba
from vae.data import load_dataset
from vae.devtools.explorer import BackMessages, canvas_gray, evaluate_view, wait_view

pytestmark = pytest.mark.browser
KEY = "draw.explorer"
TOL = 1.0 / 255 + 1e-6
ENC_TOL = 1e-4
TRIO = {k: load_model(ROOT / "pretrained" / f"mnist-{k}-2d") for k in ("ae", "vae", "betavae4")}
DENOISER = load_model(ROOT / "pretrained" / "mnist-dae-16d")
PLAIN = load_model(ROOT / "pretrained" / "mnist-ae-16d")

# strokes in pad pixels (the pad is 280×280 CSS px)
DIGITS = {
    1: [[(150 - 0.2 * t, 45 + t) for t in range(0, 191, 10)]],
    # a round, slightly slanted 0 (MNIST's zeros are about 0.75 as wide as tall; a thin one reads as a 5 or a 3)
    0: [[(140 + 65 * math.sin(a) + 12 * math.cos(a), 140 - 85 * math.cos(a)) for a in np.linspace(0, 2 * math.pi, 41)]],
    7: [[(80 + 10 * t, 60) for t in range(13)], [(200 - 5 * t, 60 + 12 * t) for t in range(1, 16)]],
}


@pytest.fixture(scope="module")
def page(chromium, app_server):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1700})
    yield lambda lang: _open(ctx, app_server, lang)
    ctx.close()


def _open(ctx, app_server, lang):
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    sent = BackMessages(pg)
    pg.goto(f"{app_server.url}drawing?lang={lang}")
    wait_idle(pg)
    wait_view(pg, KEY)
    return pg, sent, errors


def _draw(pg, strokes) -> None:
    box = pg.get_by_test_id("vx-draw-pad").bounding_box()
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x, y = stroke[0]
        pg.mouse.move(box["x"] + x * sx, box["y"] + y * sy)
        pg.mouse.down()
        for x, y in stroke[1:]:
            pg.mouse.move(box["x"] + x * sx, box["y"] + y * sy, steps=2)
        pg.mouse.up()


def _clear(pg) -> None:
    pg.get_by_test_id("vx-draw-clear").click()


def _browser(pg, expr):
    return evaluate_view(pg, KEY, expr)


def _encode(model, x):
    with torch.inference_mode():
        mu, logvar = model.encode(torch.as_tensor(x, dtype=torch.float32)[None])
    return mu.numpy()[0], (None if logvar is None else logvar.numpy()[0])


def _check_digit(pg, digit, test_mu, labels):
    x = np.asarray(_browser(pg, "Array.from(v.x)"), np.float32)
    assert x.shape == (784,) and 0.03 < x.mean() < 0.3  # MNIST-like ink (test digits: 0.08 for 1s, 0.18 for 0s)
    assert np.argmax(predict_proba(load_classifier("mnist"), x.reshape(1, 28, 28))[0]) == digit
    assert np.abs(canvas_gray(pg, "vx-draw-input") / 255 - x).max() <= TOL
    codes = _browser(pg, "v.codes")
    for col, (kind, model) in enumerate(TRIO.items()):
        mu, logvar = _encode(model, x)
        assert np.abs(np.asarray(codes[col]["mu"]) - mu).max() <= ENC_TOL, kind
        if logvar is None:
            assert codes[col]["logvar"] is None
        else:
            assert np.abs(np.asarray(codes[col]["logvar"]) - logvar).max() <= ENC_TOL, kind
        assert codes[col]["xy"] == pytest.approx(mu.tolist(), abs=1e-4)  # native 2-D map: the point is μ
        recon = latent.decode(model, mu[None]).reshape(-1)
        assert np.abs(canvas_gray(pg, f"vx-draw-recon-{col}") / 255 - recon).max() <= TOL, kind
    # the VAE puts the drawing among the test digits of its class (10 nearest codes, computed here)
    mu, _ = _encode(TRIO["vae"], x)
    nearest = np.argsort(((test_mu - mu) ** 2).sum(1))[:10]
    assert np.bincount(labels[nearest], minlength=10).argmax() == digit
    assert codes[1]["label"] == digit
    return x


def test_drawn_digits_are_encoded_like_pytorch_and_land_among_their_class(page):
    pg, sent, errors = page("en")
    data = load_dataset("mnist")
    labels = data.y_test.numpy()
    test_mu, _ = latent.encode(TRIO["vae"], data.x_test)
    assert pg.get_by_test_id("vx-draw-info-1").inner_text() == "Draw something on the pad."
    runs = len(sent.kinds)
    for digit in (1, 0):
        _clear(pg)
        _draw(pg, DIGITS[digit])
        _check_digit(pg, digit, test_mu, labels)
        assert "among the" in pg.get_by_test_id("vx-draw-info-1").inner_text()
    pg.wait_for_timeout(500)
    assert len(sent.kinds) == runs, sent.kinds  # nothing goes to the server while drawing
    assert len(_browser(pg, "window.__vaeExplorer.samples.filter(s => s.kind === 'draw')")) > 20
    assert not errors, errors


def test_denoising_undo_and_clear_in_french(page):
    pg, sent, errors = page("fr")
    assert "Votre dessin" in pg.locator(".vx-drawcard").inner_text()
    _draw(pg, DIGITS[7])
    assert _browser(pg, "v.pad.strokes.length") == 2
    # the noisy copy: x̃ = clip(x + σ ε) with σ = 0.4, through the denoising AE and the plain AE
    x, eps, noisy = (np.asarray(_browser(pg, f"Array.from(v.{k})"), np.float32) for k in ("x", "eps", "xNoisy"))
    np.testing.assert_allclose(noisy, np.clip(x + 0.4 * eps, 0, 1), atol=1e-6)
    assert np.abs(canvas_gray(pg, "vx-draw-noisy") / 255 - noisy).max() <= TOL
    for testid, model in (("vx-draw-denoised", DENOISER), ("vx-draw-plain", PLAIN)):
        mu, _ = _encode(model, noisy)  # 16-D encoders: parity beyond latent 2
        out = latent.decode(model, mu[None]).reshape(-1)
        assert np.abs(canvas_gray(pg, testid) / 255 - out).max() <= TOL, testid
    clean = latent.decode(DENOISER, _encode(DENOISER, noisy)[0][None]).reshape(-1)
    assert np.abs(clean - x).mean() < np.abs(noisy - x).mean()  # the denoiser does denoise the drawing
    # undo removes the last stroke (the 7's bar stays), clear empties the pad
    pg.get_by_test_id("vx-draw-undo").click()
    assert _browser(pg, "v.pad.strokes.length") == 1
    assert not np.allclose(np.asarray(_browser(pg, "Array.from(v.x)")), x)
    _clear(pg)
    assert _browser(pg, "v.pad.strokes.length") == 0 and max(_browser(pg, "Array.from(v.x)")) == 0
    assert pg.get_by_test_id("vx-draw-info-1").inner_text() == "Dessinez quelque chose dans le carré."
    assert not errors, errors


def test_on_the_latent_map_a_drawing_becomes_the_inspected_point(chromium, app_server):
    from vae.devtools.explorer import dot_position, wait_map

    ctx = chromium.new_context(viewport={"width": 1400, "height": 1700})
    pg = ctx.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    sent = BackMessages(pg)
    pg.goto(f"{app_server.url}?lang=en")
    wait_idle(pg)
    wait_map(pg)
    before = len(sent.kinds)
    box = pg.get_by_test_id("vx-map-draw-pad").bounding_box()
    k = box["width"] / 280
    stroke = DIGITS[0][0]
    pg.mouse.move(box["x"] + stroke[0][0] * k, box["y"] + stroke[0][1] * k)
    pg.mouse.down()
    for x, y in stroke[1:]:
        pg.mouse.move(box["x"] + x * k, box["y"] + y * k, steps=2)
    pg.mouse.up()
    pg.wait_for_function("() => window.__vaeExplorer.views['map.explorer'].drawn")
    view = lambda expr: evaluate_view(pg, "map.explorer", expr)  # noqa: E731
    x = np.asarray(view("Array.from(v.drawn.x)"), np.float32)
    mu, logvar = _encode(TRIO["vae"], x)  # the sidebar's focus: the VAE
    assert np.abs(np.asarray(view("v.drawn.mu")) - mu).max() <= ENC_TOL
    assert np.abs(np.asarray(view("v.drawn.logvar")) - logvar).max() <= ENC_TOL
    assert view("v.drawn.xy") == pytest.approx(mu.tolist(), abs=1e-4)
    assert pg.get_by_test_id("vx-inspect-text").inner_text().startswith("Your drawing")
    assert np.abs(canvas_gray(pg, "vx-original") / 255 - x).max() <= TOL
    assert np.abs(canvas_gray(pg, "vx-reconstruction") / 255 - latent.decode(TRIO["vae"], mu[None]).reshape(-1)).max() <= TOL
    for col, model in enumerate(TRIO.values()):  # each trio model encodes the drawing and shows its reconstruction
        z, _ = _encode(model, x)
        assert view(f"v.trio[{col}].drawn.xy") == pytest.approx(z.tolist(), abs=1e-4)
        assert np.abs(canvas_gray(pg, f"vx-trio-out-{col}") / 255 - latent.decode(model, z[None]).reshape(-1)).max() <= TOL
    pg.wait_for_timeout(500)
    assert len(sent.kinds) == before, sent.kinds  # a drawing is not reported to Python
    # a click on a dot inspects that test image again
    pg.mouse.click(*dot_position(pg, 5))
    assert view("v.drawn") is None and view("v.inspected") == 5
    assert "#5" in pg.get_by_test_id("vx-inspect-text").inner_text()
    assert not errors, errors
    ctx.close()
