"""A class (vae.classroom): joining, one vote per participant, the tally, forged input, expiry, teacher rights,
limits, a tally shared by every reader, and votes cast by several processes at once (as two replicas behind
nginx would). Every test that goes through the public functions runs against both backends (``shared_state``:
the store's files, and a real Redis); the planted step file is the file backend's own."""
from __future__ import annotations

import multiprocessing as mp
import time

import pytest

from vae import classroom
from vae.classroom import ClassroomError

OWNER = "0123456789ab"     # a teacher key's owner id (vae.teacher_key.owner_id)
OTHER = "ba9876543210"


def _join(code: str, n: int, store) -> list[str]:
    return [classroom.join(code, store=store) for _ in range(n)]


def test_votes_are_counted_per_choice_and_a_voter_can_change_their_mind(shared_state, tmp_path):
    code = classroom.open_class(["plausible", "poor"], OWNER, store=tmp_path)
    assert classroom.normalise_code(code.lower()) == code
    a, b, c = _join(code, 3, tmp_path)
    classroom.vote(code, a, "poor", store=tmp_path)
    classroom.vote(code, b, "poor", store=tmp_path)
    classroom.vote(code, c, "plausible", store=tmp_path)
    classroom.vote(code, c, "poor", store=tmp_path)  # changes their vote: still one vote
    t = classroom.tally(f" {code.lower()} ", store=tmp_path)
    assert t.counts == {"plausible": 0, "poor": 3} and t.total == 3 and not t.revealed
    classroom.reveal(code, OWNER, store=tmp_path)
    assert classroom.tally(code, store=tmp_path).revealed and classroom.state(code, store=tmp_path).revealed


def test_one_vote_per_participant_and_only_participants_vote(shared_state, tmp_path):
    """A scripted voter cannot stuff the tally with fresh tokens: a vote needs a token that joined the class."""
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.vote(code, classroom.new_voter_token(), "a", store=tmp_path)
    assert err.value.code == "not_joined"
    (me,) = _join(code, 1, tmp_path)
    for choice in ("a", "b", "a", "a"):
        classroom.vote(code, me, choice, store=tmp_path)
    assert classroom.tally(code, store=tmp_path).counts == {"a": 1, "b": 0}
    assert classroom.join(code, me, store=tmp_path) == me  # joining again (a reload) takes no new place
    assert classroom.attendance(code, store=tmp_path).joined == 1


def test_a_class_admits_its_size_and_the_teacher_sees_the_joins(shared_state, tmp_path):
    code = classroom.open_class(["a", "b"], OWNER, size=3, store=tmp_path)
    tokens = _join(code, 3, tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.join(code, store=tmp_path)
    assert err.value.code == "class_full"
    assert classroom.join(code, tokens[0], store=tmp_path) == tokens[0]  # a participant still gets back in
    a = classroom.attendance(code, store=tmp_path)
    assert (a.joined, a.last_minute, a.size) == (3, 3, 3)
    later = classroom.attendance(code, store=tmp_path, now=time.time() + 120)
    assert (later.joined, later.last_minute) == (3, 0)
    for bad in (0, classroom.MAX_SIZE + 1, True, "40"):
        with pytest.raises(ClassroomError):
            classroom.open_class(["a", "b"], OWNER, size=bad, store=tmp_path)


@pytest.mark.parametrize("owner", [None, "", "anonymous", "0123456789AB", "0123456789ab\n", 12])
def test_opening_a_class_needs_a_teacher_key(shared_state, tmp_path, owner):
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], owner, store=tmp_path)
    assert err.value.code == "not_teacher"
    assert not (tmp_path / ".classroom").exists() or not any((tmp_path / ".classroom").iterdir())
    assert shared_state.keys(tmp_path) == []


def test_only_the_opening_teacher_reveals_advances_and_closes(shared_state, tmp_path):
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    for action in (lambda o: classroom.reveal(code, o, store=tmp_path),
                   lambda o: classroom.publish_step(code, "kl", o, store=tmp_path),
                   lambda o: classroom.close_class(code, o, store=tmp_path)):
        for intruder in (OTHER, None, "x"):
            with pytest.raises(ClassroomError) as err:
                action(intruder)
            assert err.value.code == "not_teacher"
    s = classroom.state(code, store=tmp_path)
    assert not s.revealed and s.step is None and s.owner == OWNER
    classroom.publish_step(code, "kl", OWNER, store=tmp_path)
    assert classroom.state(code, store=tmp_path).step == "kl" == classroom.teacher_step(code, store=tmp_path)
    classroom.close_class(code, OWNER, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.state(code, store=tmp_path)
    assert err.value.code == "unknown_code"


def test_class_limits_count_per_teacher_key(shared_state, tmp_path, monkeypatch):
    monkeypatch.setattr(classroom, "MAX_CLASSES_PER_OWNER", 2)
    for _ in range(2):
        classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    assert err.value.code == "too_many_mine"
    classroom.open_class(["a", "b"], OTHER, store=tmp_path)  # another teacher is not blocked
    monkeypatch.setattr(classroom, "MAX_CLASSES", 3)
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], "aaaaaaaaaaaa", store=tmp_path)
    assert err.value.code == "too_many"


def test_the_tally_is_counted_once_per_interval_for_every_reader(shared_state, tmp_path, monkeypatch):
    """Forty students polling a stuffed class used to count its votes each (46 ms at 2,000 votes): now the step
    and the reveal flag are read without a tally, and the teacher's tally is shared for TALLY_SECONDS."""
    code = classroom.open_class(["a", "b"], OWNER, size=50, store=tmp_path)
    for token in _join(code, 20, tmp_path):
        classroom.vote(code, token, "a", store=tmp_path)
    counted = []
    real = classroom._count
    monkeypatch.setattr(classroom, "_count", lambda *a: counted.append(1) or real(*a))
    for _ in range(40):
        assert classroom.tally(code, store=tmp_path).total == 20
        classroom.state(code, store=tmp_path)
    assert len(counted) == 1
    (late,) = _join(code, 1, tmp_path)
    classroom.vote(code, late, "b", store=tmp_path)  # a vote cast here is counted at once
    assert classroom.tally(code, store=tmp_path).counts == {"a": 20, "b": 1} and len(counted) == 2
    assert classroom.tally(code, store=tmp_path, max_age=0).total == 21 and len(counted) == 3


def test_the_state_is_read_once_per_interval_and_a_change_made_here_is_seen_at_once(shared_state, tmp_path, monkeypatch):
    """Two hundred students' Lecture pages read the class on every rerun: with ``max_age`` one read serves them all
    for that long. The teacher's own step and reveal (made through this module) are seen at once; a change made
    on another replica (a direct write to the backend) once the kept read is older than ``max_age``."""
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    classroom.publish_step(code, "kl", OWNER, store=tmp_path)
    reads = []
    real = classroom._meta
    monkeypatch.setattr(classroom, "_meta", lambda *a: reads.append(1) or real(*a))
    for _ in range(20):
        assert classroom.state(code, store=tmp_path, max_age=60).step == "kl"
    assert len(reads) == 1
    classroom.publish_step(code, "beta", OWNER, store=tmp_path)   # the teacher moves on, on this replica
    assert classroom.state(code, store=tmp_path, max_age=60).step == "beta"
    classroom.reveal(code, OWNER, store=tmp_path)
    assert classroom.state(code, store=tmp_path, max_age=60).revealed
    classroom.backend(tmp_path).set_step(code, "gaps")             # the teacher moves on, on another replica
    assert classroom.state(code, store=tmp_path, max_age=60).step == "beta"
    assert classroom.state(code, store=tmp_path, max_age=1e-9).step == "gaps"
    assert classroom.state(code, store=tmp_path).step == "gaps"    # max_age 0 (the default): always read
    classroom.close_class(code, OWNER, store=tmp_path)
    with pytest.raises(ClassroomError):                            # an ended class is never served from memory
        classroom.state(code, store=tmp_path, max_age=60)


@pytest.mark.parametrize("bad_code", ["../..", "ABCD", "ABCDEF", "AB/DE", "", None, 12345, "ABCD0", "ÀBCDE"])
def test_forged_codes_are_refused_without_touching_paths(shared_state, tmp_path, bad_code):
    for action in (lambda: classroom.vote(bad_code, classroom.new_voter_token(), "poor", store=tmp_path),
                   lambda: classroom.join(bad_code, store=tmp_path)):
        with pytest.raises(ClassroomError) as err:
            action()
        assert err.value.code in ("bad_code", "unknown_code")
    assert not (tmp_path / ".classroom").exists() or not any((tmp_path / ".classroom").iterdir())
    assert shared_state.keys(tmp_path) == []


@pytest.mark.parametrize("voter, choice", [("../../meta.json", "poor"), ("x" * 20, "poor"), (["a"], "poor"),
                                           ("ab" * 16, "../poor"), ("ab" * 16, "maybe"), ("ab" * 16, None)])
def test_forged_votes_are_refused(shared_state, tmp_path, voter, choice):
    code = classroom.open_class(["plausible", "poor"], OWNER, store=tmp_path)
    if voter == "ab" * 16:
        shared_state.add_participant(tmp_path, code, voter)  # a participant, a forged answer
    with pytest.raises(ClassroomError):
        classroom.vote(code, voter, choice, store=tmp_path)
    assert classroom.tally(code, store=tmp_path).total == 0
    if shared_state.redis:
        assert not any(k.endswith(":votes") for k in shared_state.keys(tmp_path))
    else:
        assert sorted(p.name for p in (tmp_path / ".classroom" / code).iterdir()) == ["meta.json", "participants",
                                                                                      "votes"]


def test_unknown_and_expired_codes(shared_state, tmp_path):
    with pytest.raises(ClassroomError) as err:
        classroom.tally("ABCDE", store=tmp_path)
    assert err.value.code == "unknown_code"
    code = classroom.open_class(["a", "b"], OWNER, ttl=-1, store=tmp_path)
    for action in (lambda: classroom.join(code, store=tmp_path), lambda: classroom.state(code, store=tmp_path)):
        with pytest.raises(ClassroomError) as err:
            action()
        assert err.value.code == "expired"
    assert classroom.expired_at(code, store=tmp_path) is not None
    fresh = classroom.open_class(["a", "b"], OWNER, store=tmp_path)  # opening a class cleans expired ones
    assert classroom.expired_at(code, store=tmp_path) is None and classroom.state(fresh, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.state(code, store=tmp_path)
    assert err.value.code == "unknown_code"
    if not shared_state.redis:
        assert not (tmp_path / ".classroom" / code).exists() and (tmp_path / ".classroom" / fresh).is_dir()
    assert classroom.expired_at(fresh, store=tmp_path) is None


def test_limits(shared_state, tmp_path, monkeypatch):
    with pytest.raises(ClassroomError):
        classroom.open_class(["only"], OWNER, store=tmp_path)
    with pytest.raises(ClassroomError):
        classroom.open_class(["a", "a"], OWNER, store=tmp_path)
    monkeypatch.setattr(classroom, "MAX_CLASSES", 2)
    classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    classroom.open_class(["a", "b"], OTHER, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    assert err.value.code == "too_many"


def _cast(args):
    store, code, n, choice = args
    from pathlib import Path

    for _ in range(n):
        token = classroom.join(code, store=Path(store))
        classroom.vote(code, token, choice, store=Path(store))
    return n


def test_votes_from_several_processes_share_one_tally(shared_state, tmp_path):
    """Two processes (two replicas) join and vote in the same store at once: none is lost."""
    code = classroom.open_class(["plausible", "poor"], OWNER, size=100, store=tmp_path)
    with mp.get_context("spawn").Pool(2) as pool:
        done = pool.map(_cast, [(str(tmp_path), code, 40, "poor"), (str(tmp_path), code, 25, "plausible")])
    assert done == [40, 25]
    assert classroom.tally(code, store=tmp_path).counts == {"plausible": 25, "poor": 40}
    assert classroom.attendance(code, store=tmp_path).joined == 65


@pytest.mark.parametrize("plant", ["fifo", "huge", "symlink", "garbage"])
def test_a_planted_step_file_never_blocks_or_floods_a_student(tmp_path, plant):
    """The teacher's step file is read with a bound: a FIFO is not waited on, a huge file is not read, a
    symbolic link is not followed, bytes that are not a step name are ignored; the student simply follows nobody."""
    import os
    import threading

    code = classroom.open_class(["plausible", "poor"], OWNER, store=tmp_path)
    classroom.publish_step(code, "kl", OWNER, store=tmp_path)
    assert classroom.teacher_step(code, store=tmp_path) == "kl"
    path = tmp_path / ".classroom" / code / classroom.STEP_FILE
    path.unlink()
    if plant == "fifo":
        os.mkfifo(path)
    elif plant == "huge":
        with open(path, "wb") as f:
            f.truncate(8 << 30)  # sparse: 8 GiB read back as zeros if anyone read it whole
    elif plant == "symlink":
        (tmp_path / "elsewhere").write_text("kl")
        path.symlink_to(tmp_path / "elsewhere")
    else:
        path.write_bytes(b"\xff" * 64)
    result = []
    reader = threading.Thread(target=lambda: (result.append(classroom.teacher_step(code, store=tmp_path)),
                                              result.append(classroom.state(code, store=tmp_path).step)), daemon=True)
    reader.start()
    reader.join(5)
    assert result == [None, None]
