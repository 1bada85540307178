"""A late student's cold open of the Lecture page, timed in a process of its own (``bench/load.py --profile lecture``).

    .venv/bin/python -m bench.late_probe URL CLASS_CODE [TIMEOUT]

then one line per open on stdin, ``open SEED`` or ``paint SEED``; each is answered on stdout by one JSON line, the
open's sample (``{kind, ok, ms, status, upstream, parts_ms}``, as ``bench.load.Log`` records it). The first line
printed is ``ready``, once the imports are done, so that start-up is never timed. EOF ends the process.

``open`` speaks Streamlit's protocol (``bench/ws_client.py``): the HTML, Streamlit's files and the first script run,
what the server does for a late student. ``paint`` is that student's browser: a new headless Chromium context (an
empty cache) navigates to the class's Lecture page, and the time is taken when the page shows its title with its
script finished (:data:`PAINTED`, in the page's own clock from navigation start). It counts the browser's own work
too (parsing Streamlit's scripts, drawing the page), which a late student's laptop does whatever the server's load;
the browser shares this machine's two cores with the server, as the rest of the bench does. Chromium starts at the
first ``paint``, never timed.

Why a process of its own: the bench plays the whole class (hundreds of students' websockets and HTTP polls) in one
Python process. Under load that process's event loop and GIL are busy, so an open timed there also waits for the
*bench* to get round to it, which a real late student's browser, on its own machine, never does. Here the open has
its own interpreter; it still shares this machine's two cores with the server and the bench, as nothing else can on
one machine. The same probe times the idle opens the late ones are compared with (:class:`OpenProbe`).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _ClassView:
    """What a student's tab needs to know of the teacher (``LectureStudent.teacher``): the class code and the step
    (the probe times the open only, so it never waits for a step to be followed)."""

    def __init__(self, code: str):
        self.code = code
        self.step = None
        self.published_at = 0.0


#: the Lecture page painted: its title drawn and its script finished; the page's clock then (ms from navigation start)
PAINTED = """() => document.querySelector("[data-testid='stMain'] h1") &&
    document.querySelector("[data-testid='stApp'][data-test-script-state='notRunning']") ? performance.now() : false"""


class _Painter:
    """One headless Chromium (started at the first paint) that paints the class's Lecture page in a new context,
    with an empty cache, per late student."""

    def __init__(self, url: str, code: str, timeout: float):
        self.page_url = f"{url}lecture?{urllib.parse.urlencode({'class': code, 'lang': 'fr'})}"
        self.timeout = timeout
        self.playwright = self.browser = None

    async def paint(self) -> dict:
        """One cold paint of the page: its sample (``kind`` ``paint``; ``ok`` False with the reason if it failed)."""
        try:
            if self.browser is None:
                from playwright.async_api import async_playwright

                from vae.devtools.browser import launch_browser

                self.playwright = await async_playwright().start()
                self.browser = await launch_browser(self.playwright)
            context = await self.browser.new_context(viewport={"width": 1280, "height": 800})
            try:
                page = await context.new_page()
                await page.goto(self.page_url, timeout=self.timeout * 1000)
                painted = await page.wait_for_function(PAINTED, polling="raf", timeout=self.timeout * 1000)
                return {"kind": "paint", "ok": True, "ms": float(await painted.json_value()), "status": "ok",
                        "upstream": ""}
            finally:
                await context.close()
        except Exception as exc:   # playwright's errors: the paint failed, the probe goes on
            return {"kind": "paint", "ok": False, "ms": 0.0, "status": f"paint:{type(exc).__name__}: {exc}"[:200],
                    "upstream": ""}

    async def close(self) -> None:
        if self.browser is not None:
            await self.browser.close()
            await self.playwright.stop()


async def _serve(url: str, code: str, timeout: float) -> None:
    from bench.load import Log
    from bench.load_lecture import LectureStudent

    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=8))
    teacher = _ClassView(code)
    painter = _Painter(url, code, timeout)
    print("ready", flush=True)
    try:
        while True:
            line = await asyncio.to_thread(sys.stdin.readline)
            if not line:
                return
            words = line.split()
            if words and words[0] == "paint":
                print(json.dumps(await painter.paint()), flush=True)
                continue
            if not words or words[0] != "open":
                print(json.dumps({"kind": "late_open", "ok": False, "ms": 0.0, "upstream": "",
                                  "status": f"probe: bad command {line!r}"[:200]}), flush=True)
                continue
            log = Log()
            student = LectureStudent(url, timeout, int(words[1]) if len(words) > 1 else 0, log, teacher)
            await student.open("late_open")
            await student.close()
            print(json.dumps(log.samples[log.phase][-1]), flush=True)
    finally:
        await painter.close()


class OpenProbe:
    """The bench's side of the probe: ``await start()``, then ``await open(seed)`` → the open's sample dict;
    ``await stop()``. One open at a time (the probe plays one late student after another)."""

    def __init__(self, url: str, code: str, timeout: float):
        self.url, self.code, self.timeout = url, code, timeout
        self.proc: asyncio.subprocess.Process | None = None
        self._lock = asyncio.Lock()

    async def start(self) -> "OpenProbe":
        """Start the probe process and wait until it has imported everything (``ready``)."""
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.late_probe", self.url, self.code, str(self.timeout),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, cwd=str(ROOT), env=env)
        first = await asyncio.wait_for(self.proc.stdout.readline(), 120)
        if first.strip() != b"ready":
            raise RuntimeError(f"late probe did not start: {first[:200]!r}")
        return self

    async def open(self, seed: int, command: str = "open") -> dict:
        """One cold open timed in the probe process (``command`` ``paint``: painted in its Chromium); its sample
        (``ok`` False with the reason when it failed)."""
        async with self._lock:
            t0 = time.perf_counter()
            try:
                self.proc.stdin.write(f"{command} {seed}\n".encode())
                await self.proc.stdin.drain()
                answer = await asyncio.wait_for(self.proc.stdout.readline(), self.timeout * 3)
                return json.loads(answer)
            except (asyncio.TimeoutError, ValueError, ConnectionError) as exc:
                return {"kind": "late_open" if command == "open" else command, "ok": False,
                        "ms": (time.perf_counter() - t0) * 1000,
                        "status": f"probe:{type(exc).__name__}: {exc}"[:200], "upstream": ""}

    async def paint(self, seed: int) -> dict:
        """One cold paint of the Lecture page in the probe's Chromium (see the module's docstring); its sample."""
        return await self.open(seed, "paint")

    async def stop(self) -> None:
        """Close the probe's stdin (it ends) and wait for it."""
        if self.proc is None:
            return
        if self.proc.stdin is not None and not self.proc.stdin.is_closing():
            self.proc.stdin.close()
        try:
            await asyncio.wait_for(self.proc.wait(), 30)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()
        self.proc = None


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 60.0))
