"""A late student's cold open of the Lecture page, timed in a process of its own (``bench/load.py --profile lecture``).

    .venv/bin/python -m bench.late_probe URL CLASS_CODE [TIMEOUT]

then one line per open on stdin, ``open SEED``; each is answered on stdout by one JSON line, the open's sample
(``{kind, ok, ms, status, upstream, parts_ms}``, as ``bench.load.Log`` records it). The first line printed is
``ready``, once the imports are done, so that start-up is never timed. EOF ends the process.

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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class _ClassView:
    """What a student's tab needs to know of the teacher (``LectureStudent.teacher``): the class code and the step
    (the probe times the open only, so it never waits for a step to be followed)."""

    def __init__(self, code: str):
        self.code = code
        self.step = None
        self.published_at = 0.0


async def _serve(url: str, code: str, timeout: float) -> None:
    from bench.load import Log
    from bench.load_lecture import LectureStudent

    asyncio.get_running_loop().set_default_executor(concurrent.futures.ThreadPoolExecutor(max_workers=8))
    teacher = _ClassView(code)
    print("ready", flush=True)
    while True:
        line = await asyncio.to_thread(sys.stdin.readline)
        if not line:
            return
        words = line.split()
        if not words or words[0] != "open":
            print(json.dumps({"kind": "late_open", "ok": False, "ms": 0.0, "upstream": "",
                              "status": f"probe: bad command {line!r}"[:200]}), flush=True)
            continue
        log = Log()
        student = LectureStudent(url, timeout, int(words[1]) if len(words) > 1 else 0, log, teacher)
        await student.open("late_open")
        await student.close()
        print(json.dumps(log.samples[log.phase][-1]), flush=True)


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

    async def open(self, seed: int) -> dict:
        """One cold open timed in the probe process; its sample (``ok`` False with the reason when it failed)."""
        async with self._lock:
            t0 = time.perf_counter()
            try:
                self.proc.stdin.write(f"open {seed}\n".encode())
                await self.proc.stdin.drain()
                answer = await asyncio.wait_for(self.proc.stdout.readline(), self.timeout * 3)
                return json.loads(answer)
            except (asyncio.TimeoutError, ValueError, ConnectionError) as exc:
                return {"kind": "late_open", "ok": False, "ms": (time.perf_counter() - t0) * 1000,
                        "status": f"probe:{type(exc).__name__}: {exc}"[:200], "upstream": ""}

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
