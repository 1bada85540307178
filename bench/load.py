"""Bounded load test on loopback: N websocket sessions clicking on the map and walk pages, with and
without a training running inside the server.

    .venv/bin/python bench/load.py [--sessions 30] [--seconds 60]              # starts one server
    .venv/bin/python bench/load.py --replicas 2                                # 2 replicas behind nginx
    .venv/bin/python bench/load.py --url http://127.0.0.1:8600/ [--pids 1,2]   # an existing server/nginx

Each session is a Streamlit client speaking the browser's protocol (bench/ws_client.py): it loads its
page (half the sessions the latent map, half the latent walk), then, until the phase ends, changes a
widget (map: the explorer component's inspected index; walk: its released code, each a fragment rerun as
the browser sends it), waits for ``script_finished`` and "thinks" for about
--think seconds. Click→update latency = BackMsg sent → script_finished received.

Phase 1: no training. Phase 2: one more session opens the Train page and submits its form (a VAE on
MNIST, many epochs) so the training runs in the server's worker thread, polls it like the browser does
(the live fragment's auto-reruns), and presses Stop at the end (a stopped job saves nothing).

Memory: RSS of the server process(es) and their children from /proc, with 1 session open and with all
N open; the shipped models are st.cache_resource singletons, so the per-session cost must stay small.
Errors: exception elements, bad finish status, timeouts (--timeout), disconnects, failed connects.
Every loop is bounded in time; the script stops by itself. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_client import StreamlitSession, first_get  # noqa: E402
from deploy.replicas import Replicas  # noqa: E402

PAGES = {"map": "", "walk": "walk"}
TRAIN_PAGE = "training"


# ---- memory ---------------------------------------------------------------------------------------
def _children(pid: int) -> list[int]:
    out = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return out


def rss_mb(pids: list[int]) -> float | None:
    """Resident memory (MB) of these processes and all their descendants (VmRSS from /proc)."""
    if not pids:
        return None
    seen, todo, total = set(), list(pids), 0
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
        todo += _children(pid)
    return total / 1024


# ---- sessions -------------------------------------------------------------------------------------
class Client:
    def __init__(self, url: str, page: str, timeout: float, seed: int):
        self.url, self.page, self.timeout = url, page, timeout
        self.rng = random.Random(seed)
        self.session: StreamlitSession | None = None
        self.upstream = ""
        self.n_dims = 2
        self.n_test = 1000

    async def open(self) -> bool:
        cookie, headers = await asyncio.to_thread(first_get, self.url, self.timeout)
        self.upstream = headers.get("x-upstream", "")
        self.session = StreamlitSession(self.url, PAGES[self.page], cookie=cookie, timeout=self.timeout)
        await self.session.__aenter__()
        r = await self.session.run()
        return r.ok

    async def close(self) -> None:
        if self.session:
            await self.session.__aexit__(None, None, None)

    async def click(self):
        # What the explorer component reports on a click (map) or a released slider (walk): one fragment rerun.
        if self.page == "map":
            return await self.session.set("map.explorer", {"inspected": self.rng.randrange(self.n_test)})
        z = [round(self.rng.uniform(-3, 3), 2) for _ in range(self.n_dims)]
        return await self.session.set("walk.explorer", {"walk": {"z": z, "z0": [0.0] * self.n_dims, "start": 0,
                                                                 "a": 0, "b": 1, "steps": 9}})


async def click_loop(client: Client, until: float, think: float, results: list) -> None:
    while time.perf_counter() < until:
        r = await client.click()
        results.append((client.page, client.upstream, r.ok, r.seconds, r.status, r.exceptions[:1]))
        if r.status.startswith("disconnect"):
            return
        await asyncio.sleep(min(max(0.0, until - time.perf_counter()), think * client.rng.uniform(0.5, 1.5)))


class Trainer:
    """A Train-page session: submits the form, polls the live fragment, presses Stop."""

    def __init__(self, url: str, timeout: float, epochs: int):
        self.url, self.timeout, self.epochs = url, timeout, epochs
        self.name = f"loadtest-{os.getpid()}-{int(time.time())}"
        self.session: StreamlitSession | None = None
        self.upstream = ""
        self.ticks = 0
        self.errors: list[str] = []
        self.progress_start = self.progress_end = ""

    async def start(self) -> bool:
        cookie, headers = await asyncio.to_thread(first_get, self.url, self.timeout)
        self.upstream = headers.get("x-upstream", "")
        self.session = StreamlitSession(self.url, TRAIN_PAGE, cookie=cookie, timeout=self.timeout)
        await self.session.__aenter__()
        r = await self.session.run()
        if not r.ok:
            self.errors.append(f"train page: {r.status} {r.exceptions}")
            return False
        self.session.stage("train.epochs", self.epochs)
        self.session.stage("train.name", self.name)
        r = await self.session.click("train.submit")
        if not r.ok or not self.session.auto_reruns:
            self.errors.append(f"submit: {r.status} {r.exceptions} (no live panel: training not started?)")
            return False
        self.progress_start = self.session.progress
        return True

    async def poll(self, until: float) -> None:
        """The browser's auto-reruns of the ``run_every`` live fragment, until the phase ends."""
        while time.perf_counter() < until and self.session.auto_reruns:
            interval, fragment_id = self.session.auto_reruns[-1]
            await asyncio.sleep(min(interval, max(0.0, until - time.perf_counter())))
            if time.perf_counter() >= until:
                break
            r = await self.session.auto_rerun(fragment_id)
            self.ticks += 1
            if not r.ok:
                self.errors.append(f"poll: {r.status} {r.exceptions}")
                if r.status.startswith("disconnect"):
                    return
        self.progress_end = self.session.progress

    async def stop(self) -> None:
        try:
            r = await self.session.click("train.stop")
            if not r.ok:
                self.errors.append(f"stop: {r.status}")
        except KeyError:
            self.errors.append("stop: no Stop button (training already over?)")
        await self.session.__aexit__(None, None, None)


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))]


def summarize(results: list) -> dict:
    lat = [r[3] * 1000 for r in results if r[2]]
    return {"clicks": len(results), "errors": sum(1 for r in results if not r[2]),
            "p50_ms": round(pct(lat, 50), 1) if lat else None, "p95_ms": round(pct(lat, 95), 1) if lat else None,
            "mean_ms": round(statistics.fmean(lat), 1) if lat else None}


async def run(args, url: str, pids: list[int]) -> dict:
    out: dict = {"url": url, "sessions": args.sessions, "seconds_per_phase": args.seconds, "think_s": args.think}
    open_errors: list[str] = []

    # warm-up + 1-session memory: one map session opened (the first run loads the models and caches)
    warm = Client(url, "map", args.timeout, seed=-1)
    if not await warm.open():
        open_errors.append("warm-up map session failed")
    warm_walk = Client(url, "walk", args.timeout, seed=-2)
    await warm_walk.open()
    await warm_walk.close()
    await asyncio.sleep(1)
    rss1 = rss_mb(pids)

    clients = [Client(url, "map" if i % 2 == 0 else "walk", args.timeout, seed=i) for i in range(args.sessions - 1)]
    sem = asyncio.Semaphore(4)   # open at most 4 at a time, like a class arriving over a few seconds

    async def _open(c: Client) -> None:
        async with sem:
            try:
                if not await c.open():
                    open_errors.append(f"{c.page}: first run failed")
            except Exception as exc:
                open_errors.append(f"{c.page}: {type(exc).__name__}: {exc}")

    t0 = time.perf_counter()
    await asyncio.gather(*(_open(c) for c in clients))
    out["open_all_s"] = round(time.perf_counter() - t0, 1)
    clients = [warm] + [c for c in clients if c.session is not None]
    await asyncio.sleep(1)
    rssn = rss_mb(pids)
    out.update(rss_mb_1_session=None if rss1 is None else round(rss1, 1),
               rss_mb=None if rssn is None else round(rssn, 1),
               rss_per_session_mb=None if rss1 is None else round((rssn - rss1) / max(1, len(clients) - 1), 2))
    upstreams = sorted({c.upstream for c in clients if c.upstream})
    if upstreams:
        out["sessions_per_upstream"] = {u: sum(c.upstream == u for c in clients) for u in upstreams}

    # phase 1: no training
    res1: list = []
    until = time.perf_counter() + args.seconds
    await asyncio.gather(*(click_loop(c, until, args.think, res1) for c in clients))
    out["phase_idle"] = summarize(res1)

    # phase 2: the same clicks while one more session trains a model inside the server
    res2: list = []
    trainer = None
    if not args.no_training:
        trainer = Trainer(url, args.timeout, args.epochs)
        if await trainer.start():
            until = time.perf_counter() + args.seconds
            await asyncio.gather(trainer.poll(until), *(click_loop(c, until, args.think, res2) for c in clients))
            await trainer.stop()
            out["phase_training"] = summarize(res2)
            if trainer.upstream:
                out["phase_training"]["same_replica_as_training"] = summarize([r for r in res2 if r[1] == trainer.upstream])
                out["phase_training"]["other_replicas"] = summarize([r for r in res2 if r[1] != trainer.upstream])
        out["training"] = {"name": trainer.name, "upstream": trainer.upstream, "poll_ticks": trainer.ticks,
                           "progress_at_start": trainer.progress_start, "progress_at_end": trainer.progress_end,
                           "errors": trainer.errors}
    for c in clients:
        await c.close()

    everything = res1 + res2
    by_status: dict[str, int] = {}
    for r in everything:
        if not r[2]:
            by_status[r[4]] = by_status.get(r[4], 0) + 1
    out["error_kinds"] = by_status
    out["error_examples"] = [r[5] or r[4] for r in everything if not r[2]][:3] + open_errors[:3]
    total = summarize(everything)
    p50_train = out.get("phase_training", {}).get("p50_ms")
    p50_idle = out["phase_idle"]["p50_ms"]
    out.update(clicks=total["clicks"],
               errors=total["errors"] + len(open_errors) + (len(trainer.errors) if trainer else 0),
               p50_ms=total["p50_ms"], p95_ms=total["p95_ms"],
               p50_ms_idle=p50_idle, p95_ms_idle=out["phase_idle"]["p95_ms"],
               p50_ms_training=p50_train, p95_ms_training=out.get("phase_training", {}).get("p95_ms"),
               slowdown=round(p50_train / p50_idle, 2) if p50_train and p50_idle else None)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="target an existing server or nginx (loopback); default: start one here")
    ap.add_argument("--pids", default="", help="with --url: comma-separated server pids for the memory figures")
    ap.add_argument("--replicas", type=int, default=1, help="without --url: 1 = one streamlit server; N>1 = N replicas behind nginx")
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of each phase (no training, training)")
    ap.add_argument("--think", type=float, default=1.0, help="mean pause between a session's clicks (s)")
    ap.add_argument("--timeout", type=float, default=60.0, help="a click without script_finished after this is an error (s)")
    ap.add_argument("--epochs", type=int, default=10000, help="epochs of the in-server training (stopped at the end)")
    ap.add_argument("--no-training", action="store_true", help="skip phase 2")
    args = ap.parse_args(argv)
    if args.sessions < 1 or args.seconds <= 0:
        ap.error("--sessions >= 1 and --seconds > 0")

    servers = None
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            ap.error("this load test only targets loopback servers")
        url = args.url if args.url.endswith("/") else args.url + "/"
        pids = [int(p) for p in args.pids.split(",") if p.strip()]
    else:
        store = tempfile.mkdtemp(prefix="vae-load-store-")
        if args.replicas > 1:
            servers = Replicas(args.replicas, store=store).start()
            url, pids = servers.url, servers.pids
        else:
            sys.path.insert(0, str(ROOT / "tests"))
            from browser_utils import StreamlitServer
            servers = StreamlitServer(env={"VAE_MODEL_STORE": store})
            servers.wait_ready()
            url, pids = servers.url, [servers.proc.pid]
    print(f"target {url} ({args.sessions} sessions, {args.seconds:g} s per phase, think {args.think:g} s)", flush=True)
    try:
        out = asyncio.run(asyncio.wait_for(run(args, url, pids), timeout=2 * args.seconds + 600))
    finally:
        if servers is not None:
            servers.stop()
    out["replicas"] = args.replicas if not args.url else None
    print(json.dumps({k: v for k, v in out.items() if isinstance(v, dict)}, indent=1))
    print(json.dumps({k: v for k, v in out.items() if not isinstance(v, dict)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
