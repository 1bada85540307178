"""A training's speed while a class uses the server: the worker process (this tree) against the old training
thread inside the web process (an older commit), each idle and under N websocket sessions, side by side.

    .venv/bin/python bench/train_isolation.py [--sessions 30] [--seconds 30] [--old 8ad5f2b | --no-old]

For each server (this tree: trainings in a worker process; ``--old`` REV, extracted with ``git archive`` into a
temp folder and started from there: trainings in a thread of the Streamlit process), one session opens the Train
page and submits its form (a VAE on the MNIST subset, the form's defaults, ``--epochs`` epochs) and then polls
the live fragment as the browser does. The training's speed (images/s) is measured over ``--seconds`` with the
server idle, then over ``--seconds`` while ``--sessions`` sessions (half on the latent map, half on the walk,
``bench/ws_client.py``) change the explorer's state every ``--think`` seconds, as ``bench/load.py`` does; their
click latencies are reported too. Speed comes from the epoch counter the page shows (both servers) and, for
the worker, from the job's record in the store (``<store>/.jobs``, finer). Then Stop, and the next server.
Loopback only; every wait is bounded. The last line is one JSON object.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_client import StreamlitSession, first_get  # noqa: E402
from vae.devtools import browser  # noqa: E402

N_TRAIN = 4000  # training images of the MNIST subset (the form's default dataset)
EPOCH = re.compile(r"epoch (\d+)/(\d+)")


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))], 1)


class Trainer:
    """The Train page's session: submit, then poll the live fragment every second (what the browser does)."""

    def __init__(self, url: str, store: Path, epochs: int):
        self.url, self.store, self.epochs = url, store, epochs
        self.session: StreamlitSession | None = None
        self.samples: list[tuple[float, int, float | None]] = []   # (time, epoch shown, record progress)
        self.errors: list[str] = []

    async def start(self) -> bool:
        cookie, _ = await asyncio.to_thread(first_get, self.url)
        self.session = StreamlitSession(self.url, "training", cookie=cookie, timeout=120)
        await self.session.__aenter__()
        if not (await self.session.run()).ok:
            self.errors.append("train page did not open")
            return False
        self.session.stage("train.epochs", self.epochs)
        self.session.stage("train.name", f"isolation-{int(time.time())}")
        r = await self.session.click("train.submit")
        if not r.ok or not self.session.auto_reruns:
            self.errors.append(f"submit: {r.status} {r.exceptions}")
            return False
        return True

    def record_progress(self) -> float | None:
        """The job's progress from its record in the store (the worker server only)."""
        for path in (self.store / ".jobs").glob("*.json"):
            try:
                rec = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            if rec.get("status") == "running":
                return float(rec.get("progress") or 0)
        return None

    async def poll(self, until: float) -> None:
        while time.perf_counter() < until and self.session.auto_reruns:
            interval, fragment = self.session.auto_reruns[-1]
            await asyncio.sleep(interval)
            r = await self.session.auto_rerun(fragment)
            if not r.ok:
                self.errors.append(f"poll: {r.status}")
            m = EPOCH.search(self.session.progress or "")
            self.samples.append((time.perf_counter(), int(m.group(1)) if m else 0, self.record_progress()))

    def speed(self, t0: float, t1: float) -> dict:
        """Images/s between two moments, from the epoch counter and (when there) the job record."""
        inside = [s for s in self.samples if t0 <= s[0] <= t1]
        if len(inside) < 2:
            return {"images_per_s": None, "record_images_per_s": None, "epochs": 0}
        (ta, ea, pa), (tb, eb, pb) = inside[0], inside[-1]
        out = {"epochs": eb - ea, "images_per_s": round((eb - ea) * N_TRAIN / (tb - ta), 1),
               "record_images_per_s": None}
        if pa is not None and pb is not None:
            out["record_images_per_s"] = round((pb - pa) * self.epochs * N_TRAIN / (tb - ta), 1)
        return out

    async def stop(self) -> None:
        try:
            await self.session.click("train.stop")
        except KeyError:
            self.errors.append("no Stop button at the end (the training ended early?)")
        await self.session.__aexit__(None, None, None)


class Student:
    def __init__(self, url: str, page: str, seed: int):
        self.url, self.page, self.rng = url, page, random.Random(seed)
        self.session: StreamlitSession | None = None

    async def open(self) -> bool:
        cookie, _ = await asyncio.to_thread(first_get, self.url)
        self.session = StreamlitSession(self.url, "" if self.page == "map" else "walk", cookie=cookie, timeout=60)
        await self.session.__aenter__()
        return (await self.session.run()).ok

    async def click(self):
        if self.page == "map":
            return await self.session.set("map.explorer", {"inspected": self.rng.randrange(1000)})
        z = [round(self.rng.uniform(-3, 3), 2) for _ in range(2)]
        return await self.session.set("walk.explorer", {"walk": {"z": z, "z0": [0.0, 0.0], "start": 0, "a": 0, "b": 1,
                                                                 "steps": 9}})

    async def loop(self, until: float, think: float, out: list) -> None:
        while time.perf_counter() < until:
            r = await self.click()
            out.append((r.ok, r.seconds))
            await asyncio.sleep(min(max(0.0, until - time.perf_counter()), think * self.rng.uniform(0.5, 1.5)))


async def measure(url: str, store: Path, args) -> dict:
    trainer = Trainer(url, store, args.epochs)
    if not await trainer.start():
        return {"errors": trainer.errors}
    warm = time.perf_counter() + 600
    poller = asyncio.create_task(trainer.poll(warm + 3 * args.seconds + 900))
    while time.perf_counter() < warm and not any(e >= 2 for _, e, _ in trainer.samples):  # booted, first epoch done
        await asyncio.sleep(0.5)
    t0 = time.perf_counter()
    await asyncio.sleep(args.seconds)
    idle = trainer.speed(t0, time.perf_counter())
    students = [Student(url, "map" if i % 2 == 0 else "walk", i) for i in range(args.sessions)]
    sem = asyncio.Semaphore(4)

    async def _open(s: Student) -> bool:
        async with sem:
            try:
                return await s.open()
            except Exception:  # noqa: BLE001 - a failed open is counted, the bench goes on
                return False

    opened = await asyncio.gather(*(_open(s) for s in students))
    students = [s for s, ok in zip(students, opened) if ok]
    clicks: list = []
    t1 = time.perf_counter()
    until = t1 + args.seconds
    await asyncio.gather(*(s.loop(until, args.think, clicks) for s in students))
    loaded = trainer.speed(t1, time.perf_counter())
    poller.cancel()
    await trainer.stop()
    for s in students:
        await s.session.__aexit__(None, None, None)
    lat = [c[1] * 1000 for c in clicks if c[0]]
    return {"idle": idle, "loaded": loaded, "sessions_open": len(students),
            "click_errors": sum(1 for c in clicks if not c[0]) + args.sessions - len(students),
            "click_p50_ms": pct(lat, 50), "click_p95_ms": pct(lat, 95),
            "click_mean_ms": round(statistics.fmean(lat), 1) if lat else None, "errors": trainer.errors}


def run_server(tree: Path, args, env: dict) -> dict:
    store = Path(tempfile.mkdtemp(prefix="vae-isolation-store-"))
    here, browser.ROOT = browser.ROOT, tree  # the server starts in ``tree``: ``python -m`` imports its vae first
    try:
        server = browser.StreamlitServer(env={"VAE_MODEL_STORE": str(store), **env})
    finally:
        browser.ROOT = here
    try:
        server.wait_ready()
        return asyncio.run(asyncio.wait_for(measure(server.url, store, args), timeout=4 * args.seconds + 1200))
    finally:
        server.stop()


def old_tree(rev: str) -> Path:
    """The tree of ``rev`` in a temp folder (``git archive``: the repository itself is not touched)."""
    folder = Path(tempfile.mkdtemp(prefix=f"vae-{rev}-"))
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=30.0, help="length of each measuring window")
    ap.add_argument("--think", type=float, default=1.0, help="mean pause between a session's clicks (s)")
    ap.add_argument("--epochs", type=int, default=250, help="epochs of the measured training (stopped at the end)")
    ap.add_argument("--old", default="8ad5f2b", help="commit whose Train page trains in a thread of the web process")
    ap.add_argument("--no-old", action="store_true", help="measure this tree only")
    args = ap.parse_args(argv)
    out: dict = {"sessions": args.sessions, "seconds": args.seconds, "epochs": args.epochs}
    print(f"worker process (this tree), {args.sessions} sessions, {args.seconds:g} s windows", flush=True)
    out["worker"] = run_server(ROOT, args, {"VAE_TRAIN_WORKERS": "1"})
    print(json.dumps(out["worker"]), flush=True)
    if not args.no_old:
        print(f"training thread ({args.old})", flush=True)
        out["thread"] = run_server(old_tree(args.old), args, {})
        print(json.dumps(out["thread"]), flush=True)
    w, th = out["worker"], out.get("thread", {})
    speed = lambda d, phase: (d.get(phase) or {}).get("images_per_s")  # noqa: E731
    summary = {"sessions": args.sessions, "seconds": args.seconds,
               "worker_idle_ips": speed(w, "idle"), "worker_loaded_ips": speed(w, "loaded"),
               "worker_record_idle_ips": (w.get("idle") or {}).get("record_images_per_s"),
               "worker_record_loaded_ips": (w.get("loaded") or {}).get("record_images_per_s"),
               "training_speed_ratio": ratio(speed(w, "loaded"), speed(w, "idle")),
               "worker_click_p95_ms": w.get("click_p95_ms"), "worker_click_errors": w.get("click_errors"),
               "thread_idle_ips": speed(th, "idle"), "thread_loaded_ips": speed(th, "loaded"),
               "thread_speed_ratio": ratio(speed(th, "loaded"), speed(th, "idle")),
               "thread_click_p95_ms": th.get("click_p95_ms"), "thread_click_errors": th.get("click_errors"),
               "worker_vs_thread_loaded": ratio(speed(w, "loaded"), speed(th, "loaded")),
               "errors": len(w.get("errors", [])) + len(th.get("errors", []))}
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
