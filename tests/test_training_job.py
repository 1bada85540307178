"""The Train form's rules (vae/jobs/form.py), the worker's job function run in-process (vae/jobs/worker.py),
the queue's estimates (vae/jobs/schedule.py), the name reservation (vae/reservation.py) and the page's outcome
messages (vae/ui/job_view.py). The pool itself, with real worker processes, is tests/test_jobs.py."""
import errno
import json
import os

import pytest

from conftest import small_dataset
from vae import checkpoint
from vae.checkpoint import load_model
from vae.jobs import schedule
from vae.jobs.form import FormError, check_budget, check_name, make_configs, parse_hidden
from vae.jobs.limits import Limits
from vae.jobs.worker import _Channel, run_job
from vae.kinds import BetaError
from vae.reservation import NameReserved, held_names, reservations_dir, reserve_name


@pytest.fixture
def data(digits):
    return small_dataset(digits, 128, 32)


def configs(**kw):
    base = dict(kind="vae", beta=1.0, latent_dim=2, arch="mlp", hidden="16", recon="bce", noise=0.0, epochs=2,
                lr=1e-3, batch_size=64, seed=0, dataset="digits", image_shape=(8, 8))
    base.update(kw)
    return make_configs(**base)


def test_parse_hidden():
    assert parse_hidden("256 128") == [256, 128]
    assert parse_hidden(" 64, 32 ") == [64, 32]
    for bad in ("", "abc", "32 -1", "1.5"):
        with pytest.raises(FormError) as e:
            parse_hidden(bad)
        assert e.value.code == "hidden"


@pytest.mark.parametrize("field,value,code", [("epochs", 0, "epochs"), ("lr", 0.0, "lr"), ("lr", -1.0, "lr"),
                                              ("hidden", "x", "hidden"), ("batch_size", 0, "batch_size"),
                                              ("noise", 2.0, "noise"), ("early_stop", -1, "early_stop")])
def test_make_configs_refuses_bad_values(field, value, code):
    with pytest.raises(FormError) as e:
        configs(**{field: value})
    assert e.value.code == code


def test_beta_rules():
    # the kind's rule, as in the CLI (tests/test_kinds.py checks every case against the CLI's message)
    with pytest.raises(BetaError, match="β must be"):
        configs(kind="beta-vae", beta=-1.0)
    with pytest.raises(BetaError, match="use kind 'beta-vae'"):
        configs(kind="vae", beta=7.0)  # refused, never silently forced to 1
    assert configs(kind="vae", beta=None)[0].beta == 1.0
    assert configs(kind="beta-vae", beta=4.0)[0].beta == 4.0
    assert configs(kind="beta-vae", beta=None)[0].beta == 4.0
    assert configs(kind="ae", beta=None)[0].kind == "ae"
    with pytest.raises(BetaError, match="no KL term"):
        configs(kind="ae", beta=-3.0)


def test_early_stopping_follows_the_cli_defaults():
    assert configs()[1].val_fraction == 0.0 and configs()[1].early_stop == 0
    _, tcfg = configs(early_stop=3)
    assert (tcfg.early_stop, tcfg.val_fraction) == (3, 0.1)  # the CLI's default split with --early-stop
    assert configs(early_stop=3, val_fraction=0.2)[1].val_fraction == 0.2
    assert configs(val_fraction=0.25)[1].val_fraction == 0.25  # a split alone only records the validation loss


def test_budget_is_refused_with_the_limit_stated():
    limits = Limits(max_image_epochs=1_000_000, max_seconds=600)
    check_budget(1497, 668, limits)
    with pytest.raises(FormError) as e:
        check_budget(1497, 669, limits)
    assert e.value.code == "budget"
    assert e.value.fmt["limit"] == 1_000_000 and e.value.fmt["max_epochs"] == 668 and e.value.fmt["minutes"] == "10"
    assert limits.max_epochs(4000) == 250 and limits.max_epochs(10**7) == 1


def test_limits_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("VAE_TRAIN_WORKERS", "3")
    monkeypatch.setenv("VAE_TRAIN_MAX_SECONDS", "90")
    monkeypatch.setenv("VAE_TRAIN_QUEUE", "nonsense")
    limits = Limits.from_env()
    assert (limits.workers, limits.max_seconds, limits.max_queue) == (3, 90.0, 30)
    monkeypatch.setenv("VAE_TRAIN_WORKERS", "0")  # below the minimum: the default (half the cores, at least 1)
    assert Limits.from_env().workers == max(1, (os.cpu_count() or 2) // 2)
    assert Limits.from_env().nice == 5  # the default: the class's pages go first
    for raw, nice in (("0", 0), ("12", 12), ("40", 19), ("-5", 5), ("x", 5)):
        monkeypatch.setenv("VAE_TRAIN_NICE", raw)
        assert Limits.from_env().nice == nice, raw


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 80])
def test_bad_names_are_refused(tmp_path, name):
    with pytest.raises(FormError) as e:
        check_name(name, tmp_path)
    assert e.value.code == "name"
    assert list(tmp_path.iterdir()) == []


def test_taken_names_are_refused(tmp_path):
    (tmp_path / "taken").mkdir()
    with pytest.raises(FormError) as e:
        check_name("taken", tmp_path)
    assert e.value.code == "exists"
    assert check_name("free", tmp_path) == tmp_path / "free"


# -- the worker's job, in this process ----------------------------------------------------------------------------

def job_spec(data, out, **kw):
    mcfg, tcfg = configs(**kw)
    return {"out": str(out), "model_cfg": mcfg.to_dict(), "train_cfg": tcfg.to_dict(), "dataset": data,
            "store_dtype": "float32"}


def test_run_job_saves_and_reports_every_event(data, tmp_path):
    events = []
    outcome = run_job(job_spec(data, tmp_path / "m"), lambda e, i: events.append(e), lambda: None)
    assert outcome["status"] == "done" and outcome["path"] == str(tmp_path / "m")
    assert outcome["metrics"]["loss"] > 0 and load_model(tmp_path / "m")
    assert {"batch", "epoch", "snapshot"} <= set(events)


def test_run_job_float16_store(data, tmp_path):
    outcome = run_job({**job_spec(data, tmp_path / "half"), "store_dtype": "float16"}, lambda e, i: None, lambda: None)
    assert outcome["status"] == "done"
    header = json.loads((tmp_path / "half" / "model.safetensors").read_bytes()[8:][:4096].split(b"}}")[0] + b"}}")
    assert {v["dtype"] for k, v in header.items() if k != "__metadata__"} == {"F16"}


@pytest.mark.parametrize("why,status", [("stop", "stopped"), ("budget", "stopped"), ("server", "stopped")])
def test_run_job_stops_and_saves_nothing(data, tmp_path, why, status):
    outcome = run_job(job_spec(data, tmp_path / "m", epochs=5000), lambda e, i: None, lambda: why)
    assert (outcome["status"], outcome["code"]) == (status, why)
    assert list(tmp_path.iterdir()) == []


def test_run_job_nan_fails_and_saves_nothing(data, tmp_path):
    outcome = run_job(job_spec(data, tmp_path / "m", lr=100.0, epochs=5), lambda e, i: None, lambda: None)
    assert (outcome["status"], outcome["code"]) == ("failed", "nan")
    assert "the loss became" in outcome["detail"] and "smaller learning rate" in outcome["detail"]
    assert list(tmp_path.iterdir()) == []


def test_a_full_disk_at_save_is_a_short_message_and_leaves_nothing(data, tmp_path, monkeypatch):
    real = checkpoint.save_file

    def full_disk(tensors, path, metadata=None):
        real(tensors, path, metadata=metadata)  # part of the folder is written, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(checkpoint, "save_file", full_disk)
    outcome = run_job(job_spec(data, tmp_path / "m"), lambda e, i: None, lambda: None)
    assert outcome == {"status": "failed", "code": "disk", "detail": os.strerror(errno.ENOSPC)}
    assert list(tmp_path.iterdir()) == []  # the temp folder of the save is gone too


def test_run_job_reports_a_bug_in_one_line(data, tmp_path, monkeypatch):
    import vae.training_run

    monkeypatch.setattr(vae.training_run, "evaluate_model", lambda *a: 1 / 0)
    outcome = run_job(job_spec(data, tmp_path / "m"), lambda e, i: None, lambda: None)
    assert (outcome["status"], outcome["code"]) == ("failed", "bug")
    assert outcome["detail"] == "ZeroDivisionError: division by zero" and "Traceback" not in outcome["detail"]


def test_the_channel_coalesces_batches_and_forwards_everything_else():
    sent = []

    class Conn:
        def send_bytes(self, b):
            import pickle

            sent.append(pickle.loads(b))

        def poll(self):
            return False

    ch = _Channel(Conn(), max_seconds=600)
    for step in range(1, 101):
        ch.emit("batch", {"epoch": 1, "step": step, "steps": 100})
    ch.emit("snapshot", {"frame": 0})
    ch.emit("something-new", {"x": [1, 2]})
    batches = [m for m in sent if m[1] == "batch"]
    assert 1 <= len(batches) <= 3 and batches[-1][2]["step"] == 100  # the epoch's last batch always goes
    assert [m[1:] for m in sent if m[1] != "batch"] == [("snapshot", {"frame": 0}), ("something-new", {"x": [1, 2]})]
    assert ch.should_stop() is None
    ch.deadline = 0
    assert ch.should_stop() == "budget"


# -- the queue's estimates ----------------------------------------------------------------------------------------

def test_start_estimates():
    assert schedule.remaining_seconds(elapsed=10, progress=0.25, expected=999) == pytest.approx(30)
    assert schedule.remaining_seconds(elapsed=10, progress=0.0, expected=25) == 15  # no pace yet: the expectation
    assert schedule.expected_seconds(1_000_000, speed=1000, cap=600) == 600  # never past the time budget
    # one worker busy for 30 s more, two jobs of 20 s ahead: 70 s; two workers: the jobs share them
    assert schedule.start_in([30], [20, 20], workers=1) == 70
    assert schedule.start_in([30], [20, 20], workers=2) == 30
    assert schedule.start_in([], [], workers=1) == 0


# -- the name reservation -----------------------------------------------------------------------------------------

def test_a_reservation_is_exclusive_released_and_leaves_no_trace(shared_state, tmp_path):
    r = reserve_name(tmp_path, "m", "training")
    with pytest.raises(NameReserved, match="training in progress"):
        reserve_name(tmp_path, "m", "import")
    assert held_names(tmp_path) == {"m": "training"}
    r.release()
    assert list(tmp_path.iterdir()) == [] and shared_state.keys(tmp_path) == []
    with reserve_name(tmp_path, "m", "import"):
        pass
    assert list(tmp_path.iterdir()) == [] and shared_state.keys(tmp_path) == []


def test_a_dead_holders_reservation_is_taken_over(shared_state, tmp_path):
    r = reserve_name(tmp_path, "m", "training")
    assert r.path == reservations_dir(tmp_path) / "m"
    shared_state.forge_reservation(tmp_path, r, pid=2**22 + 12345)  # a pid that does not exist on this machine
    taken = reserve_name(tmp_path, "m", "import")
    r.release()  # the stale holder's release does not remove the new holder's file
    assert held_names(tmp_path) == {"m": "import"}
    taken.release()
    old = reserve_name(tmp_path, "m", "training")
    shared_state.age_reservation(tmp_path, old)  # not refreshed for ages (a holder on another machine)
    assert held_names(tmp_path) == {}
    reserve_name(tmp_path, "m", "import").release()
    old.release()


# -- the page's messages ------------------------------------------------------------------------------------------

def snap(**kw):
    base = {"status": "failed", "error_code": "", "error": "", "name": "m", "seconds": 3.0, "dataset": "digits",
            "latent_dim": 2}
    return {**base, **kw}


@pytest.mark.parametrize("kw,kind,needle", [
    ({"error_code": "disk", "error": "No space left on device"}, "error", "disk is full (No space left on device)"),
    ({"error_code": "killed", "error": "signal SIGKILL"}, "error", "ended unexpectedly (signal SIGKILL)"),
    ({"error_code": "nan", "error": "the loss became nan"}, "error", "NaN or infinite"),
    ({"status": "stopped", "error_code": "budget"}, "warning", "limit of 10 min"),
    ({"status": "cancelled", "error_code": "cancel"}, "warning", "cancelled before it started"),
    ({"status": "done"}, "success", "user/m"),
    ({"error_code": "bug", "error": "*boom* [x](http://evil)"}, "error", r"\*boom\* \[x\]"),  # never markdown
])
def test_outcome_messages(kw, kind, needle):
    from vae.ui.job_view import outcome_text

    got_kind, text = outcome_text(snap(**kw), 10)
    assert got_kind == kind and needle in text and "Traceback" not in text
