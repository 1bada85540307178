"""Many machines, simulated here honestly (issue #24): two app replicas and two training workers, each a process of
its own, sharing nothing but one Redis and the model store's folder, behind nginx.

* Replica A serves on 127.0.0.2, replica B on 127.0.0.3 (``Replicas(hosts=...)``: each replica's
  ``--server.address``; Linux's loopback answers all of 127/8), nginx on 127.0.0.1 in front of both; every page is
  driven over Streamlit's websocket (``bench.ws_client``), as a browser would, on one replica's own address.
* Two ``python -m vae worker`` processes (RQ names ``worker-1``, ``worker-2``) consume the queue; which one ran a
  job is the ``host/pid`` in the job's record.
* One ``redis-server`` on a free loopback port with an append-only file written at every command
  (``RedisServer(persist=True)``), so the restart test stops it and starts a new server in the same folder on the
  same port that has kept everything: classes, job records, the queue. The models themselves never were in
  Redis: they are folders of the shared store, so they are listed while Redis is away and after it came back,
  whether or not Redis persisted.

What the tests show: a vote cast on A is counted by the teacher's tally on B; a training submitted on A's Train
page runs on one of the workers and its model lands in both replicas' model pickers; a worker killed (SIGKILL)
mid-training fails its job with a message naming the worker, which B's Train page shows; Redis stopped: both
replicas keep serving, the Train page says the queue is away, no model is lost; Redis back: the same jobs are
known, and a new training submitted on A runs and is listed on B.

One module fixture starts everything once (about 20 s), the tests run in order (the killed-worker test starts a
replacement worker). Skipped locally without nginx or redis-server; under CI that is a failure.
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.ws_client import StreamlitSession, first_get
from deploy.replicas import Replicas, nginx_binary
from test_queue import children, gone, training_process
from vae.devtools.worker_process import WorkerProcess
from vae.devtools.ci import missing_prerequisite
from vae.devtools.redis_server import RedisServer, require_redis_server

pytestmark = [pytest.mark.slow, pytest.mark.timeout(360)]

HOSTS = ["127.0.0.2", "127.0.0.3"]  # replica A, replica B: two "machines"
KEY = "multimachine-teacher-key"
# VAE_QUEUE_HEARTBEAT_TIMEOUT: a killed worker's job fails this long after its last beat (20 s in production; not
# the minimum 3: a loaded machine may delay a live worker's beat by a few seconds)
HEARTBEAT = 8
PAGE_TIMEOUT = 90.0                # one script run, on a loaded 2-core machine


def until(predicate, timeout: float, what: str, log=lambda: ""):
    """Poll ``predicate`` (every 0.2 s) until it returns something true, and return it; fail after ``timeout`` s
    saying ``what`` and ``log()``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out after {timeout:g} s waiting for {what}\n{log()}"
        time.sleep(0.2)


class Page(StreamlitSession):
    """A websocket session that also keeps the texts of its last run: alerts (success, info, warning, error),
    markdown and captions, progress bars' texts."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.texts: list[str] = []

    def _learn(self, fm, result) -> None:
        super()._learn(fm, result)
        if fm.WhichOneof("type") == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            kind = el.WhichOneof("type")
            if kind in ("alert", "markdown"):
                self.texts.append(getattr(el, kind).body)
            elif kind == "progress":
                self.texts.append(el.progress.text)

    async def _send_and_wait(self, payload: bytes):
        self.texts = []
        return await super()._send_and_wait(payload)

    def says(self, fragment: str) -> str | None:
        """The first text of the last run that contains ``fragment``."""
        return next((x for x in self.texts if fragment in x), None)


@dataclass
class Course:
    """Everything the module started, and the logs to attach to a failure."""

    root: Path
    store: Path
    redis: RedisServer
    replicas: Replicas
    workers: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.redis.redis_url

    def logs(self) -> str:
        """The last lines of every process's log."""
        parts = []
        for proc in self.replicas.procs:
            parts.append((f"replica {proc.url}", proc.log))
        parts += [(f"worker pid {w.proc.pid}", w.log) for w in self.workers]
        parts.append(("redis", self.redis.log))
        out = []
        for title, path in parts:
            try:
                tail = "\n".join(Path(path).read_text(errors="replace").splitlines()[-15:])
            except OSError as exc:
                tail = str(exc)
            out.append(f"--- {title} ({path}):\n{tail}")
        return "\n".join(out)

    def service(self):
        """A view of the queue from this test process (records only: no keeper)."""
        from vae.jobs.queue_client import QueueService

        return QueueService(self.url, self.store, keeper=False, overview_seconds=0)

    def record(self, name: str) -> dict | None:
        """The newest job record of model ``name`` (read from Redis)."""
        found = [j for j in self.service().jobs() if j.name == name]
        return max(found, key=lambda j: j.record.get("created", 0)).record if found else None

    def worker_of(self, record: dict):
        """The worker process whose ``host/pid`` the record names."""
        return next((w for w in self.workers if record.get("worker", "").endswith(f"/{w.proc.pid}")), None)


def _bindable(host: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((host, 0))
        return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """Redis (persisted), two workers, two replicas on 127.0.0.2 and 127.0.0.3 behind nginx, one store; all
    stopped at the end, whatever happened."""
    if nginx_binary() is None:
        missing_prerequisite("nginx is not installed (apt-get install -y nginx)",
                             "nginx is not installed: the multi-machine test cannot run in CI (apt-get install -y nginx)")
    require_redis_server()
    if not all(_bindable(h) for h in HOSTS):
        missing_prerequisite(f"the loopback addresses {HOSTS} cannot be bound here")
    root = tmp_path_factory.mktemp("multimachine")
    store = (root / "store").resolve()
    store.mkdir()
    redis = RedisServer(root / "redis", persist=True)
    env = {"VAE_REDIS_URL": redis.redis_url, "VAE_MODEL_STORE": str(store), "VAE_TEACHER_KEY": KEY,
           "VAE_QUEUE_HEARTBEAT_TIMEOUT": str(HEARTBEAT), "VAE_TRAIN_MAX_IMAGE_EPOCHS": str(10**9),
           "VAE_TRAIN_ANON_SLOTS": "4"}
    replicas = Replicas(2, store=store, env=env, prefix=root / "nginx", hosts=HOSTS)
    course = Course(root, store, redis, replicas)
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        try:
            redis.wait_ready(60)
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                started = pool.submit(replicas.start, 240)   # the replicas boot while the workers do
                for i in (1, 2):
                    course.workers.append(WorkerProcess(redis.redis_url, store, root / f"worker-{i}.log",
                                                        name=f"worker-{i}"))
                started.result()
            yield course
        finally:
            trainers = [c for w in course.workers for c in children(w.proc.pid)]
            for w in course.workers:  # all at once: an idle worker leaves on SIGTERM (and ends its training process)
                if w.proc.poll() is None:
                    w.proc.send_signal(signal.SIGTERM)
            replicas.stop()
            for w in course.workers:
                try:
                    w.proc.wait(30)
                except subprocess.TimeoutExpired:
                    w.proc.kill()
                    w.proc.wait(10)
            course.redis.stop()
            for pid in trainers:  # backstop: no training process outlives the module
                if not gone(pid):
                    os.kill(pid, signal.SIGKILL)


def replica_urls(course: Course) -> tuple[str, str]:
    a, b = course.replicas.replica_urls
    assert urllib.parse.urlsplit(a).hostname == HOSTS[0] and urllib.parse.urlsplit(b).hostname == HOSTS[1]
    return a, b


async def open_page(url: str, page: str, query: str, course: Course) -> Page:
    """A session of ``page`` on replica ``url`` (``query``: the URL's parameters), after its first run."""
    s = Page(url, page, timeout=PAGE_TIMEOUT, query=query)
    await s.__aenter__()
    r = await s.run()
    if not r.ok:
        await s.__aexit__(None, None, None)
    assert r.ok, (url, page, r.status, r.exceptions, course.logs())
    return s


async def model_options(url: str, course: Course, dataset: str = "digits") -> list[str]:
    """The labels of replica ``url``'s sidebar picker of 2-D VAEs of ``dataset`` (that replica's model list)."""
    s = await open_page(url, "training", f"lang=en&data={dataset}&d=2", course)
    try:
        try:
            return s.options(f"sel_vae_{dataset}_2")
        except KeyError:
            return []
    finally:
        await s.__aexit__(None, None, None)


def listed_everywhere(course: Course, name: str, timeout: float = 60) -> None:
    """Wait until model ``name`` is in both replicas' pickers (each replica caches its list for 3 s)."""
    for url in replica_urls(course):
        until(lambda url=url: any(o.startswith(name + " ") for o in asyncio.run(model_options(url, course))),
              timeout, f"model {name} in the model list of {url}", course.logs)


async def submit_training(s: Page, name: str, epochs: int, course: Course) -> None:
    """Fill the Train page's form (tiny: Digits, one hidden layer of 8) and submit it; the job must be in Redis. (Not
    "the live panel shows": a 2-epoch job may be over before the page's run is.)"""
    s.stage("train.dataset", next(o for o in s.options("train.dataset") if o.startswith("Digits")))
    s.stage("train.hidden", "8")
    s.stage("train.epochs", epochs)
    s.stage("train.batch_size", 64)
    s.stage("train.name", name)
    r = await s.click("train.submit")
    assert r.ok, (r.status, r.exceptions, s.texts, course.logs())
    assert course.record(name) is not None, (f"no job {name} in Redis after the submission", s.texts, course.logs())


async def outcome(s: Page, course: Course, timeout: float) -> str:
    """Run the Train page again until the session's job has ended; the outcome's text. (Full runs, not the live
    fragment's ticks: the tick that sees the job end reruns the whole page, and a later tick would name a fragment
    that no longer exists, which Streamlit answers with nothing.)"""
    deadline = time.monotonic() + timeout
    while True:
        await asyncio.sleep(0.5)
        r = await s.run()
        assert r.ok, (r.status, r.exceptions, course.logs())
        done = s.says("trained in") or s.says("Training failed") or s.says("stopped")
        if done:
            return done
        assert time.monotonic() < deadline, (s.texts, course.logs())


def test_the_course_runs_on_separate_addresses_and_processes(course):
    """Each replica answers on its own address (and only there), nginx reaches both, and nothing is shared but
    Redis and the store: six processes."""
    a, b = replica_urls(course)
    for url in (a, b):
        with urllib.request.urlopen(url + "_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
    port_a = course.replicas.replica_ports[0]
    with pytest.raises(OSError):  # A listens on 127.0.0.2 only, not on every address
        urllib.request.urlopen(f"http://127.0.0.1:{port_a}/_stcore/health", timeout=5)
    upstreams = {first_get(course.replicas.url)[1]["x-upstream"] for _ in range(24)}
    assert upstreams == {f"{h}:{p}" for h, p in zip(HOSTS, course.replicas.replica_ports)}, upstreams
    pids = set(course.replicas.pids) | {w.proc.pid for w in course.workers} | {course.redis.pid, course.replicas.nginx.pid}
    assert len(pids) == 6 and os.getpid() not in pids


def test_a_vote_cast_on_replica_a_is_counted_on_replica_b(course):
    """The teacher unlocks the Lecture on B and opens a class at the quiz; a student on A joins by the link's code
    and answers; B's tally counts that vote."""
    from vae.ui.i18n import STRINGS

    a, b = replica_urls(course)

    async def go():
        teacher = await open_page(b, "lecture", "lang=en&step=quiz", course)
        student = None
        try:
            teacher.stage("teacher.key", KEY)
            r = await teacher.click("teacher.unlock")
            assert r.ok and not teacher.says(STRINGS["teacher.err.key"]["en"]), (r.status, teacher.texts)
            r = await teacher.click("class.open")
            assert r.ok, (r.status, r.exceptions)
            code = urllib.parse.parse_qs(teacher.query).get("class", [None])[0]
            assert code, (teacher.query, teacher.texts, course.logs())
            assert teacher.says("**0**"), teacher.texts  # nobody voted yet
            student = await open_page(a, "lecture", f"lang=en&step=quiz&class={code}", course)
            poor = student.options("lecture.quiz.answer")[1]
            r = await student.choose("lecture.quiz.answer", poor, fragment=False)
            assert r.ok and student.says("Vote counted"), (r.status, r.exceptions, student.texts, course.logs())
            deadline = time.monotonic() + 60
            while not teacher.says(f"{poor} — **1**"):
                assert time.monotonic() < deadline, (teacher.texts, course.logs())
                await asyncio.sleep(0.5)
                r = await teacher.run()
                assert r.ok, (r.status, r.exceptions)
            assert teacher.says(" — **0**"), teacher.texts  # the other answer: nobody
        finally:
            for s in (student, teacher):
                if s is not None:
                    await s.__aexit__(None, None, None)

    asyncio.run(go())


def test_a_training_submitted_on_a_runs_on_a_worker_and_is_listed_on_both(course):
    """A's Train page queues the training, one of the two worker processes trains it, A's page reports it, and
    both replicas list the model."""
    a, b = replica_urls(course)
    for url in (a, b):  # not there yet (and each replica has its list in its cache now)
        assert not any(o.startswith("multi1 ") for o in asyncio.run(model_options(url, course))), url

    async def go():
        s = await open_page(a, "training", "lang=en", course)
        try:
            await submit_training(s, "multi1", 2, course)
            return await outcome(s, course, 180)
        finally:
            await s.__aexit__(None, None, None)

    text = asyncio.run(go())
    assert "user/multi1" in text and "trained in" in text, (text, course.logs())
    record = course.record("multi1")
    assert record["status"] == "done" and course.worker_of(record) is not None, (record, course.logs())
    assert (course.store / "multi1" / "model.safetensors").is_file()
    assert json.loads((course.store / "multi1" / "config.json").read_text())["dataset"] == "digits"
    listed_everywhere(course, "multi1")


def test_a_worker_killed_mid_training_fails_its_job_with_a_message(course):
    """A long training submitted on B runs on a worker; that worker is killed (SIGKILL). Its heartbeat stops, a
    replica's keeper fails the job naming the worker, B's Train page says so; nothing is saved, the name is free
    again, the orphaned training process stops by itself, and a new worker takes the dead one's place."""
    from vae.reservation import held_names

    _, b = replica_urls(course)

    async def go():
        s = await open_page(b, "training", "lang=en", course)
        try:
            await submit_training(s, "victim", 10_000, course)
            running = until(lambda: (lambda r: r if r and r["status"] == "running" and r["progress"] > 0 else None)(
                course.record("victim")), 120, "the long training to run", course.logs)
            victim = course.worker_of(running)
            assert victim is not None, (running, course.logs())
            trainer = training_process(victim.proc.pid)
            victim.proc.send_signal(signal.SIGKILL)
            victim.proc.wait(10)
            return victim, trainer, await outcome(s, course, 120 + HEARTBEAT)
        finally:
            await s.__aexit__(None, None, None)

    victim, trainer, text = asyncio.run(go())
    assert "Training failed" in text and f"/{victim.proc.pid} stopped answering" in text, (text, course.logs())
    record = course.record("victim")
    assert (record["status"], record["error_code"]) == ("failed", "killed"), record
    assert "victim" not in held_names(course.store) and not (course.store / "victim").exists()
    until(lambda: gone(trainer), 30, "the orphaned training process to stop", course.logs)
    survivor = next(w for w in course.workers if w is not victim)
    assert survivor.proc.poll() is None, survivor.output()
    course.workers.remove(victim)
    course.workers.append(WorkerProcess(course.url, course.store, course.root / "worker-3.log", name="worker-3"))


def test_redis_restarted_loses_no_model_and_the_app_serves_throughout(course):
    """Redis stopped: both replicas keep serving (through nginx too), A's Train page shows the queue-away notice,
    and the models are still listed (they live in the store). Redis started again on the same port: the notice
    goes, the job records are still there (the append-only file), and a new training submitted on A runs on a
    worker and is listed on B."""
    from vae.ui.i18n import STRINGS

    a, b = replica_urls(course)
    away = STRINGS["train.queue_unreachable"]["en"]
    before = course.record("multi1")
    assert before and before["status"] == "done"
    course.redis.stop()
    try:
        with urllib.request.urlopen(course.replicas.url + "_stcore/health", timeout=10) as resp:
            assert resp.read() == b"ok"
        for url in (a, b):
            options = asyncio.run(model_options(url, course))
            assert any(o.startswith("multi1 ") for o in options), (url, options, course.logs())

        async def notice():
            s = await open_page(a, "training", "lang=en", course)
            await s.__aexit__(None, None, None)
            return s.says(away)

        until(lambda: asyncio.run(notice()), 60, "the Train page's queue-away notice", course.logs)
    finally:
        course.redis = RedisServer(course.root / "redis", port=course.redis.port, persist=True)
        course.redis.wait_ready(60)

    async def back():
        s = await open_page(a, "training", "lang=en", course)
        await s.__aexit__(None, None, None)
        return s if not s.says(away) and not s.says("not reachable") else None

    until(lambda: asyncio.run(back()), 60, "the Train page without the notice", course.logs)
    after = course.record("multi1")
    assert after is not None and after["status"] == "done" and after["worker"] == before["worker"], after
    for url in (a, b):
        assert any(o.startswith("multi1 ") for o in asyncio.run(model_options(url, course))), url

    async def train_again():
        s = await open_page(a, "training", "lang=en", course)
        try:
            await submit_training(s, "multi2", 2, course)
            return await outcome(s, course, 180)
        finally:
            await s.__aexit__(None, None, None)

    text = asyncio.run(train_again())
    assert "user/multi2" in text and "trained in" in text, (text, course.logs())
    record = course.record("multi2")
    assert record["status"] == "done" and course.worker_of(record) is not None, (record, course.logs())
    listed_everywhere(course, "multi2")
