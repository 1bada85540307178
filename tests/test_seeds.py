"""vae.seeds: the shipped models' reports over more training seeds (scripts/train_seeds.py), and that the page only
ever uses seeds computed from the model's current command."""
from __future__ import annotations

import json

import pytest

from vae import seeds
from vae.checkpoint import METRICS, PRETRAINED_DIR, read_metrics
from vae.regularity import REPORT_KEYS

from conftest import SHIPPED_VAE_COMMAND as CMD
from conftest import require_shipped



def test_seed_argv_reruns_the_recorded_command_with_another_seed_and_folder():
    argv = seeds.seed_argv(CMD, 2, "/tmp/x")
    assert argv == ["train", "--kind", "vae", "--latent-dim", "2", "--epochs", "100", "--seed", "2", "--force",
                    "--out", "/tmp/x"]
    assert seeds.seed_argv("python -m vae train --kind ae", 1, "o")[-4:] == ["--seed", "1", "--out", "o"]
    with pytest.raises(ValueError, match="not a training command"):
        seeds.seed_argv("python -m vae evaluate pretrained/x", 1, "o")


def test_same_recipe_ignores_order_out_and_force_only():
    reordered = "python -m vae train --epochs 100 --latent-dim 2 --out elsewhere --kind vae --seed 0"
    assert seeds.same_recipe(CMD, reordered)
    assert not seeds.same_recipe(CMD, CMD.replace("--epochs 100", "--epochs 50"))
    assert not seeds.same_recipe(CMD, CMD.replace("--seed 0", "--seed 1"))
    assert not seeds.same_recipe(CMD, CMD + " --early-stop 5")
    assert not seeds.same_recipe(CMD, "python -m vae train --kind nonsense") and not seeds.same_recipe(CMD, None)


def test_reports_over_seeds_only_for_the_current_command(fake_pretrained):
    own = {"recon": 150.0}
    assert seeds.reports_over_seeds(fake_pretrained / "m", own) == [own]  # no seeds yet
    seeds.write_seed_reports("m", CMD, {2: {"recon": 152.0}, 1: {"recon": 151.0}})
    assert seeds.stored_seed_reports("m") == (CMD, {1: {"recon": 151.0}, 2: {"recon": 152.0}})
    assert seeds.reports_over_seeds(fake_pretrained / "m", own) == [own, {"recon": 151.0}, {"recon": 152.0}]
    (fake_pretrained / "m" / METRICS).write_text(json.dumps({"command": CMD.replace("100", "50")}))  # retrained
    assert seeds.reports_over_seeds(fake_pretrained / "m", own) == [own]
    assert seeds.reports_over_seeds(fake_pretrained.parent / "elsewhere" / "m", own) == [own]  # a user model


def test_a_broken_seeds_file_is_ignored(fake_pretrained):
    path = fake_pretrained / "_seeds" / "m" / seeds.SEEDS_FILE
    path.parent.mkdir(parents=True)
    for text in ("not json", "[]", json.dumps({"command": CMD, "reports": {"x": {}}})):
        path.write_text(text)
        assert seeds.stored_seed_reports("m") == (None, {})
        assert seeds.reports_over_seeds(fake_pretrained / "m", {"recon": 1.0}) == [{"recon": 1.0}]


@pytest.mark.parametrize("name", seeds.LECTURE_MODELS)
def test_every_lecture_model_ships_two_more_seeds_of_its_current_command(name):
    require_shipped(name)  # a failure under CI
    command, reports = seeds.stored_seed_reports(name)
    assert seeds.same_recipe(command, read_metrics(PRETRAINED_DIR / name)["command"]), "stale: rerun scripts/train_seeds.py"
    assert sorted(reports) == [1, 2]
    for report in reports.values():
        assert set(REPORT_KEYS) <= set(report) and report["latent_dim"] == read_metrics(PRETRAINED_DIR / name)["latent_dim"]
