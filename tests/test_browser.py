"""The app in a real headless Chromium (Playwright) against ``streamlit run``.

Every page loads in English and French without a Streamlit exception element; a click on the
latent map changes the inspected image; a slider on the latent walk changes the decoded image.
Screenshots of each step go to ``artifacts/browser/`` for inspection.
"""
from __future__ import annotations

import pytest

from browser_utils import ARTIFACTS, wait_idle

pytestmark = pytest.mark.browser

# A deep link first: on a fresh server it used to show Streamlit's "Page not found" notice
# (see vae/ui/serve.py), which _assert_clean catches.
PAGES = ["walk", "", "generation", "training", "denoising", "how-a-vae-trains", "comparison"]
SHOTS = ARTIFACTS / "browser"


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    yield context.new_page()
    context.close()


def _open(page, app_server, path: str, lang: str) -> None:
    page.goto(f"{app_server.url}{path}?lang={lang}")
    wait_idle(page)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _assert_clean(page) -> None:
    exceptions = page.locator("[data-testid='stException']")
    assert exceptions.count() == 0, exceptions.first.inner_text()
    assert page.get_by_text("Page not found").count() == 0


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_exception(app_server, page, path, lang):
    _open(page, app_server, path, lang)
    _assert_clean(page)
    _shot(page, f"{lang}_{path or 'map'}")
    # The sidebar is drawn by app.py on every page, in the requested language.
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text("Langue" if lang == "fr" else "Language", exact=True).count() >= 1


def _image_sources(page, scope: str = "[data-testid='stMain']") -> list[str]:
    """The src of every image in the main area, once at least one has rendered."""
    page.wait_for_selector(f"{scope} [data-testid='stImage'] img", timeout=60_000)
    return page.eval_on_selector_all(f"{scope} [data-testid='stImage'] img", "els => els.map(e => e.src)")


def _wait_images_change(page, before: list[str], timeout_ms: int = 60_000) -> list[str]:
    """Poll until the main area's image sources differ from ``before`` (Streamlit reruns are asynchronous)."""
    waited = 0
    while waited < timeout_ms:
        wait_idle(page)
        now = _image_sources(page)
        if now != before:
            return now
        page.wait_for_timeout(250)
        waited += 750
    return before


def test_click_on_map_shows_the_clicked_image(app_server, page):
    _open(page, app_server, "", "en")
    before = _image_sources(page)
    assert before, "the inspector shows the original and its reconstruction"
    chart = page.locator("[data-testid='stPlotlyChart']").first
    chart.scroll_into_view_if_needed()
    page.wait_for_function("() => { const g = document.querySelector('.js-plotly-plot'); return g && g._fullLayout && g.data; }")
    # Pixel position (relative to the chart) of a data point far from test image 0.
    target = page.evaluate("""() => {
        const gd = document.querySelector('.js-plotly-plot');
        const L = gd._fullLayout;
        for (const tr of gd._fullData) {
            if (!tr.customdata || !tr.x || tr.x.length < 20) continue;
            const i = Math.floor(tr.x.length / 2);
            const r = gd.getBoundingClientRect();
            return {x: r.left + L.xaxis._offset + L.xaxis.l2p(tr.x[i]),
                    y: r.top + L.yaxis._offset + L.yaxis.l2p(tr.y[i]),
                    index: Array.isArray(tr.customdata[i]) ? tr.customdata[i][0] : tr.customdata[i]};
        }
        return null;
    }""")
    assert target is not None, "the map has a trace of data points with customdata"
    page.mouse.click(target["x"], target["y"])
    page.wait_for_function("() => { const e = document.querySelector('.st-key-map_index input'); return e && e.value !== '0'; }",
                           timeout=60_000)
    assert _wait_images_change(page, before) != before, "the inspected image changed"
    _assert_clean(page)
    _shot(page, "en_map_clicked")


def test_slider_changes_decoded_image(app_server, page):
    _open(page, app_server, "walk", "en")
    before = _image_sources(page)
    thumb = page.locator("[data-testid='stSlider'] input[type='range']").first
    thumb.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    assert _wait_images_change(page, before) != before, "moving a latent slider re-decodes the image"
    _assert_clean(page)
    _shot(page, "en_walk_slider_moved")
