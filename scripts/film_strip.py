"""Render a frame strip of the shipped AE and VAE training films (docs/film_strip.png) with matplotlib.

    .venv/bin/python scripts/film_strip.py [--out docs/film_strip.png] [--frames 6]

One row per model of the shipped 2-D trio (AE, VAE, β-VAE: ``pretrained/mnist-{ae,vae,betavae4}-2d/film.npz``),
``--frames`` frames at the same moments in every row (the untrained model, within the first epoch, then
log-spaced epochs up to the shortest film's end; each row shows its frame nearest to each moment), each map with the
axes the film view uses (``vae.ui.explorer.film_view.fixed_range``: fixed for the whole film), the prior's 1,
2, 3σ circles, and under each map the film's prior samples at that frame.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vae.checkpoint import PRETRAINED_DIR  # noqa: E402
from vae.film import read_film  # noqa: E402
from vae.ui.explorer.film_view import fixed_range  # noqa: E402

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]
ROWS = (("AE", "mnist-ae-2d"), ("VAE", "mnist-vae-2d"), ("β-VAE (β=4)", "mnist-betavae4-2d"))


def pick_frames(epochs: np.ndarray, n: int) -> list[int]:
    """``n`` frame indices: the first, the last, and between them evenly spaced in log(epoch)."""
    pos = np.where(epochs > 0, epochs, np.nan)
    targets = np.exp(np.linspace(np.log(np.nanmin(pos)), np.log(epochs[-1]), n - 1))
    picked = [0] + [int(np.nanargmin(np.abs(np.log(pos) - np.log(t)))) for t in targets]
    return sorted(set(picked))


def nearest_frames(epochs: np.ndarray, moments: np.ndarray) -> list[int]:
    """For each moment (an epoch, 0 = untrained), the index of the frame of ``epochs`` closest to it (log scale)."""
    out = []
    for m in moments:
        if m == 0:
            out.append(int(np.argmin(epochs)))
        else:
            pos = np.where(epochs > 0, epochs, np.nan)
            out.append(int(np.nanargmin(np.abs(np.log(pos) - np.log(m)))))
    return out


def label(e: float, steps_per_epoch: int) -> str:
    if e == 0:
        return "untrained"
    if e < 1:
        return f"epoch 1, batch {round(e * steps_per_epoch)}"
    return f"epoch {e:g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "film_strip.png"))
    ap.add_argument("--frames", type=int, default=6)
    args = ap.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    films = [(title, read_film(PRETRAINED_DIR / name)) for title, name in ROWS]
    cols = args.frames
    fig = plt.figure(figsize=(2.3 * cols, 2.9 * len(films)), dpi=90)
    grid = fig.add_gridspec(2 * len(films), cols, height_ratios=[4, 1] * len(films), hspace=0.15, wspace=0.25)
    shortest = min((f for _, f in films), key=lambda f: float(f.epoch[-1]))
    moments = shortest.epoch[pick_frames(shortest.epoch, cols)]
    for r, (title, film) in enumerate(films):
        frames = nearest_frames(film.epoch, moments)
        rng = fixed_range(film, [0.0, 0.0])
        for c, f in enumerate(frames):
            ax = fig.add_subplot(grid[2 * r, c])
            xy = np.clip(film.coords[f], [rng["x"][0], rng["y"][0]], [rng["x"][1], rng["y"][1]])
            ax.scatter(xy[:, 0], xy[:, 1], s=2, c=[COLORS[int(v) % 10] for v in film.labels], alpha=0.8, linewidths=0)
            t = np.linspace(0, 2 * np.pi, 97)
            for k, ls in zip((1, 2, 3), ("-", "--", ":")):
                ax.plot(k * np.cos(t), k * np.sin(t), ls, color="0.3", lw=0.8)
            ax.set_xlim(rng["x"])
            ax.set_ylim(rng["y"])
            ax.set_aspect("equal", adjustable="box")
            ax.tick_params(labelsize=6)
            ax.set_title(label(float(film.epoch[f]), film.steps_per_epoch), fontsize=8)
            if c == 0:
                ax.set_ylabel(title, fontsize=11, fontweight="bold")
            img = fig.add_subplot(grid[2 * r + 1, c])
            k, h, w = film.samples.shape[1:]
            row = np.full((h, k * (w + 2) - 2), 255, np.uint8)
            for j in range(k):
                row[:, j * (w + 2):j * (w + 2) + w] = film.samples[f, j]
            img.imshow(row, cmap="gray", vmin=0, vmax=255, interpolation="nearest")
            img.axis("off")
    fig.suptitle("Training films: the codes μ of 1,000 test digits (fixed axes per row), the prior's 1-2-3σ circles,\n"
                 "and decoded prior codes z ~ N(0, I) (the same z in every frame)", fontsize=9)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, bbox_inches="tight")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
