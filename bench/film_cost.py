"""What recording the training film costs: the same training with and without snapshots, in one run.

    OMP_NUM_THREADS=1 .venv/bin/python bench/film_cost.py [--reps 2] [--configs ae-2d,vae-2d,betavae4-2d,vae-16d]

Each configuration is a shipped model's (``scripts/train_pretrained.sh``: MNIST, 256-128 MLP, BCE, Adam 1e-3,
batch 128, seed 0; latent 2 with early stopping, latent 16 for 40 epochs). It is trained ``--reps`` times with
the film (``vae.film.FilmRecorder``: 30 snapshots of 1,000 test codes, 4 prior samples and the losses) and as
many times without, interleaved (with, without, without, with, ...) so the machine's load drifts equally on
both. Two clocks around ``vae.train.fit`` (snapshots included, evaluation and saving not): the process's CPU
time (one thread: what the training itself costs, barely moved by the other processes of a shared machine)
and wall time (``FitResult.seconds``, noisy under load). Every pair's final weights are compared: they must be
bit-identical. The snapshots' own time is also summed (CPU time inside ``FilmRecorder.take``): the direct
cost, 1 + snapshots / training without, which the machine's noise between two trainings (often larger than
the cost itself) does not blur. Prints one line per run, the ratios (median with / median without) per
configuration and overall, and ends with one JSON line. Target: ratio ≤ 1.05.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae.config import ModelConfig, TrainConfig  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.film import FilmRecorder  # noqa: E402
from vae.kinds import get_kind  # noqa: E402
from vae.models import build_model  # noqa: E402
from vae.train import fit  # noqa: E402

CONFIGS = {  # name: (kind, beta, latent_dim, epochs, early_stop)
    "ae-2d": ("ae", None, 2, 100, 5),
    "vae-2d": ("vae", 1.0, 2, 100, 5),
    "betavae4-2d": ("beta-vae", 4.0, 2, 100, 5),
    "vae-16d": ("vae", 1.0, 16, 40, 0),
}


class TimedRecorder(FilmRecorder):
    """A FilmRecorder that adds up the CPU time of its snapshots."""

    cpu = 0.0

    def take(self, model, global_step):
        t0 = time.process_time()
        try:
            return super().take(model, global_step)
        finally:
            self.cpu += time.process_time() - t0


def train_once(name: str, data, with_film: bool) -> tuple[float, float, int, float, dict]:
    """CPU seconds and wall seconds of fit, the number of snapshots, their CPU seconds, and the final weights of
    one training of configuration ``name``."""
    kind, beta, dim, epochs, early = CONFIGS[name]
    mcfg = ModelConfig(kind=kind, latent_dim=dim, image_shape=data.image_shape, hidden=[256, 128],
                       beta=get_kind(kind).beta.resolve(kind, beta), dataset="mnist").validate()
    tcfg = TrainConfig(epochs=epochs, lr=1e-3, batch_size=128, seed=0, device="cpu",
                       val_fraction=0.1 if early else 0.0, early_stop=early).validate()
    torch.manual_seed(0)
    model = build_model(mcfg)
    film = TimedRecorder(data.x_test, data.y_test) if with_film else None
    cpu = time.process_time()
    result = fit(model, data, tcfg, film=film)
    cpu = time.process_time() - cpu
    return (cpu, result.seconds, len(film.events) if film else 0, film.cpu if film else 0.0,
            {k: v.clone() for k, v in model.state_dict().items()})


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--configs", default=",".join(CONFIGS))
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    data = load_dataset("mnist")
    out = {"reps": args.reps, "threads": torch.get_num_threads(), "configs": {}}
    totals = {("cpu", True): 0.0, ("cpu", False): 0.0, ("wall", True): 0.0, ("wall", False): 0.0}
    for name in args.configs.split(","):
        times = {(c, f): [] for c in ("cpu", "wall") for f in (True, False)}
        snaps, identical, snap_cpu = 0, True, []
        for r in range(args.reps):
            order = (True, False) if r % 2 == 0 else (False, True)
            weights = {}
            for with_film in order:
                cpu, wall, n, taken, weights[with_film] = train_once(name, data, with_film)
                if with_film:
                    snap_cpu.append(taken)
                times["cpu", with_film].append(cpu)
                times["wall", with_film].append(wall)
                snaps = max(snaps, n)
                print(f"{name} rep {r + 1} {'with' if with_film else 'without'} film: CPU {cpu:.2f} s, wall {wall:.2f} s "
                      f"({n} snapshots" + (f", {taken:.2f} s CPU in them)" if with_film else ")"), flush=True)
            identical &= all(torch.equal(weights[True][k], weights[False][k]) for k in weights[True])
        entry = {"snapshots": snaps, "identical_weights": identical, "snapshots_cpu_s": round(statistics.median(snap_cpu), 3)}
        for clock in ("cpu", "wall"):
            w, wo = statistics.median(times[clock, True]), statistics.median(times[clock, False])
            entry.update({f"{clock}_with_s": round(w, 2), f"{clock}_without_s": round(wo, 2), f"{clock}_ratio": round(w / wo, 4)})
            totals[clock, True] += sum(times[clock, True])
            totals[clock, False] += sum(times[clock, False])
        entry["direct_ratio"] = round(1 + entry["snapshots_cpu_s"] / entry["cpu_without_s"], 4)
        out["configs"][name] = entry
        print(f"{name}: CPU {entry['cpu_with_s']:.2f} vs {entry['cpu_without_s']:.2f} s (ratio {entry['cpu_ratio']:.3f}), "
              f"wall ratio {entry['wall_ratio']:.3f}, direct {entry['direct_ratio']:.3f} ({entry['snapshots_cpu_s']:.2f} s in "
              f"{snaps} snapshots), weights identical: {identical}", flush=True)
    for clock in ("cpu", "wall"):
        out[f"{clock}_ratio_total"] = round(totals[clock, True] / totals[clock, False], 4)
        out[f"{clock}_ratio_max"] = max(c[f"{clock}_ratio"] for c in out["configs"].values())
    out["direct_ratio_max"] = max(c["direct_ratio"] for c in out["configs"].values())
    out["identical_weights"] = all(c["identical_weights"] for c in out["configs"].values())
    print(f"overall: CPU ratio {out['cpu_ratio_total']:.3f} (worst configuration {out['cpu_ratio_max']:.3f}), "
          f"wall ratio {out['wall_ratio_total']:.3f}, direct ratio ≤ {out['direct_ratio_max']:.3f}; target ≤ 1.05")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
