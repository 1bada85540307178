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
