"""Is "β-VAE is more disentangled than the VAE on sprites" robust to the training seed?

Trains the sprites VAE (β = 1) and β-VAE (β = 6), latent 10, hidden 256 128, with the settings of
scripts/train_pretrained.sh (40 epochs, Adam lr 1e-3, batch 128, BCE) for seeds 0, 1, 2, one
thread, and scores each with MIG (Chen et al. 2018) on the test split and the β-VAE metric
(Higgins et al. 2017) from ``vae.regularity``. Prints a table, the means, and a last JSON line.

Usage: .venv/bin/python bench/mig_seeds.py [--seeds 0 1 2] [--epochs 40]   (≈ 1–2 min per model on one core)
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vae import regularity as R  # noqa: E402
from vae.config import ModelConfig, TrainConfig  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.latent import encode  # noqa: E402
from vae.models import build_model  # noqa: E402
from vae.train import fit  # noqa: E402

MODELS = {"vae": ("vae", 1.0), "beta-vae6": ("beta-vae", 6.0)}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=40)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_dataset("sprites")
    rows = []
    print(f"{'model':<10} {'seed':>4} {'MIG':>6} {'β-VAE score':>11} {'test recon':>10} {'test KL':>8} {'active':>6} {'time':>6}",
          flush=True)
    for seed in args.seeds:
        for label, (kind, beta) in MODELS.items():
            torch.manual_seed(seed)
            model = build_model(ModelConfig(kind=kind, beta=beta, latent_dim=10, image_shape=(32, 32), hidden=[256, 128],
                                            recon="bce", dataset="sprites"))
            t0 = time.perf_counter()
            res = fit(model, data, TrainConfig(epochs=args.epochs, lr=1e-3, batch_size=128, seed=seed, device="cpu"))
            model.eval()
            mu, _ = encode(model, data.x_test)
            row = {
                "model": label, "seed": seed,
                "mig": R.mig(mu, data.factors_test),
                "beta_vae_score": R.beta_vae_score(model, data, seed=0),
                "test_recon": res.history[-1]["test_recon"], "test_kl": res.history[-1]["test_kl"],
                "active_units": R.active_units(model, data.x_test),
                "seconds": time.perf_counter() - t0,
            }
            rows.append(row)
            print(f"{label:<10} {seed:>4} {row['mig']:>6.3f} {row['beta_vae_score']:>11.3f} {row['test_recon']:>10.1f} "
                  f"{row['test_kl']:>8.2f} {row['active_units']:>6} {row['seconds']:>5.0f}s", flush=True)
    means = {}
    for label in MODELS:
        sel = [r for r in rows if r["model"] == label]
        means[label] = {k: float(np.mean([r[k] for r in sel])) for k in ("mig", "beta_vae_score", "test_recon", "test_kl")}
        means[label]["mig_std"] = float(np.std([r["mig"] for r in sel]))
        m = means[label]
        print(f"mean {label:<10} MIG {m['mig']:.3f} ± {m['mig_std']:.3f}  β-VAE score {m['beta_vae_score']:.3f}  "
              f"test recon {m['test_recon']:.1f}  test KL {m['test_kl']:.2f}")
    wins = sum(r6["mig"] > r1["mig"] for r1, r6 in zip(rows[0::2], rows[1::2]))
    out = {"rows": rows, "means": means, "beta_vae_mig_higher_in_seeds": int(wins), "n_seeds": len(args.seeds)}
    print(json.dumps(out))
    return out


if __name__ == "__main__":
    main()
