"""Screenshots of the Lecture's nine steps in presenter mode at 1280×720 (docs/lecture/<lang>-<k>-<slug>.png),
taken in headless Chromium against a fresh app server with the shipped models, walking the steps with → as a
teacher does. PNGs are reduced to a 256-colour palette to stay small.

    .venv/bin/python scripts/lecture_screenshots.py [--out docs/lecture] [--lang fr en]
"""
from __future__ import annotations

import argparse
import io
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from vae.devtools.browser import StreamlitServer, launch_browser  # noqa: E402
from vae.ui.lecture.steps import SLUGS  # noqa: E402

VIEWPORT = {"width": 1280, "height": 720}


def settle(page, timeout: float = 180_000) -> None:
    """The page ran to the end and the presenter view is ready."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout)
    page.wait_for_selector("[data-testid='vx-presenter'][data-ready='1']", state="attached", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(1200)


def small_png(raw: bytes) -> bytes:
    """The screenshot as a palette PNG (256 colours, optimised)."""
    out = io.BytesIO()
    Image.open(io.BytesIO(raw)).convert("RGB").quantize(256).save(out, "PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    """Walk the steps in each language and write one PNG per step; print each file's size."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "lecture"))
    ap.add_argument("--lang", nargs="+", default=["fr", "en"])
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as store:
        srv = StreamlitServer(env={"VAE_MODEL_STORE": store})
        try:
            srv.wait_ready()
            with sync_playwright() as pw:
                browser = launch_browser(pw)
                ctx = browser.new_context(viewport=VIEWPORT)
                for lang in args.lang:
                    page = ctx.new_page()
                    page.goto(f"{srv.url}lecture?present=1&lang={lang}")
                    settle(page)
                    for k, slug in enumerate(SLUGS, start=1):
                        if k > 1:
                            page.keyboard.press("ArrowRight")
                            page.wait_for_function(
                                "n => (document.querySelector('.st-key-lecture-counter') || {}).innerText?.includes(n)",
                                arg=f"{k} / {len(SLUGS)}", timeout=120_000)
                            settle(page)
                        path = out / f"{lang}-{k}-{slug}.png"
                        path.write_bytes(small_png(page.screenshot()))
                        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
                              f"{path.stat().st_size / 1024:.0f} KB", flush=True)
                    page.close()
                browser.close()
        finally:
            srv.stop()


if __name__ == "__main__":
    main()
