"""The live latent map in headless Chromium, against the server path it replaced, in one run.

    .venv/bin/python bench/live_surface.py [--hovers 300] [--clicks 30] [--paints 5] [--baseline ee65b55]
                                           [--sizes 1000 10000] [--sizes-only]

Starts three servers on free loopback ports: the app (``python -m vae.ui.serve``), the app as it was at
``--baseline`` (a temporary ``git worktree`` of that commit: the map drawn by ``st.plotly_chart``, a click
decoded on the server through a full rerun), and a bare Streamlit page holding one 1,000-point
``st.plotly_chart`` (bench/bare_plotly_app.py: the floor of a first paint on this machine). Then measures:

* hover on the main map -> decoded pixels on the canvas, p50 / p95: from the pointermove handler's start to
  putImageData (what the page does per move), and from the event's time stamp (which adds the time Chromium
  holds a pointer move before dispatching it: moves are aligned to animation frames, up to one 60 Hz frame);
* click on a dot -> inspector filled (images, μ, σ, KL, star and σ ellipses drawn), p50 / p95, and the same
  click on the baseline's map -> its inspector image changed (a server rerun), p50 / p95, and their ratio;
* server reruns caused by 100 hover events and 10 clicks (messages the page sends on its websocket);
* map first paint on a cold browser context (navigation start -> a Plotly map with ≥ 100 points drawn),
  median over --paints, for the app and for the bare page, and their ratio (target ≤ 1.2); the bare page is
  also served with the app's own server fixes (``vae.ui.serve.install_server_fixes``), a second ratio;
* bytes a second visit transfers (HTTP + websocket, from Chromium's network events) vs the first visit;
* the map at full size: the Fashion-MNIST 2-D VAE (``pretrained/fashion-mnist-vae-2d``) with each of ``--sizes``
  test images shown (``?points=``: 1,000 and all 10,000 by default), the same hover and click figures and its
  cold first paint (navigation start -> the main map drawn with all its dots), one after the other in the same
  run. ``--sizes-only`` measures only these (no baseline checkout, no bare pages).
The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae.devtools.browser import launch_browser, wait_idle  # noqa: E402
from vae.devtools.explorer import BackMessages, data_position, dot_position, wait_map  # noqa: E402
from vae.devtools.server_process import AppServer, stop_all  # noqa: E402

MAP_DRAWN = """() => [...document.querySelectorAll('.js-plotly-plot')].some(
    (g) => g._fullData && g._fullData.some((t) => t.x && t.x.length >= 100)) ? performance.now() : false"""


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * (len(s) - 1)))))]


def new_page(browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1300})
    return ctx, ctx.new_page()


def hover_and_click(browser, url: str, hovers: int, clicks: int, rng: random.Random) -> dict:
    """Hover the main map ``hovers`` times around its centre, then click ``clicks`` random dots; the explorer's own
    samples (handler -> pixels, event -> pixels) and the reruns the page asked for."""
    ctx, page = new_page(browser)
    sent = BackMessages(page)
    page.goto(url)
    wait_idle(page)
    wait_map(page)
    page.wait_for_timeout(500)
    wait_idle(page)
    page.evaluate("window.__vaeExplorer.samples.length = 0")
    n_dots = page.evaluate("window.__vaeExplorer.views['map.explorer'].main.n")
    before = sent.reruns
    center = data_position(page, 0.0, 0.0)
    for _ in range(hovers):
        page.mouse.move(center[0] + rng.uniform(-220, 220), center[1] + rng.uniform(-220, 220))
    page.wait_for_timeout(1000)
    hover_reruns_100 = (sent.reruns - before) * 100 / hovers
    before = sent.reruns
    for _ in range(clicks):  # at a person's pace: each click's fragment rerun has finished before the next
        page.mouse.click(*dot_position(page, rng.randrange(n_dots)))
        page.wait_for_timeout(400)
    page.wait_for_timeout(1500)
    click_reruns_10 = (sent.reruns - before) * 10 / clicks
    samples = page.evaluate("window.__vaeExplorer.samples")
    ctx.close()
    hover = [s["pixels"] - s["handler"] for s in samples if s["kind"] == "hover"]
    hover_event = [s["pixels"] - s["input"] for s in samples if s["kind"] == "hover"]
    inspect = [s["pixels"] - s["input"] for s in samples if s["kind"] == "inspect"]
    return {"hover": hover, "hover_event": hover_event, "inspect": inspect, "hover_reruns_per_100": hover_reruns_100,
            "click_reruns_per_10": click_reruns_10, "dots": n_dots}


# the main map of the explorer drawn with every dot of its test set (SVG or WebGL traces alike)
MAP_FULL = """() => { const v = window.__vaeExplorer && window.__vaeExplorer.views && window.__vaeExplorer.views['map.explorer'];
    if (!v || !v.main || !v.panel || !v.panel.gd._fullData) return false;
    const dots = v.panel.gd._fullData.filter((t) => t.mode === 'markers').reduce((s, t) => s + t.x.length, 0);
    return dots === v.main.n && v.root.getAttribute('data-ready') === '1' ? performance.now() : false; }"""


def full_map_paint(browser, url: str) -> float:
    """A cold browser context: navigation start -> the main map drawn with all its dots (ms)."""
    ctx, page = new_page(browser)
    page.goto(url)
    t = page.wait_for_function(MAP_FULL, polling="raf", timeout=300_000).json_value()
    ctx.close()
    return t


def at_size(browser, url: str, size: int, args, rng: random.Random) -> dict:
    """Hover, click and cold first paint of the Fashion-MNIST 2-D VAE's map with ``size`` test images shown."""
    sized = f"{url}?lang=en&data=fashion-mnist&focus=vae&points={size}"
    full_map_paint(browser, sized)  # warm the server's caches: codes, projection and bundles of this size
    live = hover_and_click(browser, sized, args.hovers, args.clicks, rng)
    paints = [full_map_paint(browser, sized) for _ in range(args.paints)]
    return {"dots": live["dots"], "hover_ms_p50": pct(live["hover"], 50), "hover_ms_p95": pct(live["hover"], 95),
            "hover_n": len(live["hover"]), "hover_event_ms_p95": pct(live["hover_event"], 95),
            "inspect_ms_p50": pct(live["inspect"], 50), "inspect_ms_p95": pct(live["inspect"], 95),
            "inspect_n": len(live["inspect"]), "first_paint_ms": statistics.median(paints),
            "first_paint_runs_ms": [round(t) for t in paints], "reruns_per_100_hovers": live["hover_reruns_per_100"]}


def print_sizes(sizes: dict) -> None:
    """One line per size: the Fashion-MNIST 2-D VAE's map with that many dots (or why there is none)."""
    if not sizes:
        print("fashion-mnist-vae-2d map sizes: skipped (--sizes was given no value)")
    for size, r in sizes.items():
        print(f"fashion-mnist-vae-2d, {r['dots']:>6,} dots: hover p50 {r['hover_ms_p50']:.2f} ms p95 {r['hover_ms_p95']:.2f} ms "
              f"(target 8) | click -> inspector p95 {r['inspect_ms_p95']:.2f} ms | first paint {r['first_paint_ms']:.0f} ms")


def sizes_only(args, env) -> int:
    """``--sizes-only``: the app alone, the full-size map figures."""
    rng = random.Random(0)
    app = AppServer(env)
    try:
        app.wait_ready(timeout=180)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_browser(pw)
            sizes = {str(n): at_size(browser, app.url, n, args, rng) for n in args.sizes}
            browser.close()
    finally:
        stop_all((app,))
    print_sizes(sizes)
    print(json.dumps({"sizes": _rounded(sizes)}))
    return 0


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return round(value, 3) if isinstance(value, float) else value


def baseline_clicks(browser, url: str, clicks: int, rng: random.Random) -> list[float]:
    """The old page: click a dot of st.plotly_chart, wait until the inspector's image changed (server rerun)."""
    ctx, page = new_page(browser)
    page.goto(url)
    wait_idle(page)
    page.wait_for_function(MAP_DRAWN, timeout=120_000)
    times = []
    for _ in range(clicks):
        target = page.evaluate("""(k) => {
            const gd = document.querySelector('[data-testid="stMain"] .js-plotly-plot'), L = gd._fullLayout;
            const tr = gd._fullData.filter((t) => t.customdata && t.x && t.x.length > 20)[k % 10];
            const i = Math.floor(Math.random() * tr.x.length), r = gd.getBoundingClientRect();
            return [r.left + L.xaxis._offset + L.xaxis.l2p(tr.x[i]), r.top + L.yaxis._offset + L.yaxis.l2p(tr.y[i])]; }""",
                               rng.randrange(10))
        src = page.evaluate("() => [...document.querySelectorAll('[data-testid=\"stMain\"] [data-testid=\"stImage\"] img')].map((e) => e.src).join('|')")
        t0 = page.evaluate("performance.now()")
        page.mouse.click(*target)
        try:
            t1 = page.wait_for_function("""(old) => {
                const now = [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stImage"] img')].map((e) => e.src).join('|');
                return now !== old && document.querySelector('[data-testid="stApp"]').getAttribute('data-test-script-state') === 'notRunning'
                  ? performance.now() : false; }""", arg=src, polling="raf", timeout=60_000).json_value()
            times.append(t1 - t0)
        except Exception:  # noqa: BLE001 - the click selected the same image: no change to wait for
            pass
        wait_idle(page)
    ctx.close()
    return times


# the bare page served with the app's own server fixes (vae.ui.serve.install_server_fixes: Nagle off, Streamlit's
# build gzipped once), so that the ratio also shows our page's cost on an equal server
BARE_WITH_FIXES = ("import sys; from vae.ui.serve import install_server_fixes; install_server_fixes(); "
                   "from streamlit.web import cli; sys.argv = ['streamlit', 'run', *sys.argv[1:]]; cli.main()")


def first_paint(browser, url: str) -> float:
    ctx, page = new_page(browser)
    page.goto(url)
    t = page.wait_for_function(MAP_DRAWN, polling="raf", timeout=120_000).json_value()
    ctx.close()
    return t


def visit_bytes(browser, url: str) -> tuple[int, int]:
    """Bytes received by a first visit and by a reload in the same browser context (HTTP + websocket)."""
    ctx, page = new_page(browser)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    total = {"n": 0}
    cdp.on("Network.loadingFinished", lambda e: total.__setitem__("n", total["n"] + int(e.get("encodedDataLength", 0))))
    cdp.on("Network.webSocketFrameReceived",
           lambda e: total.__setitem__("n", total["n"] + len(e.get("response", {}).get("payloadData", ""))))
    page.goto(url)
    wait_idle(page)
    wait_map(page)
    page.wait_for_timeout(1000)
    first = total["n"]
    total["n"] = 0
    page.reload()
    wait_idle(page)
    wait_map(page)
    page.wait_for_timeout(1000)
    second = total["n"]
    ctx.close()
    return first, second


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hovers", type=int, default=300)
    ap.add_argument("--clicks", type=int, default=30)
    ap.add_argument("--paints", type=int, default=5)
    ap.add_argument("--baseline", default="ee65b55", help="commit of the server-path map (before the explorer)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[1000, 10_000],
                    help="test images shown on the Fashion-MNIST 2-D VAE's map, one measure each (none: skip)")
    ap.add_argument("--sizes-only", action="store_true", help="measure only the full-size map figures")
    args = ap.parse_args(argv)
    rng = random.Random(0)
    store = tempfile.mkdtemp(prefix="bench-store-")
    env = {**os.environ, "VAE_MODEL_STORE": store}
    if args.sizes_only:
        return sizes_only(args, env)
    old_tree = Path(tempfile.mkdtemp(prefix="bench-baseline-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(old_tree), args.baseline], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    bare_page = str(ROOT / "bench" / "bare_plotly_app.py")
    app = AppServer(env)
    bare = AppServer(env, command=[sys.executable, "-m", "streamlit", "run", bare_page])
    bare_fixed = AppServer(env, command=[sys.executable, "-c", BARE_WITH_FIXES, bare_page])
    old = AppServer({**env, "PYTHONPATH": str(old_tree)}, cwd=old_tree)  # the launcher of the baseline checkout
    try:
        for s in (app, bare, bare_fixed, old):
            s.wait_ready(timeout=180)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as pw:
            browser = launch_browser(pw)
            first_paint(browser, app.url)  # warm the servers' caches (models, bundles on disk)
            first_paint(browser, bare.url)
            first_paint(browser, bare_fixed.url)
            first_paint(browser, old.url)
            live = hover_and_click(browser, app.url + "?lang=en", args.hovers, args.clicks, rng)
            server = baseline_clicks(browser, old.url + "?lang=en", args.clicks, rng)
            paints_app, paints_bare, paints_fixed = [], [], []
            for _ in range(args.paints):
                paints_app.append(first_paint(browser, app.url))
                paints_bare.append(first_paint(browser, bare.url))
                paints_fixed.append(first_paint(browser, bare_fixed.url))
            first_bytes, second_bytes = visit_bytes(browser, app.url)
            sizes = {str(n): at_size(browser, app.url, n, args, rng) for n in args.sizes}
            browser.close()
    finally:
        stop_all((app, bare, bare_fixed, old))
        subprocess.run(["git", "worktree", "remove", "--force", str(old_tree)], cwd=ROOT,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = {
        "hover_ms_p50": pct(live["hover"], 50), "hover_ms_p95": pct(live["hover"], 95), "hover_n": len(live["hover"]),
        "hover_event_ms_p50": pct(live["hover_event"], 50), "hover_event_ms_p95": pct(live["hover_event"], 95),
        "inspect_ms_p50": pct(live["inspect"], 50), "inspect_ms_p95": pct(live["inspect"], 95),
        "server_click_ms_p50": pct(server, 50), "server_click_ms_p95": pct(server, 95), "server_click_n": len(server),
        "reruns_per_100_hovers": live["hover_reruns_per_100"], "reruns_per_10_clicks": live["click_reruns_per_10"],
        "first_paint_ms": statistics.median(paints_app), "floor_first_paint_ms": statistics.median(paints_bare),
        "first_paint_runs_ms": [round(t) for t in paints_app], "floor_first_paint_runs_ms": [round(t) for t in paints_bare],
        "floor_same_server_first_paint_ms": statistics.median(paints_fixed),
        "first_visit_bytes": first_bytes, "second_visit_bytes": second_bytes, "sizes": sizes,
    }
    out["inspect_speedup_p95"] = (out["server_click_ms_p95"] / out["inspect_ms_p95"]
                                  if out["server_click_ms_p95"] and out["inspect_ms_p95"] else None)
    out["first_paint_ratio"] = out["first_paint_ms"] / out["floor_first_paint_ms"]
    out["first_paint_ratio_same_server"] = out["first_paint_ms"] / out["floor_same_server_first_paint_ms"]
    print(f"hover -> pixels        p50 {out['hover_ms_p50']:.2f} ms  p95 {out['hover_ms_p95']:.2f} ms  ({out['hover_n']} moves; target 4 / 8)")
    print(f"  from the event stamp p50 {out['hover_event_ms_p50']:.2f} ms  p95 {out['hover_event_ms_p95']:.2f} ms  "
          "(includes Chromium holding pointer moves until the next frame)")
    print(f"click -> inspector     p50 {out['inspect_ms_p50']:.2f} ms  p95 {out['inspect_ms_p95']:.2f} ms  (target p95 50)")
    print(f"old server path        p50 {out['server_click_ms_p50']:.0f} ms  p95 {out['server_click_ms_p95']:.0f} ms  "
          f"(x{out['inspect_speedup_p95']:.0f} at p95)")
    print(f"server reruns          {out['reruns_per_100_hovers']:.1f} per 100 hovers, {out['reruns_per_10_clicks']:.1f} per 10 clicks")
    print(f"first paint (cold)     {out['first_paint_ms']:.0f} ms vs bare st.plotly_chart {out['floor_first_paint_ms']:.0f} ms "
          f"(x{out['first_paint_ratio']:.2f}; target 1.2)")
    print(f"  same page, the app's server fixes {out['floor_same_server_first_paint_ms']:.0f} ms "
          f"(x{out['first_paint_ratio_same_server']:.2f})")
    print(f"bytes                  first visit {out['first_visit_bytes']:,}, second visit {out['second_visit_bytes']:,}")
    print_sizes(sizes)
    print(json.dumps(_rounded(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
