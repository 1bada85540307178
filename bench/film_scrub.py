"""The training film in headless Chromium: scrubber input -> the AE, VAE and β-VAE frames drawn.

    .venv/bin/python bench/film_scrub.py [--drags 6] [--keys 120] [--loops 200]

Starts the app (``python -m vae.ui.serve``) on a free loopback port, opens the Compare page on a cold browser
context, waits for the film view (the shipped trio's films: 1,000 codes per map and frame, 4 prior samples,
the loss cursor), then moves the scrubber the ways a teacher does and measures, from the explorer's own timing
samples (core.js ``record``):

* scrubber input -> the three maps, their 12 prior samples and three loss cursors written to their canvases,
  p50 / p95: from the input handler's start (the page's work per move), and from the event's time stamp
  (adds the time Chromium held the event before dispatching it);
  ``--drags`` mouse drags of the scrubber's thumb end to end and back, and ``--keys`` arrow-key presses;
* ``show(i)`` of random frames called in a loop (``--loops``): the drawing alone;
* messages the page sends to the server while scrubbing and playing (target 0: the frames were sent once);
* the film bundles' bytes on the first visit, and what a reload fetches again (IndexedDB by content hash: 0).
The issue's target: scrubber input -> frame drawn, p95 ≤ 16 ms for three maps of 1,000 points.
The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from draw_latency import pct  # noqa: E402
from vae.devtools.browser import StreamlitServer, launch_browser, wait_idle  # noqa: E402
from vae.devtools.explorer import evaluate_view, open_view, wait_view  # noqa: E402

KEY = "film.explorer"


def drag(page, steps: int = 60) -> None:
    """Drag the scrubber's thumb from one end to the other and back, a mouse move per few pixels."""
    box = page.get_by_test_id("vx-film-scrub").bounding_box()
    y = box["y"] + box["height"] / 2
    left, right = box["x"] + 4, box["x"] + box["width"] - 4
    page.mouse.move(left, y)
    page.mouse.down()
    for k in range(1, steps + 1):
        page.mouse.move(left + (right - left) * k / steps, y)
    for k in range(steps - 1, -1, -1):
        page.mouse.move(left + (right - left) * k / steps, y)
    page.mouse.up()


def film_bytes(fetched: list[dict], urls: set[str]) -> int:
    return sum(f["bytes"] for f in fetched if f["from"] == "network" and f["url"] in urls)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--drags", type=int, default=6, help="mouse drags of the thumb, end to end and back")
    ap.add_argument("--keys", type=int, default=120, help="arrow-key presses on the focused scrubber")
    ap.add_argument("--loops", type=int, default=200, help="show(i) calls timed in a loop")
    args = ap.parse_args(argv)

    from playwright.sync_api import sync_playwright

    server = StreamlitServer()
    try:
        server.wait_ready()
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            ctx = browser.new_context(viewport={"width": 1400, "height": 1700})
            page, sent, errors = open_view(ctx, server.url + "comparison?lang=en", KEY)
            scrub = page.get_by_test_id("vx-film-scrub")
            scrub.scroll_into_view_if_needed()
            page.wait_for_timeout(500)
            shape = evaluate_view(page, KEY, "v.panels.map((p) => [p.clip.F, p.clip.N, p.clip.K])")
            urls = set(evaluate_view(page, KEY, "v.data.films.filter((f) => f.film).map((f) => f.film.url)"))
            before = len(sent.kinds)
            page.evaluate("window.__vaeExplorer.samples.length = 0")
            for _ in range(args.drags):
                drag(page)
            scrub.focus()
            evaluate_view(page, KEY, "v.show(0)")
            for k in range(args.keys):
                page.keyboard.press("ArrowRight" if (k // 25) % 2 == 0 else "ArrowLeft")
            page.get_by_test_id("vx-film-play").click()
            page.wait_for_timeout(2500)
            page.get_by_test_id("vx-film-play").click()
            page.wait_for_timeout(500)
            messages = len(sent.kinds) - before
            samples = page.evaluate("window.__vaeExplorer.samples.filter((s) => s.kind === 'film')")
            handler = [s["pixels"] - s["handler"] for s in samples]
            event = [s["pixels"] - s["input"] for s in samples]
            loop = evaluate_view(page, KEY, """(() => { const out = [], n = v.times.length;
                for (let i = 0; i < a; i++) { const t = performance.now(); v.show((i * 7919) % n); out.push(performance.now() - t); }
                return out; })()""", args.loops)
            first_visit = film_bytes(page.evaluate("window.__vaeExplorer.fetched"), urls)
            page.wait_for_timeout(3500)  # the bundles are stored in IndexedDB when the page is idle
            page.reload()
            wait_idle(page)
            wait_view(page, KEY)
            fetched = page.evaluate("window.__vaeExplorer.fetched")
            second_visit = film_bytes(fetched, urls)
            from_cache = sum(1 for f in fetched if f["from"] == "idb" and f["url"] in urls)
            browser.close()
    finally:
        server.stop()

    result = {
        "maps": len(shape), "points_per_map": [n for _, n, _ in shape], "frames": [f for f, _, _ in shape],
        "scrub_ms_p50": pct(handler, 50), "scrub_ms_p95": pct(handler, 95), "scrub_ms_max": pct(handler, 100),
        "scrub_n": len(handler), "scrub_event_ms_p50": pct(event, 50), "scrub_event_ms_p95": pct(event, 95),
        "show_loop_ms_p50": pct(loop, 50), "show_loop_ms_p95": pct(loop, 95),
        "messages_while_scrubbing": messages, "film_bytes_first_visit": first_visit,
        "film_bytes_second_visit": second_visit, "films_from_browser_cache": from_cache, "page_errors": len(errors),
    }
    print(f"scrubber input -> {len(shape)} maps of {result['points_per_map']} codes, samples and loss cursors drawn: "
          f"p50 {result['scrub_ms_p50']} ms, p95 {result['scrub_ms_p95']} ms over {len(handler)} inputs (handler start); "
          f"from the event's time stamp: p50 {result['scrub_event_ms_p50']} ms, p95 {result['scrub_event_ms_p95']} ms")
    print(f"show(i) in a loop: p50 {result['show_loop_ms_p50']} ms, p95 {result['show_loop_ms_p95']} ms")
    print(f"messages to the server while scrubbing and playing: {messages}")
    print(f"film bundles fetched: first visit {first_visit:,} B, after a reload {second_visit:,} B "
          f"({from_cache} read from the browser's IndexedDB)")
    if errors:
        print("page errors:", errors[:3])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
