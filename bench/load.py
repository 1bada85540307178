"""A class on loopback: N simulated students using the app as students do, 3 real Chromium tabs measuring what
never reaches the server, and one training submitted through the Train form, in phases of at most 3 minutes.

    .venv/bin/python bench/load.py [--sessions 30] [--seconds 120] [--tabs 3]     # starts one server
    .venv/bin/python bench/load.py --replicas 2 --sessions 60                     # 2 replicas behind nginx
    .venv/bin/python bench/load.py --nginx                                        # 1 server behind nginx
    .venv/bin/python bench/load.py --url http://127.0.0.1:8600/ --store DIR [--pids 1,2]   # an existing one

A simulated student (``bench/ws_client.py``: Streamlit's own websocket protocol) arrives cold: it GETs the
page and every static file the HTML names (Streamlit's JS and CSS; ``Accept-Encoding: gzip``, 6 requests at
a time on kept-alive connections, like a browser),
opens the websocket, runs the default page (the latent map) and fetches what the explorer component then
needs (its JS modules, CSS, plotly.js and the models' bundles named in the component's data): *page open →
map visible* is that whole sequence (a real browser also parses and runs the JS; the tabs below measure
that part). Then, until the phase ends, it thinks (about --think s) and does one of: inspect a dot or pin a code on the map (what the component reports: one
fragment rerun), release the walk's sliders (one fragment rerun), switch the projection (segmented control),
the focus model or the VAE of the lineup (sidebar), the language (sidebar), go to the other page, or reload
(a new cold session). Latency of a server action = BackMsg sent → ``script_finished``, plus the HTTP fetches
of any bundle the new data names that the student has not fetched yet (a browser keeps them in IndexedDB).

The Chromium tabs (Debian chromium through vae/devtools/browser.py, Playwright) open the map in a cold
context while the class arrives (navigation → map drawn, the component's own ``map.plotted`` mark), then
hover the map and click dots at a person's pace; hover → pixels and click → inspector come from the
component's timing samples (``window.__vaeExplorer.samples``: pointer handler → canvas written for a hover,
as bench/live_surface.py reports it; the event's time stamp → inspector drawn for a click).

Phases: single-user figures first (one student alone opens the map cold 3 times; one tab alone, cold), then
(a) all students arrive (4 at a time) and work for --seconds; then the students and tabs pause and one more
session submits the Train form (a VAE on MNIST, --epochs epochs: it runs in a worker process of the server's
vae/jobs pool) and its speed on the otherwise idle server is measured for --idle-seconds (longer, until its
progress moves) from the job's record in the store (progress × epochs × training images / time); then (b) the same class works for
--seconds while the training continues, its speed measured again; then Stop (a stopped job saves nothing).
With --replicas R the same runs behind nginx (deploy/replicas.py, sticky sessions; pool per replica).

Garbage collection: each server started here logs its collections (``vae.ui.gc_log``); the figures of its full
collections in each phase (``gc_full_*``, ``gc_share``) follow the others.

Memory: RSS of the server process(es) and their children (training workers included) from /proc, with one
session open and with the whole class open. Errors: exception elements, bad finish status, timeouts,
disconnects, failed connects or HTTP fetches, a training that did not start. Loopback only, every wait is
bounded; the last line is one JSON object.
"""
from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import gzip
import http.client
import json
import os
import queue
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_client import StreamlitSession, first_get  # noqa: E402
from vae.ui.i18n import LANG_NAMES  # noqa: E402
from vae.ui.sidebar import picker_key  # noqa: E402
from deploy.replicas import Replicas  # noqa: E402
from vae.devtools.memory import children  # noqa: E402
from vae.ui.gc_log import ENV as GC_LOG_ENV  # noqa: E402

PAGES = {"map": "", "walk": "walk"}
TRAIN_PAGE = "training"
MAP_KEY, WALK_KEY = "map.explorer", "walk.explorer"
ASSETS = "_stcore/bidi-components/vae.explorer/"
IMPORT = re.compile(r"""(?:from\s+|import\(\s*)["']\./([\w.-]+\.js)["']""")
HTML_REFS = re.compile(r"""(?:src|href)="\./([^"]+)\"""")
# weights of a student's next action, per page (a student mostly explores, sometimes changes what is shown)
ACTIONS = {"map": {"inspect": 5, "pin": 2, "projection": 1, "focus": 1, "model": 0.5, "language": 0.5,
                   "navigate": 1, "reload": 0.25},
           "walk": {"walk": 5, "focus": 1, "model": 0.5, "language": 0.5, "navigate": 1.5, "reload": 0.25}}
# what the last JSON line holds at least (issue #10)
REQUIRED_KEYS = {"sessions", "errors", "p95_ms", "p95_training_ms", "training_speed_ratio", "client_p95_ms",
                 "page_open_p95_ms"}
PARALLEL = 6  # connections a browser opens to one host (HTTP/1.1), each kept alive
TARGETS = {"p95_ms": 1000.0, "page_open_ratio": 3.0, "training_p95_ratio": 1.2, "training_speed_ratio": 0.5,
           "client_p95_ms": 16.0, "click_p95_ms": 100.0}


# ---- memory ---------------------------------------------------------------------------------------
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
        todo += children(pid)
    return total / 1024


def cpu_seconds(pids: list[int], descendants: bool = False) -> float | None:
    """CPU time (user + system, s) these processes have used themselves, not their children (a server's training
    workers are children): what a server spends on the class. None when none of them can be read.

    ``descendants``: with every process below them too, those still running and those already waited for (a
    probe's Chromium and its short-lived page processes)."""
    total, read = 0.0, False
    todo = list(pids)
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        used = int(fields[11]) + int(fields[12])   # utime, stime: fields 14, 15
        if descendants:
            used += int(fields[13]) + int(fields[14])   # cutime, cstime: the children it has waited for
            todo += children(pid)
        total += used / os.sysconf("SC_CLK_TCK")
        read = True
    return total if read else None


def machine_cpu_seconds() -> dict[str, float] | None:
    """The whole machine's CPU time so far (s, all cores, ``/proc/stat``): ``busy`` (user, nice, system, irq,
    softirq) and ``steal`` (time the hypervisor gave this VM's cores to other guests). Read around a
    phase, it says how much of the machine the servers, their workers and the simulated class took together, and
    whether a neighbour on the host took some: a late open waits for a free core as well as for the server. None
    where there is no ``/proc/stat``."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    fields += [0] * (8 - len(fields))
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    tick = os.sysconf("SC_CLK_TCK")
    return {"busy": (user + nice + system + irq + softirq) / tick, "steal": steal / tick}


# ---- statistics -----------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of ``values``; None when empty."""
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))], 1)


def summarize(samples: list[dict]) -> dict:
    """Count, errors, p50 / p95 / mean (ms) of action samples ``{ok, ms, kind, status}``; per kind too."""
    ok = [s["ms"] for s in samples if s["ok"]]
    out = {"n": len(samples), "errors": sum(1 for s in samples if not s["ok"]), "p50_ms": pct(ok, 50),
           "p95_ms": pct(ok, 95), "mean_ms": round(statistics.fmean(ok), 1) if ok else None}
    kinds = sorted({s["kind"] for s in samples})
    if len(kinds) > 1:
        out["by_kind"] = {k: {"n": sum(s["kind"] == k for s in samples),
                              "p95_ms": pct([s["ms"] for s in samples if s["kind"] == k and s["ok"]], 95)} for k in kinds}
    names = list(dict.fromkeys(n for s in samples if s["ok"] for n in s.get("parts_ms", {})))
    if names:  # where the time of a page open goes: its steps' p50 / p95
        out["parts_ms"] = {n: {"p50": pct([s["parts_ms"][n] for s in samples if s["ok"] and n in s.get("parts_ms", {})], 50),
                               "p95": pct([s["parts_ms"][n] for s in samples if s["ok"] and n in s.get("parts_ms", {})], 95)}
                           for n in names}
    return out


# ---- HTTP, as a browser with an empty cache ---------------------------------------------------------
def component_urls(data: dict) -> list[str]:
    """Asset-relative URLs the explorer fetches for ``data``: plotly.js and every bundle except encoders (which the
    browser fetches only once something is drawn)."""
    urls: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            if isinstance(node.get("url"), str) and "hash" in node and key != "encoder":
                urls.append(node["url"])
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
    walk(data)
    return list(dict.fromkeys(urls))


class Browserless:
    """What a student's browser fetches over HTTP, with its cache (a URL is fetched once per student), the way a
    browser fetches it: up to :data:`PARALLEL` requests at once, each on a kept-alive connection of its own."""

    def __init__(self, base: str, timeout: float):
        self.base, self.timeout = base, timeout
        self.cookie = ""
        self.cached: set[str] = set()
        self.bytes = 0
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[http.client.HTTPConnection] = []
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None

    def _connection(self, fresh: bool = False) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None or fresh:
            if conn is not None:
                conn.close()
            u = urllib.parse.urlsplit(self.base)
            conn = self._local.conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=self.timeout)
            with self._lock:
                self._connections.append(conn)
        return conn

    def fetch(self, url: str) -> bytes:
        """GET ``url`` on this thread's kept-alive connection (a new one if the server closed it); the body,
        decoded. Raises on an HTTP error."""
        u = urllib.parse.urlsplit(url)
        path = u.path + (f"?{u.query}" if u.query else "")
        headers = {"Accept-Encoding": "gzip", **({"Cookie": self.cookie} if self.cookie else {})}
        for attempt in (0, 1):
            conn = self._connection(fresh=attempt == 1)
            try:
                conn.request("GET", path, headers=headers)
                r = conn.getresponse()
                body = r.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt:
                    raise
        if r.status >= 400:
            raise urllib.error.HTTPError(url, r.status, r.reason, r.headers, None)
        if r.getheader("Connection", "").lower() == "close":
            conn.close()
            self._local.conn = None
        return gzip.decompress(body) if r.getheader("Content-Encoding") == "gzip" else body

    def get_all(self, urls: list[str]) -> list[bytes]:
        """Fetch every URL not fetched yet, :data:`PARALLEL` at a time; their bodies (empty for cached ones)."""
        todo = [u for u in dict.fromkeys(urls) if u not in self.cached]
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(PARALLEL, thread_name_prefix="student-http")
        bodies = dict(zip(todo, self._pool.map(self.fetch, todo)))
        for u, body in bodies.items():
            self.bytes += len(body)
            self.cached.add(u)
        return [bodies.get(u, b"") for u in urls]

    def release_threads(self) -> None:
        """Let the fetching threads go once the page is open (hundreds of idle tabs would hold six each); the
        kept-alive connections stay, and a later fetch starts the threads again."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def close(self) -> None:
        """Close the kept-alive connections (a closed tab)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    def open_html(self) -> dict:
        """The first GET (sticky cookie set here behind nginx), then the static files its HTML names."""
        cookie, headers = first_get(self.base, self.timeout)
        self.cookie = cookie or self.cookie
        html = self.fetch(self.base).decode("utf-8", "replace")
        self.get_all([urllib.parse.urljoin(self.base, ref) for ref in dict.fromkeys(HTML_REFS.findall(html))])
        return headers

    def component(self, data: dict) -> None:
        """The component's modules (explorer.js, then what it imports, level by level as a browser discovers
        them), its CSS, then what ``data`` names."""
        root = self.base + ASSETS
        level = [root + "explorer.js"]
        while level:
            texts = self.get_all(level)
            level = [root + m for text in texts for m in IMPORT.findall(text.decode("utf-8", "replace"))]
            level = [u for u in dict.fromkeys(level) if u not in self.cached]
        self.get_all([root + "explorer.css"] + [root + u for u in component_urls(data)])


# ---- a simulated student --------------------------------------------------------------------------
class Student:
    """One student's tab without a browser: arrives cold, then explores (see the module docstring)."""

    def __init__(self, url: str, timeout: float, seed: int, log: "Log"):
        self.url, self.timeout, self.log = url, timeout, log
        self.rng = random.Random(seed)
        self.session: StreamlitSession | None = None
        self.http: Browserless | None = None
        self.page = "map"
        self.upstream = ""
        self.map_state: dict = {}
        self.lang = "en"  # the sidebar's model pickers have the language in their key (vae.ui.sidebar.picker_key)

    async def _component_fetch(self) -> None:
        key = MAP_KEY if self.page == "map" else WALK_KEY
        data = self.session.components.get(key)
        if data is not None:
            await asyncio.to_thread(self.http.component, data)

    async def open(self) -> bool:
        """Cold arrival on the app's URL (the map); records a ``page_open`` sample."""
        await self.close()
        t0 = time.perf_counter()
        self.http, self.page, self.map_state, self.lang = Browserless(self.url, self.timeout), "map", {}, "en"
        parts: dict[str, float] = {}
        try:
            headers = await asyncio.to_thread(self.http.open_html)
            parts["html"] = time.perf_counter() - t0
            self.upstream = headers.get("x-upstream", "")
            self.session = StreamlitSession(self.url, PAGES["map"], cookie=self.http.cookie, timeout=self.timeout)
            await self.session.__aenter__()
            r = await self.session.run()
            parts["script"] = time.perf_counter() - t0 - parts["html"]
            if r.ok:
                await self._component_fetch()
                parts["assets"] = time.perf_counter() - t0 - parts["html"] - parts["script"]
            ok, status = r.ok and MAP_KEY in self.session.components, r.status
            if r.ok and not ok:
                status = "no map component"
        except Exception as exc:  # noqa: BLE001 - connect / HTTP failures are errors of the run
            ok, status = False, f"open:{type(exc).__name__}: {exc}"[:200]
        self.log.add("page_open", ok, time.perf_counter() - t0, status, self.upstream, parts)
        return ok

    async def close(self) -> None:
        if self.session is not None:
            await self.session.__aexit__(None, None, None)
            self.session = None
        if self.http is not None:
            await asyncio.to_thread(self.http.close)

    def _other(self, key: str) -> str | None:
        try:
            current = self.session.elements[self.session.widget(key).id]
        except KeyError:
            return None
        labels = self.session.options(key)
        now = self.session.states.get(current.id, (None, None))[1]
        now = now[0] if isinstance(now, list) and now else now
        choices = [o for o in labels if o != now] or labels
        return self.rng.choice(choices) if choices else None

    async def act(self) -> None:
        """One action of this student's page, timed (see ``ACTIONS``)."""
        s, rng = self.session, self.rng
        kinds = ACTIONS[self.page]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        if kind == "reload":
            await self.open()
            return
        t0 = time.perf_counter()
        try:
            if kind == "inspect":
                self.map_state["inspected"] = rng.randrange(1000)
                r = await s.set(MAP_KEY, self.map_state)
            elif kind == "pin":
                self.map_state["pinned"] = [round(rng.uniform(-3, 3), 2) for _ in range(2)]
                r = await s.set(MAP_KEY, self.map_state)
            elif kind == "walk":
                d = len((s.components.get(WALK_KEY) or {}).get("z0") or [0, 0]) or 2
                z = [round(rng.uniform(-3, 3), 2) for _ in range(d)]
                r = await s.set(WALK_KEY, {"walk": {"z": z, "z0": [0.0] * d, "start": 0, "a": 0, "b": 1, "steps": 9}})
            elif kind == "navigate":
                self.page = "walk" if self.page == "map" else "map"
                r = await s.navigate(PAGES[self.page])
            else:
                key = {"projection": "map_projection", "focus": "sel_focus", "language": "lang",
                       "model": picker_key("vae", "mnist", 2, self.lang)}[kind]
                label = self._other(key)
                if label is None:
                    return
                r = await s.choose(key, label, fragment=False)
                if kind == "language" and r.ok:
                    self.lang = next((code for code, name in LANG_NAMES.items() if name == label), self.lang)
            if r.ok:
                s.forget_stale_choices()
                await self._component_fetch()
            ok, status = r.ok, r.status if not r.exceptions else f"exception: {r.exceptions[0]}"[:200]
        except Exception as exc:  # noqa: BLE001
            ok, status = False, f"{kind}:{type(exc).__name__}: {exc}"[:200]
        self.log.add(kind, ok, time.perf_counter() - t0, status, self.upstream)


async def work(student: Student, until: float, think: float) -> None:
    """A student's actions until ``until`` (perf_counter), a pause of about ``think`` s between them."""
    while time.perf_counter() < until:
        await asyncio.sleep(min(max(0.0, until - time.perf_counter()), think * student.rng.uniform(0.5, 1.5)))
        if time.perf_counter() >= until:
            break
        if student.session is None:
            await student.open()
        else:
            await student.act()


class Log:
    """Timed samples of one phase: ``{kind, ok, ms, status, upstream}``; ``windows``: each phase's Unix start and end
    (what the servers' collection logs are cut by, ``gc_figures``)."""

    def __init__(self):
        self.samples: dict[str, list[dict]] = {}
        self.windows: dict[str, list[float]] = {}
        self._phase: str | None = None
        self.phase = "warm"

    @property
    def phase(self) -> str:
        return self._phase

    @phase.setter
    def phase(self, name: str) -> None:
        now = time.time()
        if self._phase is not None:
            self.windows[self._phase][1] = now
        self._phase = name
        self.windows[name] = [now, float("inf")]

    def closed_windows(self) -> dict[str, list[float]]:
        """Every phase's window, the current one ended now (called once, when the figures are made)."""
        self.phase = "figures"
        return {k: v for k, v in self.windows.items() if k != "figures"}

    def add(self, kind: str, ok: bool, seconds: float, status: str, upstream: str = "",
            parts: dict[str, float] | None = None) -> None:
        """One sample; ``parts``: seconds of its steps (a page open: html, script, assets)."""
        sample = {"kind": kind, "ok": ok, "ms": seconds * 1000, "status": status, "upstream": upstream}
        if parts:
            sample["parts_ms"] = {k: v * 1000 for k, v in parts.items()}
        self.samples.setdefault(self.phase, []).append(sample)

    def of(self, phase: str, opens: bool) -> list[dict]:
        return [s for s in self.samples.get(phase, []) if (s["kind"] == "page_open") == opens]


# ---- the training ---------------------------------------------------------------------------------
class Trainer:
    """A Train-page session: submits the form, polls the live fragment like the browser, presses Stop; speed from
    the job's record in the store (``<store>/.jobs/<id>.json``)."""

    def __init__(self, url: str, store: Path | None, timeout: float, epochs: int, redis_url: str | None = None):
        self.url, self.store, self.timeout, self.epochs = url, store, timeout, epochs
        self.redis_url = redis_url   # with Redis, the job records live there (vae.jobs.queue_records)
        self.name = f"loadtest-{os.getpid()}-{int(time.time())}"
        self.session: StreamlitSession | None = None
        self.upstream = ""
        self.errors: list[str] = []
        self.samples: list[tuple[float, float]] = []   # (perf_counter, progress)
        self.n_train: int | None = None
        self.record: dict = {}

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
        return True

    def read_record(self) -> dict | None:
        """This job's record (the newest one with our model's name): from the store's job files, or from Redis."""
        if self.store is None:
            return None
        if self.redis_url:
            from vae.jobs.queue_records import read_records

            records = read_records(self.store, self.redis_url)
        else:
            records = []
            for path in (self.store / ".jobs").glob("*.json"):
                try:
                    records.append(json.loads(path.read_text()))
                except (OSError, ValueError):
                    continue
        mine = [r for r in records if isinstance(r, dict) and r.get("name") == self.name]
        return max(mine, key=lambda r: r.get("created", 0)) if mine else None

    async def poll(self, until: float) -> None:
        """The browser's auto-reruns of the live fragment, and the job's progress, until ``until``."""
        while time.perf_counter() < until and self.session.auto_reruns:
            interval, fragment_id = self.session.auto_reruns[-1]
            await asyncio.sleep(min(interval, max(0.0, until - time.perf_counter())))
            r = await self.session.auto_rerun(fragment_id)
            if not r.ok:
                self.errors.append(f"poll: {r.status} {r.exceptions[:1]}")
                if r.status.startswith("disconnect"):
                    return
            rec = await asyncio.to_thread(self.read_record)
            if rec:
                self.record = rec
                if rec.get("status") == "running":
                    self.samples.append((time.perf_counter(), float(rec.get("progress") or 0)))

    async def wait_running(self, timeout: float) -> bool:
        """Poll until the job has made progress (the worker has started and loaded its data)."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            await self.poll(time.perf_counter() + 1.0)
            if self.samples and self.samples[-1][1] > 0:
                return True
        self.errors.append(f"the training made no progress in {timeout:.0f} s (record: {self.record})")
        return False

    async def measure(self, seconds: float, grace: float = 60.0) -> float | None:
        """Images per second over the next ``seconds``, prolonged (by at most ``grace`` s) until the job's
        progress has moved: on a loaded machine a short window can fall between two progress records."""
        a = time.perf_counter()
        await self.poll(a + seconds)
        cap = time.perf_counter() + grace
        while not self.images_per_s(a, time.perf_counter()) and time.perf_counter() < cap and self.session.auto_reruns:
            await self.poll(time.perf_counter() + 1.0)
        return self.images_per_s(a, time.perf_counter())

    def images_per_s(self, t0: float, t1: float) -> float | None:
        """Training images per second between two moments (progress × epochs × training images / time)."""
        inside = [s for s in self.samples if t0 <= s[0] <= t1]
        if len(inside) < 2 or inside[-1][0] - inside[0][0] < 1:
            return None
        if self.n_train is None:
            from vae.data import load_dataset

            self.n_train = len(load_dataset(self.record.get("dataset") or "mnist").x_train)
        (ta, pa), (tb, pb) = inside[0], inside[-1]
        return round((pb - pa) * self.epochs * self.n_train / (tb - ta), 1)

    async def stop(self) -> None:
        try:
            r = await self.session.click("train.stop")
            if not r.ok:
                self.errors.append(f"stop: {r.status}")
        except KeyError:
            self.errors.append("stop: no Stop button (training already over?)")
        await self.session.__aexit__(None, None, None)


# ---- real Chromium tabs ---------------------------------------------------------------------------
class Tabs(threading.Thread):
    """``n`` Playwright pages of Debian Chromium in their own thread, driven by commands: ``solo`` (one cold open,
    alone), ``phase NAME`` (reopen every tab cold, then hover and click until the next command), ``resume NAME``
    (the same tabs go on, their samples counted in phase NAME), ``pause``, ``quit``."""

    def __init__(self, url: str, n: int, seed: int = 0):
        super().__init__(daemon=True, name="tabs")
        self.url, self.n, self.rng = url, n, random.Random(seed)
        self.commands: queue.Queue = queue.Queue()
        self.done: queue.Queue = queue.Queue()   # one item per command handled: None or an error text
        self.results: dict[str, dict[str, list]] = {}
        self.errors: list[str] = []
        self.phase: str | None = None
        self.browser = None
        self.tabs: list[tuple] = []   # (context, page, page errors)

    def _bucket(self, phase: str) -> dict[str, list]:
        return self.results.setdefault(phase, {"hover": [], "hover_event": [], "inspect": [], "open": []})

    def _open(self, phase: str):
        from vae.devtools.explorer import wait_map

        ctx = self.browser.new_context(viewport={"width": 1400, "height": 1300})
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(self.url + "?lang=en")
        wait_map(page, timeout=180_000)
        plotted = page.evaluate("window.__vaeExplorer.marks['map.plotted']")
        self._bucket(phase)["open"].append(plotted)
        return ctx, page, errors

    def _close_tabs(self) -> None:
        for ctx, _, errors in self.tabs:
            self.errors += errors[:3]
            ctx.close()
        self.tabs = []

    def _interact(self, page) -> None:
        from vae.devtools.explorer import data_position, dot_position

        cx, cy = data_position(page, 0.0, 0.0)
        for _ in range(15):   # a hand moving over the map
            page.mouse.move(cx + self.rng.uniform(-200, 200), cy + self.rng.uniform(-200, 200))
            page.wait_for_timeout(20)
        page.mouse.click(*dot_position(page, self.rng.randrange(1000)))
        page.wait_for_timeout(150)

    def _drain(self, page) -> None:
        samples = page.evaluate("(() => { const s = window.__vaeExplorer.samples.slice(); "
                                "window.__vaeExplorer.samples.length = 0; return s; })()")
        if self.phase is None:
            return
        b = self._bucket(self.phase)
        b["hover"] += [s["pixels"] - s["handler"] for s in samples if s["kind"] == "hover"]
        b["hover_event"] += [s["pixels"] - s["input"] for s in samples if s["kind"] == "hover"]
        b["inspect"] += [s["pixels"] - s["input"] for s in samples if s["kind"] == "inspect"]

    def run(self) -> None:
        from playwright.sync_api import sync_playwright

        from vae.devtools.browser import launch_browser

        try:
            with sync_playwright() as pw:
                self.browser = launch_browser(pw)
                while True:
                    try:
                        cmd = self.commands.get(timeout=0.05 if self.phase else 1.0)
                    except queue.Empty:
                        cmd = None
                    if cmd is None:
                        if self.phase:
                            for _, page, _ in self.tabs:
                                self._interact(page)
                                self._drain(page)
                        continue
                    try:
                        if cmd == "quit":
                            self._close_tabs()
                            self.done.put(None)
                            break
                        if cmd == "solo":
                            ctx, _, errors = self._open("solo")
                            self.errors += errors[:3]
                            ctx.close()
                        elif cmd == "pause":
                            for _, page, _ in self.tabs:
                                self._drain(page)
                            self.phase = None
                        elif cmd.startswith("resume "):   # the same tabs, samples counted in another phase
                            for _, page, _ in self.tabs:
                                self._drain(page)
                            self.phase = cmd.split(" ", 1)[1]
                        elif cmd.startswith("phase "):
                            self.phase = None
                            self._close_tabs()
                            name = cmd.split(" ", 1)[1]
                            self.tabs = [self._open(name) for _ in range(self.n)]
                            for _, page, _ in self.tabs:
                                page.evaluate("window.__vaeExplorer.samples.length = 0")
                            self.phase = name
                        self.done.put(None)
                    except Exception as exc:  # noqa: BLE001 - reported, the bench goes on without the tabs
                        self.errors.append(f"{cmd}: {type(exc).__name__}: {exc}"[:300])
                        self.phase = None
                        self.done.put(self.errors[-1])
                self.browser.close()
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"browser: {type(exc).__name__}: {exc}"[:300])
            self.done.put(self.errors[-1])

    async def command(self, cmd: str, timeout: float = 300) -> None:
        """Send a command and wait (without blocking the event loop) until the thread has handled it."""
        if not self.is_alive():
            return
        self.commands.put(cmd)
        await asyncio.to_thread(self.done.get, True, timeout)

    def summary(self, phases: list[str]) -> dict:
        out: dict = {}
        for name in phases:
            b = self._bucket(name)
            out[name] = {"hover_n": len(b["hover"]), "hover_p50_ms": pct(b["hover"], 50), "hover_p95_ms": pct(b["hover"], 95),
                         "hover_event_p95_ms": pct(b["hover_event"], 95), "click_n": len(b["inspect"]),
                         "click_p50_ms": pct(b["inspect"], 50), "click_p95_ms": pct(b["inspect"], 95),
                         "open_ms": [round(v) for v in b["open"] if v is not None]}
        return out


# ---- the run --------------------------------------------------------------------------------------
async def run(args, url: str, pids: list[int], store: Path | None) -> dict:
    """Single-user figures, phase (a) the class, the training alone, phase (b) the class with the training."""
    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=16))
    log = Log()
    out: dict = {"url": url, "sessions": args.sessions, "seconds_per_phase": args.seconds, "think_s": args.think,
                 "tabs": args.tabs}
    tabs = Tabs(url, args.tabs) if args.tabs > 0 else None
    if tabs:
        tabs.start()

    # warm-up (the first run loads models, bundles, projections), then the single-user figures
    warm = Student(url, args.timeout, -1, log)
    await warm.open()
    for page in ("walk", "map"):
        warm.page = page
        await warm.session.navigate(PAGES[page])
    await warm.close()
    log.phase = "single"
    solo = Student(url, args.timeout, -2, log)
    for _ in range(3):
        await solo.open()
    await asyncio.sleep(0.5)
    rss1 = rss_mb(pids)
    await solo.close()
    if tabs:
        await tabs.command("solo")
    single = [s["ms"] for s in log.of("single", True) if s["ok"]]
    out["page_open_single_ms"] = round(statistics.median(single), 1) if single else None
    out["page_open_single_parts_ms"] = summarize(log.of("single", True)).get("parts_ms")

    # (a) the class arrives (4 at a time) and works
    log.phase = "class"
    students = [Student(url, args.timeout, i, log) for i in range(args.sessions)]
    sem = asyncio.Semaphore(4)

    async def arrive(st: Student) -> None:
        async with sem:
            await st.open()
    t0 = time.perf_counter()
    # the tabs open cold while the class arrives (their page open is measured under that load)
    await asyncio.gather(tabs.command("phase class") if tabs else asyncio.sleep(0), *(arrive(st) for st in students))
    out["arrival_s"] = round(time.perf_counter() - t0, 1)
    await asyncio.sleep(0.5)
    rssn = rss_mb(pids)
    until = time.perf_counter() + args.seconds
    await asyncio.gather(*(work(st, until, args.think) for st in students))
    if tabs:
        await tabs.command("pause")
    upstreams = sorted({st.upstream for st in students if st.upstream})
    if upstreams:
        out["sessions_per_upstream"] = {u: sum(st.upstream == u for st in students) for u in upstreams}

    # the training alone, then (b) the class with it
    trainer = None
    idle_ips = busy_ips = None
    if not args.no_training:
        log.phase = "idle_training"
        trainer = Trainer(url, store, args.timeout, args.epochs, args.redis_url)
        if await trainer.start() and await trainer.wait_running(120):
            idle_ips = await trainer.measure(args.idle_seconds)
            log.phase = "training"
            if tabs:
                await tabs.command("resume training")
            until = time.perf_counter() + args.seconds
            b = time.perf_counter()
            await asyncio.gather(trainer.poll(until), *(work(st, until, args.think) for st in students))
            busy_ips = trainer.images_per_s(b, time.perf_counter())
            rss_training = rss_mb(pids)
            out["rss_mb_training"] = None if rss_training is None else round(rss_training, 1)
            if tabs:
                await tabs.command("pause")
        if trainer.session is not None:
            await trainer.stop()
        out["training"] = {"name": trainer.name, "upstream": trainer.upstream, "epochs_done": trainer.record.get("epoch"),
                           "images_per_s_idle": idle_ips, "images_per_s_load": busy_ips,
                           "status_at_end": trainer.record.get("status"), "errors": trainer.errors}
    for st in students:
        await st.close()
    if tabs:
        await tabs.command("quit")
        tabs.join(30)

    # figures
    out["phase_windows"] = log.closed_windows()
    phases = ["class"] + (["training"] if "training" in log.samples else [])
    for name in phases:
        out[f"phase_{name}"] = {"actions": summarize(log.of(name, False)), "page_open": summarize(log.of(name, True))}
        if trainer and trainer.upstream and name == "training":
            same = [s for s in log.of(name, False) if s["upstream"] == trainer.upstream]
            out[f"phase_{name}"]["same_replica_as_training"] = summarize(same)
    if tabs:
        out["browser"] = tabs.summary(["solo"] + phases)
        out["browser_errors"] = tabs.errors[:5]
    everything = [s for ph in phases + ["single"] for s in log.samples.get(ph, [])]
    failed = [s for s in everything if not s["ok"]]
    kinds: dict[str, int] = {}
    for s in failed:
        kinds[s["status"][:60]] = kinds.get(s["status"][:60], 0) + 1
    out["error_kinds"] = kinds
    a_act = out["phase_class"]["actions"]
    b_act = out.get("phase_training", {}).get("actions", {})
    opens = [s["ms"] for ph in phases for s in log.of(ph, True) if s["ok"]]
    br = out.get("browser", {})
    hover = [v for ph in phases for v in tabs._bucket(ph)["hover"]] if tabs else []
    clicks = [v for ph in phases for v in tabs._bucket(ph)["inspect"]] if tabs else []
    out.update(
        replicas=args.replicas, actions=sum(out[f"phase_{p}"]["actions"]["n"] for p in phases),
        errors=len(failed) + (len(trainer.errors) if trainer else 0) + (len(tabs.errors) if tabs else 0),
        p50_ms=a_act["p50_ms"], p95_ms=a_act["p95_ms"],
        p50_training_ms=b_act.get("p50_ms"), p95_training_ms=b_act.get("p95_ms"),
        training_p95_ratio=round(b_act["p95_ms"] / a_act["p95_ms"], 2) if b_act.get("p95_ms") and a_act["p95_ms"] else None,
        page_open_p95_ms=pct(opens, 95),
        page_open_ratio=round(pct(opens, 95) / out["page_open_single_ms"], 2) if opens and out["page_open_single_ms"] else None,
        client_p95_ms=pct(hover, 95), client_event_p95_ms=pct([v for ph in phases for v in tabs._bucket(ph)["hover_event"]], 95) if tabs else None,
        click_p95_ms=pct(clicks, 95),
        browser_open_single_ms=(br.get("solo", {}).get("open_ms") or [None])[0],
        browser_open_max_ms=max((v for ph in phases for v in br.get(ph, {}).get("open_ms", [])), default=None),
        training_images_per_s_idle=idle_ips, training_images_per_s_load=busy_ips,
        training_speed_ratio=round(busy_ips / idle_ips, 2) if idle_ips and busy_ips else None,
        loadavg_at_end=[round(v, 2) for v in os.getloadavg()],   # the machine may be shared (record.py has the start)
        rss_mb_1_session=None if rss1 is None else round(rss1, 1), rss_mb=None if rssn is None else round(rssn, 1),
        rss_per_session_mb=None if rss1 is None or rssn is None else round((rssn - rss1) / max(1, args.sessions - 1), 2))
    return out


def line(label: str, value, target: str = "", ok: bool | None = None) -> None:
    """One printed figure: label, value, target and "ok" / "MISSED" (nothing when it has no target or no value)."""
    mark = "" if ok is None or value is None else ("ok" if ok else "MISSED")
    print(f"{label:<46} {value!s:>12}   {target:<14} {mark}")


def le(value, limit) -> bool | None:
    """``value <= limit``, or None when the run has no such figure."""
    return None if value is None else value <= limit


def report(out: dict) -> None:
    """The figures against the targets of issue #10 (``TARGETS``), one line each."""
    T = TARGETS
    print(f"--- {out['sessions']} students, {out['replicas']} replica(s), {out['seconds_per_phase']:g} s per phase ---")
    line("server actions p50 ms (no training)", out["p50_ms"])
    line("server actions p95 ms (no training)", out["p95_ms"], f"<= {T['p95_ms']:g}", le(out["p95_ms"], T["p95_ms"]))
    line("server actions p95 ms (one training)", out["p95_training_ms"], f"<= {T['p95_ms']:g}", le(out["p95_training_ms"], T["p95_ms"]))
    line("  ratio to no training", out["training_p95_ratio"], f"<= {T['training_p95_ratio']:g}",
         le(out["training_p95_ratio"], T["training_p95_ratio"]))
    line("page open -> map visible p95 ms", out["page_open_p95_ms"])
    line("  single user (median of 3) ms", out["page_open_single_ms"])
    line("  ratio", out["page_open_ratio"], f"<= {T['page_open_ratio']:g}", le(out["page_open_ratio"], T["page_open_ratio"]))
    line("errors", out["errors"], "0", out["errors"] == 0)
    line("tabs: hover -> pixels p95 ms", out["client_p95_ms"], f"<= {T['client_p95_ms']:g}", le(out["client_p95_ms"], T["client_p95_ms"]))
    line("  from the event's time stamp p95 ms", out["client_event_p95_ms"])
    line("tabs: click -> inspector p95 ms", out["click_p95_ms"], f"<= {T['click_p95_ms']:g}", le(out["click_p95_ms"], T["click_p95_ms"]))
    line("tabs: open -> map drawn ms (alone / worst)", f"{out['browser_open_single_ms']}/{out['browser_open_max_ms']}")
    line("training images/s idle / under load", f"{out['training_images_per_s_idle']}/{out['training_images_per_s_load']}")
    line("  ratio", out["training_speed_ratio"], f">= {T['training_speed_ratio']:g}",
         None if out["training_speed_ratio"] is None else out["training_speed_ratio"] >= T["training_speed_ratio"])
    line("RSS MB 1 session / class", f"{out['rss_mb_1_session']}/{out['rss_mb']}")


def gc_figures(folder: Path, windows: dict[str, list[float]]) -> dict:
    """The servers' full collections in the class phase and the training phase (``vae.ui.gc_log``): how often, how
    long, how much garbage, and the share of the servers' time they take. Steadier than a p95 on a shared machine,
    so that an A/B of a change to the heap can be read in one pair of runs."""
    from vae.ui.gc_log import summarize as summarize_gc

    per_phase = {name: summarize_gc(folder, *windows[name]) for name in ("class", "training") if name in windows}
    first, second = per_phase.get("class", {}), per_phase.get("training", {})
    return {"gc": per_phase, "gc_full_n": first.get("gc_full_n"), "gc_full_p50_ms": first.get("gc_full_p50_ms"),
            "gc_full_max_ms": first.get("gc_full_max_ms"), "gc_full_collected_p50": first.get("gc_full_collected_p50"),
            "gc_share": first.get("gc_share"), "gc_young_share": first.get("gc_young_share"),
            "gc_young_n": first.get("gc_young_n"), "gc_share_training": second.get("gc_share")}


def start_course(store: Path, env: dict) -> list:
    """--redis: one redis-server and one worker consuming the training queue; sets ``VAE_REDIS_URL`` in ``env`` (the
    replicas' environment). Returns them, to stop at the end; waits until the worker has registered."""
    from vae.devtools.redis_server import RedisServer
    from vae.devtools.worker_process import WorkerProcess

    folder = Path(tempfile.mkdtemp(prefix="vae-load-redis-"))
    redis = RedisServer(folder)
    redis.wait_ready(timeout=60)
    env["VAE_REDIS_URL"] = redis.redis_url
    try:
        worker = WorkerProcess(redis.redis_url, store, folder / "worker.log", **env)
    except RuntimeError:
        redis.stop()
        raise
    return [redis, worker]


def main(argv=None) -> int:
    """Parse the flags, start the server(s) unless --url, run, print the figures and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", help="target an existing server or nginx (loopback); default: start one here")
    ap.add_argument("--store", default=None, help="with --url: the server's model store (to read the job's speed)")
    ap.add_argument("--pids", default="", help="with --url: comma-separated server pids for the memory figures")
    ap.add_argument("--replicas", type=int, default=1, help="without --url: 1 = one server; N>1 = N replicas behind nginx")
    ap.add_argument("--nginx", action="store_true", help="without --url: put nginx in front even of one replica")
    ap.add_argument("--sessions", type=int, default=30, help="simulated students")
    ap.add_argument("--seconds", type=float, default=120.0, help="length of each phase (at most 180)")
    ap.add_argument("--idle-seconds", type=float, default=20.0, help="training speed measured alone for this long")
    ap.add_argument("--tabs", type=int, default=3, help="real Chromium tabs (0 = none)")
    ap.add_argument("--think", type=float, default=None,
                    help="mean pause between a student's actions (s; default 3, the lecture profile 5)")
    ap.add_argument("--profile", choices=("class", "lecture"), default="class",
                    help="class: 30 students explore the map (issue #10); lecture: an amphitheatre follows the "
                         "teacher on the Lecture page while 5 trainings queue (bench/load_lecture.py, issue #24)")
    ap.add_argument("--step-seconds", type=float, default=20.0, help="lecture: the teacher's pace (s per step)")
    ap.add_argument("--poll-seconds", type=float, default=2.0,
                    help="lecture: the follow poll's interval (vae.ui.lecture.classroom_ui.POLL_SECONDS)")
    ap.add_argument("--redis", action="store_true",
                    help="without --url: one redis-server for the replicas' shared state and one training queue, with "
                         "one `python -m vae worker` consuming it (README: Serving a large course)")
    ap.add_argument("--start-step", default="ae", help="lecture: the teacher's first step (a slug of the Lecture)")
    ap.add_argument("--late-every", type=float, default=4.0,
                    help="lecture: a late student arrives every this many s (timed in turn by the probe process and "
                         "in the bench)")
    ap.add_argument("--paint-every", type=float, default=0.0,
                    help="lecture: a late student's browser (headless Chromium) paints the page every this many s; "
                         "0 = never (the default: each paint costs this machine a core-second)")
    ap.add_argument("--timeout", type=float, default=60.0, help="an action without script_finished after this is an error (s)")
    ap.add_argument("--epochs", type=int, default=10000, help="epochs of the training (stopped at the end)")
    ap.add_argument("--no-training", action="store_true", help="skip the training and phase (b)")
    args = ap.parse_args(argv)
    if args.sessions < 1 or not 0 < args.seconds <= 180 or args.idle_seconds <= 0:
        ap.error("--sessions >= 1, 0 < --seconds <= 180, --idle-seconds > 0")
    if args.think is None:
        args.think = 5.0 if args.profile == "lecture" else 3.0
    if args.profile == "lecture" and args.url and not args.store:
        ap.error("the lecture profile needs --store with --url: the teacher opens the class in the shared store")

    servers = None
    gc_folder = None
    env = {"VAE_TRAIN_MAX_IMAGE_EPOCHS": str(10 ** 12), "VAE_TRAIN_MAX_SECONDS": "3600"}  # the bench stops it itself
    args.redis_url = None
    course = []   # redis-server and the worker of --redis, stopped at the end
    if args.redis and args.url:
        ap.error("--redis starts its own servers: not with --url")
    if args.url:
        host = urllib.parse.urlsplit(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            ap.error("this load test only targets loopback servers")
        url = args.url if args.url.endswith("/") else args.url + "/"
        pids = [int(p) for p in args.pids.split(",") if p.strip()]
        store = Path(args.store) if args.store else None
    else:
        store = Path(tempfile.mkdtemp(prefix="vae-load-store-"))
        gc_folder = Path(tempfile.mkdtemp(prefix="vae-load-gc-"))
        env[GC_LOG_ENV] = str(gc_folder)   # every server logs its collections there (vae.ui.gc_log)
        if args.redis:
            course = start_course(store, env)
            args.redis_url = os.environ["VAE_REDIS_URL"] = env["VAE_REDIS_URL"]   # the bench's teacher uses it too
        if args.replicas > 1 or args.nginx:
            servers = Replicas(args.replicas, store=store, env=env).start()
            url, pids = servers.url, servers.pids
        else:
            from vae.devtools.browser import StreamlitServer

            servers = StreamlitServer(env={"VAE_MODEL_STORE": str(store), **env})
            servers.wait_ready()
            url, pids = servers.url, [servers.proc.pid]
    print(f"target {url} ({args.sessions} students, {args.tabs} tabs, {args.seconds:g} s per phase, "
          f"think {args.think:g} s)", flush=True)
    try:
        if args.profile == "lecture":
            from bench.load_lecture import run_lecture

            out = asyncio.run(asyncio.wait_for(run_lecture(args, url, pids, store), timeout=2 * args.seconds + 1200))
        else:
            out = asyncio.run(asyncio.wait_for(run(args, url, pids, store), timeout=2 * args.seconds + 900))
    finally:
        if servers is not None:
            servers.stop()
        for process in reversed(course):
            process.stop()
    if gc_folder is not None:
        out.update(gc_figures(gc_folder, out.get("phase_windows", {})))
    out["redis"] = bool(args.redis)
    out["nginx"] = bool(args.nginx or args.replicas > 1)
    print(json.dumps({k: v for k, v in out.items() if isinstance(v, dict)}, indent=1))
    if args.profile == "lecture":
        from bench.load_lecture import report_lecture

        report_lecture(out)
    else:
        report(out)
    if out.get("gc_full_n") is not None:
        line("full collections (class): n, p50/max ms", f"{out['gc_full_n']}, {out['gc_full_p50_ms']}/{out['gc_full_max_ms']}")
        line("  share of the servers' time (class/training)", f"{out['gc_share']}/{out['gc_share_training']}")
    print(json.dumps({k: v for k, v in out.items() if not isinstance(v, dict)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
