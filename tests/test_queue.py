"""The distributed training queue (Redis + RQ, vae/jobs/queue_*.py) against a real ``redis-server``.

This test process plays a replica (a :class:`QueueService`, as the Train page's ``get_service()`` gives with
``VAE_REDIS_URL`` set); trainings run in ``python -m vae worker`` processes, which share nothing with it but Redis
and the store's folder. One worker serves the module; the killed-worker test starts its own. Jobs train a tiny
VAE on Digits by name: "long" jobs are 10,000 epochs, stopped by the test; short ones are 2 epochs.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT
from vae.jobs.form import FormError, make_configs
from vae.jobs.limits import Limits
from vae.data import load_dataset
from vae.jobs.pool import ANONYMOUS, JobSpec
from vae.jobs.wire import WireError
from vae.reservation import held_names
from vae.devtools.memory import children, spawned_children
from vae.devtools.worker_process import WorkerProcess

pytestmark = pytest.mark.slow

LIMITS = Limits(workers=1, max_queue=3, max_image_epochs=10**9, max_seconds=120, anon_slots=1)


def until(predicate, timeout: float = 60.0, what: str = "condition") -> None:
    """Wait for ``predicate`` (polled, bounded): never a bare sleep."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def spec(store: Path, name: str, epochs: int = 2, session: str = "", submitter: str = "") -> JobSpec:
    mcfg, tcfg = make_configs(kind="vae", beta=None, latent_dim=2, arch="mlp", hidden="8", recon="bce", noise=0.0,
                              epochs=epochs, lr=1e-3, batch_size=64, seed=0, dataset="digits", image_shape=(8, 8))
    return JobSpec(name=name, model_cfg=mcfg, train_cfg=tcfg, dataset="digits", n_train=1437, store=store,
                   session=session, submitter=submitter)


def running(job) -> bool:
    job.refresh()
    return job.status == "running" and job.record["progress"] > 0


def training_process(worker_pid: int) -> int:
    """The pid of a worker's training process (its other child is multiprocessing's resource tracker)."""
    found = spawned_children(worker_pid)
    assert len(found) == 1, found
    return found[0]


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"  # a zombie has ended (its parent, killed, no longer reaps it)


@pytest.fixture(scope="module")
def course(redis_server, tmp_path_factory):
    """One Redis, one store, one worker, and this process as a replica (``VAE_REDIS_URL`` set for the module)."""
    import redis

    from vae.jobs.queue_client import QueueService

    redis.Redis.from_url(redis_server.redis_url).flushdb()
    store = tmp_path_factory.mktemp("store").resolve()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_REDIS_URL", redis_server.redis_url)
        mp.setenv("VAE_MODEL_STORE", str(store))
        worker = WorkerProcess(redis_server.redis_url, store, store.parent / "worker.log")
        service = QueueService(redis_server.redis_url, store, LIMITS, keeper=False, overview_seconds=0)
        try:
            yield service, worker
        finally:
            for job in service.active_jobs():
                job.stop()
            for job in service.active_jobs():
                job.wait(30)
            trainers = children(worker.proc.pid)
            worker.stop()
            until(lambda: all(gone(p) for p in trainers), 30, "the worker's training process to end with it")


def visible(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if not p.name.startswith("."))


def cli(*args: str) -> subprocess.CompletedProcess:
    """``python -m vae ARGS`` in another process (another machine's shell, as far as it can tell)."""
    return subprocess.run([sys.executable, "-m", "vae", *args], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=os.environ.copy())


def test_a_training_submitted_here_runs_on_a_worker_and_lands_in_the_store(course):
    service, worker = course
    job = service.submit(spec(service.store, "tiny"))
    assert job.status == "queued"
    assert job.wait(90), worker.output()
    snap = job.snapshot()
    assert snap["status"] == "done", (snap["error"], worker.output())
    assert snap["worker"].endswith(f"/{worker.proc.pid}")  # trained by the worker, not here
    assert snap["progress"] == 1.0 and len(snap["history"]) == 2
    assert snap["snapshots"] and snap["snapshots"][-1]["mu"].dtype.name == "float32"  # the film, through Redis
    assert snap["metrics"]["train_seconds"] > 0 and snap["result_path"] == str(service.store / "tiny")
    from vae.checkpoint import load_model

    assert load_model(service.store / "tiny").cfg.latent_dim == 2
    assert "tiny" in visible(service.store) and held_names(service.store) == {}  # saved, the name given back
    listed = cli("jobs", "list", "--all", "--json", "--store", str(service.store))  # an operator, elsewhere
    assert listed.returncode == 0, listed.stderr
    assert [(r["name"], r["status"]) for r in json.loads(listed.stdout) if r["id"] == job.id] == [("tiny", "done")]


def test_queue_position_cancel_and_stop_from_another_process(course):
    service, worker = course
    first = service.submit(spec(service.store, "long", epochs=10_000))
    until(lambda: running(first), what="the first job to run")
    second = service.submit(spec(service.store, "second", session="b"))
    third = service.submit(spec(service.store, "third", session="c"))
    s2, s3 = second.snapshot(), third.snapshot()
    assert (s2["status"], s2["position"], s3["position"]) == ("queued", 1, 2)
    assert 0 < s2["start_in"] < s3["start_in"] and s2["workers"] == 1, (s2, s3)
    second.stop()  # cancel while queued: out of the RQ queue at once
    assert second.wait(5) and second.snapshot()["status"] == "cancelled"
    assert third.snapshot()["position"] == 1
    assert "second" not in held_names(service.store)  # the name was given back
    stopped = cli("jobs", "stop", first.id, "--store", str(service.store))  # Stop while running, from a shell
    assert stopped.returncode == 0 and "stopped" in stopped.stdout, (stopped.stdout, stopped.stderr)
    snap = first.snapshot()
    assert snap["status"] == "stopped" and snap["stop_requested"] and snap["error_code"] == "stop"
    assert third.wait(90) and third.snapshot()["status"] == "done", worker.output()  # the next job runs
    assert "long" not in visible(service.store) and "third" in visible(service.store)  # a stopped job saves nothing


def test_one_active_training_per_person_and_per_name(course):
    service, _ = course
    long = service.submit(spec(service.store, "hold", epochs=10_000, session="s1", submitter="class:ABCDE:" + "1" * 32))
    try:
        with pytest.raises(FormError) as err:  # the same name, from another person
            service.submit(spec(service.store, "hold", session="s2"))
        assert err.value.code == "reserved"
        with pytest.raises(FormError) as err:  # the same person from another tab
            service.submit(spec(service.store, "other", session="s3", submitter="class:ABCDE:" + "1" * 32))
        assert err.value.code == "mine"
        anon = service.submit(spec(service.store, "anon1", session="t1", submitter=ANONYMOUS))
        with pytest.raises(FormError) as err:  # the anonymous allowance (1 here) is shared by every anonymous tab
            service.submit(spec(service.store, "anon2", session="t2", submitter=ANONYMOUS))
        assert err.value.code == "anon_full" and err.value.fmt == {"n": 1}
        with pytest.raises(WireError) as err:  # not on the queue: a dataset in memory cannot reach a worker
            service.submit(JobSpec(**{**spec(service.store, "mem").__dict__, "dataset": load_dataset("digits")}))
        assert "by name" in str(err.value)
        anon.stop()
        assert anon.wait(30)
    finally:
        long.stop()
        assert long.wait(60)
    assert set(held_names(service.store)) == set()


def test_without_a_worker_a_job_waits_and_one_whose_page_left_is_dropped(course, redis_server, tmp_path):
    """A store whose queue no worker consumes: a job waits at position 1 with 0 workers said; once its page has not
    polled for ``abandon_seconds`` a keeper drops it (name given back, out of RQ), a script's job is never dropped."""
    from rq.job import Job

    from vae.jobs.queue_client import QueueService, rq_connection, rq_queue

    store = (tmp_path / "store").resolve()
    store.mkdir()
    service = QueueService(redis_server.redis_url, store, LIMITS, keeper=False, overview_seconds=0)
    page = service.submit(spec(store, "waits", session="p", submitter="class:ABCDE:" + "3" * 32))
    script = service.submit(spec(store, "script"))
    snap = page.snapshot()
    assert (snap["status"], snap["position"], snap["workers"]) == ("queued", 1, 0)
    assert page.summary() == {k: snap[k] for k in page.summary()}  # the queue table's view agrees
    assert script.snapshot()["position"] == 2 and script.snapshot()["start_in"] > 0
    service.keep_once(now=time.time() + LIMITS.abandon_seconds - 10)
    assert page.refresh().status == "queued"
    service.keep_once(now=time.time() + LIMITS.abandon_seconds + 10)
    assert (page.refresh().status, page.record["error_code"]) == ("cancelled", "abandoned")
    assert script.refresh().status == "queued" and script.snapshot()["position"] == 1
    assert set(held_names(store)) == {"script"}
    assert rq_queue(store, redis_server.redis_url).get_job_ids() == [script.id]
    assert not Job.exists(page.id, connection=rq_connection(redis_server.redis_url))  # RQ's copy is gone too
    script.stop()
    assert script.refresh().status == "cancelled" and held_names(store) == {}
    assert rq_queue(store, redis_server.redis_url).get_job_ids() == []


def test_the_time_budget_stops_a_training_on_the_queue(course):
    """The submitting replica's time budget travels with the job: the worker's training stops there, saves nothing,
    and the page is told why ("budget")."""
    import dataclasses

    from vae.jobs.queue_client import QueueService

    service, worker = course
    short = QueueService(service.url, service.store, dataclasses.replace(LIMITS, max_seconds=2), keeper=False)
    job = short.submit(spec(service.store, "over-budget", epochs=10_000))
    assert job.wait(60), worker.output()
    snap = job.snapshot()
    assert (snap["status"], snap["error_code"]) == ("stopped", "budget"), snap
    assert 1.5 < snap["seconds"] < 30 and "over-budget" not in visible(service.store)


def test_the_worker_command_without_redis_says_so_in_one_line(monkeypatch, capsys):
    from vae.__main__ import main
    from vae.devtools.net import free_port

    for name in ("VAE_REDIS_URL", "VAE_MODEL_STORE"):  # recorded, so nothing set here outlives the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    assert main(["worker"]) == 2
    assert "a worker needs the course's Redis" in capsys.readouterr().err
    assert main(["worker", "--redis", f"redis://:pw@127.0.0.1:{free_port()}/0"]) == 2
    err = capsys.readouterr().err
    assert "is not reachable" in err and "pw" not in err and "Traceback" not in err


def test_a_worker_runs_only_the_training_task(course):
    """An RQ job naming another function (someone who can write to Redis) fails unrun on our workers."""
    from rq.job import JobStatus

    from vae.jobs.queue_client import rq_queue

    service, worker = course
    foreign = rq_queue(service.store, service.url).enqueue_call("os.getpid", job_id="foreign0job")
    until(lambda: foreign.get_status(refresh=True) in (JobStatus.FAILED, JobStatus.FINISHED), 60, "the job to end")
    assert foreign.get_status() == JobStatus.FAILED and "refused" in (foreign.latest_result().exc_string or "")
    assert foreign.return_value() is None and worker.proc.poll() is None  # not run; the worker goes on


def test_a_keeper_back_from_a_redis_outage_gives_the_workers_time_to_beat(course, redis_server, tmp_path,
                                                                         monkeypatch):
    """While Redis is away no worker can write its heartbeat: a keeper that just saw Redis away waits a heartbeat
    timeout before failing silent jobs (they beat again within a second), then fails a job still silent."""
    from vae.jobs import queue_client, queue_records
    from vae.jobs.queue_client import QueueService

    store = (tmp_path / "store").resolve()
    store.mkdir()
    service = QueueService(redis_server.redis_url, store, LIMITS, keeper=False)
    job = service.submit(spec(store, "silent"))
    assert queue_records.start(store, job.id, "elsewhere/1", redis_server.redis_url) == "ok"
    queue_records.update(store, job.id, {"heartbeat": time.time() - 100}, redis_server.redis_url)  # silent 100 s
    with monkeypatch.context() as m:
        m.setattr(queue_client, "settle_lost", lambda *a: (_ for _ in ()).throw(ConnectionError("Redis away")))
        with pytest.raises(OSError):
            service.keep_once()
    service.keep_once()  # Redis is back: too soon to blame the worker
    assert job.refresh().status == "running"
    service.keep_once(now=time.time() + queue_records.heartbeat_timeout() + 1)
    assert (job.refresh().status, job.record["error_code"]) == ("failed", "killed")
    assert "elsewhere/1 stopped answering" in job.record["error"] and held_names(store) == {}


def test_the_train_page_trains_on_the_queue(course):
    """The Train page (AppTest) with Redis configured: the form's training goes to the queue, the module's worker
    trains it, the page shows the live job then its outcome, and the model is in the store."""
    from apptest_utils import open_page
    from vae.jobs import service as job_service
    from vae.ui.cache import store_listing

    service, worker = course
    store_listing.clear()
    at = open_page("train", "en")
    try:
        assert not at.exception
        for key, value in {"dataset": "digits", "hidden": "8", "epochs": 2, "name": "from-the-page"}.items():
            widget = at.selectbox if key == "dataset" else at.text_input if key in ("hidden", "name") else at.number_input
            widget(key=f"train.{key}").set_value(value)
        at.button(key="train.submit").click().run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        deadline = time.monotonic() + 90
        while not (at.success or at.error):
            assert time.monotonic() < deadline, ([i.value for i in at.info], worker.output())
            time.sleep(0.5)
            at.run()
        assert not at.error, [e.value for e in at.error]
        assert "user/from-the-page" in at.success[0].value
        assert (service.store / "from-the-page" / "model.safetensors").is_file()
        job = [r for r in service.jobs() if r.name == "from-the-page"][0]
        assert job.record["worker"].endswith(f"/{worker.proc.pid}")
        assert any("Trainings of the course" in c.value and "1 training workers" in c.value for c in at.caption)
    finally:
        for found in list(job_service._SERVICES.values()):
            found.shutdown()
        job_service._SERVICES.clear()


def test_a_killed_training_process_fails_its_job_and_the_worker_goes_on(course):
    """The training process dies (the system's OOM killer, say): its job fails with the signal, the worker starts a
    new training process, and the next job trains."""
    service, worker = course
    job = service.submit(spec(service.store, "crash", epochs=10_000))
    until(lambda: running(job), what="the job to run")
    trainer = training_process(worker.proc.pid)
    os.kill(trainer, signal.SIGKILL)
    assert job.wait(30)
    snap = job.snapshot()
    assert (snap["status"], snap["error_code"]) == ("failed", "killed") and "SIGKILL" in snap["error"], snap
    after = service.submit(spec(service.store, "after-crash"))
    assert after.wait(90) and after.snapshot()["status"] == "done", worker.output()
    assert training_process(worker.proc.pid) != trainer and worker.proc.poll() is None


def test_a_killed_worker_fails_its_job_with_a_clear_message(course, redis_server, monkeypatch):
    """SIGKILL the worker mid-training: its heartbeat stops, a replica's keeper fails the job naming the worker,
    the name is given back, nothing is saved, and the orphaned training process stops by itself. The module's
    worker is the victim: the tests that need one come before this one."""
    from vae.jobs.queue_client import QueueService

    service, worker = course
    monkeypatch.setenv("VAE_QUEUE_HEARTBEAT_TIMEOUT", "3")
    replica = QueueService(redis_server.redis_url, service.store, LIMITS, overview_seconds=0)  # its keeper thread
    try:
        victim = replica.submit(spec(service.store, "victim", epochs=10_000))
        until(lambda: running(victim), what="the job to run")
        trainer = training_process(worker.proc.pid)
        worker.proc.send_signal(signal.SIGKILL)
        worker.proc.wait(10)
        assert victim.wait(30)
        snap = victim.snapshot()
        assert (snap["status"], snap["error_code"]) == ("failed", "killed"), snap
        assert f"/{worker.proc.pid} stopped answering" in snap["error"] and "killed" in snap["error"]
        assert "victim" not in held_names(service.store) and "victim" not in visible(service.store)
        until(lambda: gone(trainer), 30, "the orphaned training process to stop")
    finally:
        replica.shutdown()


def test_the_train_page_says_when_the_queue_is_away_and_keeps_working(tmp_path, monkeypatch):
    """Redis configured but not reachable: the Train page shows one translated notice (no exception, no "lost"
    job), and a submitted training is refused with the store's sentence naming the server; nothing is written."""
    from apptest_utils import open_page
    from vae.devtools.net import free_port
    from vae.jobs import service as job_service
    from vae.ui.cache import store_listing
    from vae.ui.i18n import STRINGS

    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    monkeypatch.setenv("VAE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    store_listing.clear()
    try:
        for lang in ("en", "fr"):
            at = open_page("train", lang)
            assert not at.exception
            assert [w.value for w in at.warning] == [STRINGS["train.queue_unreachable"][lang]]
        at.text_input(key="train.name").set_value("while-away")
        at.selectbox(key="train.dataset").set_value("digits")
        at.button(key="train.submit").click().run()
        assert not at.exception and at.error and "n'est pas accessible" in at.error[0].value
        assert "not reachable" in at.error[0].value and list(tmp_path.iterdir()) == []
    finally:
        for found in list(job_service._SERVICES.values()):
            found.shutdown()
        job_service._SERVICES.clear()


def test_specs_and_events_travel_as_checked_json(tmp_path):
    """What crosses Redis is JSON: a spec comes back equal and checked (a dataset file outside the store's uploads is
    refused, as a forged entry would be); a film snapshot's arrays come back exact; a malformed array is refused."""
    import numpy as np

    from vae.jobs.wire import decode_event, encode_event, spec_from_wire, spec_to_wire

    original = spec(tmp_path, "tiny", epochs=3, session="s", submitter="teacher:x")
    wire = spec_to_wire(original)
    back = spec_from_wire(json.dumps(wire))
    assert (back.model_cfg, back.train_cfg, back.dataset, back.store, back.submitter) == \
        (original.model_cfg, original.train_cfg, "digits", tmp_path, "teacher:x")
    for forged in ({**wire, "dataset": "npz:/etc/passwd"}, {**wire, "name": "../up"}, {**wire, "store": "rel"},
                   {**wire, "model_cfg": {**wire["model_cfg"], "latent_dim": -1}}):
        with pytest.raises(WireError):
            spec_from_wire(forged)
    info = {"frame": 2, "kl": None, "recon": float("nan"), "mu": np.arange(6, dtype=np.float32).reshape(3, 2),
            "samples": np.full((2, 8, 8), 7, np.uint8), "labels": np.array([1, 2, 3], np.int32)}
    event, got = decode_event(encode_event("snapshot", info))
    assert event == "snapshot" and got["frame"] == 2 and got["recon"] is None
    for k in ("mu", "samples", "labels"):
        assert got[k].dtype == info[k].dtype and np.array_equal(got[k], info[k])
    text = encode_event("snapshot", {"mu": np.zeros((2, 2), np.float32)})
    with pytest.raises(WireError):
        decode_event(text.replace('"shape": [2, 2]', '"shape": [3, 2]'))
    with pytest.raises(WireError):
        encode_event("snapshot", {"x": np.zeros(2, np.complex64)})
