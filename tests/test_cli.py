"""The command line: train → folder, evaluate --json, list --json, and one-line errors."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vae.__main__ import main
from vae.checkpoint import CONFIG, METRICS, WEIGHTS, load_model

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--dataset", "digits", "--hidden", "16", "--epochs", "1", "--batch-size", "256"]
EVAL_KEYS = ("kind", "beta", "latent_dim", "dataset", "recon", "kl", "loss", "n_test")


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_one_line_error(err: str, *fragments: str):
    assert "Traceback" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: "), err
    for f in fragments:
        assert f in last, (f, last)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One tiny VAE and one tiny AE trained through the CLI, shared by the tests of this module."""
    root = tmp_path_factory.mktemp("cli-models")
    folders = {}
    for kind, extra in (("vae", ["--latent-dim", "3"]), ("ae", ["--recon", "mse"])):
        out = root / f"tiny-{kind}"
        assert main(["train", "--kind", kind, *TINY, *extra, "--out", str(out)]) == 0
        folders[kind] = out
    return folders


def test_train_writes_a_model_folder(trained, capsys):
    folder = trained["vae"]
    assert {p.name for p in folder.iterdir()} >= {CONFIG, METRICS, WEIGHTS}
    cfg = json.loads((folder / CONFIG).read_text())
    assert cfg["kind"] == "vae" and cfg["latent_dim"] == 3 and cfg["dataset"] == "digits"
    assert cfg["image_shape"] == [8, 8] and cfg["hidden"] == [16]
    assert cfg["train"]["epochs"] == 1 and cfg["train"]["batch_size"] == 256
    metrics = json.loads((folder / METRICS).read_text())
    assert len(metrics["history"]) == 1 and metrics["command"].startswith("python -m vae train --kind vae")
    assert load_model(folder).cfg.latent_dim == 3
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("kind", ["vae", "ae"])
def test_evaluate_json_matches_metrics_json(trained, capsys, kind):
    code, out, err = _run(capsys, "evaluate", str(trained[kind]), "--json")
    assert code == 0, err
    got = json.loads(out)
    for k in EVAL_KEYS:
        assert k in got, k
    stored = json.loads((trained[kind] / METRICS).read_text())
    assert got["kind"] == kind and got["latent_dim"] == stored["latent_dim"] and got["dataset"] == "digits"
    assert got["n_test"] == 300
    for k in ("recon", "loss", "mse"):
        assert got[k] == pytest.approx(stored[k], rel=1e-6), k
    if kind == "ae":
        assert got["kl"] is None and got["beta"] is None and got["loss"] == got["recon"]
    else:
        assert got["kl"] == pytest.approx(stored["kl"], rel=1e-6) and got["kl"] > 0
        assert got["beta"] == 1.0
        assert got["loss"] == pytest.approx(got["recon"] + got["kl"], rel=1e-9)


def test_evaluate_ships_the_report_beside_the_weights_and_the_app_only_caches(trained, capsys, tmp_path, monkeypatch):
    """``vae evaluate`` (what ``make pretrained`` runs) writes report.json into the model folder; the app's
    ``model_report`` keeps a new report in the cache folder and never writes a model folder."""
    import shutil

    from vae.report import REPORT_FILE, model_report

    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "m"
    shutil.copytree(trained["ae"], folder, ignore=shutil.ignore_patterns(REPORT_FILE))
    model_report(folder)
    assert not (folder / REPORT_FILE).exists() and list((tmp_path / "cache" / "reports").glob("*.json"))
    code, _, err = _run(capsys, "evaluate", str(folder), "--no-cache")
    assert code == 0, err
    assert json.loads((folder / REPORT_FILE).read_text())["report"]["kind"] == "ae"


def test_evaluate_plain_text(trained, capsys):
    code, out, _ = _run(capsys, "evaluate", str(trained["vae"]))
    assert code == 0 and "recon" in out and "loss" in out


def test_list_json_includes_user_models(trained, capsys, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(trained["vae"].parent))
    code, out, _ = _run(capsys, "list", "--json")
    assert code == 0
    models = {m["id"]: m for m in json.loads(out)}
    vae = models["user/tiny-vae"]
    assert vae["kind"] == "vae" and vae["beta"] == 1.0 and vae["latent_dim"] == 3 and vae["dataset"] == "digits"
    assert models["user/tiny-ae"]["beta"] is None
    assert vae["path"] == str(trained["vae"])
    assert all(m["source"] == "pretrained" for i, m in models.items() if not i.startswith("user/"))
    code, out, _ = _run(capsys, "list")
    assert code == 0 and "user/tiny-vae" in out and "user/tiny-ae" in out


@pytest.mark.parametrize("args, fragment", [
    (["--kind", "vae", "--epochs", "0"], "epochs"),
    (["--kind", "beta-vae", "--beta", "-1"], "beta"),
    (["--kind", "ae", "--beta", "2"], "beta"),
    (["--kind", "vae", "--beta", "4"], "beta-vae"),
    (["--kind", "vae", "--dataset", "imagenet"], "unknown dataset 'imagenet'"),
    (["--kind", "vae", "--dataset", "npz:/nonexistent/file.npz"], "no such file"),
    (["--kind", "vae", "--latent-dim", "1000000000"], "latent_dim"),
    (["--kind", "vae", "--lr", "0"], "lr"),
    (["--kind", "vae", "--lr", "1e6"], "lr"),
    (["--kind", "vae", "--hidden", "4096", "4096", "4096", "4096", "4096", "4096", "4096", "4096",
      "--latent-dim", "512"], "parameters"),
])
def test_train_bad_input_is_one_line_error(capsys, tmp_path, args, fragment):
    out_dir = tmp_path / "never"
    base = {"--dataset": "digits", "--hidden": "16", "--epochs": "1"}
    argv = ["train", *args]
    for k, v in base.items():
        if k not in args:
            argv += [k, v]
    code, out, err = _run(capsys, *argv, "--out", str(out_dir))
    assert code != 0
    _assert_one_line_error(err, fragment)
    assert not out_dir.exists()
    assert not list(tmp_path.iterdir())


def test_fashion_mnist_missing_is_one_sentence_on_how_to_install_it(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = _run(capsys, "train", "--kind", "vae", "--dataset", "fashion-mnist", "--epochs", "1",
                          "--out", str(tmp_path / "never"))
    assert code == 2
    _assert_one_line_error(err, "apt-get install dataset-fashion-mnist", "VAE_FASHION_MNIST_DIR")
    assert not (tmp_path / "never").exists()


def test_train_refuses_existing_folder_and_pretrained(trained, capsys):
    code, _, err = _run(capsys, "train", "--kind", "vae", *TINY, "--out", str(trained["vae"]))
    assert code != 0
    _assert_one_line_error(err, "already exists")
    from vae.checkpoint import PRETRAINED_DIR

    target = PRETRAINED_DIR / "cli-test-should-not-exist"
    code, _, err = _run(capsys, "train", "--kind", "vae", *TINY, "--out", str(target))
    assert code != 0
    _assert_one_line_error(err, "pretrained")
    assert "epoch" not in err  # refused before any training
    assert not target.exists()


def test_nan_training_exits_1_and_saves_nothing(capsys, tmp_path):
    out_dir = tmp_path / "nan"
    code, _, err = _run(capsys, "train", "--kind", "vae", "--dataset", "digits", "--hidden", "16", "--epochs", "3",
                        "--lr", "1000", "--out", str(out_dir))
    assert code == 1
    _assert_one_line_error(err, "nan", "nothing was saved")
    assert not out_dir.exists() and not list(tmp_path.iterdir())


def test_evaluate_corrupt_folder(trained, capsys, tmp_path):
    import shutil

    bad = tmp_path / "bad"
    shutil.copytree(trained["vae"], bad)
    (bad / WEIGHTS).write_bytes(b"\x80\x04garbage" * 10)
    code, out, err = _run(capsys, "evaluate", str(bad), "--json")
    assert code != 0 and out == ""
    _assert_one_line_error(err, "model.safetensors")
    code, _, err = _run(capsys, "evaluate", str(tmp_path / "missing"))
    assert code != 0
    _assert_one_line_error(err, "no model folder")
    (bad / WEIGHTS).unlink()
    code, _, err = _run(capsys, "evaluate", str(bad))
    assert code != 0
    _assert_one_line_error(err, "missing model.safetensors")


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", "--kind", "gan", "--out", "x"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "error:" in err.strip().splitlines()[-1]
    with pytest.raises(SystemExit):
        main([])


def _env(tmp_path):
    env = dict(os.environ)
    env.update({"OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), "VAE_MODEL_STORE": str(tmp_path / "store")})
    return env


def test_subprocess_train_and_evaluate(tmp_path):
    """The real entry point, ``python -m vae``, in a fresh interpreter."""
    out = tmp_path / "store" / "sub-ae"
    env = _env(tmp_path)
    r = subprocess.run([sys.executable, "-m", "vae", "train", "--kind", "ae", *TINY, "--out", str(out)],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "saved" in r.stdout and (out / WEIGHTS).is_file()
    r = subprocess.run([sys.executable, "-m", "vae", "evaluate", str(out), "--json"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    stored = json.loads((out / METRICS).read_text())
    assert got["kind"] == "ae" and got["kl"] is None
    assert got["loss"] == pytest.approx(stored["loss"], rel=1e-6)
    r = subprocess.run([sys.executable, "-m", "vae", "list", "--json"],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0 and "user/sub-ae" in {m["id"] for m in json.loads(r.stdout)}


def test_subprocess_error_has_no_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "vae", "train", "--kind", "vae", "--dataset", "digits",
                        "--epochs", "0", "--out", str(tmp_path / "x")],
                       cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert r.returncode != 0
    assert r.stdout == ""
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]  # exactly one line
    assert r.stderr.startswith("error: ") and "epochs" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "x").exists()


def test_progress_bars_move_within_an_epoch(digits):
    """On 60,000 images an epoch takes seconds: the CLI's bars count fractional epochs, batch by batch."""
    import io

    from tqdm import tqdm

    from conftest import small_dataset
    from vae.__main__ import advance_to
    from vae.classifier import train_classifier

    bar = tqdm(total=3, file=io.StringIO())
    advance_to(bar, 0.25)
    assert bar.n == 0.25
    advance_to(bar, 0.2)  # never backwards
    assert bar.n == 0.25
    advance_to(bar, 1)
    assert bar.n == 1
    seen = []
    train_classifier(small_dataset(digits, n_train=256), epochs=2, batch_size=64, progress=lambda d, n: seen.append(d))
    assert seen == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]  # 4 batches an epoch, each one reported
