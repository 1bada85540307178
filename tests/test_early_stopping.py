"""Early stopping on a validation split carved from the training split (TrainConfig.val_fraction, early_stop;
the CLI's --early-stop / --val-fraction): the split, the stopping rule, and that the best epoch's weights are kept."""
from __future__ import annotations

import json

import pytest
import torch

from vae.__main__ import main
from vae.checkpoint import CONFIG, METRICS
from vae.config import TrainConfig
from vae.errors import ConfigError
from vae.train import evaluate_terms, fit, validation_split

from conftest import small_dataset


def test_validation_split_is_a_seeded_partition():
    train, val = validation_split(100, 0.1, seed=3)
    assert len(val) == 10 and len(train) == 90
    assert sorted(torch.cat([train, val]).tolist()) == list(range(100))
    again = validation_split(100, 0.1, seed=3)
    assert torch.equal(again[0], train) and torch.equal(again[1], val)
    assert not torch.equal(validation_split(100, 0.1, seed=4)[1], val)
    all_train, none = validation_split(100, 0.0, seed=3)
    assert torch.equal(all_train, torch.arange(100)) and len(none) == 0  # no split: the training order is unchanged
    assert len(validation_split(5, 0.01, seed=0)[1]) == 1  # at least one image is held out


@pytest.mark.parametrize("kw, fragment", [
    ({"early_stop": 5}, "early_stop needs a validation split"),
    ({"early_stop": -1, "val_fraction": 0.1}, "early_stop must be"),
    ({"early_stop": 1.5, "val_fraction": 0.1}, "early_stop must be"),
    ({"val_fraction": 0.8}, "val_fraction must be"),
    ({"val_fraction": float("nan")}, "val_fraction must be"),
])
def test_train_config_refuses_bad_early_stopping(kw, fragment):
    with pytest.raises(ConfigError, match=fragment):
        TrainConfig(**kw).validate()


def test_early_stopping_stops_after_patience_and_keeps_the_best_epoch(digits, make_model):
    """64 training images and a large learning rate overfit within a few epochs: the validation loss turns up."""
    data = small_dataset(digits, 64, 64)
    model = make_model(seed=0)
    cfg = TrainConfig(epochs=300, lr=1e-2, batch_size=16, seed=0, device="cpu", val_fraction=0.25, early_stop=4)
    result = fit(model, data, cfg)
    vals = [r["val_total"] for r in result.history]
    best = min(range(len(vals)), key=vals.__getitem__) + 1
    assert result.completed and result.best_epoch == best
    assert len(result.history) == best + 4 < 300  # stopped exactly `patience` epochs after the best one
    assert all(v >= vals[best - 1] for v in vals[best:])
    # the weights kept are the best epoch's: the validation images score exactly that epoch's figure again
    _, val_idx = validation_split(64, 0.25, seed=0)
    x_val = data.x_train.reshape(64, -1)[val_idx]
    assert evaluate_terms(model, x_val)["total"] == pytest.approx(vals[best - 1], rel=1e-9)
    assert evaluate_terms(model, data.x_test)["total"] == pytest.approx(result.history[best - 1]["test_total"], rel=1e-9)


def test_without_a_validation_split_nothing_changes(digits, make_model):
    data = small_dataset(digits, 64, 32)
    cfg = TrainConfig(epochs=2, batch_size=16, seed=0, device="cpu")
    plain = fit(make_model(seed=0), data, cfg)
    assert plain.best_epoch is None and "val_total" not in plain.history[-1]
    recorded = fit(make_model(seed=0), data, TrainConfig(epochs=2, batch_size=16, seed=0, device="cpu", val_fraction=0.25))
    assert recorded.best_epoch is None and len(recorded.history) == 2  # a split alone records, never stops
    assert recorded.history[-1]["val_total"] > 0


def test_cli_early_stop_flag(tmp_path, capsys):
    out = tmp_path / "es"
    argv = ["train", "--kind", "vae", "--dataset", "digits", "--hidden", "16", "--epochs", "40", "--lr", "0.05",
            "--batch-size", "32", "--early-stop", "2", "--out", str(out)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    cfg = json.loads((out / CONFIG).read_text())["train"]
    assert cfg["early_stop"] == 2 and cfg["val_fraction"] == 0.1  # --val-fraction defaults to 0.1 with --early-stop
    metrics = json.loads((out / METRICS).read_text())
    assert metrics["best_epoch"] == min(metrics["history"], key=lambda r: r["val_total"])["epoch"]
    assert f"early stopping kept epoch {metrics['best_epoch']} of {len(metrics['history'])}" in printed
    assert main(["train", "--kind", "vae", "--dataset", "digits", "--early-stop", "2", "--val-fraction", "0",
                 "--out", str(tmp_path / "refused")]) != 0
    err = capsys.readouterr().err
    assert "early_stop needs a validation split" in err and "Traceback" not in err
    assert not (tmp_path / "refused").exists()
