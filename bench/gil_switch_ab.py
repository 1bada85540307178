"""The web process's GIL switch interval, side by side (``VAE_GIL_SWITCH_MS``, ``vae.ui.process.gil_switch_interval``):
Python's default 5 ms against 1 ms, on two servers measured in turns under the same script load.

    .venv/bin/python bench/gil_switch_ab.py [--sessions 12] [--seconds 25] [--rounds 2]
    .venv/bin/python bench/record.py -- .venv/bin/python bench/gil_switch_ab.py      # keep the result

Each server (the one launcher, ``--production``, an empty store with one open class) is loaded in turn by
``--sessions`` students of the class rerunning their Lecture page back to back (``bench/ws_client.py``: every
session's script runs in its own thread, so they compete for the GIL as an amphitheatre's do), while a prober
measures what waits for the server's event loop: the class poll (``GET _vae/class/CODE``, no script run) and the
Lecture page's HTML (a late student's first request). The figures per interval: the poll's and the HTML's p50 and
p95, the reruns' p50 and p95, and the reruns per second (a shorter interval must not cost throughput). The last line
is one JSON object with both intervals' figures and the ratios 1 ms / 5 ms.
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rerun_cpu import page_query  # noqa: E402
from bench.ws_client import StreamlitSession  # noqa: E402
from vae.devtools.browser import StreamlitServer  # noqa: E402

INTERVALS_MS = (5.0, 1.0)   # Python's default (what the launcher keeps), a shorter one


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _probe(url: str, code: str, stop: threading.Event, out: dict) -> None:
    """Until ``stop``: the class poll every 0.1 s and the Lecture page's HTML every 0.5 s, on kept-alive
    connections (as a browser keeps them), in milliseconds."""
    parts = urllib.parse.urlsplit(url)
    base = parts.path.rstrip("/")
    poll = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    page = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    last_html = 0.0
    while not stop.is_set():
        t0 = time.perf_counter()
        poll.request("GET", f"{base}/_vae/class/{code}")
        poll.getresponse().read()
        out["poll"].append(1000 * (time.perf_counter() - t0))
        if time.perf_counter() - last_html > 0.5:
            last_html = t0 = time.perf_counter()
            page.request("GET", f"{base}/lecture?class={code}")
            page.getresponse().read()
            out["html"].append(1000 * (time.perf_counter() - t0))
        stop.wait(0.1)
    poll.close()
    page.close()


async def measure(url: str, query: str, sessions: int, seconds: float) -> dict:
    """One turn: ``sessions`` students rerun their Lecture page back to back for ``seconds`` under the prober."""
    code = dict(urllib.parse.parse_qsl(query))["class"]
    students = [StreamlitSession(url, "lecture", timeout=120, query=query) for _ in range(sessions)]
    for s in students:
        await s.__aenter__()
        r = await s.run()
        assert r.ok, f"{r.status} {r.exceptions[:1]}"
    out: dict[str, list[float]] = {"poll": [], "html": [], "rerun": []}
    stop = threading.Event()
    prober = threading.Thread(target=_probe, args=(url, code, stop, out), daemon=True)
    until = time.perf_counter() + seconds

    async def student(s: StreamlitSession) -> None:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            r = await s.run()
            assert r.ok, f"{r.status} {r.exceptions[:1]}"
            out["rerun"].append(1000 * (time.perf_counter() - t0))

    prober.start()
    await asyncio.gather(*(student(s) for s in students))
    stop.set()
    prober.join(30)
    for s in students:
        await s.__aexit__(None, None, None)
    return {**{f"{k}_{q}_ms": round(pct(v, p), 1) for k, v in out.items() for q, p in (("p50", 0.5), ("p95", 0.95))},
            "reruns_per_s": round(len(out["rerun"]) / seconds, 1), "polls": len(out["poll"])}


async def main_async(args) -> dict:
    servers, queries = {}, {}
    try:
        for ms in INTERVALS_MS:
            store = tempfile.mkdtemp(prefix=f"gil-ab-{ms:g}ms-")
            servers[ms] = StreamlitServer(env={"VAE_MODEL_STORE": store, "VAE_GIL_SWITCH_MS": f"{ms:g}"},
                                          args=["--production"])
            queries[ms] = page_query("lecture-class", store)
        for server in servers.values():
            server.wait_ready()
        turns: dict[float, list[dict]] = {ms: [] for ms in INTERVALS_MS}
        for ms in INTERVALS_MS:   # warm: caches filled, the first runs' cost not counted
            await measure(servers[ms].url, queries[ms], 2, 3)
        for i in range(args.rounds):
            for ms in (INTERVALS_MS if i % 2 == 0 else INTERVALS_MS[::-1]):
                turn = await measure(servers[ms].url, queries[ms], args.sessions, args.seconds)
                turns[ms].append(turn)
                print(f"switch {ms:g} ms: {turn}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    figures = {f"{ms:g}ms": {k: round(statistics.median(t[k] for t in turns[ms]), 1) for k in turns[ms][0]}
               for ms in INTERVALS_MS}
    old, new = figures[f"{INTERVALS_MS[0]:g}ms"], figures[f"{INTERVALS_MS[1]:g}ms"]
    ratios = {k: round(new[k] / old[k], 2) for k in old if old[k]}
    return {"sessions": args.sessions, "seconds": args.seconds, "rounds": args.rounds, **figures,
            "ratio_1ms_over_5ms": ratios}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=12, help="students rerunning back to back")
    ap.add_argument("--seconds", type=float, default=25, help="length of one turn")
    ap.add_argument("--rounds", type=int, default=2, help="turns per interval, alternating which goes first")
    args = ap.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps({k: v for k, v in result.items() if isinstance(v, dict)}, indent=1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
