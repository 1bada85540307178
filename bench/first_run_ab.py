"""A late student's cold open while a class reruns, with and without the first-run priority, side by side
(``vae.ui.first_run_priority``; ``VAE_FIRST_RUN_PRIORITY=0`` turns it off).

    .venv/bin/python bench/first_run_ab.py [--sessions 12] [--seconds 25] [--rounds 2]
    .venv/bin/python bench/record.py -- .venv/bin/python bench/first_run_ab.py      # keep the result

Two servers (the one launcher, ``--production``, an empty store with one open class of 400 places), one with the
priority and one without, are loaded in turns by ``--sessions`` students of the class rerunning their Lecture page
back to back: the burst of follows after a teacher's step, made to last (every session's script runs in its own
thread, so they compete for the GIL as an amphitheatre's do). Meanwhile a late student opens the class's Lecture
page cold every 0.5 s, as ``bench/load_lecture.py``'s late students do: the page's HTML, then a new websocket session
and its first run. Per server: the cold open's HTML, first run and total, p50 and p95; the class's reruns, p50 and
p95, and reruns per second (what the priority costs the others). The last line is one JSON object with both servers'
figures and the ratios with / without.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rerun_cpu import page_query  # noqa: E402
from bench.ws_client import StreamlitSession  # noqa: E402
from vae.devtools.browser import StreamlitServer  # noqa: E402

SETTINGS = {"with": "1", "without": "0"}   # VAE_FIRST_RUN_PRIORITY of each server


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values``, 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def late_open(url: str, query: str, out: dict) -> None:
    """One cold open of the class's Lecture page: its HTML, then a new session's first run (milliseconds)."""
    t0 = time.perf_counter()
    await asyncio.to_thread(lambda: urllib.request.urlopen(f"{url}lecture?{query}", timeout=120).read())
    t1 = time.perf_counter()
    async with StreamlitSession(url, "lecture", timeout=120, query=query) as s:
        r = await s.run()
        assert r.ok, f"{r.status} {r.exceptions[:1]}"
    t2 = time.perf_counter()
    out["html"].append(1000 * (t1 - t0))
    out["first_run"].append(1000 * (t2 - t1))
    out["open"].append(1000 * (t2 - t0))


async def measure(url: str, query: str, sessions: int, seconds: float) -> dict:
    """One turn: ``sessions`` students rerun back to back for ``seconds`` while a late student opens cold every
    0.5 s."""
    students = [StreamlitSession(url, "lecture", timeout=120, query=query) for _ in range(sessions)]
    for s in students:
        await s.__aenter__()
        r = await s.run()
        assert r.ok, f"{r.status} {r.exceptions[:1]}"
    out: dict[str, list[float]] = {"html": [], "first_run": [], "open": [], "rerun": []}
    until = time.perf_counter() + seconds

    async def student(s: StreamlitSession) -> None:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            r = await s.run()
            assert r.ok, f"{r.status} {r.exceptions[:1]}"
            out["rerun"].append(1000 * (time.perf_counter() - t0))

    async def late_students() -> None:
        await asyncio.sleep(0.5)
        while time.perf_counter() + 0.5 < until:
            t0 = time.perf_counter()
            await late_open(url, query, out)
            await asyncio.sleep(max(0.0, 0.5 - (time.perf_counter() - t0)))

    await asyncio.gather(late_students(), *(student(s) for s in students))
    for s in students:
        await s.__aexit__(None, None, None)
    return {**{f"{k}_{q}_ms": round(pct(v, p), 1) for k, v in out.items() for q, p in (("p50", 0.5), ("p95", 0.95))},
            "opens": len(out["open"]), "reruns_per_s": round(len(out["rerun"]) / seconds, 1)}


async def main_async(args) -> dict:
    servers, queries = {}, {}
    try:
        for name, value in SETTINGS.items():
            store = tempfile.mkdtemp(prefix=f"first-run-ab-{name}-")
            servers[name] = StreamlitServer(env={"VAE_MODEL_STORE": store, "VAE_FIRST_RUN_PRIORITY": value},
                                            args=["--production"])
            queries[name] = page_query("lecture-class", store)
        for server in servers.values():
            server.wait_ready()
        turns: dict[str, list[dict]] = {name: [] for name in SETTINGS}
        for name in SETTINGS:   # warm: caches filled, the first runs' cost not counted
            await measure(servers[name].url, queries[name], 2, 3)
        for i in range(args.rounds):
            for name in (list(SETTINGS) if i % 2 == 0 else list(SETTINGS)[::-1]):
                turn = await measure(servers[name].url, queries[name], args.sessions, args.seconds)
                turns[name].append(turn)
                print(f"{name} the priority: {turn}", flush=True)
    finally:
        for server in servers.values():
            server.stop()
    figures = {name: {k: round(statistics.median(t[k] for t in turns[name]), 1) for k in turns[name][0]}
               for name in SETTINGS}
    ratios = {k: round(figures["with"][k] / figures["without"][k], 2) for k in figures["without"]
              if figures["without"][k]}
    return {"sessions": args.sessions, "seconds": args.seconds, "rounds": args.rounds, **figures,
            "ratio_with_over_without": ratios}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=12, help="students rerunning back to back")
    ap.add_argument("--seconds", type=float, default=25, help="length of one turn")
    ap.add_argument("--rounds", type=int, default=2, help="turns per setting, alternating which goes first")
    args = ap.parse_args()
    result = asyncio.run(main_async(args))
    print(json.dumps({k: v for k, v in result.items() if isinstance(v, dict)}, indent=1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
