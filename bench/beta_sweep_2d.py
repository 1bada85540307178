"""Why does the 2-D MNIST β sweep's test reconstruction not follow β, and what does early stopping change?

Trains the 2-D AE and the β sweep (β = 0.25, 0.5, 1, 2, 4, 8) with the settings of scripts/train_pretrained.sh
(hidden 256 128, BCE, Adam 1e-3, batch 128, up to 100 epochs, one thread) for several seeds, twice: on all
4,000 training images for every epoch, and with early stopping (``TrainConfig(val_fraction=0.1,
early_stop=P)``: 400 images held out, best epoch kept). For each it reports the test reconstruction (BCE,
one sampled z, as ``vae.metrics``), the test MSE of the decoded μ, the generalisation gap (test − training
reconstruction on the images it trained on) and, for the full runs, the best test epoch (what an oracle
early stop could reach). Then Spearman ρ of test reconstruction / MSE against β, per seed and for the mean
over seeds. Weights are not rounded to float16 here, so the shipped models' figures differ by ~0.01 nats.

Usage: .venv/bin/python bench/beta_sweep_2d.py [--seeds 0 1 2] [--epochs 100] [--patience 5]
(≈ 30 s per model on one quiet core: 42 models for 3 seeds)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from scipy.stats import spearmanr  # noqa: E402

from vae.config import ModelConfig, TrainConfig  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.kinds import get_kind  # noqa: E402
from vae.metrics import evaluate_model  # noqa: E402
from vae.models import build_model  # noqa: E402
from vae.train import evaluate_terms, fit, validation_split  # noqa: E402

SWEEP = [("ae", None), ("beta-vae", 0.25), ("beta-vae", 0.5), ("vae", None), ("beta-vae", 2.0), ("beta-vae", 4.0),
         ("beta-vae", 8.0)]


def run(data, kind: str, beta, seed: int, epochs: int, patience: int) -> dict:
    """One model: test recon and MSE, gap, epochs (kept / best on test)."""
    beta = get_kind(kind).beta.resolve(kind, beta)
    cfg = ModelConfig(kind=kind, latent_dim=2, hidden=[256, 128], beta=beta, recon="bce", dataset="mnist").validate()
    tcfg = TrainConfig(epochs=epochs, seed=seed, device="cpu", val_fraction=0.1 if patience else 0.0, early_stop=patience)
    torch.manual_seed(seed)
    model = build_model(cfg)
    result = fit(model, data, tcfg)
    train_idx, _ = validation_split(len(data.x_train), tcfg.val_fraction, seed)
    metrics = evaluate_model(model.eval(), data)
    best_test = min(result.history, key=lambda r: r["test_recon"])
    return {"beta": beta if kind != "ae" else 0.0, "test_recon": metrics["recon"], "test_mse": metrics["mse"],
            "gap": metrics["recon"] - evaluate_terms(model, data.x_train[train_idx])["recon"],
            "epochs": result.best_epoch or len(result.history), "oracle_test_recon": best_test["test_recon"],
            "oracle_epoch": best_test["epoch"]}


def summary(rows: dict, seeds: list[int]) -> dict:
    """Per β mean ± sd over seeds, and Spearman ρ against β (the AE left out) per seed and of the means."""
    out = {"per_beta": {}, "rho": {}}
    for key in ("test_recon", "test_mse", "gap", "oracle_test_recon"):
        per = {name: [rows[(name, s)][key] for s in seeds] for name in dict.fromkeys(n for n, _ in rows)}
        out["per_beta"][key] = {n: [float(np.mean(v)), float(np.std(v, ddof=1)) if len(v) > 1 else 0.0] for n, v in per.items()}
        names = [n for n in per if n != "ae"]
        betas = [rows[(n, seeds[0])]["beta"] for n in names]
        out["rho"][key] = {"per_seed": [float(spearmanr(betas, [per[n][i] for n in names]).statistic) for i in range(len(seeds))],
                           "of_mean": float(spearmanr(betas, [np.mean(per[n]) for n in names]).statistic)}
    return out


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=100)
    ap.add_argument("--patience", type=int, default=5)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_dataset("mnist")
    result = {}
    for variant, patience in (("full", 0), (f"early_stop_{args.patience}", args.patience)):
        rows = {}
        for seed in args.seeds:
            for kind, beta in SWEEP:
                name = "ae" if kind == "ae" else f"beta={get_kind(kind).beta.resolve(kind, beta):g}"
                rows[(name, seed)] = r = run(data, kind, beta, seed, args.epochs, patience)
                print(f"{variant:>13} seed {seed} {name:>10}: test recon {r['test_recon']:.2f}, mse {r['test_mse']:.5f}, "
                      f"gap {r['gap']:.1f}, epochs {r['epochs']} (best test {r['oracle_test_recon']:.2f} "
                      f"at {r['oracle_epoch']})", flush=True)
        result[variant] = s = summary(rows, args.seeds)
        for key, rho in s["rho"].items():
            print(f"{variant}: Spearman {key} vs β per seed {np.round(rho['per_seed'], 2).tolist()}, of the mean "
                  f"{rho['of_mean']:.2f}")
    line = {"bench": "beta_sweep_2d", "seeds": args.seeds, "epochs": args.epochs, "patience": args.patience, **result}
    print(json.dumps(line))
    return line


if __name__ == "__main__":
    main()
