"""Precompute the PCA and t-SNE maps of every shipped model into pretrained/<model>/projections/,
so that the Latent map page shows them without waiting.

The codes are computed exactly as the app does (``vae.latent.encode`` of the test images it shows,
``vae.explorer_data.shown_indices``),
so the cache key (a hash of μ) matches the one the app looks up.
Usage: python scripts/precompute_projections.py [--only NAME ...] [--methods pca tsne]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vae import latent  # noqa: E402
from vae.checkpoint import list_models, load_model  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.explorer_data import shown_indices  # noqa: E402
from vae.projection import project  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="model names (folder names) to process; default: every shipped model")
    ap.add_argument("--methods", nargs="*", default=["pca", "tsne"], choices=["pca", "tsne"])
    args = ap.parse_args(argv)
    datasets = {}
    failures = 0
    for info in list_models(include_user=False):
        name = Path(info.path).name
        if args.only and name not in args.only:
            continue
        model = load_model(info.path)
        if info.dataset not in datasets:
            datasets[info.dataset] = load_dataset(info.dataset)
        data = datasets[info.dataset]
        mu, _ = latent.encode(model, data.x_test[shown_indices(data)])
        for method in args.methods:
            t0 = time.perf_counter()
            try:
                project(mu, method, model_dir=info.path, ship=True)
            except ValueError as e:  # e.g. too many points for t-SNE
                failures += 1
                print(f"{name}: {method} skipped: {e}", flush=True)
                continue
            print(f"{name}: {method} ({len(mu)} points) in {time.perf_counter() - t0:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
