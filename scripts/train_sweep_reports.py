"""Train the rest of a β sweep beside a shipped model and keep only the numbers (vae.sweeps).

A full β sweep of Fashion-MNIST (β = 0.25, 0.5, 2, 8 beside the shipped VAE, β = 1, and β-VAE, β = 4) at d = 2 and
d = 16 would add about 9 MB of weights to ``pretrained/``, past its 40 MB budget. Compare's β slide and the claims
table only need each model's report and training history, a few kB. So each sibling is trained by the shipped
β-VAE's own recorded command (``metrics.json`` "command") with ``--beta B``, scored by ``vae.report.compute_report``
exactly like a shipped model, and stored as ``pretrained/_sweeps/<name>/`` = config.json, metrics.json and
report.json, without weights (``vae.sweeps.write_sweep_member``).

Usage: python scripts/train_sweep_reports.py [--base fashion-mnist-betavae4-2d ...] [--betas 0.25 0.5 2 8]
(on one core, 3 to 6 min per Fashion-MNIST model: 60,000 images with early stopping)
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
from vae.seeds import seed_argv  # noqa: E402
from vae.sweeps import SWEEP_BASES, member_name, write_sweep_member  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Train, score and store each (base, β) sibling; 1 when a base has no recorded command or a training fails."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", nargs="*", help="shipped β-VAE names (default: the Fashion-MNIST β-VAEs)")
    ap.add_argument("--betas", type=float, nargs="+", default=[0.25, 0.5, 2, 8])
    ap.add_argument("--skip-existing", action="store_true", help="keep members already stored")
    args = ap.parse_args(argv)
    for base in args.base or SWEEP_BASES:
        metrics = read_metrics(PRETRAINED_DIR / base)
        command = metrics.get("command")
        if not command:
            print(f"{base}: no recorded command", file=sys.stderr)
            return 1
        for beta in args.betas:
            name = member_name(base, beta)
            if args.skip_existing and (PRETRAINED_DIR / "_sweeps" / name / "report.json").is_file():
                print(f"{name}: kept", flush=True)
                continue
            t0 = time.perf_counter()
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / name
                if cli(seed_argv(command, 0, out, beta=beta)) != 0:
                    return 1
                report = compute_report(out)
                path = write_sweep_member(name, out, report)
            print(f"{name}: kl {report['kl']:.2f} recon {report['recon']:.2f} in {time.perf_counter() - t0:.0f} s → {path}",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
