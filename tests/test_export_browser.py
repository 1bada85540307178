"""Figure export in a real headless Chromium (issue #25 item 1), in English and French: the latent map's export
menu (PNG 2×, PNG at a chosen width, SVG, transparent background), the Compare page's β sweep through the Plotly
camera configured by ``vae.ui.export`` (PNG 2×, then SVG chosen in the sidebar), and the Generate page's samples
grid as a lossless labelled PNG. PNG sizes are checked against the figure on screen; SVGs must parse and hold the
translated axis titles."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from browser_utils import ROOT, wait_idle
from vae.devtools.explorer import evaluate_view, wait_map
from vae.ui.i18n import STRINGS

pytestmark = pytest.mark.browser
MAP = "map.explorer"


@pytest.fixture
def context(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1400}, accept_downloads=True)
    yield ctx
    ctx.close()


def _open(context, url):
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    wait_idle(page)
    return page, errors


def _download(page, click) -> tuple[str, bytes]:
    with page.expect_download(timeout=60_000) as info:
        click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def _png(data: bytes) -> Image.Image:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(data))


def _svg_text(data: bytes) -> str:
    root = ET.fromstring(data.decode("utf-8"))  # it parses
    assert root.tag.endswith("svg")
    return " ".join(t for t in root.itertext())


def _key(key: str) -> str:
    return ".st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_latent_map_exports_png_and_svg(context, app_server, lang):
    page, errors = _open(context, f"{app_server.url}?lang={lang}&proj=pca")
    wait_map(page, MAP)
    assert evaluate_view(page, MAP, "v.main.method") == "pca"
    w, h = evaluate_view(page, MAP, "[Math.round(v.panel.gd._fullLayout.width), Math.round(v.panel.gd._fullLayout.height)]")
    menu = page.get_by_test_id("vx-main-map-export")
    assert menu.locator("summary").inner_text().endswith(STRINGS["vx.export"][lang])

    def pick(what):
        if not menu.evaluate("e => e.open"):
            menu.locator("summary").click()
        return lambda: menu.locator(f"[data-export='{what}']").click()

    name, data = _download(page, pick("png2x"))
    assert name == "vae-2d_mnist_latent-map_pca.png"
    img = _png(data)
    assert img.size == (2 * w, 2 * h)
    assert img.convert("RGBA").getpixel((2, 2))[:3] == (255, 255, 255)  # white background by default

    if not menu.evaluate("e => e.open"):
        menu.locator("summary").click()
    menu.locator("[data-export='width']").fill("1234")
    menu.locator("[data-export='width']").dispatch_event("change")
    menu.locator("[data-export='background']").select_option("transparent")
    name, data = _download(page, pick("pngw"))
    img = _png(data)
    assert img.width == 1234 and abs(img.height - 1234 * h / w) <= 1
    assert img.mode == "RGBA" and img.getpixel((1, 1))[3] == 0  # transparent corner
    # a typed width counts before the field's "change": the menu's sync of the shared options (on "toggle", a task
    # after the click that opens it) keeps it (CI once exported the default 1920 here)
    if not menu.evaluate("e => e.open"):
        menu.locator("summary").click()
    menu.locator("[data-export='width']").fill("1500")
    menu.evaluate("e => e.dispatchEvent(new Event('toggle'))")
    name, data = _download(page, pick("pngw"))
    assert _png(data).width == 1500

    name, data = _download(page, pick("svg"))
    assert name == "vae-2d_mnist_latent-map_pca.svg"
    text = _svg_text(data)
    axis = STRINGS["map.axis.pca"][lang].format(i=1)
    assert axis in text and STRINGS["vx.legend"][lang] in text
    # the projector style: the same map with larger axis titles
    if not menu.evaluate("e => e.open"):
        menu.locator("summary").click()
    menu.locator("[data-export='projector']").check()
    _, big = _download(page, pick("svg"))
    sizes = lambda svg: [float(s) for s in re.findall(r'class="xtitle"[^>]*font-size: ([\d.]+)px', svg.decode())]
    assert sizes(big) and sizes(data) and sizes(big)[0] > 1.5 * sizes(data)[0]
    assert not errors, errors


def _one_chart(page, key, timeout: float = 60_000) -> None:
    """Wait until the element ``key`` holds exactly one drawn Plotly chart: during a rerun the old chart can stay
    beside the new one for a moment (CI once found two right after the export panel's rerun); a copy that stays
    fails here."""
    page.wait_for_function("sel => { const c = document.querySelectorAll(sel); return c.length === 1 && c[0]._fullLayout; }",
                           arg=f"{_key(key)} .js-plotly-plot", timeout=timeout)


def _chart_size(page, key):
    return page.locator(f"{_key(key)} .js-plotly-plot").evaluate(
        "gd => [gd._fullLayout.width, gd._fullLayout.height]")


def _camera(page, key):
    chart = page.locator(f"{_key(key)} .js-plotly-plot")
    chart.hover()
    return lambda: chart.locator(".modebar-btn[data-title^='Download']").click()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_compare_beta_sweep_exports_png_and_svg(context, app_server, lang):
    page, errors = _open(context, f"{app_server.url}comparison?lang={lang}")
    _one_chart(page, "compare.rd", timeout=300_000)
    w, h = _chart_size(page, "compare.rd")
    name, data = _download(page, _camera(page, "compare.rd"))
    assert name == "mnist_beta-sweep_2d_test.png"
    assert _png(data).size == (round(2 * w), round(2 * h))

    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text(STRINGS["export.panel"][lang]).click()
    sidebar.get_by_text(STRINGS["export.format.svg"][lang]).click()
    wait_idle(page)
    _one_chart(page, "compare.rd")
    name, data = _download(page, _camera(page, "compare.rd"))
    assert name == "mnist_beta-sweep_2d_test.svg"
    text = _svg_text(data)
    assert STRINGS["compare.rd.x"][lang] in text and STRINGS["compare.rd.y"][lang] in text
    assert not errors, errors


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_generate_samples_grid_downloads_a_labelled_lossless_png(context, app_server, lang):
    from vae.ui.images import grid, grid_shape
    from vae.ui.samples import generated_images

    page, errors = _open(context, f"{app_server.url}generation?lang={lang}")
    page.locator(_key("generate.show")).locator("button").click()
    wait_idle(page)
    button = page.locator(_key("generate.png.vae")).locator("button")
    assert button.inner_text().strip().endswith(STRINGS["export.grid_png"][lang])
    name, data = _download(page, button.click)
    assert name == "vae-2d_mnist_samples_n16_t1_seed0.png"
    out = np.asarray(_png(data).convert("L"))
    ncols, cell = grid_shape(16)
    picture = grid(generated_images(str(ROOT / "pretrained" / "mnist-vae-2d"), 16, 0, 1.0), ncols=ncols, cell=cell)
    h, w = picture.shape
    assert out.shape[1] >= 2 * w and out.shape[0] > 2 * h  # 2×, with a title and a caption around it
    # the grid is in there, every pixel doubled and unchanged (lossless), under its title
    found = [(y, x) for y in range(out.shape[0] - 2 * h + 1) for x in range(0, 40)
             if out[y, x] == picture[0, 0] and np.array_equal(out[y:y + 2 * h:2, x:x + 2 * w:2], picture)]
    assert found and found[0][0] > 10, "the 2× grid is not in the PNG"
    y, x = found[0]
    assert out[:y].min() < 100  # dark text (the title) above the grid
    assert not errors, errors
