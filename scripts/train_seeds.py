"""Retrain shipped lecture models under other seeds and keep only their reports (vae.seeds).

Each shipped model's own recorded command (``metrics.json`` "command") is rerun through the CLI with
``--seed S`` into a temporary folder; ``vae.report.compute_report`` scores it exactly like a shipped model;
the reports go to ``pretrained/_seeds/<model>/seeds.json`` and the weights are thrown away. The shipped
model is seed 0. Compare shows the spread over the seeds, and the lecture-claim tests check every seed.

Usage: python scripts/train_seeds.py [--only NAME ...] [--seeds 1 2]
(on one core: ≈ 30 s per MNIST 2-D model, 20 s per MNIST 16-D model and 5 s per report; 3 to 6 min per
Fashion-MNIST model, 60,000 images with early stopping)
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vae.__main__ import main as cli  # noqa: E402
from vae.checkpoint import PRETRAINED_DIR, read_metrics  # noqa: E402
from vae.report import compute_report  # noqa: E402
from vae.seeds import LECTURE_MODELS, seed_argv, write_seed_reports  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="shipped model names (default: the lecture models)")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = ap.parse_args(argv)
    for name in args.only or LECTURE_MODELS:
        command = read_metrics(PRETRAINED_DIR / name).get("command")
        if not command:
            print(f"{name}: no recorded command, skipped", file=sys.stderr)
            return 1
        reports = {}
        for seed in args.seeds:
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / name
                if cli(seed_argv(command, seed, out)) != 0:
                    return 1
                reports[seed] = compute_report(out)
            print(f"{name} seed {seed}: recon {reports[seed]['recon']:.2f} in {time.perf_counter() - t0:.0f} s", flush=True)
        print(f"{name}: {write_seed_reports(name, command, reports)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
