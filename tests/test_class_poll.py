"""vae/ui/class_poll.py: a student's browser reads the teacher's step and the reveal flag over plain HTTP, without a
script run; anything else goes to Streamlit."""
from __future__ import annotations

import asyncio
import json

import pytest

from vae import classroom
from vae.ui import class_poll
from vae.ui.class_poll import ClassPoll

OWNER = "0123456789ab"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    monkeypatch.setattr(class_poll, "_answers", {})
    return tmp_path


def _get(path: str, method: str = "GET") -> tuple[int, dict | None, list]:
    passed = []

    async def app(scope, receive, send):
        passed.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    asyncio.run(ClassPoll(app)({"type": "http", "method": method, "path": path}, receive, send))
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return sent[0]["status"], (json.loads(body) if body else None), passed


def test_the_teacher_step_and_the_reveal_flag(store, monkeypatch):
    code = classroom.open_class(["plausible", "poor"], owner=OWNER)
    assert _get(f"/_vae/class/{code}")[:2] == (200, {"step": None, "revealed": False})
    monkeypatch.setattr(class_poll, "FRESH_SECONDS", 0.0)   # each request reads the class again
    classroom.publish_step(code, "quiz", OWNER)
    assert _get(f"/base/_vae/class/{code.lower()}")[:2] == (200, {"step": "quiz", "revealed": False})
    classroom.reveal(code, OWNER)
    assert _get(f"/_vae/class/{code}")[:2] == (200, {"step": "quiz", "revealed": True})
    classroom.close_class(code, OWNER)
    status, body, _ = _get(f"/_vae/class/{code}")
    assert status == 404 and body["error"] in ("unknown_code", "expired")


def test_one_read_per_class_while_it_is_fresh(store, monkeypatch):
    code = classroom.open_class(["plausible", "poor"], owner=OWNER)
    reads = []
    real = class_poll.answer
    monkeypatch.setattr(class_poll, "answer", lambda c: reads.append(c) or real(c))
    for _ in range(5):
        assert _get(f"/_vae/class/{code}")[0] == 200
    assert reads == [code]


def test_bad_codes_other_methods_and_other_paths(store):
    assert _get("/_vae/class/NOPE1")[0] == 404                   # well formed, no such class
    assert _get("/_vae/class/0O1I!")[2] == ["/_vae/class/0O1I!"]  # not a code: Streamlit's (its own 404)
    status, body, passed = _get("/_vae/class/ABCDE", method="POST")
    assert status == 405 and not passed
    for path in ("/", "/lecture", "/_stcore/health", "/_vae/class/", "/_vae/class/ABCDE/x"):
        assert _get(path)[2] == [path], path
