"""A walk through the nine pages in headless Chromium leaves no "missing ScriptRunContext" line in the server's log.

That warning is what Streamlit writes when its API is called outside a script run. A walk used to leave ~280 such
lines: the Train page starts the training pool, and each ``spawn`` worker ran app.py again (Streamlit installs
the script as ``__main__``) in bare mode before it took its first job (fixed in ``vae.jobs.pool``). The walk
waits until the workers have settled (no CPU time for a second), so a worker still running the app is seen.
"""
from __future__ import annotations

import sys
import time
import types

import pytest

from vae.devtools.browser import headless_chromium, serving, wait_idle
from vae.devtools.memory import children, cpu_seconds
from vae.jobs.limits import Limits
from vae.jobs.pool import JobPool

pytestmark = pytest.mark.slow

# every page of app.py's navigation (its URL path; the map is the default page), Train early so its pool's
# workers boot while the rest is walked
PAGES = ["", "lecture", "walk", "generation", "training", "denoising", "how-a-vae-trains", "comparison", "drawing"]
WARNING = "missing ScriptRunContext"


def _workers(server_pid: int) -> list[int]:
    """The server's spawned children (training workers), by their command line."""
    out = []
    for pid in children(server_pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if b"spawn_main" in f.read():
                    out.append(pid)
        except OSError:
            pass
    return out


def _wait_settled(pids: list[int], timeout: float = 120, quiet: float = 0.05) -> None:
    """Wait until none of ``pids`` used more than ``quiet`` CPU seconds in the last second."""
    deadline = time.monotonic() + timeout
    before = {p: cpu_seconds(p) for p in pids}
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = {p: cpu_seconds(p) for p in pids}
        if all(now[p] - before[p] <= quiet for p in pids):
            return
        before = now
    raise TimeoutError(f"training workers {pids} still busy after {timeout:g} s")


@pytest.mark.browser
def test_a_walk_through_every_page_logs_no_missing_context(tmp_path):
    with serving(tmp_path / "store", VAE_TRAIN_WORKERS="1") as server, headless_chromium() as chromium:
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        for lang, paths in (("en", PAGES), ("fr", [""])):
            for path in paths:
                page.goto(f"{server.url}{path}?lang={lang}")
                wait_idle(page)
                exceptions = page.locator("[data-testid='stException']")
                assert exceptions.count() == 0, f"/{path}?lang={lang}: {exceptions.first.inner_text()}"
        context.close()
        workers = _workers(server.pid)
        assert len(workers) == 1, f"the Train page should have started the pool's worker: {workers}"
        _wait_settled(workers)
        log = server.log_text()
    lines = [line for line in log.splitlines() if WARNING in line]
    assert not lines, f"{len(lines)} '{WARNING}' lines in {server.log}, the first: {lines[0]}"


def test_training_workers_do_not_run_the_main_script(tmp_path, monkeypatch):
    """The cause, without a browser: under ``streamlit run`` the app's script is ``sys.modules['__main__']`` (a
    plain module with a ``__file__``); any ``spawn`` child runs it again, but the pool's workers do not."""
    ran = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"import os\nopen(os.path.join({str(tmp_path)!r}, 'ran'), 'a').write(__name__ + '\\n')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = JobPool(Limits(workers=1, max_queue=1, max_image_epochs=10, max_seconds=60))
    try:
        deadline = time.monotonic() + 120
        while not pool._idle_workers():  # the worker has started and imported its training code
            assert time.monotonic() < deadline, "the worker never became ready"
            time.sleep(0.2)
        assert not ran.exists(), ran.read_text()
        other = pool._ctx.Process(target=time.sleep, args=(0,))  # any other spawned process: it runs the script
        other.start()
        other.join(60)
        assert ran.read_text() == "__mp_main__\n"
    finally:
        pool.shutdown()
