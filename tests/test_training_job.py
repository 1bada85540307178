"""Training jobs of the Train page (vae/ui/training_job.py): worker thread, save, stop, NaN, names."""
import pytest

from conftest import small_dataset
from vae.checkpoint import load_model, read_metrics
from vae.kinds import BetaError
from vae.ui import training_job as tj


@pytest.fixture
def data(digits):
    return small_dataset(digits, 256, 64)


def configs(data, **kw):
    base = dict(kind="vae", beta=1.0, latent_dim=2, arch="mlp", hidden="16", recon="bce", noise=0.0, epochs=2,
                lr=1e-3, batch_size=64, seed=0, dataset="digits", image_shape=data.image_shape)
    base.update(kw)
    return tj.make_configs(**base)


def test_parse_hidden():
    assert tj.parse_hidden("256 128") == [256, 128]
    assert tj.parse_hidden(" 64, 32 ") == [64, 32]
    for bad in ("", "abc", "32 -1", "1.5"):
        with pytest.raises(tj.FormError) as e:
            tj.parse_hidden(bad)
        assert e.value.code == "hidden"


@pytest.mark.parametrize("field,value,code", [("epochs", 0, "epochs"), ("lr", 0.0, "lr"), ("lr", -1.0, "lr"),
                                              ("hidden", "x", "hidden"), ("batch_size", 0, "batch_size"),
                                              ("noise", 2.0, "noise")])
def test_make_configs_refuses_bad_values(data, field, value, code):
    with pytest.raises(tj.FormError) as e:
        configs(data, **{field: value})
    assert e.value.code == code


def test_beta_rules(data):
    # the kind's rule, as in the CLI (tests/test_kinds.py checks every case against the CLI's message)
    with pytest.raises(BetaError, match="β must be"):
        configs(data, kind="beta-vae", beta=-1.0)
    with pytest.raises(BetaError, match="use kind 'beta-vae'"):
        configs(data, kind="vae", beta=7.0)  # refused, no longer silently forced to 1
    assert configs(data, kind="vae", beta=None)[0].beta == 1.0
    assert configs(data, kind="beta-vae", beta=4.0)[0].beta == 4.0
    assert configs(data, kind="beta-vae", beta=None)[0].beta == 4.0
    assert configs(data, kind="ae", beta=None)[0].kind == "ae"
    with pytest.raises(BetaError, match="no KL term"):
        configs(data, kind="ae", beta=-3.0)


def test_job_runs_to_completion_and_saves(data, tmp_path):
    m, t = configs(data)
    job = tj.start_job("tiny-vae", m, t, data, store=tmp_path)
    assert job.wait(60)
    snap = job.snapshot()
    assert snap["status"] == "done", snap["error"]
    assert snap["progress"] == 1.0 and len(snap["history"]) == 2
    assert snap["result_path"] == str(tmp_path / "tiny-vae")
    model = load_model(tmp_path / "tiny-vae")
    assert model.cfg.latent_dim == 2
    metrics = read_metrics(tmp_path / "tiny-vae")
    assert metrics["loss"] > 0 and len(metrics["history"]) == 2
    assert [p.name for p in tmp_path.iterdir()] == ["tiny-vae"]  # atomic: no temp folder left
    with pytest.raises(tj.FormError) as e:  # the name is now taken
        tj.start_job("tiny-vae", m, t, data, store=tmp_path)
    assert e.value.code == "exists"


def test_stop_request_saves_nothing(data, tmp_path):
    m, t = configs(data, epochs=5000)
    job = tj.start_job("stopped", m, t, data, store=tmp_path)
    job.stop()
    assert job.wait(60)
    snap = job.snapshot()
    assert snap["status"] == "stopped" and snap["stop_requested"]
    assert list(tmp_path.iterdir()) == []


def test_nan_training_saves_nothing(data, tmp_path):
    m, t = configs(data, lr=100.0, epochs=5)
    job = tj.start_job("exploding", m, t, data, store=tmp_path)
    assert job.wait(60)
    snap = job.snapshot()
    assert snap["status"] == "failed" and "nan" in snap["error"].lower()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "x" * 80])
def test_bad_names_are_refused(data, tmp_path, name):
    m, t = configs(data)
    with pytest.raises(tj.FormError) as e:
        tj.start_job(name, m, t, data, store=tmp_path)
    assert e.value.code == "name"
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path.parent / "x").exists()


def test_concurrency_limit(data, tmp_path):
    m, t = configs(data)
    with pytest.raises(tj.FormError) as e:
        tj.start_job("busy", m, t, data, store=tmp_path, max_concurrent=0)
    assert e.value.code == "busy"
    assert tj.get_job("nope") is None and tj.get_job(None) is None
