"""Class votes (vae.classroom): tally, changed votes, forged input, expiry, limits, and votes cast by
several processes at once (as two replicas behind nginx would)."""
from __future__ import annotations

import multiprocessing as mp

import pytest

from vae import classroom
from vae.classroom import ClassroomError


def _voters(n: int) -> list[str]:
    return [classroom.new_voter_token() for _ in range(n)]


def test_votes_are_counted_per_choice_and_a_voter_can_change_their_mind(tmp_path):
    code = classroom.open_class(["plausible", "poor"], store=tmp_path)
    assert classroom.normalise_code(code.lower()) == code
    a, b, c = _voters(3)
    classroom.vote(code, a, "poor", store=tmp_path)
    classroom.vote(code, b, "poor", store=tmp_path)
    classroom.vote(code, c, "plausible", store=tmp_path)
    classroom.vote(code, c, "poor", store=tmp_path)  # changes their vote: still one vote
    t = classroom.tally(f" {code.lower()} ", store=tmp_path)
    assert t.counts == {"plausible": 0, "poor": 3} and t.total == 3 and not t.revealed
    classroom.reveal(code, store=tmp_path)
    assert classroom.tally(code, store=tmp_path).revealed


@pytest.mark.parametrize("bad_code", ["../..", "ABCD", "ABCDEF", "AB/DE", "", None, 12345, "ABCD0", "ÀBCDE"])
def test_forged_codes_are_refused_without_touching_paths(tmp_path, bad_code):
    with pytest.raises(ClassroomError) as err:
        classroom.vote(bad_code, classroom.new_voter_token(), "poor", store=tmp_path)
    assert err.value.code in ("bad_code", "unknown_code")
    assert not (tmp_path / ".classroom").exists() or not any((tmp_path / ".classroom").iterdir())


@pytest.mark.parametrize("voter, choice", [("../../meta.json", "poor"), ("x" * 20, "poor"), (["a"], "poor"),
                                           ("ab" * 16, "../poor"), ("ab" * 16, "maybe"), ("ab" * 16, None)])
def test_forged_votes_are_refused(tmp_path, voter, choice):
    code = classroom.open_class(["plausible", "poor"], store=tmp_path)
    with pytest.raises(ClassroomError):
        classroom.vote(code, voter, choice, store=tmp_path)
    assert classroom.tally(code, store=tmp_path).total == 0
    assert sorted(p.name for p in (tmp_path / ".classroom" / code).iterdir()) == ["meta.json", "votes"]


def test_unknown_and_expired_codes(tmp_path):
    with pytest.raises(ClassroomError) as err:
        classroom.tally("ABCDE", store=tmp_path)
    assert err.value.code == "unknown_code"
    code = classroom.open_class(["a", "b"], ttl=-1, store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.vote(code, classroom.new_voter_token(), "a", store=tmp_path)
    assert err.value.code == "expired"
    fresh = classroom.open_class(["a", "b"], store=tmp_path)  # opening a class cleans expired ones
    assert not (tmp_path / ".classroom" / code).exists() and (tmp_path / ".classroom" / fresh).is_dir()


def test_limits(tmp_path, monkeypatch):
    with pytest.raises(ClassroomError):
        classroom.open_class(["only"], store=tmp_path)
    with pytest.raises(ClassroomError):
        classroom.open_class(["a", "a"], store=tmp_path)
    monkeypatch.setattr(classroom, "MAX_VOTES", 3)
    code = classroom.open_class(["a", "b"], store=tmp_path)
    voters = _voters(4)
    for v in voters[:3]:
        classroom.vote(code, v, "a", store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.vote(code, voters[3], "a", store=tmp_path)
    assert err.value.code == "full"
    classroom.vote(code, voters[0], "b", store=tmp_path)  # an existing voter may still change their vote
    assert classroom.tally(code, store=tmp_path).counts == {"a": 2, "b": 1}
    monkeypatch.setattr(classroom, "MAX_CLASSES", 2)
    classroom.open_class(["a", "b"], store=tmp_path)
    with pytest.raises(ClassroomError) as err:
        classroom.open_class(["a", "b"], store=tmp_path)
    assert err.value.code == "too_many"


def _cast(args):
    store, code, n, choice = args
    from pathlib import Path

    for _ in range(n):
        classroom.vote(code, classroom.new_voter_token(), choice, store=Path(store))
    return n


def test_votes_from_several_processes_share_one_tally(tmp_path):
    """Two processes (two replicas) write votes into the same store at once: none is lost."""
    code = classroom.open_class(["plausible", "poor"], store=tmp_path)
    with mp.get_context("spawn").Pool(2) as pool:
        done = pool.map(_cast, [(str(tmp_path), code, 40, "poor"), (str(tmp_path), code, 25, "plausible")])
    assert done == [40, 25]
    assert classroom.tally(code, store=tmp_path).counts == {"plausible": 25, "poor": 40}


@pytest.mark.parametrize("plant", ["fifo", "huge", "symlink", "garbage"])
def test_a_planted_step_file_never_blocks_or_floods_a_student(tmp_path, plant):
    """The teacher's step file is read with a bound: a FIFO is not waited on, a huge file is not read, a
    symbolic link is not followed, bytes that are not a step name are ignored; the student simply follows nobody."""
    import os
    import threading

    code = classroom.open_class(["plausible", "poor"], store=tmp_path)
    classroom.publish_step(code, "kl", store=tmp_path)
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
    reader = threading.Thread(target=lambda: result.append(classroom.teacher_step(code, store=tmp_path)), daemon=True)
    reader.start()
    reader.join(5)
    assert result == [None]
