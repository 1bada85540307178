"""The projection worker (vae.jobs.projection_jobs): t-SNE and UMAP fits out of the web process, with progress,
one job per codes and method, the result in the disk cache, failures as sentences."""
from __future__ import annotations

import os
import signal
import time

import numpy as np
import pytest

from vae import projection
from vae.jobs import projection_jobs
from vae.jobs.projection_jobs import ProjectionExecutor


def _codes(n: int = 300, d: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def _wait(ex: ProjectionExecutor, mu, method, model_dir, timeout: float = 240.0) -> tuple[object, list[float]]:
    """Poll until the projection ends; the final status and every progress value seen while it ran."""
    seen, end = [], time.monotonic() + timeout
    while time.monotonic() < end:
        status = ex.request(mu, method, model_dir)
        if not status.pending:
            return status, seen
        if status.state == "running":
            seen.append(status.progress)
        time.sleep(0.05)
    raise AssertionError(f"{method} still pending after {timeout} s")


@pytest.fixture
def executor():
    ex = ProjectionExecutor()
    yield ex
    ex.shutdown()


@pytest.mark.parametrize("method", ["tsne", "umap"])
def test_a_fit_runs_in_the_worker_with_rising_progress_and_lands_in_the_disk_cache(executor, tmp_path, method,
                                                                                   monkeypatch):
    # UMAP on 300 codes lays out in a quarter of a second once numba's cache is warm: too fast for its progress
    # bar (one report every 0.25 s) to show between 0 and 1; 1,000 codes take about 1.5 s
    mu = _codes(1000 if method == "umap" else 300)
    first = executor.request(mu, method, tmp_path)
    assert first.state in ("queued", "running")
    assert executor.worker_pids() and os.getpid() not in executor.worker_pids()  # not this process
    status, seen = _wait(executor, mu, method, tmp_path)
    assert status.state == "done" and status.progress == 1.0 and status.error is None
    assert seen == sorted(seen) and len(set(seen)) >= 2 and max(seen) < 1.0  # it rose while the fit ran
    if method == "tsne":  # scikit-learn reports every 50 of its 1,000 iterations
        assert len({p for p in seen if 0 < p < 1}) >= 5

    # the same map as a fit in this process (same seed, one thread as in the worker)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        direct = projection.project(mu, method)
    got = executor.result(mu, method)
    assert got.method == method
    np.testing.assert_allclose(got.coords, direct.coords, rtol=1e-5, atol=1e-5)

    # written to the cache folder: a later project() reads it without fitting
    monkeypatch.setitem(projection.FITS, method, lambda *a: pytest.fail("refitted instead of reading the cache"))
    cached = projection.project(mu, method, model_dir=tmp_path)
    np.testing.assert_array_equal(cached.coords, got.coords)
    assert projection.cached_projection(mu, method, tmp_path) is not None


def test_identical_requests_share_one_job_and_other_codes_get_their_own(executor, tmp_path, monkeypatch):
    submitted = []
    real = executor._executor
    monkeypatch.setattr(executor, "_executor", lambda: submitted.append(1) or real())
    mu = _codes(seed=1)
    a = executor.request(mu, "tsne", tmp_path)
    b = executor.request(mu.copy(), "tsne", tmp_path / "another-folder")  # another session, the same codes
    assert a.pending and b.pending and executor.pending() == 1 and len(submitted) == 1
    other = executor.request(_codes(seed=2), "tsne", tmp_path)
    assert other.state == "queued" and other.position == 1 and executor.pending() == 2
    status, _ = _wait(executor, mu, "tsne", tmp_path)
    assert status.state == "done"
    _wait(executor, _codes(seed=2), "tsne", tmp_path)
    assert executor.pending() == 0
    assert executor.request(mu, "tsne", tmp_path).state == "done" and len(submitted) == 2  # no second fit


def test_bad_codes_fail_with_a_sentence_and_queue_nothing(executor, tmp_path):
    mu = _codes(seed=3)
    mu[5, 2] = np.nan
    status = executor.request(mu, "umap", tmp_path)
    assert status.state == "failed" and "NaN or infinite" in status.error and "Traceback" not in status.error
    assert executor.pending() == 0 and not executor.worker_pids()
    assert executor.request(_codes(3), "umap", tmp_path).error == "UMAP needs at least 4 codes; there are 3"
    with pytest.raises(ValueError, match="only tsne and umap"):
        executor.request(_codes(), "pca", tmp_path)


def test_a_killed_worker_fails_its_job_with_a_message_and_a_new_worker_takes_the_next(tmp_path, monkeypatch):
    ex = ProjectionExecutor(max_pending=2)
    try:
        slow = _codes(2000, seed=4)
        assert ex.request(slow, "tsne", tmp_path).pending
        assert ex.request(_codes(seed=5), "tsne", tmp_path).pending
        full = ex.request(_codes(seed=6), "tsne", tmp_path)  # bounded: a third distinct map is refused
        assert full.state == "full" and "2 maps" in full.error and ex.pending() == 2
        end = time.monotonic() + 120
        while ex.request(slow, "tsne", tmp_path).state != "running":
            assert time.monotonic() < end, "the fit never started"
            time.sleep(0.05)
        (pid,) = ex.worker_pids()
        os.kill(pid, signal.SIGKILL)
        status, _ = _wait(ex, slow, "tsne", tmp_path)
        assert status.state == "failed" and status.error == projection_jobs.WORKER_DIED
        assert ex.request(slow, "tsne", tmp_path).state == "failed"  # answered from memory, not refitted at once
        monkeypatch.setattr(projection_jobs, "RETRY_AFTER", 0.0)
        status, _ = _wait(ex, _codes(seed=7), "tsne", tmp_path)
        assert status.state == "done" and ex.worker_pids() != [pid]
    finally:
        ex.shutdown()


def test_the_worker_does_not_run_the_main_script(tmp_path, monkeypatch):
    """Under ``streamlit run`` the app's script is ``sys.modules['__main__']``; a ``spawn`` child would run it again
    (a whole page for no one, and a log full of warnings): the projection worker does not."""
    import sys
    import types

    script = tmp_path / "app.py"
    script.write_text(f"import os\nopen(os.path.join({str(tmp_path)!r}, 'ran'), 'a').write(__name__ + '\\n')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    ex = ProjectionExecutor()
    try:
        status, _ = _wait(ex, _codes(50, seed=8), "tsne", tmp_path)
        assert status.state == "done" and not (tmp_path / "ran").exists()
    finally:
        ex.shutdown()


def test_a_running_fit_never_shows_100_percent():
    """UMAP reports its last epoch (1.0) before its result is made and stored: until the job is done, the page's
    bar stops short of 100% (a CI run once saw "running, 1.0" in the race)."""
    from vae.jobs.projection_jobs import RUNNING_MAX, ProjectionExecutor, _Job

    ex = ProjectionExecutor()
    try:
        status = ex._status(_Job(("umap", "0" * 16), future=None, progress=1.0, started=True))
        assert status.state == "running" and status.progress == RUNNING_MAX < 1.0
        assert ex._status(_Job(("umap", "1" * 16), future=None, progress=0.5, started=True)).progress == 0.5
    finally:
        ex.shutdown()
