"""vae/sweeps.py: the rest of a β sweep shipped as numbers only (scripts/train_sweep_reports.py)."""
from __future__ import annotations

import json
import math
import warnings

import pytest

from vae import sweeps
from vae.checkpoint import PRETRAINED_DIR, list_models, read_metrics
from vae.report import model_report
from vae.seeds import same_recipe, seed_argv
from vae.ui import compare_view as cv


def _shipped():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list_models(include_user=False)


def test_a_member_is_named_after_its_base_and_beta():
    assert sweeps.member_name("fashion-mnist-betavae4-2d", 0.5) == "fashion-mnist-betavae0.5-2d"
    assert sweeps.member_name("fashion-mnist-betavae4-16d", 8.0) == "fashion-mnist-betavae8-16d"
    with pytest.raises(ValueError, match="not a β-VAE"):
        sweeps.member_name("fashion-mnist-vae-2d", 2)


def test_the_recipe_of_a_member_is_its_base_with_another_beta():
    argv = seed_argv("python -m vae train --kind beta-vae --beta 4 --latent-dim 2 --seed 0", 0, "o", beta=0.25)
    assert argv == ["train", "--kind", "beta-vae", "--beta", "0.25", "--latent-dim", "2", "--seed", "0", "--out", "o"]


def test_a_stored_member_joins_the_sweep_of_its_size_and_reports_its_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr(sweeps, "SWEEPS_DIR", tmp_path / "_sweeps")
    trained = tmp_path / "trained"
    trained.mkdir()
    base = PRETRAINED_DIR / "fashion-mnist-betavae4-2d"
    config = json.loads((base / "config.json").read_text())
    config["beta"] = 3.0
    (trained / "config.json").write_text(json.dumps(config))
    metrics = read_metrics(base)
    (trained / "metrics.json").write_text(json.dumps({**metrics, "command": metrics["command"].replace(
        "--out pretrained/fashion-mnist-betavae4-2d", "--out /tmp/x/fashion-mnist-betavae3-2d")}))
    report = {"kl": 5.5, "recon": 251.0, "mse": 0.025}
    path = sweeps.write_sweep_member("fashion-mnist-betavae3-2d", trained, report)
    assert "--out pretrained/_sweeps/fashion-mnist-betavae3-2d" in json.loads((path / "metrics.json").read_text())["command"]
    members = sweeps.sweep_members()
    assert [m.id for m in members] == ["report/fashion-mnist-betavae3-2d"] and members[0].beta == 3.0
    assert model_report(path) == report                       # the stored numbers, no weights needed
    sweep = cv.sweep_models(_shipped(), "fashion-mnist", 2)
    assert 3.0 in [m.beta for m in sweep]
    assert not [m for m in cv.sweep_models(_shipped(), "fashion-mnist", 16) if m.beta == 3.0]   # its own size only
    # a broken member is left out, never the others
    (path / "config.json").write_text("{")
    assert sweeps.sweep_members() == []


def test_a_shipped_model_wins_over_a_member_of_the_same_beta():
    member = sweeps.sweep_members()[0] if sweeps.sweep_members() else None
    if member is None:
        pytest.skip("no sweep member shipped")
    twin = type(member)(**{**member.to_dict(), "id": "pretrained/twin", "source": "pretrained"})
    assert cv.one_per_beta([member, twin]) == [twin]


@pytest.mark.parametrize("d", [2, 16])
def test_the_shipped_fashion_sweep_has_five_betas_from_one_recipe(d):
    """β = 0.25, 0.5, 2, 8 as numbers beside the shipped VAE (β = 1) and β-VAE (β = 4): each member trained by the
    β-VAE's recorded command with only β changed, its report complete and finite, and the KL falling with β."""
    sweep = cv.sweep_models(_shipped(), "fashion-mnist", d)
    assert [m.beta for m in sweep] == [0.25, 0.5, 1.0, 2.0, 4.0, 8.0]
    assert [m.source for m in sweep] == ["report", "report", "pretrained", "report", "pretrained", "report"]
    base = read_metrics(PRETRAINED_DIR / f"fashion-mnist-betavae4-{d}d")["command"]
    for m in sweep:
        if m.source == "report":
            command = read_metrics(m.path)["command"]
            assert same_recipe(command, base.replace("--beta 4", f"--beta {m.beta:g}")), command
            r = model_report(m.path)
            assert all(math.isfinite(r[k]) for k in ("kl", "recon", "mse", "loss")), m.id
    reports = {m.id: model_report(m.path) for m in sweep}
    kl = {c.metric: c for c in cv.sweep_claims(sweep, reports)}["kl"]
    assert kl.holds, [reports[m.id]["kl"] for m in sweep]
