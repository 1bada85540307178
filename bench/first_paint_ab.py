"""First paint of the map page, this checkout against another commit, side by side in one run (issue #24 item 6).

    .venv/bin/python bench/first_paint_ab.py [--baseline b936144] [--paints 9]

Starts the app from this checkout and from a temporary worktree of ``--baseline`` (each through its own launcher,
one shared empty model store), warms both, then alternates cold paints in headless Chromium (``bench/live_surface.py``'s
``first_paint``: navigation → the map's ``map.plotted`` mark). The machine is shared and noisy, so only the ratio
of the two medians measured in the same run means much. The default baseline is the commit before the map pages'
HTML started plotly.js (``vae/ui/early_plotly.py``). The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.live_surface import first_paint  # noqa: E402
from vae.devtools.browser import headless_chromium  # noqa: E402
from vae.devtools.server_process import AppServer, stop_all  # noqa: E402


def main(argv=None) -> int:
    """Paint both servers ``--paints`` times, alternating; print the medians, their ratio and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", default="b936144", help="the commit to compare with")
    ap.add_argument("--paints", type=int, default=9)
    args = ap.parse_args(argv)
    tree = Path(tempfile.mkdtemp(prefix="bench-ab-")) / "tree"
    subprocess.run(["git", "worktree", "add", "--detach", str(tree), args.baseline], cwd=ROOT, check=True,
                   capture_output=True)
    env = {"VAE_MODEL_STORE": tempfile.mkdtemp(prefix="bench-ab-store-")}
    new = AppServer(dict(env), cwd=ROOT)
    old = AppServer({**env, "PYTHONPATH": str(tree)}, cwd=tree)
    try:
        for s in (new, old):
            s.wait_ready(timeout=180)
        with headless_chromium() as browser:
            for s in (new, old):   # caches warm: models, bundles, plotly.js in the cache folder
                first_paint(browser, s.url)
                first_paint(browser, s.url)
            this, base = [], []
            for _ in range(args.paints):
                this.append(first_paint(browser, new.url))
                base.append(first_paint(browser, old.url))
    finally:
        stop_all((new, old))
        subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, capture_output=True)
    out = {"baseline": args.baseline, "paints": args.paints, "first_paint_ms": statistics.median(this),
           "baseline_first_paint_ms": statistics.median(base), "first_paint_runs_ms": [round(t) for t in this],
           "baseline_first_paint_runs_ms": [round(t) for t in base]}
    out["ratio"] = round(out["first_paint_ms"] / out["baseline_first_paint_ms"], 3)
    print(f"first paint: this checkout {out['first_paint_ms']:.0f} ms, {args.baseline} {out['baseline_first_paint_ms']:.0f} ms "
          f"(x{out['ratio']:.2f})")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
