"""The app in a real headless Chromium (Playwright) against ``streamlit run``.

Every page loads in English and French without a Streamlit exception element (the explorer's
interactions are tested in tests/test_explorer_browser.py). Screenshots go to ``artifacts/browser/``.
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
