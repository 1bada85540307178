"""A session's first run goes ahead of the other sessions' reruns (vae.ui.first_run_priority, issue #24: a late
student's cold open under a class's load)."""
from __future__ import annotations

import asyncio
import sys
import threading
import time
from pathlib import Path

from bench.ws_client import StreamlitSession
from vae.devtools.server_process import AppServer
from vae.ui.first_run_priority import FirstRuns

# a Streamlit program served with the app's server fixes, as bench/live_surface.py serves its bare page
SERVE_WITH_FIXES = ("import sys; from vae.ui.serve import install_server_fixes; install_server_fixes(); "
                    "from streamlit.web import cli; sys.argv = ['streamlit', 'run', *sys.argv[1:]]; cli.main()")

# ?role=long: a short first run, then a long rerun (2,000 elements, 1 ms of CPU each); no role: a first run of
# 50 elements of 2 ms each. Every element writes its time to the log, so the test sees who ran when.
PROGRAM = '''
import os, time
import streamlit as st

def note(what):
    with open(os.environ["PRIORITY_LOG"], "a") as f:
        f.write(f"{what} {time.monotonic()}\\n")

def busy(ms):
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        pass

if st.query_params.get("role") == "long":
    if st.session_state.get("ran"):
        for i in range(2000):
            busy(1)
            note("long")
            st.text(i)
    st.session_state.ran = True
else:
    note("first-start")
    for i in range(50):
        busy(2)
        st.text(i)
    note("first-end")
'''


def _events(log: Path) -> list[tuple[str, float]]:
    if not log.exists():
        return []
    return [(w, float(t)) for w, t in (line.split() for line in log.read_text().splitlines() if line.strip())]


async def _newcomer_during_a_long_rerun(url: str, log: Path) -> list[tuple[str, float]]:
    async with StreamlitSession(url, "", timeout=60, query="role=long") as long:
        assert (await long.run()).ok
        rerun = asyncio.create_task(long.run())
        deadline = time.monotonic() + 30
        while sum(w == "long" for w, _ in _events(log)) < 20:   # the long rerun is well under way
            assert time.monotonic() < deadline and not rerun.done(), "the long rerun did not start"
            await asyncio.sleep(0.02)
        async with StreamlitSession(url, "", timeout=60) as newcomer:
            first = await newcomer.run()
            assert first.ok, first.status
        assert (await rerun).ok
    return _events(log)


def test_a_first_run_holds_the_other_sessions_reruns(tmp_path):
    log = tmp_path / "runs.log"
    program = tmp_path / "program.py"
    program.write_text(PROGRAM)
    server = AppServer({"PRIORITY_LOG": str(log)}, command=[sys.executable, "-c", SERVE_WITH_FIXES, str(program)],
                       log=tmp_path / "server.log")
    try:
        server.wait_ready(timeout=60)
        events = asyncio.run(_newcomer_during_a_long_rerun(server.url, log))
    finally:
        server.stop()
    start = next(t for w, t in events if w == "first-start")
    end = next(t for w, t in events if w == "first-end")
    during = [t for w, t in events if w == "long" and start < t < end]
    # the long rerun finishes the element it was drawing, then waits at its next one until the first run is done;
    # sharing the GIL instead (VAE_FIRST_RUN_PRIORITY=0), it drew 6 to 10 elements meanwhile
    assert len(during) <= 2, (len(during), end - start)
    assert sum(w == "long" for w, _ in events) == 2000   # and it then ran to its end


def test_other_runs_wait_while_a_first_run_has_priority_and_go_when_it_ends():
    runs = FirstRuns()
    token = runs.enter()
    done, waited = threading.Event(), []
    thread = threading.Thread(target=lambda: (waited.append(runs.wait(10.0)), done.set()))
    thread.start()
    assert not done.wait(0.3)        # held while the first run goes on
    runs.leave(token)
    assert done.wait(5)              # and let go when it ends
    assert 0.3 <= waited[0] < 5 and runs.waits == 1 and not runs.busy


def test_a_wait_is_bounded_by_its_budget_and_by_the_priority_s_end():
    runs = FirstRuns(priority_s=60.0)
    runs.enter()
    t0 = time.monotonic()
    assert 0.1 <= runs.wait(0.15) < 2 and time.monotonic() - t0 < 2   # the budget
    assert runs.wait(0.0) == 0.0                                       # a spent budget does not wait
    clock = [100.0]
    short = FirstRuns(priority_s=1.0, clock=lambda: clock[0])
    short.enter()
    clock[0] = 101.5                                                   # its priority is over
    assert short.wait(10.0) == 0.0 and not short.busy


def test_no_first_run_no_wait():
    runs = FirstRuns()
    assert runs.wait(10.0) == 0.0 and runs.waits == 0
    runs.leave(runs.enter())
    assert runs.wait(10.0) == 0.0 and runs.waits == 0
