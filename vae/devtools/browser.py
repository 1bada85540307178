"""A real app server (``python -m vae.ui.serve``) and headless Debian Chromium (Playwright), for browser tests
and benchmarks.

Browser tests are skipped only outside CI when Chromium or Playwright is missing; under ``CI=true``
a missing browser is a failure, so CI can never pass by skipping them.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from .net import free_port  # noqa: F401  (re-exported for the tests' browser_utils)
from .server_process import ARTIFACTS, ROOT, AppServer  # noqa: F401

#: the app on a free loopback port (:class:`vae.devtools.server_process.AppServer`), under its older name
StreamlitServer = AppServer
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--enable-unsafe-swiftshader"]


def require_browser() -> None:
    """Skip (locally) or fail (in CI) when the browser stack is not installed."""
    problem = None
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        problem = f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "the playwright package is not installed"
    if problem:
        from .ci import missing_prerequisite

        missing_prerequisite(problem, f"browser tests cannot run in CI: {problem}")


def launch_browser(playwright):
    """Headless Debian Chromium with the flags this closed network needs."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_idle(page, timeout: float = 180_000) -> None:
    """Wait until the page has rendered (every page has a title), the script has finished, and it settled.

    The title matters: just after navigation the app reports "notRunning" before its first run starts.
    The sidebar's language picker matters too: widgets render lazily, as grey placeholders first.
    """
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout)
    page.wait_for_selector("[data-testid='stSidebar'] [data-testid='stSelectbox'] input", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(500)


def choose_option(page, box, name, exact: bool = False, attempts: int = 3) -> None:
    """Pick option ``name`` (a string or a compiled pattern) of the Streamlit select box ``box`` (a locator of
    its element, e.g. ``.st-key-<key>``).

    Why not one click and one ``get_by_role("option").click()``: on a loaded machine a rerun that lands during the
    click can close the dropdown again, and the dropdown renders only its first rows, so an option further down
    is not in the page. Here a string is typed into the box first (it filters the list) and the dropdown is opened
    again, up to ``attempts`` times, until the option shows.
    """
    combo = box.locator("[role='combobox']").first
    option = page.get_by_role("option", name=name, exact=exact) if isinstance(name, str) else page.get_by_role("option", name=name)
    for attempt in range(attempts):
        combo.click()
        if isinstance(name, str):
            combo.fill(name)
        try:
            option.first.wait_for(timeout=10_000)
            break
        except Exception:
            page.keyboard.press("Escape")
            if attempt == attempts - 1:
                raise
    option.first.click()


@contextlib.contextmanager
def serving(store: Path, **env: str):
    """The app (``StreamlitServer``) with model store ``store`` (also ``srv.store``) and the extra environment
    ``env``, healthy on entry and stopped on exit; refuses to start without Chromium (``require_browser``)."""
    require_browser()
    srv = StreamlitServer(env={"VAE_MODEL_STORE": str(store), **env})
    srv.store = store  # tests may add models (the sidebar's list refreshes within 3 s)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@contextlib.contextmanager
def headless_chromium():
    """Headless Debian Chromium driven by Playwright (``launch_browser``), closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_browser(pw)
        yield browser
        browser.close()
