"""The teacher key (vae.teacher_key): from $VAE_TEACHER_KEY or made once in the store (readable by the server's
user only, shared by replicas), checked in constant time, remembered by a browser as a token that does not
reveal it; and the launcher prints it."""
from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from conftest import ROOT
from vae import teacher_key
from vae.teacher_key import TeacherKeyError


@pytest.fixture(autouse=True)
def no_env_key(monkeypatch):
    monkeypatch.delenv(teacher_key.ENV, raising=False)


def test_a_store_key_is_made_once_private_and_shared(tmp_path):
    assert teacher_key.teacher_keys(tmp_path) == []  # none until a launcher (or an operator) makes it
    (key,) = teacher_key.teacher_keys(tmp_path, create=True)
    path = tmp_path / teacher_key.KEY_FILE
    assert len(key) >= teacher_key.MIN_KEY_CHARS and path.read_text() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert teacher_key.teacher_keys(tmp_path, create=True) == [key]  # a second replica reads the same key
    assert [p.name for p in tmp_path.iterdir()] == [teacher_key.KEY_FILE]  # no temp file left


def test_keys_are_checked_and_browser_tokens_name_their_owner(tmp_path, monkeypatch):
    monkeypatch.setenv(teacher_key.ENV, "first-teacher-key, second-teacher-key")
    a, b = teacher_key.owner_id("first-teacher-key"), teacher_key.owner_id("second-teacher-key")
    assert a != b and len(a) == 12 and "first" not in a
    assert teacher_key.check_key("  second-teacher-key ", tmp_path) == b
    for wrong in ("first-teacher-ke", "FIRST-TEACHER-KEY", "", None, 42, "x" * 500):
        assert teacher_key.check_key(wrong, tmp_path) is None
    token = teacher_key.browser_token(a, tmp_path)
    assert token and "first-teacher-key" not in token and teacher_key.owner_of_token(token, tmp_path) == a
    for forged in (token[:-1] + ("0" if token[-1] != "0" else "1"), "", None, token + "0", a):
        assert teacher_key.owner_of_token(forged, tmp_path) is None
    assert not (tmp_path / teacher_key.KEY_FILE).exists()  # the environment's keys: nothing written


@pytest.mark.parametrize("value", ["short", "ok-long-key,", "a-good-key,tiny", "tab\there-key-x"])
def test_a_bad_environment_key_is_refused_clearly(tmp_path, monkeypatch, value):
    monkeypatch.setenv(teacher_key.ENV, value)
    if value == "ok-long-key,":
        assert teacher_key.teacher_keys(tmp_path) == ["ok-long-key"]
        return
    with pytest.raises(TeacherKeyError, match="VAE_TEACHER_KEY"):
        teacher_key.teacher_keys(tmp_path)


def test_an_unreadable_key_file_is_reported(tmp_path):
    (tmp_path / teacher_key.KEY_FILE).write_text("abc")  # too short to be a key
    with pytest.raises(TeacherKeyError, match="remove it"):
        teacher_key.launcher_line(tmp_path)


def test_the_launcher_prints_the_key(tmp_path):
    out = subprocess.run([sys.executable, "-c", "from vae.ui.serve import announce_teacher_key; announce_teacher_key()"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "VAE_MODEL_STORE": str(tmp_path)})
    key = (tmp_path / teacher_key.KEY_FILE).read_text()
    assert out.returncode == 0 and f"Teacher key: {key}" in out.stdout, out
