"""The drawing pad in headless Chromium: a pen move -> the AE, VAE and β-VAE reconstructions drawn.

    .venv/bin/python bench/draw_latency.py [--strokes 24] [--refreshes 200]

Starts the app (``python -m vae.ui.serve``) on a free loopback port, opens the Draw page on a cold browser
context, draws ``--strokes`` digit-like strokes with the mouse (Playwright, a pointer move every few pixels)
and measures, from the explorer's own timing samples (core.js ``record``):

* pen move -> every output of one move written to its canvas (the 28×28 input, three encodings, three
  decodings, three map overlays with σ ellipses, the noisy copy through the denoising AE and the plain AE),
  p50 / p95: from the pointermove handler's start (the page's work per move), and from the event's time
  stamp (adds the time Chromium holds a move before dispatching it, up to one 60 Hz frame);
* the same work for a fixed drawing, called in a loop (``refresh``), p50 / p95: the pad's compute alone;
* messages the page sends to the server while drawing (target 0: nothing goes back);
* the same on the latent map's own pad (the drawing becomes the inspected point: focus model + trio);
* bytes of the encoder bundles the pad adds to each model's data, and the bundle bytes a reload fetches again
  (the browser keeps them in IndexedDB by content hash: target 0).
The issue's target: stroke -> three reconstructions shown, p95 ≤ 16 ms. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae.devtools.browser import StreamlitServer, launch_browser, wait_idle  # noqa: E402
from vae.devtools.explorer import BackMessages, evaluate_view, wait_map, wait_view  # noqa: E402

KEY = "draw.explorer"


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))], 2)


def digit_strokes(rng: random.Random) -> list[list[tuple[float, float]]]:
    """A 1, a 0 or a 7 in pad pixels (280×280), jittered in place, size and slant."""
    cx, cy, s, slant = rng.uniform(120, 160), rng.uniform(120, 160), rng.uniform(0.7, 1.1), rng.uniform(-0.2, 0.2)
    kind = rng.choice("107")
    if kind == "1":
        pts = [[(0, -90 + t), (0, 0)] for t in range(0, 181, 9)]
        shape = [[(p[0][0] + slant * p[0][1], p[0][1]) for p in pts]]
    elif kind == "0":
        shape = [[(60 * math.sin(a) + slant * -85 * math.cos(a), -85 * math.cos(a)) for a in
                  [2 * math.pi * i / 40 for i in range(41)]]]
    else:
        shape = [[(-60 + 10 * t, -80) for t in range(13)], [(60 - 5 * t + slant * 12 * t, -80 + 12 * t) for t in range(1, 16)]]
    return [[(cx + s * x, cy + s * y) for x, y in st] for st in shape]


def draw(page, strokes, testid: str = "vx-draw-pad") -> None:
    box = page.get_by_test_id(testid).bounding_box()
    k = box["width"] / 280
    for st in strokes:
        page.mouse.move(box["x"] + st[0][0] * k, box["y"] + st[0][1] * k)
        page.mouse.down()
        for x, y in st[1:]:
            page.mouse.move(box["x"] + x * k, box["y"] + y * k)
        page.mouse.up()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--strokes", type=int, default=24, help="digits drawn (each 1 to 2 strokes of ~20 moves)")
    ap.add_argument("--refreshes", type=int, default=200, help="refresh() calls timed on a fixed drawing")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    from playwright.sync_api import sync_playwright

    server = StreamlitServer()
    try:
        server.wait_ready()
        with sync_playwright() as pw:
            browser = launch_browser(pw)
            ctx = browser.new_context(viewport={"width": 1400, "height": 1700})
            page = ctx.new_page()
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            sent = BackMessages(page)
            page.goto(server.url + "drawing?lang=en")
            wait_idle(page)
            wait_view(page, KEY)
            page.wait_for_timeout(500)
            before = len(sent.kinds)
            page.evaluate("window.__vaeExplorer.samples.length = 0")
            for _ in range(args.strokes):
                page.get_by_test_id("vx-draw-clear").click()
                draw(page, digit_strokes(rng))
            page.wait_for_timeout(800)
            messages = len(sent.kinds) - before  # Clear is the view's own button: it sends nothing either
            samples = page.evaluate("window.__vaeExplorer.samples.filter((s) => s.kind === 'draw')")
            handler = [s["pixels"] - s["handler"] for s in samples]
            event = [s["pixels"] - s["input"] for s in samples]
            loop = evaluate_view(page, KEY, """(() => { const out = [];
                for (let i = 0; i < a; i++) { const t = performance.now(); v.refresh(null); out.push(performance.now() - t); }
                return out; })()""", args.refreshes)
            data_bytes = evaluate_view(page, KEY, """(() => { const d = v.data, out = {};
                for (const m of d.models) if (m.encoder) out[m.id] = m.encoder.bytes;
                for (const m of [d.denoiser, d.denoiser && d.denoiser.plain]) if (m) out[m.id] = m.encoder.bytes;
                return out; })()""")
            fetched = page.evaluate("window.__vaeExplorer.fetched")
            first_visit = sum(f["bytes"] for f in fetched if f["from"] == "network")
            page.wait_for_timeout(3500)  # the bundles are stored in IndexedDB when the page is idle
            page.reload()
            wait_idle(page)
            wait_view(page, KEY)
            fetched = page.evaluate("window.__vaeExplorer.fetched")
            second_visit = sum(f["bytes"] for f in fetched if f["from"] == "network")
            from_cache = sum(1 for f in fetched if f["from"] == "idb")
            # the latent map's own pad: the drawing becomes the inspected point (focus + trio encoders)
            page.goto(server.url + "?lang=en")
            wait_idle(page)
            wait_map(page)
            page.evaluate("window.__vaeExplorer.samples.length = 0")
            before = len(sent.kinds)
            for _ in range(max(1, args.strokes // 2)):
                page.get_by_test_id("vx-map-draw-clear").click()
                draw(page, digit_strokes(rng), "vx-map-draw-pad")
            page.wait_for_timeout(800)
            map_messages = len(sent.kinds) - before
            samples = page.evaluate("window.__vaeExplorer.samples.filter((s) => s.kind === 'map_draw')")
            map_handler = [s["pixels"] - s["handler"] for s in samples]
            map_event = [s["pixels"] - s["input"] for s in samples]
            browser.close()
    finally:
        server.stop()

    result = {
        "draw_ms_p50": pct(handler, 50), "draw_ms_p95": pct(handler, 95), "draw_n": len(handler),
        "draw_event_ms_p50": pct(event, 50), "draw_event_ms_p95": pct(event, 95),
        "refresh_ms_p50": pct(loop, 50), "refresh_ms_p95": pct(loop, 95),
        "messages_while_drawing": messages, "encoder_bytes": data_bytes,
        "bundle_bytes_first_visit": first_visit, "bundle_bytes_second_visit": second_visit,
        "bundles_from_browser_cache": from_cache,
        "map_draw_ms_p50": pct(map_handler, 50), "map_draw_ms_p95": pct(map_handler, 95), "map_draw_n": len(map_handler),
        "map_draw_event_ms_p50": pct(map_event, 50), "map_draw_event_ms_p95": pct(map_event, 95),
        "map_messages_while_drawing": map_messages, "page_errors": len(errors),
    }
    print(f"pen move -> 3 encodings + 3 reconstructions + maps + denoiser drawn: p50 {result['draw_ms_p50']} ms, "
          f"p95 {result['draw_ms_p95']} ms over {len(handler)} moves (handler start); from the event's time stamp: "
          f"p50 {result['draw_event_ms_p50']} ms, p95 {result['draw_event_ms_p95']} ms")
    print(f"refresh() of a fixed drawing: p50 {result['refresh_ms_p50']} ms, p95 {result['refresh_ms_p95']} ms")
    print(f"messages to the server while drawing: {messages}; encoder bundles: {data_bytes}")
    print(f"bundles (weights, test sets, maps, plotly.js) fetched: first visit {first_visit:,} B, after a reload "
          f"{second_visit:,} B ({from_cache} read from the browser's IndexedDB)")
    print(f"latent map's pad (drawing -> inspected point on 4 maps): p50 {result['map_draw_ms_p50']} ms, p95 "
          f"{result['map_draw_ms_p95']} ms over {len(map_handler)} moves; from the event: p50 "
          f"{result['map_draw_event_ms_p50']} ms, p95 {result['map_draw_event_ms_p95']} ms; messages: {map_messages}")
    if errors:
        print("page errors:", errors[:3])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
