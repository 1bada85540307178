"""The training pool (vae/jobs): worker processes, queue, cancel/stop, a killed worker, names, limits, operators.

One pool with one worker serves the whole module (a worker boots once: a fresh interpreter importing PyTorch).
Long jobs are "10,000 epochs" on 64 images, stopped by the test; short ones are 2 epochs.
"""
from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, small_dataset
from hostile_files import good_files  # noqa: F401 - fixture
from vae.checkpoint import load_model, read_metrics
from vae.jobs import jobfiles
from vae.jobs.form import FormError, make_configs
from vae.jobs.limits import Limits
from vae.jobs.pool import ANONYMOUS, JobPool, JobSpec
from vae.model_import import ModelImportError, import_model
from vae.reservation import RESERVED

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pool():
    p = JobPool(Limits(workers=1, max_queue=3, max_image_epochs=10**9, max_seconds=120))
    yield p
    p.shutdown()


@pytest.fixture(autouse=True)
def no_job_left(pool):
    """Each test starts with an empty pool: a failed test's jobs do not fill the queue of the next ones."""
    yield
    for job in pool.active_jobs():
        job.stop()
    for job in pool.active_jobs():
        job.wait(30)


@pytest.fixture(scope="module")
def data(digits):
    return small_dataset(digits, 64, 32)


def spec(data, store: Path, name: str, epochs: int = 2, session: str = "", submitter: str = "",
         hidden: str = "8") -> JobSpec:
    mcfg, tcfg = make_configs(kind="vae", beta=None, latent_dim=2, arch="mlp", hidden=hidden, recon="bce", noise=0.0,
                              epochs=epochs, lr=1e-3, batch_size=32, seed=0, dataset="digits", image_shape=(8, 8))
    return JobSpec(name=name, model_cfg=mcfg, train_cfg=tcfg, dataset=data, n_train=len(data.x_train), store=store,
                   session=session, submitter=submitter)


def until(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def running(job) -> bool:
    return job.status == "running" and job.progress > 0


def visible(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if not p.name.startswith("."))


def test_a_job_trains_in_a_worker_process_and_forwards_every_event(pool, data, tmp_path):
    job = pool.submit(spec(data, tmp_path, "tiny"))
    assert job.wait(120)
    snap = job.snapshot()
    assert snap["status"] == "done", snap
    assert snap["progress"] == 1.0 and len(snap["history"]) == 2
    assert snap["snapshots"], "the training film's snapshot events reach the web process"
    assert set(snap["events"]) >= {"epoch", "snapshot"} and snap["events"]["epoch"] == snap["history"]
    assert job.worker_pid != os.getpid() and job.worker_pid in pool.worker_pids()
    parent = os.getpriority(os.PRIO_PROCESS, os.getpid())
    assert pool.limits.nice == 5 and os.getpriority(os.PRIO_PROCESS, job.worker_pid) == min(19, parent + 5)
    assert load_model(tmp_path / "tiny").cfg.latent_dim == 2
    assert len(read_metrics(tmp_path / "tiny")["history"]) == 2
    assert visible(tmp_path) == ["tiny"] and not (tmp_path / RESERVED).exists()  # atomic, reservation released
    record = jobfiles.read_record(tmp_path, job.id)
    assert record["status"] == "done" and record["result_path"] == str(tmp_path / "tiny")


def test_queue_positions_estimates_cancel_and_stop(pool, data, tmp_path):
    first = pool.submit(spec(data, tmp_path, "long", epochs=10_000))
    until(lambda: running(first), what="the first job to run")
    second = pool.submit(spec(data, tmp_path, "second"))
    third = pool.submit(spec(data, tmp_path, "third"))
    s2, s3 = second.snapshot(), third.snapshot()
    assert (s2["status"], s2["position"], s3["position"]) == ("queued", 1, 2)
    assert 0 < s2["start_in"] < s3["start_in"], (s2["start_in"], s3["start_in"])
    assert jobfiles.read_record(tmp_path, third.id)["position"] == 2  # what an operator sees
    second.stop()  # cancel while queued
    assert second.wait(5) and second.snapshot()["status"] == "cancelled"
    assert third.snapshot()["position"] == 1
    assert pool.submit(spec(data, tmp_path, "second", epochs=1)).wait(0) is False  # the name was given back
    first.stop()  # stop while running: nothing saved
    assert first.wait(30)
    assert first.snapshot()["status"] == "stopped" and first.snapshot()["stop_requested"]
    assert third.wait(120) and third.snapshot()["status"] == "done"  # the next job runs
    until(lambda: not pool.active_jobs(), what="the queue to empty")
    assert visible(tmp_path) == ["second", "third"]


def test_a_killed_worker_fails_its_job_and_is_replaced(pool, data, tmp_path):
    victim = pool.submit(spec(data, tmp_path, "victim", epochs=10_000))
    until(lambda: running(victim), what="the job to run")
    old_pid = victim.worker_pid
    os.kill(old_pid, signal.SIGKILL)
    assert victim.wait(30)
    snap = victim.snapshot()
    assert snap["status"] == "failed" and snap["error_code"] == "killed" and "SIGKILL" in snap["error"]
    assert visible(tmp_path) == [] and not (tmp_path / RESERVED).exists()
    after = pool.submit(spec(data, tmp_path, "after"))  # this process (the server) goes on, a new worker trains
    assert after.wait(120) and after.snapshot()["status"] == "done"
    assert after.worker_pid != old_pid


def test_two_trainings_of_one_name(pool, data, tmp_path):
    # the one worker is busy, so the first "same" waits in the queue and cannot have finished (and left its folder)
    # when the second arrives: a 2-epoch job could, on a loaded machine, between two lines of this test
    blocker = pool.submit(spec(data, tmp_path, "blocker", epochs=10_000, session="other"))
    until(lambda: running(blocker), what="the blocking job to run")
    job = pool.submit(spec(data, tmp_path, "same"))
    with pytest.raises(FormError) as e:
        pool.submit(spec(data, tmp_path, "same"))
    assert e.value.code == "reserved"
    blocker.stop()
    assert job.wait(120) and job.snapshot()["status"] == "done"
    with pytest.raises(FormError) as e:
        pool.submit(spec(data, tmp_path, "same"))
    assert e.value.code == "exists"


def test_one_active_job_per_session_and_a_bounded_queue(pool, data, tmp_path):
    mine = pool.submit(spec(data, tmp_path, "mine", epochs=10_000, session="s1"))
    until(lambda: running(mine), what="the first job to run")  # then the next three wait in the queue
    with pytest.raises(FormError) as e:
        pool.submit(spec(data, tmp_path, "again", session="s1"))
    assert e.value.code == "mine"
    others = [pool.submit(spec(data, tmp_path, f"q{i}", session=f"s{i + 2}")) for i in range(3)]
    with pytest.raises(FormError) as e:  # max_queue = 3
        pool.submit(spec(data, tmp_path, "q-full", session="s9"))
    assert e.value.code == "queue_full" and e.value.fmt == {"n": 3}
    for job in others + [mine]:
        job.stop()
    assert all(j.wait(30) for j in others + [mine])
    assert pool.submit(spec(data, tmp_path, "again", epochs=1, session="s1")).wait(120)


def test_the_queue_bound_does_not_depend_on_when_the_supervisor_dispatches(pool, data, tmp_path):
    """A class submitting at once while the supervisor's thread has not yet handed the first job to the free
    worker (a loaded machine): one job is for that worker, three wait, the fifth is refused."""
    until(lambda: pool._idle_workers(), what="a ready worker")
    with pool._lock:  # the supervisor cannot dispatch meanwhile
        jobs = [pool.submit(spec(data, tmp_path, f"burst{i}", epochs=10_000)) for i in range(4)]
        with pytest.raises(FormError) as e:
            pool.submit(spec(data, tmp_path, "burst-full"))
        assert e.value.code == "queue_full"
        assert [j.status for j in jobs] == ["queued"] * 4


def test_queue_slots_are_shared_between_people_not_sessions(pool, data, tmp_path):
    """33 throw-away sessions (anonymous) get the anonymous allowance together, not 33 places: a class member who
    submits next waits behind them at most; each class member has one place of their own."""
    original = pool.limits
    pool.limits = dataclasses.replace(original, anon_slots=2, max_queue=30)
    try:
        flood = []
        for i in range(33):
            try:
                flood.append(pool.submit(spec(data, tmp_path, f"flood{i}", epochs=10_000, session=f"tab{i}",
                                              submitter=ANONYMOUS)))
            except FormError as e:
                assert e.code == "anon_full" and e.fmt == {"n": 2}
        assert len(flood) == 2
        # The one worker takes the first anonymous job (it may still be booting): wait for that, so the student's
        # position counts the queue, not how fast a fresh interpreter imports PyTorch.
        until(lambda: running(flood[0]), what="the first anonymous job to run")
        student = pool.submit(spec(data, tmp_path, "student", session="s", submitter="class:ABCDE:" + "1" * 32))
        assert student.snapshot()["position"] <= 2  # behind the anonymous allowance at most
        with pytest.raises(FormError) as e:  # the same person from another tab: still one at a time
            pool.submit(spec(data, tmp_path, "student2", session="other-tab", submitter="class:ABCDE:" + "1" * 32))
        assert e.value.code == "mine"
        other = pool.submit(spec(data, tmp_path, "classmate", submitter="class:ABCDE:" + "2" * 32))
        assert other.status == "queued"
    finally:
        pool.limits = original


def test_limits_of_the_job_are_checked_at_submission(pool, data, tmp_path):
    with pytest.raises(FormError) as e:  # about 100 M parameters: refused before it queues, not when it starts
        pool.submit(spec(data, tmp_path, "huge", hidden="4096 4096 4096 4096"))
    assert e.value.code == "too_big" and "parameters" in e.value.fmt["detail"]
    original = pool.limits
    pool.limits = dataclasses.replace(original, max_image_epochs=100)
    try:
        with pytest.raises(FormError) as e:
            pool.submit(spec(data, tmp_path, "long", epochs=10))
        assert e.value.code == "budget"
    finally:
        pool.limits = original
    assert not pool.active_jobs() and visible(tmp_path) == [] and not (tmp_path / RESERVED).exists()


def test_a_queued_job_whose_page_left_is_dropped_and_records_follow_the_queue(pool, data, tmp_path):
    original = pool.limits
    pool.limits = dataclasses.replace(original, abandon_seconds=2.0)
    try:
        head = pool.submit(spec(data, tmp_path, "head", epochs=10_000, submitter=ANONYMOUS))
        until(lambda: running(head), what="the first job to run")
        left = pool.submit(spec(data, tmp_path, "left", epochs=1, submitter="class:ABCDE:" + "3" * 32))
        stays = pool.submit(spec(data, tmp_path, "stays", epochs=1, submitter="class:ABCDE:" + "4" * 32))
        script = pool.submit(spec(data, tmp_path, "script", epochs=1))  # no page: never dropped
        assert jobfiles.read_record(tmp_path, stays.id)["position"] == 2
        deadline = time.time() + 30
        while left.status == "queued":
            assert time.time() < deadline, "the abandoned job was never dropped"
            pool.seen(stays.id)  # this student's page keeps polling
            time.sleep(0.2)
        snap = left.snapshot()
        assert (snap["status"], snap["error_code"]) == ("cancelled", "abandoned")
        assert "left before it started" in jobfiles.read_record(tmp_path, left.id)["error"]
        until(lambda: jobfiles.read_record(tmp_path, stays.id)["position"] == 1, 10, "the record's new position")
        pool.seen(stays.id)
        assert stays.status == "queued" and script.status == "queued"
        head.stop()  # the head's worker is free: the next job starts, the running one is never dropped
        pool.seen(stays.id)
        until(lambda: stays.status != "queued", 30, "the next job to start")
        assert stays.wait(120) and stays.snapshot()["status"] == "done"
        assert script.wait(120) and script.snapshot()["status"] == "done"
    finally:
        pool.limits = original


def test_lost_jobs_are_closed_and_their_names_freed(tmp_path):
    """A server that stopped mid-training leaves a 'running' record and a name reservation: both are settled."""
    from vae.reservation import held_names, machine_id, reserve_name

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    reservation = reserve_name(tmp_path, "orphan", "training")
    path = reservation.path
    path.write_text(json.dumps({**json.loads(path.read_text()), "pid": pid}))
    jobfiles.write_record(tmp_path, {"id": "0123456789ab", "name": "orphan", "status": "running", "created": 1.0,
                                     "owner": {"machine": machine_id(), "pid": pid}})
    assert jobfiles.read_record(tmp_path, "0123456789ab")["status"] == "lost"
    out = cli("list", "--json", "--store", str(tmp_path))
    assert out.returncode == 0 and json.loads(out.stdout) == []  # closed: no longer an active job
    record = jobfiles.read_record(tmp_path, "0123456789ab")
    assert (record["status"], record["error_code"]) == ("failed", "lost")
    assert "orphan" not in held_names(tmp_path) and not path.exists()


def test_time_budget_stops_the_job(pool, data, tmp_path):
    original = pool.limits
    pool.limits = dataclasses.replace(original, max_seconds=1.0)
    try:
        job = pool.submit(spec(data, tmp_path, "over-budget", epochs=10_000))
        assert job.wait(60)
    finally:
        pool.limits = original
    snap = job.snapshot()
    assert (snap["status"], snap["error_code"]) == ("stopped", "budget")
    assert 1.0 <= snap["seconds"] < 30
    assert visible(tmp_path) == [] and not (tmp_path / RESERVED).exists()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "vae", "jobs", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


def test_operators_list_and_stop_jobs_from_another_process(pool, data, tmp_path, capsys):
    from vae.__main__ import main

    run = pool.submit(spec(data, tmp_path, "operated", epochs=10_000))
    until(lambda: running(run), what="the job to run")
    queued = pool.submit(spec(data, tmp_path, "waiting"))
    until(lambda: jobfiles.read_record(tmp_path, run.id)["progress"] > 0, what="the record to show progress")
    listed = json.loads(cli("list", "--json", "--store", str(tmp_path)).stdout)  # another process
    assert [(r["name"], r["status"]) for r in listed] == [("operated", "running"), ("waiting", "queued")]
    assert listed[1]["position"] == 1 and listed[0]["worker_pid"] == run.worker_pid
    assert main(["jobs", "list", "--store", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert run.id in table and "queue #1" in table and "running" in table
    assert main(["jobs", "stop", queued.id, "--store", str(tmp_path)]) == 0  # through the stop file, as any process
    assert "cancelled" in capsys.readouterr().out
    out = cli("stop", run.id, "--store", str(tmp_path))
    assert out.returncode == 0 and "stopped" in out.stdout, out
    assert run.snapshot()["status"] == "stopped" and queued.snapshot()["status"] == "cancelled"
    assert main(["jobs", "stop", run.id, "--store", str(tmp_path)]) == 0
    assert "already stopped" in capsys.readouterr().out
    assert main(["jobs", "stop", "../../etc", "--store", str(tmp_path)]) == 2
    assert "not a job id" in capsys.readouterr().err
    assert main(["jobs", "list", "--json", "--store", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["jobs", "list", "--all", "--json", "--store", str(tmp_path)]) == 0
    assert {r["id"] for r in json.loads(capsys.readouterr().out)} == {run.id, queued.id}


def test_a_reserved_name_cannot_be_imported_and_the_training_saves(pool, data, tmp_path, good_files):  # noqa: F811
    job = pool.submit(spec(data, tmp_path, "clash", epochs=3))
    with pytest.raises(ModelImportError) as e:
        import_model(dict(good_files), "clash", tmp_path)
    assert e.value.code == "reserved" and "training in progress" in str(e.value)
    assert job.wait(120) and job.snapshot()["status"] == "done", job.snapshot()
    assert load_model(tmp_path / "clash").cfg.hidden == [8]  # the training's model, not the import's
    with pytest.raises(ModelImportError) as e:
        import_model(dict(good_files), "clash", tmp_path)
    assert e.value.code == "exists"


def test_an_import_in_progress_holds_its_name(pool, data, tmp_path):
    from vae.reservation import reserve_name

    with reserve_name(tmp_path, "importing", "import"):
        with pytest.raises(FormError) as e:
            pool.submit(spec(data, tmp_path, "importing"))
        assert e.value.code == "reserved_import"
    assert pool.submit(spec(data, tmp_path, "importing", epochs=1)).wait(120)
