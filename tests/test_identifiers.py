"""Every gate that turns outside text into a path or a key accepts the whole string only: a trailing newline
(which ``$`` lets through in Python's ``re``) is refused like any other stray character."""
from __future__ import annotations

import pytest

from vae import classroom
from vae.checkpoint import safe_model_path
from vae.errors import ExplorerError
from vae.jobs import jobfiles


def _model_name(name, tmp_path):
    safe_model_path(name, store=tmp_path)


def _job_id(job_id, tmp_path):
    if not jobfiles.valid_id(job_id):
        raise ExplorerError("refused")


OWNER = "0123456789ab"


def _voter(voter, tmp_path):
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    (tmp_path / ".classroom" / code / classroom.PARTICIPANTS / voter.strip()).touch()  # joined, under its real name
    classroom.vote(code, voter, "a", store=tmp_path)


def _choice(choice, tmp_path):
    classroom.open_class([choice, "b"], OWNER, store=tmp_path)


def _step(step, tmp_path):
    code = classroom.open_class(["a", "b"], OWNER, store=tmp_path)
    classroom.publish_step(code, step, OWNER, store=tmp_path)


def _owner(owner, tmp_path):
    classroom.open_class(["a", "b"], owner, store=tmp_path)


GATES = {"model name": (_model_name, "my-model"), "job id": (_job_id, "0123456789ab"),
         "voter token": (_voter, "0123456789abcdef"), "answer id": (_choice, "plausible"), "lecture step": (_step, "kl"),
         "teacher owner id": (_owner, OWNER)}


@pytest.mark.parametrize("gate", GATES)
def test_a_trailing_newline_is_refused(gate, tmp_path):
    check, good = GATES[gate]
    check(good, tmp_path)  # the well-formed value passes
    for bad in (good + "\n", good + "\n\n", "\n" + good):
        with pytest.raises(ExplorerError):
            check(bad, tmp_path)
