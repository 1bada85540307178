"""The explorer in a real headless Chromium against the real app: hover decodes in the browser like PyTorch
(to 1/255 on the canvas) without any server rerun, a click inspects or pins with exactly one message to the
server, the AE | VAE | β-VAE maps are linked, conv decoders fall back to the server, the walk decodes and
interpolates in the browser, and a reload transfers no weights or data."""
from __future__ import annotations

import time

import numpy as np
import pytest
import torch

from browser_utils import ROOT, choose_option, wait_idle
from vae import latent
from vae.checkpoint import load_model, save_model
from vae.config import ModelConfig
from vae.data import load_dataset
from vae.devtools.explorer import (BackMessages, canvas_gray, data_position, dot_position, empty_spot, evaluate_view,
                                   wait_map, wait_view)
from vae.models import build_model
from vae.projection import Projection, fit_pca

pytestmark = pytest.mark.browser
TOL = 1.0 / 255 + 1e-6
MAP, WALK = "map.explorer", "walk.explorer"
SHIPPED = {k: load_model(ROOT / "pretrained" / f"mnist-{k}-2d") for k in ("ae", "vae", "betavae4")}


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1600})
    yield ctx
    ctx.close()


def _open(context, app_server, path="", lang="en", key=MAP):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent = BackMessages(page)
    page.goto(f"{app_server.url}{path}?lang={lang}")
    wait_idle(page)
    (wait_map if key == MAP else wait_view)(page, key)
    page.wait_for_timeout(300)
    return page, sent, errors


def _decoded(model, z) -> np.ndarray:
    return latent.decode(model, np.asarray(z, np.float32)).reshape(-1)


def _idle_messages(page, sent, before: int, wait_ms: int = 800) -> int:
    page.wait_for_timeout(wait_ms)
    return sent.reruns - before


def test_hover_decodes_in_the_browser_like_pytorch_without_reruns(context, app_server):
    page, sent, errors = _open(context, app_server)
    runs = sent.reruns
    model = SHIPPED["vae"]
    for x, y in [(0.3, -0.8), (-1.7, 1.1), (2.4, 2.0)]:
        px, py = data_position(page, x, y)
        page.mouse.move(px, py)
        xy = evaluate_view(page, MAP, "v.cursor.xy")
        assert xy == pytest.approx([x, y], abs=0.05)
        got = canvas_gray(page, "vx-hover-image") / 255
        assert np.abs(got - _decoded(model, xy)).max() <= TOL  # native map: the code is the point itself
    for _ in range(97):  # 100 hover events in all
        page.mouse.move(px + np.random.uniform(-60, 60), py + np.random.uniform(-60, 60))
    assert _idle_messages(page, sent, runs) == 0, sent.kinds
    assert "z = (" in page.get_by_test_id("vx-hover-info").inner_text()
    assert not errors, errors


def test_overlay_toggles_redraw_the_map_without_reruns(context, app_server):
    """The map's first draw already holds the toggles' state (prior circles shown, no σ ellipses); ticking
    "σ ellipses" draws one 1σ ellipse per 10th test image (33 points each, then a gap), unticking the
    prior hides its three circles, and none of it reaches the server."""
    page, sent, errors = _open(context, app_server)
    runs = sent.reruns
    state = """(() => { const d = v.panel.gd.data;
        return {prior: [0, 1, 2].map((k) => d[k].visible !== false && d[k].visible !== "legendonly"),
                ellipse: d[v.panel.ellipseTrace].x.length}; })()"""
    assert evaluate_view(page, MAP, state) == {"prior": [True] * 3, "ellipse": 0}
    page.locator('input[data-overlay="ellipses"]').check()
    n = evaluate_view(page, MAP, "v.main.n")
    step = max(1, n // 100)
    assert evaluate_view(page, MAP, state) == {"prior": [True] * 3, "ellipse": -(-n // step) * 34}
    page.locator('input[data-overlay="prior"]').uncheck()
    assert evaluate_view(page, MAP, state)["prior"] == [False] * 3
    assert _idle_messages(page, sent, runs) == 0, sent.kinds
    assert not errors, errors


def test_pca_map_hover_uses_the_exact_inverse(context, app_server):
    page, sent, errors = _open(context, app_server)
    page.locator(".st-key-map_projection button").filter(has_text="PCA").click()
    page.wait_for_function(f"() => window.__vaeExplorer.views['{MAP}'].main && window.__vaeExplorer.views['{MAP}'].main.method === 'pca'"
                           f" && window.__vaeExplorer.views['{MAP}'].root.getAttribute('data-plotted') === '1'", timeout=60_000)
    page.wait_for_timeout(300)
    model = SHIPPED["vae"]
    mu, _ = latent.encode(model, load_dataset("mnist").x_test)
    pca = fit_pca(mu)
    px, py = data_position(page, 0.5, -0.5)
    page.mouse.move(px, py)
    xy = np.asarray(evaluate_view(page, MAP, "v.cursor.xy"))
    z = pca.inverse(xy[None])[0]
    assert np.abs(canvas_gray(page, "vx-hover-image") / 255 - _decoded(model, z)).max() <= TOL
    assert not errors, errors


def test_umap_map_hover_decodes_neighbours_and_places_new_codes_like_python(context, app_server):
    """The UMAP map (shipped with the model): hover decodes the neighbour-weighted code (Projection.inverse), the
    σ ellipses and decoded grid are off (no σ on UMAP's axes), and the browser places new codes (a drawing's)
    where vae.projection.umap_placement does."""
    page, sent, errors = _open(context, app_server, path="", lang="en")
    page.locator(".st-key-map_projection button").filter(has_text="UMAP").click()
    page.wait_for_function(f"() => window.__vaeExplorer.views['{MAP}'].main && window.__vaeExplorer.views['{MAP}'].main.method === 'umap'"
                           f" && window.__vaeExplorer.views['{MAP}'].root.getAttribute('data-plotted') === '1'", timeout=240_000)
    page.wait_for_timeout(300)
    model = SHIPPED["vae"]
    mu, _ = latent.encode(model, load_dataset("mnist").x_test)
    coords = np.asarray(evaluate_view(page, MAP, "Array.from(v.main.proj.coords)"), np.float32).reshape(-1, 2)
    umap_map = Projection("umap", coords, mu=mu)
    cx, cy = coords[321]
    page.mouse.move(*data_position(page, float(cx) + 0.05, float(cy) - 0.05))
    xy = np.asarray(evaluate_view(page, MAP, "v.cursor.xy"))
    z = umap_map.inverse(xy[None])[0]
    assert np.abs(canvas_gray(page, "vx-hover-image") / 255 - _decoded(model, z)).max() <= TOL
    assert evaluate_view(page, MAP, "[...v.root.querySelectorAll('input[data-overlay]')].filter((c) => !c.disabled)"
                                    ".map((c) => c.dataset.overlay)") == []  # prior: native only; σ and grid: exact maps
    codes = (mu[[5, 500, 900]] + np.asarray([[0.3, -0.2], [-0.5, 0.4], [1.5, 1.0]], np.float32)).tolist() + [mu[42].tolist()]
    placed = np.asarray(evaluate_view(page, MAP, "a.map((z) => v.main.project(z))", codes))
    np.testing.assert_allclose(placed, umap_map.transform(np.asarray(codes)), rtol=0, atol=1e-4)
    assert not errors, errors


def test_click_a_dot_fills_the_inspector_and_tells_python_once(context, app_server):
    page, sent, errors = _open(context, app_server)
    data = load_dataset("mnist")
    model = SHIPPED["vae"]
    i = 321
    runs = sent.reruns
    page.mouse.click(*dot_position(page, i))
    assert evaluate_view(page, MAP, "v.inspected") == i
    assert f"#{i}" in page.get_by_test_id("vx-inspect-text").inner_text()
    original = canvas_gray(page, "vx-original") / 255
    assert np.abs(original - data.x_test[i].numpy().reshape(-1)).max() <= TOL
    mu, logvar = latent.encode(model, data.x_test[i:i + 1])
    assert np.abs(canvas_gray(page, "vx-reconstruction") / 255 - _decoded(model, mu)).max() <= TOL
    kl = float(latent.kl_per_point(mu, logvar)[0])
    assert f"{kl:.2f}" in page.get_by_test_id("vx-inspect-text").inner_text()
    assert _idle_messages(page, sent, runs, 1500) == 1, sent.kinds  # one rerun of the map's fragment
    wait_idle(page)
    assert evaluate_view(page, MAP, "v.data.inspected") == i  # Python holds it (and echoes it back)
    # an empty place: the code there is pinned and decoded, one more message
    x, y = empty_spot(page)
    runs = sent.reruns
    page.mouse.click(*data_position(page, x, y))
    pinned = evaluate_view(page, MAP, "v.pinned.z")
    assert pinned == pytest.approx([x, y], abs=0.05)
    assert np.abs(canvas_gray(page, "vx-pinned-image") / 255 - _decoded(model, pinned)).max() <= TOL
    assert _idle_messages(page, sent, runs, 1500) == 1, sent.kinds
    assert not errors, errors


def test_the_three_maps_are_linked(context, app_server):
    page, sent, errors = _open(context, app_server, lang="fr")
    data = load_dataset("mnist")
    i = 777
    page.mouse.move(*dot_position(page, i, panel=0))  # hover a dot of the AE's map
    assert evaluate_view(page, MAP, "v.hoverIndex") == i
    for k, name in enumerate(["ae", "vae", "betavae4"]):
        assert f"n°{i}" in page.get_by_test_id(f"vx-trio-info-{k}").inner_text()
        mu, _ = latent.encode(SHIPPED[name], data.x_test[i:i + 1])
        assert np.abs(canvas_gray(page, f"vx-trio-out-{k}") / 255 - _decoded(SHIPPED[name], mu)).max() <= TOL
    # native 2-D maps share coordinates: an empty place of the main map is decoded by all three decoders
    x, y = empty_spot(page)
    page.mouse.move(*data_position(page, x, y))
    xy = evaluate_view(page, MAP, "v.cursor.xy")
    for k, name in enumerate(["ae", "vae", "betavae4"]):
        assert "décodage" in page.get_by_test_id(f"vx-trio-info-{k}").inner_text()
        assert np.abs(canvas_gray(page, f"vx-trio-out-{k}") / 255 - _decoded(SHIPPED[name], xy)).max() <= TOL
    # a click in a trio map inspects that image everywhere
    page.mouse.click(*dot_position(page, 42, panel=2))
    assert evaluate_view(page, MAP, "v.inspected") == 42
    assert not errors, errors


def test_walk_decodes_and_interpolates_in_the_browser(context, app_server):
    page, sent, errors = _open(context, app_server, path="walk", key=WALK)
    model = SHIPPED["vae"]
    runs = sent.reruns
    z = evaluate_view(page, WALK, """(() => { const s = v.sliders[v.order[0]]; s.value = 1.75;
        s.dispatchEvent(new Event('input', {bubbles: true})); return v.z.slice(); })()""")
    assert z[evaluate_view(page, WALK, "v.order[0]")] == pytest.approx(1.75)
    assert np.abs(canvas_gray(page, "vx-walk-image") / 255 - _decoded(model, z)).max() <= TOL
    # a new end image and step count re-draw the interpolation rows in the browser
    page.get_by_test_id("vx-interp-b").fill("250")
    page.get_by_test_id("vx-interp-b").press("Enter")
    page.get_by_test_id("vx-interp-steps").fill("5")
    assert evaluate_view(page, WALK, "[v.b, v.steps]") == [250, 5]
    grid = canvas_gray(page, "vx-interpolation").reshape(3 * 28, 5 * 28) / 255
    mu, _ = latent.encode(model, load_dataset("mnist").x_test[[0, 250]])
    lerp = latent.decode(model, latent.lerp(mu[0], mu[1], 5))
    for k in range(5):
        assert np.abs(grid[:28, 28 * k:28 * (k + 1)] - lerp[k]).max() <= TOL
    # moves send nothing; each release sends one message (the code and controls, for the URL / fallback)
    assert _idle_messages(page, sent, runs, 1200) <= 3, sent.kinds
    assert not errors, errors


def _pick_latent_dim(page, value: str) -> None:
    choose_option(page, page.locator(".st-key-sel_latent"), value, exact=True)
    wait_idle(page)


def test_conv_decoder_falls_back_to_the_server(context, app_server):
    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=3, hidden=[32], arch="conv")),
               app_server.store / "tiny-conv-3d")
    time.sleep(3.5)  # the sidebar's model list is cached for 3 s
    page, sent, errors = _open(context, app_server)
    _pick_latent_dim(page, "3")
    page.wait_for_function(f"() => (window.__vaeExplorer.views['{MAP}'].main || {{}}).d === 3", timeout=60_000)
    wait_map(page)
    assert evaluate_view(page, MAP, "v.main.decoder") is None
    assert "serveur" not in page.get_by_test_id("vx-hover-info").inner_text()  # English page
    assert "cannot run in the browser" in page.get_by_test_id("vx-hover-info").inner_text()
    x, y = empty_spot(page)
    page.mouse.click(*data_position(page, x, y))
    z = evaluate_view(page, MAP, "v.pinned.z")
    model = load_model(app_server.store / "tiny-conv-3d")
    page.wait_for_function(f"() => window.__vaeExplorer.views['{MAP}'].data.server_pinned", timeout=60_000)
    page.wait_for_timeout(300)
    assert np.abs(canvas_gray(page, "vx-pinned-image") / 255 - _decoded(model, z)).max() <= TOL
    assert "decoded by the server" in page.get_by_test_id("vx-pinned-info").inner_text()
    assert not errors, errors


def test_a_reload_transfers_no_weights_or_data(context, app_server):
    page, _, errors = _open(context, app_server)
    first = page.evaluate("window.__vaeExplorer.fetched")
    assert sum(f["bytes"] for f in first if f["from"] == "network") > 1_000_000  # decoders, test sets, plotly
    page.reload()
    wait_idle(page)
    wait_map(page)
    again = page.evaluate("window.__vaeExplorer.fetched")
    # the bundles from IndexedDB, plotly.js (a <script>, immutable) from the HTTP cache
    assert again and all(f["bytes"] == 0 for f in again), again
    assert {f["from"] for f in again if not f["url"].startswith("vendor/")} == {"idb"}, again
    assert [f["from"] for f in again if f["url"].startswith("vendor/")] == ["cache"], again
    # what the network carried for the explorer's data and plotly.js after the reload (a cache hit carries 0 bytes)
    downloads = page.evaluate("""() => performance.getEntriesByType('resource')
        .filter((e) => /\\/bidi-components\\/vae\\.explorer\\/(data|vendor)\\//.test(e.name) && e.transferSize > 0)
        .map((e) => [e.name, e.transferSize])""")
    assert downloads == []
    assert not errors, errors
