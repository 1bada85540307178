"""The offline lecture file in headless Chromium (#25 item 3):

    .venv/bin/python bench/handout.py [--lang fr] [--paints 5] [--hovers 300] [--file lecture.html]

Makes the lecture file (or takes ``--file``), then, with the network off and every request refused and counted
(no server runs):

* ``handout_bytes``: the file's size (target ≤ 8 MB);
* ``first_paint_ms``: time to first contentful paint of the file opened from ``file://`` in a fresh context
  (median of ``--paints`` runs), and ``first_map_ms``: to the first step's AE map drawn and wired (the page's own
  ``data-plotted`` mark, from navigation start);
* ``hover_ms_p50`` / ``hover_ms_p95``: pointer move on the VAE's map (step 5) → decoded pixels written, from the
  move handler's start, as ``bench/live_surface.py`` measures it in the app (``hover_event_ms_*``: from the event's
  time stamp);
* ``requests``: requests the page made for anything but the file itself (target 0).
The last line is one JSON object (``bench/record.py --name handout -- …`` keeps it in bench/results/).
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae.devtools.browser import headless_chromium  # noqa: E402
from vae.devtools.explorer import data_position, wait_map  # noqa: E402
from vae.devtools.handout import open_offline, wait_step  # noqa: E402
from vae.ui.lecture.steps import SLUGS  # noqa: E402

KEY = "handout.kl"


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return round(s[min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))], 2)


def first_paint(browser, path: Path) -> tuple[float, float, int]:
    """(first contentful paint, first map drawn) in ms from navigation start, and requests made, in a fresh context."""
    context, page, requests, errors = open_offline(browser, path)
    try:
        wait_map(page, "handout.ae")
        fcp = page.evaluate("""() => { const e = performance.getEntriesByName('first-contentful-paint')[0]
                                         || performance.getEntriesByName('first-paint')[0]; return e ? e.startTime : null; }""")
        plotted = page.evaluate("window.__vaeExplorer.firstMapPaint")
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    return fcp, plotted, len(requests.others)


def hovers(browser, path: Path, n: int, rng: random.Random) -> tuple[list[float], list[float], int]:
    context, page, requests, errors = open_offline(browser, path)
    try:
        wait_step(page, 0)
        page.evaluate(f"document.querySelector('[data-goto=\"{SLUGS.index('kl')}\"]').click()")
        wait_step(page, SLUGS.index("kl"))
        wait_map(page, KEY)
        page.wait_for_timeout(500)
        page.evaluate("window.__vaeExplorer.samples.length = 0")
        cx, cy = data_position(page, 0.0, 0.0, key=KEY)
        for _ in range(n):
            page.mouse.move(cx + rng.uniform(-220, 220), cy + rng.uniform(-220, 220))
        page.wait_for_timeout(500)
        samples = page.evaluate("window.__vaeExplorer.samples")
    finally:
        context.close()
    if errors:
        raise RuntimeError(f"page errors: {errors}")
    hover = [s["pixels"] - s["handler"] for s in samples if s["kind"] == "hover"]
    event = [s["pixels"] - s["input"] for s in samples if s["kind"] == "hover"]
    return hover, event, len(requests.others)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", choices=["fr", "en"], default="fr")
    ap.add_argument("--paints", type=int, default=5)
    ap.add_argument("--hovers", type=int, default=300)
    ap.add_argument("--file", type=Path, default=None, help="a lecture file already made (default: make it)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if args.file is None:
        from vae.handout.store import handout_file

        args.file = handout_file(args.lang)
    rng = random.Random(args.seed)
    with headless_chromium() as browser:
        paints = [first_paint(browser, args.file) for _ in range(args.paints)]
        hover, event, hover_requests = hovers(browser, args.file, args.hovers, rng)
    out = {
        "handout_bytes": args.file.stat().st_size,
        "first_paint_ms": round(statistics.median(p[0] for p in paints), 1),
        "first_paint_runs_ms": [round(p[0], 1) for p in paints],
        "first_map_ms": round(statistics.median(p[1] for p in paints), 1),
        "hover_ms_p50": pct(hover, 50), "hover_ms_p95": pct(hover, 95), "hover_n": len(hover),
        "hover_event_ms_p50": pct(event, 50), "hover_event_ms_p95": pct(event, 95),
        "requests": sum(p[2] for p in paints) + hover_requests,
        "lang": args.lang,
    }
    print(f"file                   {out['handout_bytes'] / 1e6:.2f} MB (target ≤ 8)")
    print(f"first paint            {out['first_paint_ms']:.0f} ms from file:// (median of {args.paints}); "
          f"first map {out['first_map_ms']:.0f} ms")
    print(f"hover -> pixels        p50 {out['hover_ms_p50']} ms  p95 {out['hover_ms_p95']} ms  ({out['hover_n']} moves)")
    print(f"  from the event stamp p50 {out['hover_event_ms_p50']} ms  p95 {out['hover_event_ms_p95']} ms")
    print(f"requests               {out['requests']} (target 0)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
