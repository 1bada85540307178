"""Server CPU milliseconds per rerun of every page (issue #10 item 3): what one student's action costs the
shared server.

    nice -n 10 .venv/bin/python bench/rerun_cpu.py [--reruns 12] [--pages map,walk,...]
    .venv/bin/python bench/record.py -- .venv/bin/python bench/rerun_cpu.py      # keep the result

Method: a real server started by the one launcher (``python -m vae.ui.serve --production``, shipped models,
an empty user store) and one websocket client speaking the browser's protocol (bench/ws_client.py). The
server's CPU time (user + system, all its threads, from /proc/<pid>/stat) is read around a batch of
reruns, after a settle pause so the work that follows ``script_finished`` (message caching, garbage) is
counted too, and the idle rate measured over the same wall time is subtracted. This is the cost the live
server pays: script thread, Streamlit's protobuf marshalling of every element (Plotly figures, images,
tables), Tornado and the websocket. AppTest would miss the server's message path and add its own element
parsing to the same process, so it is not used here.

For each page, measured on a warm server (models, datasets, reports already cached by an earlier session):
- ``open``: a new session's first run of the page (a student opening the URL);
- ``rerun``: a full rerun with nothing changed (what every sidebar change or language switch costs);
- ``action``: the page's typical widget action, sent as the browser sends it (a widget inside an
  ``@st.fragment`` reruns its fragment only): see ACTIONS.

``lecture-class`` is the Lecture page of a student in a class (``lecture?class=CODE``, the class opened by this
script in the server's store, as ``bench/load_lecture.py``'s teacher does): its action is what every student of an
amphitheatre pays at each of the teacher's steps, the presenter view's report of the new step (issue #24).

The last line is one JSON object: {page: {open_ms, rerun_ms, action_ms, action}} plus the settings.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.ws_client import StreamlitSession  # noqa: E402
from vae.devtools.browser import StreamlitServer  # noqa: E402
from vae.devtools.memory import cpu_seconds  # noqa: E402

SETTLE = 0.3  # seconds after the last reply of a batch, so the server's tail work is counted

# page url path -> what a student does there (one action per rerun, cycling through values)
PAGES = {"map": "", "lecture": "lecture", "walk": "walk", "generation": "generation", "training": "training", "denoising": "denoising",
         "how-a-vae-trains": "how-a-vae-trains", "comparison": "comparison", "drawing": "drawing",
         "lecture-class": "lecture"}
CLASS_PAGES = {"lecture-class"}   # opened with ?class=CODE of a class this script opens in the server's store
TEACHER_OWNER = "0123456789ab"


def _radio(session: StreamlitSession, key: str, i: int) -> None:
    """Stage a radio's option ``i`` (a radio's widget state is its option's label)."""
    w = session.widget(key)
    options = list(session.elements[w.id].options)
    session.states[w.id] = ("string_value", options[i % len(options)])


async def action(session: StreamlitSession, page: str, i: int):
    """The page's typical action number ``i`` (values cycle so caches see repeats, as in a class)."""
    if page == "map":
        return await session.set("map.explorer", {"inspected": (37 * i) % 1000})
    if page == "walk":
        z = [round(-2 + 0.5 * (i % 9), 2), round(1.5 - 0.4 * (i % 7), 2)]
        return await session.set("walk.explorer", {"walk": {"z": z, "z0": [0.0, 0.0], "start": 0, "a": 0, "b": 1,
                                                            "steps": 9}})
    if page == "lecture-class":  # the teacher moves on; the student's presenter view reports the new step
        from vae import classroom
        from vae.ui.lecture.render import PRESENTER_KEY
        from vae.ui.lecture.steps import SLUGS

        code = dict(urllib.parse.parse_qsl(session.query))["class"]
        step = SLUGS[(i + 1) % len(SLUGS)]
        classroom.publish_step(code, step, TEACHER_OWNER, store=Path(CLASS_STORE[0]))
        return await session.set(PRESENTER_KEY, {"follow": {"step": step, "revealed": False, "seq": i + 1}})
    if page == "lecture":  # the step bar: the next step, cycling through the nine (each step its own widget)
        labels = session.options("lecture.nav")
        return await session.choose("lecture.nav", labels[(i + 1) % len(labels)])
    if page == "generation":
        return await session.set("generate.temperature", round(0.5 + 0.25 * (i % 8), 2))
    if page == "denoising":
        return await session.set("denoise.noise", round(0.1 + 0.05 * (i % 12), 2))
    if page == "how-a-vae-trains":
        return await session.click("howto.resample")
    if page == "comparison":
        w = session.widget("compare.split")
        _radio(session, "compare.split", i + 1)
        return await session._send_and_wait(session._back_msg(w.fragment_id))
    return None  # training (a form: nothing reruns before Submit), drawing (the pen never reaches the server)


ACTIONS = {"lecture-class": "follow the teacher's next step (presenter view's report)",
           "map": "inspect a test image (explorer click)", "lecture": "next step (step bar, cycling)", "walk": "release a walk control",
           "generation": "temperature slider", "denoising": "noise slider", "how-a-vae-trains": "resample ε button",
           "comparison": "test/train split radio"}

WARM_ACTIONS = {"lecture": 9, "lecture-class": 9}  # actions of the warm-up session (default 3)


async def prepare(session: StreamlitSession, page: str) -> None:
    """Bring the page to the state a student measures from (Generate: the quiz answered)."""
    if page == "generation":
        r = await session.click("generate.show")
        assert r.ok, r.status


async def batch(pid: int, n: int, step) -> tuple[float, float, list[str]]:
    """(CPU ms per call, wall ms per call, error statuses) of ``n`` awaited calls of ``step(i)``."""
    c0, t0 = cpu_seconds(pid), time.perf_counter()
    errors = []
    for i in range(n):
        r = await step(i)
        if r is not None and not r.ok:
            errors.append(f"{r.status} {r.exceptions[:1]}")
    wall = time.perf_counter() - t0
    await asyncio.sleep(SETTLE)
    return (cpu_seconds(pid) - c0) * 1000 / n, wall * 1000 / n, errors


async def idle_rate(pid: int, seconds: float = 3.0) -> float:
    """The idle server's CPU ms per second (subtracted from every batch)."""
    c0 = cpu_seconds(pid)
    await asyncio.sleep(seconds)
    return (cpu_seconds(pid) - c0) * 1000 / seconds


CLASS_STORE: list[str] = []   # the server's store, where lecture-class opens its class


def page_query(page: str, store: str) -> str:
    """The query a page is opened with: for a class page, ``class=CODE&lang=fr`` of a new class opened in the
    server's ``store`` (as the teacher of bench/load_lecture.py opens it); else ''."""
    if page not in CLASS_PAGES:
        return ""
    from vae import classroom
    from vae.ui.lecture.classroom_ui import CHOICES

    code = classroom.open_class(list(CHOICES.values()), owner=TEACHER_OWNER, size=400, store=Path(store))
    return urllib.parse.urlencode({"class": code, "lang": "fr"})


async def measure_page(url: str, pid: int, page: str, n: int, idle: float, timeout: float) -> dict:
    path = PAGES[page]
    query = page_query(page, CLASS_STORE[0])
    async with StreamlitSession(url, path, timeout=timeout, query=query) as warm:  # fills the server's caches
        r = await warm.run()
        assert r.ok, f"{page}: first run {r.status} {r.exceptions[:1]}"
        await prepare(warm, page)
        if page in ACTIONS:  # every value the batch will use once (the Lecture: all nine steps, each its own work)
            for i in range(WARM_ACTIONS.get(page, 3)):
                await action(warm, page, i)

    sessions: list[StreamlitSession] = []

    async def open_one(i: int):
        s = StreamlitSession(url, path, timeout=timeout, query=query)
        await s.__aenter__()
        sessions.append(s)
        return await s.run()

    k = max(3, n // 3)
    open_cpu, open_wall, errors = await batch(pid, k, open_one)
    s = sessions[-1]
    for other in sessions[:-1]:
        await other.__aexit__(None, None, None)
    await prepare(s, page)
    rerun_cpu, rerun_wall, e2 = await batch(pid, n, lambda i: s.run())
    errors += e2
    out = {"open_ms": open_cpu, "open_wall_ms": open_wall, "rerun_ms": rerun_cpu, "rerun_wall_ms": rerun_wall}
    if page in ACTIONS:
        act_cpu, act_wall, e3 = await batch(pid, n, lambda i: action(s, page, i))
        errors += e3
        out.update(action=ACTIONS[page], action_ms=act_cpu, action_wall_ms=act_wall)
    await s.__aexit__(None, None, None)
    for key in ("open_ms", "rerun_ms", "action_ms"):  # the idle server's share of the batch's wall time
        if key in out:
            out[key] = max(0.0, out[key] - idle * out[key.replace("_ms", "_wall_ms")] / 1000)
    out = {key: round(v, 1) if isinstance(v, float) else v for key, v in out.items()}
    out["errors"] = errors
    return out


async def main_async(args) -> dict:
    pages = [p.strip() for p in args.pages.split(",") if p.strip()] if args.pages else list(PAGES)
    unknown = set(pages) - set(PAGES)
    if unknown:
        raise SystemExit(f"unknown page(s): {', '.join(sorted(unknown))}; known: {', '.join(PAGES)}")
    store = tempfile.mkdtemp(prefix="rerun-cpu-store-")
    CLASS_STORE[:] = [store]
    server = StreamlitServer(env={"VAE_MODEL_STORE": store}, args=["--production"])
    try:
        server.wait_ready()
        pid = server.proc.pid
        idle = await idle_rate(pid)
        print(f"idle server: {idle:.1f} CPU ms/s")
        results = {}
        for page in pages:
            results[page] = await measure_page(server.url, pid, page, args.reruns, idle, args.timeout)
            r = results[page]
            print(f"{page:18s} open {r['open_ms']:7.1f} ms   rerun {r['rerun_ms']:7.1f} ms"
                  + (f"   action {r['action_ms']:7.1f} ms ({r['action']})" if "action_ms" in r else "")
                  + (f"   ERRORS {r['errors']}" if r["errors"] else ""), flush=True)
        return {"reruns": args.reruns, "idle_cpu_ms_per_s": round(idle, 2), "pages": results,
                "errors": sum(len(r["errors"]) for r in results.values())}
    finally:
        server.stop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reruns", type=int, default=12, help="reruns (and actions) per page; opens = max(3, reruns/3)")
    ap.add_argument("--pages", default="", help=f"comma-separated subset of: {', '.join(PAGES)}")
    ap.add_argument("--timeout", type=float, default=600, help="seconds to wait for one run (cold reports can be slow)")
    args = ap.parse_args()
    result = asyncio.run(main_async(args))
    summary = {p: {k: v for k, v in r.items() if k in ("open_ms", "rerun_ms", "action_ms")}
               for p, r in result["pages"].items()}
    print(json.dumps(summary, indent=1))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
