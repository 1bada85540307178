"""Where one page's rerun spends its server CPU: cProfile around the script runs of a real server.

    .venv/bin/python bench/profile_rerun.py [--page comparison] [--reruns 10] [--top 40] [--sort cumulative]

``bench/rerun_cpu.py`` says how much a rerun costs; this says where. It starts the app through the one launcher
(``vae.ui.serve.main``) in a child process that first wraps Streamlit's ``ScriptRunner._run_script`` in a
profiler (this file run with ``--serve``), opens the page once with a websocket client (bench/ws_client.py) so
the server's caches are warm, then profiles ``--reruns`` full reruns of the page by one session and prints the
functions with the largest cumulative (or ``--sort tottime``) time per rerun.

Only the script thread is profiled (the page, the sidebar, Streamlit's element marshalling); the websocket's
serialisation of the deltas runs on the server's event loop and is not in this profile (rerun_cpu.py counts it).
Profiling slows the profiled code by about 1.5–2×: compare the functions with each other, not with rerun_cpu.py.
"""
from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

START, DUMP = signal.SIGUSR1, signal.SIGUSR2  # server side: start profiling the runs / write the stats


def serve(stats_path: str, argv: list[str]) -> None:
    """The server side: the app as the launcher starts it, every script run profiled between START and DUMP."""
    from streamlit.runtime.scriptrunner import script_runner

    lock, state = threading.Lock(), {"on": False, "stats": None}
    real = script_runner.ScriptRunner._run_script

    def profiled(self, *args, **kwargs):
        if not state["on"]:
            return real(self, *args, **kwargs)
        prof = cProfile.Profile()
        try:
            return prof.runcall(real, self, *args, **kwargs)
        finally:
            with lock:
                if state["stats"] is None:
                    state["stats"] = pstats.Stats(prof)
                else:
                    state["stats"].add(prof)

    def start(*_):
        with lock:
            state["on"], state["stats"] = True, None

    def dump(*_):
        with lock:
            state["on"] = False
            if state["stats"] is not None:
                state["stats"].dump_stats(stats_path)
            Path(stats_path + ".done").touch()

    script_runner.ScriptRunner._run_script = profiled
    signal.signal(START, start)
    signal.signal(DUMP, dump)
    from vae.ui.serve import main as launch

    launch(argv)


async def drive(url: str, pid: int, page: str, reruns: int, timeout: float, stats_path: str, store: str) -> None:
    """Warm the page, then profile ``reruns`` reruns of one session and have the server write the stats (a class
    page: a student of a class opened in the server's ``store``)."""
    from bench.rerun_cpu import PAGES, prepare
    from bench.ws_client import StreamlitSession

    from bench.rerun_cpu import page_query

    async with StreamlitSession(url, PAGES[page], timeout=timeout, query=page_query(page, store)) as s:
        for _ in range(2):  # the first run fills the server's caches, the second is a plain rerun
            r = await s.run()
            assert r.ok, f"{page}: {r.status} {r.exceptions[:1]}"
        await prepare(s, page)
        os.kill(pid, START)
        await asyncio.sleep(0.2)
        for _ in range(reruns):
            r = await s.run()
            assert r.ok, f"{page}: {r.status} {r.exceptions[:1]}"
        os.kill(pid, DUMP)
        deadline = time.monotonic() + 30
        while not Path(stats_path + ".done").exists():
            if time.monotonic() > deadline:
                raise TimeoutError("the server wrote no profile")
            await asyncio.sleep(0.1)


def report(stats_path: str, reruns: int, sort: str, top: int) -> str:
    """The ``top`` functions by ``sort``, times per rerun in ms."""
    out = io.StringIO()
    stats = pstats.Stats(stats_path, stream=out)
    total = stats.total_tt
    out.write(f"profiled: {reruns} reruns, {1000 * total / reruns:.1f} ms per rerun (profiler overhead included)\n")
    out.write(f"{'ms/rerun cum':>13} {'ms/rerun own':>13} {'calls/rerun':>12}  function\n")
    rows = sorted(stats.stats.items(), key=lambda kv: kv[1][3 if sort == "cumulative" else 2], reverse=True)
    for (file, line, name), (cc, nc, tt, ct, _) in rows[:top]:
        where = file.replace(str(ROOT) + "/", "")
        where = where.split("site-packages/", 1)[-1]
        out.write(f"{1000 * ct / reruns:13.2f} {1000 * tt / reruns:13.2f} {nc / reruns:12.1f}  {name} ({where}:{line})\n")
    return out.getvalue()


def main() -> None:
    if sys.argv[1:2] == ["--serve"]:
        serve(sys.argv[2], sys.argv[3:])
        return
    from bench.rerun_cpu import PAGES
    from vae.devtools.browser import StreamlitServer

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", default="comparison", choices=list(PAGES))
    ap.add_argument("--reruns", type=int, default=10)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--save", help="also keep the raw pstats file here")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="profile-rerun-")
    stats_path = args.save or os.path.join(work, "rerun.pstats")
    store = os.path.join(work, "store")
    server = StreamlitServer(env={"VAE_MODEL_STORE": store}, args=["--production"],
                             command=(sys.executable, str(Path(__file__).resolve()), "--serve", stats_path))
    try:
        server.wait_ready()
        asyncio.run(drive(server.url, server.pid, args.page, args.reruns, args.timeout, stats_path, store))
    finally:
        server.stop()
    print(report(stats_path, args.reruns, args.sort, args.top))


if __name__ == "__main__":
    main()
