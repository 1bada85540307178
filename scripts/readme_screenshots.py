#!/usr/bin/env python3
"""Regenerate the README's screenshots (docs/*.png) in headless Debian Chromium.

Usage: .venv/bin/python scripts/readme_screenshots.py
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from vae.devtools.browser import StreamlitServer, launch_browser, wait_idle  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402


def main() -> None:
    out = ROOT / "docs"
    out.mkdir(exist_ok=True)
    server = StreamlitServer()
    try:
        server.wait_ready()
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            page = browser.new_page(viewport={"width": 1500, "height": 1250})
            page.goto(server.url + "?lang=en")
            wait_idle(page)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "latent_map.png"))
            page.goto(server.url + "generation?lang=en")
            wait_idle(page)
            page.get_by_role("button", name="Just show me").click()
            wait_idle(page)
            page.get_by_text("Decoded prior samples", exact=False).first.scroll_into_view_if_needed() if page.get_by_text("Decoded prior samples", exact=False).count() else None
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "generate.png"))
            page.goto(server.url + "comparison?lang=en")
            wait_idle(page)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(out / "compare.png"))
            browser.close()
    finally:
        server.stop()
    print("wrote", ", ".join(str(p.relative_to(ROOT)) for p in sorted(out.glob("*.png"))))


if __name__ == "__main__":
    main()
