"""The Redis backend of the shared state (vae.shared_state, docs/redis.md), beyond the tests both backends run
(tests/test_classroom.py, the reservations in tests/test_training_job.py): two processes see each other's votes,
a reservation whose holder died expires, Redis going away gives one clear error (and coming back works again),
and the launcher's ``--redis``. Each runs against a real ``redis-server`` on a free loopback port."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from vae import classroom, reservation
from vae.classroom import ClassroomError
from vae.errors import ExplorerError, SharedStateError
from vae.reservation import NameReserved, held_names, reserve_name

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OWNER = "0123456789ab"


@pytest.fixture
def redis_env(redis_server, monkeypatch):
    """``VAE_REDIS_URL`` set to the session's Redis (emptied first)."""
    import redis

    monkeypatch.setenv("VAE_REDIS_URL", redis_server.redis_url)
    redis.Redis.from_url(redis_server.redis_url).flushdb()
    return redis_server.redis_url


def _python(code: str, **env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_another_process_sees_the_votes_and_the_step(redis_env, tmp_path):
    """A class opened here is joined and voted in by another process (another replica): the teacher here counts
    its vote, and the step published here is what the other process reads."""
    code = classroom.open_class(["plausible", "poor"], OWNER, store=tmp_path)
    classroom.publish_step(code, "kl", OWNER, store=tmp_path)
    other = _python(
        "import sys; from pathlib import Path; from vae import classroom as c\n"
        f"s = Path({str(tmp_path)!r}); t = c.join({code!r}, store=s); c.vote({code!r}, t, 'poor', store=s)\n"
        f"print(c.teacher_step({code!r}, store=s), c.tally({code!r}, store=s).total)")
    out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert out.split() == ["kl", "1"]
    assert classroom.tally(code, store=tmp_path, max_age=0).counts == {"plausible": 0, "poor": 1}
    assert classroom.attendance(code, store=tmp_path).joined == 1


def test_files_and_redis_do_not_mix(redis_env, tmp_path, monkeypatch):
    """With Redis configured nothing is written in the store; without it, Redis's classes are not seen."""
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    with reserve_name(tmp_path, "m", "training"):
        assert list(tmp_path.iterdir()) == []
    monkeypatch.delenv("VAE_REDIS_URL")
    with pytest.raises(ClassroomError) as err:
        classroom.state(code, store=tmp_path)
    assert err.value.code == "unknown_code"


HOLD = """
import sys, time
from vae import reservation
reservation.STALE_SECONDS = {stale}
{machine}
r = reservation.reserve_name({store!r}, "m", "training")
print("held", flush=True)
time.sleep(600)
"""


def _holder(store, stale: float, other_machine: bool) -> subprocess.Popen:
    machine = "reservation.machine_id = lambda: 'elsewhere/0'" if other_machine else ""
    proc = _python(HOLD.format(stale=stale, machine=machine, store=str(store)))
    assert proc.stdout.readline().strip() == "held", proc.stderr.read()
    return proc


def test_a_reservation_expires_when_its_holder_is_gone(redis_env, tmp_path, monkeypatch):
    """A holder on another machine that is killed cannot release: its name is held until the expiry it no longer
    refreshes, then free. One on this machine whose pid is gone is dropped at once."""
    monkeypatch.setattr(reservation, "STALE_SECONDS", 1.5)
    far = _holder(tmp_path, 1.5, other_machine=True)
    far.send_signal(signal.SIGKILL)
    far.wait(10)
    with pytest.raises(NameReserved):
        reserve_name(tmp_path, "m", "import")  # we cannot tell that a holder elsewhere died: held until it expires
    time.sleep(1.7)
    assert held_names(tmp_path) == {}
    reserve_name(tmp_path, "m", "import").release()

    near = _holder(tmp_path, 600, other_machine=False)
    near.send_signal(signal.SIGKILL)
    near.wait(10)
    assert held_names(tmp_path) == {}  # this machine, pid gone: stale now
    assert reservation.drop_stale(tmp_path, "m")
    reserve_name(tmp_path, "m", "import").release()


def test_a_refreshed_reservation_stays_held(redis_env, tmp_path, monkeypatch):
    monkeypatch.setattr(reservation, "STALE_SECONDS", 1.0)
    r = reserve_name(tmp_path, "m", "training")
    for _ in range(4):
        time.sleep(0.4)
        r.refresh()
    assert held_names(tmp_path) == {"m": "training"}  # 1.6 s after it was taken, refreshed every 0.4 s
    time.sleep(1.2)
    assert held_names(tmp_path) == {}  # no refresh: gone
    r.release()


def test_redis_going_away_gives_a_clear_error_and_coming_back_works(tmp_path, monkeypatch, redis_server):
    """A Redis of its own, stopped mid-class: every call refuses with one sentence naming the server (an
    ExplorerError; a ClassroomError 'unreachable' for the class, an OSError too for the reservations), the bool
    queries say False; started again on the same port, the same process opens a class and reserves again."""
    from vae.devtools.redis_server import RedisServer

    server = RedisServer(tmp_path / "redis").__enter__()
    try:
        monkeypatch.setenv("VAE_REDIS_URL", server.redis_url)
        code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
        token = classroom.join(code, store=tmp_path)
        server.stop()
        expected = f"the class server (Redis at {server.redis_url}) is not reachable"
        for call in (lambda: classroom.state(code, store=tmp_path), lambda: classroom.join(code, store=tmp_path),
                     lambda: classroom.vote(code, token, "a", store=tmp_path),
                     lambda: classroom.tally(code, store=tmp_path, max_age=0),
                     lambda: classroom.open_class(["a", "b"], OWNER, store=tmp_path)):
            with pytest.raises(ClassroomError) as err:
                call()
            assert err.value.code == "unreachable" and str(err.value).startswith(expected), err.value
        assert not classroom.is_participant(code, token, store=tmp_path)
        assert classroom.expired_at(code, store=tmp_path) is None
        with pytest.raises(SharedStateError) as err:
            reserve_name(tmp_path, "m", "training")
        assert isinstance(err.value, ExplorerError) and isinstance(err.value, OSError)
        assert str(err.value).startswith(expected) and err.value.strerror == str(err.value)

        server = RedisServer(tmp_path / "redis", port=server.port).__enter__()
        with pytest.raises(ClassroomError) as err:
            classroom.state(code, store=tmp_path)  # nothing was saved: the class is gone, said plainly
        assert err.value.code == "unknown_code"
        fresh = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
        assert classroom.state(fresh, store=tmp_path).owner == OWNER
        reserve_name(tmp_path, "m", "training").release()
    finally:
        server.stop()


def test_an_unreachable_redis_at_startup_and_a_password_is_not_shown(tmp_path, monkeypatch):
    from vae.devtools.net import free_port

    monkeypatch.setenv("VAE_REDIS_URL", f"redis://:s3cret@127.0.0.1:{free_port()}/0")
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    assert err.value.code == "unreachable" and "not reachable" in str(err.value) and "s3cret" not in str(err.value)


def test_the_launcher_takes_redis_and_passes_the_rest(monkeypatch):
    from vae.ui import serve

    monkeypatch.setenv("VAE_REDIS_URL", "")  # recorded, so the URL the launcher sets is undone after the test
    monkeypatch.delenv("VAE_REDIS_URL")
    assert serve.take_redis(["--production", "--redis", "redis://h:1/0", "--server.port=9"]) == \
        ["--production", "--server.port=9"]
    assert os.environ["VAE_REDIS_URL"] == "redis://h:1/0"
    assert serve.take_redis(["--redis=redis://h:2/1"]) == [] and os.environ["VAE_REDIS_URL"] == "redis://h:2/1"
    with pytest.raises(SystemExit):
        serve.take_redis(["--redis"])


def test_the_launcher_serves_with_redis_set_for_its_process(monkeypatch):
    """``python -m vae.ui.serve --redis URL``: Streamlit never sees ``--redis``, the server process has the URL."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    from vae.ui import serve

    seen = {}
    monkeypatch.setenv("VAE_REDIS_URL", "")  # recorded, so the URL the launcher sets is undone after the test
    monkeypatch.delenv("VAE_REDIS_URL")
    monkeypatch.setattr(PagesManager, "uses_pages_directory", PagesManager.uses_pages_directory)
    monkeypatch.setattr(serve, "install_server_fixes", lambda: None)
    monkeypatch.setattr(serve, "announce_teacher_key", lambda: None)
    monkeypatch.setattr(cli, "main", lambda: seen.update(argv=list(sys.argv), url=os.environ.get("VAE_REDIS_URL")))
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    serve.main(["--redis", "redis://127.0.0.1:6379/0", "--server.port=9"])
    assert seen["url"] == "redis://127.0.0.1:6379/0"
    assert "--redis" not in seen["argv"] and "redis://127.0.0.1:6379/0" not in seen["argv"]
    assert seen["argv"][-1] == "--server.port=9"


@pytest.mark.parametrize("value, outcome", [("true", pytest.fail.Exception), ("false", pytest.skip.Exception)])
def test_a_missing_redis_server_fails_only_in_ci(monkeypatch, value, outcome):
    from vae.devtools import redis_server

    monkeypatch.setattr(redis_server.shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", value)
    with pytest.raises(BaseException) as info:  # a skip must not escape: this test would then skip, not fail
        redis_server.require_redis_server()
    assert info.type is outcome and "redis-server is not installed" in str(info.value)


def test_the_lecture_page_shows_a_notice_and_keeps_serving_without_redis(tmp_path, monkeypatch, redis_server):
    """The Lecture page (AppTest) while the class server is down: a student's link and a teacher's "open a class"
    both end in the translated notice, never an exception; the lecture itself still renders."""
    from streamlit.testing.v1 import AppTest

    from apptest_utils import APP
    from vae.devtools.net import free_port
    from vae.ui.cache import store_listing
    from vae.ui.i18n import STRINGS

    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    monkeypatch.setenv("VAE_TEACHER_KEY", "test-teacher-key")
    monkeypatch.setenv("VAE_REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    store_listing.clear()
    notice = {lang: STRINGS["lecture.class.err.unreachable"][lang] for lang in ("en", "fr")}

    def lecture(**params) -> AppTest:
        at = AppTest.from_file(APP, default_timeout=180)
        at.query_params.update(params)
        at.run()
        at.switch_page("pages/lecture.py")
        return at.run()

    student = lecture(lang="fr", **{"class": "ABCDE"})
    assert not student.exception and [e.value for e in student.error] == [notice["fr"]]
    assert student.title and student.latex  # the step still renders
    teacher = lecture(lang="en")
    teacher.text_input(key="teacher.key").input("test-teacher-key").run()
    teacher.button(key="teacher.unlock").click().run()
    teacher.button(key="class.open").click().run()
    assert not teacher.exception and notice["en"] in [e.value for e in teacher.error]
    assert "class" not in teacher.query_params
