"""The shipped Fashion-MNIST trio in a real Chromium: every page opens on it in English and French without an
exception, hovering its 2-D VAE map decodes in the browser like PyTorch, and the clothes are named in the page's
language (the sidebar keeps the data set in the URL)."""
from __future__ import annotations

import numpy as np
import pytest

from browser_utils import ROOT, wait_idle
from conftest import require_shipped
from vae import latent
from vae.checkpoint import load_model
from vae.devtools.explorer import canvas_gray, data_position, evaluate_view, wait_map

pytestmark = pytest.mark.browser
TOL = 1.0 / 255 + 1e-6
PAGES = ["", "lecture", "walk", "generation", "training", "denoising", "how-a-vae-trains", "comparison", "drawing"]


@pytest.fixture(scope="module")
def fashion_vae():
    require_shipped("fashion-mnist-ae-2d", "fashion-mnist-vae-2d", "fashion-mnist-betavae4-2d")
    return load_model(ROOT / "pretrained" / "fashion-mnist-vae-2d")


@pytest.fixture
def page(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1400})
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    ctx.close()


@pytest.mark.parametrize("lang, paths", [("en", PAGES), ("fr", ["", "comparison", "lecture"])])
def test_every_page_opens_on_fashion_mnist(fashion_vae, app_server, page, lang, paths):
    """Every page in English; in French the pages whose text changes most with the data (map, Compare, Lecture):
    the other pages' French text is walked on MNIST by tests/test_browser.py."""
    for path in paths:
        page.goto(f"{app_server.url}{path}?lang={lang}&data=fashion-mnist")
        wait_idle(page)
        exceptions = page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, (path, exceptions.first.inner_text())
        assert "data=fashion-mnist" in page.url, (path, page.url)  # the choice stays in the URL
    assert not page.errors, page.errors


@pytest.mark.parametrize("lang, names", [("en", ["T-shirt/top", "Ankle boot"]), ("fr", ["T-shirt/haut", "Bottine"])])
def test_hover_decodes_clothes_and_names_them_in_the_pages_language(fashion_vae, app_server, page, lang, names):
    page.goto(f"{app_server.url}?lang={lang}&data=fashion-mnist")
    wait_idle(page)
    wait_map(page)
    for x, y in [(0.4, -0.6), (-1.2, 0.9)]:
        page.mouse.move(*data_position(page, x, y))
        xy = evaluate_view(page, "map.explorer", "v.cursor.xy")
        got = canvas_gray(page, "vx-hover-image") / 255
        want = latent.decode(fashion_vae, np.asarray([xy], np.float32)).reshape(-1)
        assert np.abs(got - want).max() <= TOL
    shown = evaluate_view(page, "map.explorer", "[0, 9].map((i) => v.main.labelText(i))")
    assert shown == names, shown
    assert not page.errors, page.errors


def test_all_ten_thousand_test_images_on_the_map_with_webgl_hover_and_click(fashion_vae, app_server, page):
    """The whole Fashion-MNIST test split on the 2-D VAE's map: 10,000 dots drawn by WebGL, hover decodes like
    PyTorch, the grid index finds the same dots as a full scan (map.hit, t-SNE's k nearest), a click inspects."""
    from vae.data import load_dataset
    from vae.devtools.explorer import dot_position

    page.goto(f"{app_server.url}?lang=en&data=fashion-mnist&points=10000")
    wait_idle(page)
    wait_map(page)
    assert evaluate_view(page, "map.explorer", "[v.main.n, ...v.trioPanels.map((p) => p.model.n)]") == [10_000] * 4
    types = evaluate_view(page, "map.explorer", "[...new Set(v.panel.gd._fullData.map((t) => t.type))]")
    assert "scattergl" in types and "scatter" in types  # dots by WebGL; the prior's circles stay SVG lines
    assert evaluate_view(page, "map.explorer", "v.panel.gd._fullData.filter((t) => t.type === 'scattergl')"
                                               ".reduce((s, t) => s + t.x.length, 0)") == 10_000
    for x, y in [(0.4, -0.6), (-1.2, 0.9)]:
        page.mouse.move(*data_position(page, x, y))
        xy = evaluate_view(page, "map.explorer", "v.cursor.xy")
        got = canvas_gray(page, "vx-hover-image") / 255
        assert np.abs(got - latent.decode(fashion_vae, np.asarray([xy], np.float32)).reshape(-1)).max() <= TOL
    # the grid index against a full scan: the dot under 300 cursor positions near dots, and the 8 nearest dots
    # of 300 map points (what the t-SNE inverse averages)
    mismatches = evaluate_view(page, "map.explorer", """(() => {
        const p = v.panel, m = v.main, [xa, ya] = p.axes(), r = p.gd.getBoundingClientRect(), bad = [];
        let s = 7; const rnd = () => (s = (s * 16807) % 2147483647) / 2147483647;
        for (let q = 0; q < 300; q++) {
          const i = Math.floor(rnd() * m.n), px = xa.d2p(m.xs[i]) + (rnd() - 0.5) * 12, py = ya.d2p(m.ys[i]) + (rnd() - 0.5) * 12;
          let best = -1, bestD = 49;
          for (let j = 0; j < m.n; j++) {
            const dx = xa.d2p(m.xs[j]) - px, dy = ya.d2p(m.ys[j]) - py, d2 = dx * dx + dy * dy;
            if (d2 <= bestD) { bestD = d2; best = j; }
          }
          const got = p.hit(r.left + xa._offset + px, r.top + ya._offset + py);
          if (got !== best) bad.push(["hit", q, got, best]);
          const x = xa.p2d(px), y = ya.p2d(py);
          const scan = Array.from(m.xs, (u, j) => [(u - x) ** 2 + (m.ys[j] - y) ** 2, j])
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, 8).map((e) => e[1]);
          const grid = m.grid.nearest(x, y, 8).map((e) => e[1]);
          if (grid.join() !== scan.join()) bad.push(["nearest", q, grid, scan]);
        }
        return bad; })()""")
    assert mismatches == [], mismatches[:3]
    i = 9876
    page.mouse.click(*dot_position(page, i))
    assert evaluate_view(page, "map.explorer", "v.inspected") == i
    data = load_dataset("fashion-mnist")
    assert np.abs(canvas_gray(page, "vx-original") / 255 - data.x_test[i].numpy().reshape(-1)).max() <= TOL
    assert not page.errors, page.errors
