"""Precompute the PCA, t-SNE and UMAP maps of every shipped model into pretrained/<model>/projections/,
so that the Latent map page shows them without waiting.

The codes are computed exactly as the app does (``vae.latent.encode`` of the test images it shows,
``vae.explorer_data.shown_indices``), for each number of test images the map offers
(``vae.explorer_data.shown_counts``: 1,000, 5,000 and 10,000 on Fashion-MNIST; 1,000 on MNIST). Each map is
stored as ``<method>-n<points>.npz`` with rows of the codes it maps (``vae.projection.probe``), which the app
compares with its own codes up to float rounding, so the maps are found on any machine. t-SNE is skipped beyond ``MAX_TSNE_POINTS`` (the map shows
PCA there and says why).
Usage: python scripts/precompute_projections.py [--only NAME ...] [--methods pca tsne umap] [--default-count-only] [--prune]
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# One PyTorch thread, as the web process encodes (vae.ui.process.single_torch_thread): with two, the sums of the
# encoder split differently, μ differs in its last bits, and its hash (the cache key) would miss the app's.
os.environ.setdefault("OMP_NUM_THREADS", "1")

from vae import latent  # noqa: E402
from vae.checkpoint import list_models, load_model  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.explorer_data import SHOWN_IMAGES, shown_counts, shown_indices  # noqa: E402
from vae.projection import MAX_TSNE_POINTS, project, shipped_projection_file  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="model names (folder names) to process; default: every shipped model")
    ap.add_argument("--methods", nargs="*", default=["pca", "tsne", "umap"], choices=["pca", "tsne", "umap"])
    ap.add_argument("--default-count-only", action="store_true",
                    help="only the default number of test images shown (1,000), not every number the map offers")
    ap.add_argument("--prune", action="store_true",
                    help="delete the projection files of each model folder that no map of its current codes uses "
                         "(left by earlier weights or encodings); needs every method and every size")
    args = ap.parse_args(argv)
    if args.prune and (args.default_count_only or set(args.methods) != {"pca", "tsne", "umap"}):
        ap.error("--prune needs every method and every size (it would delete the maps left out)")
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
        counts = [SHOWN_IMAGES] if args.default_count_only else shown_counts(len(data.y_test))
        kept = set()
        for count in counts:
            mu, _ = latent.encode(model, data.x_test[shown_indices(data, count)])
            for method in args.methods:
                if method == "tsne" and len(mu) > MAX_TSNE_POINTS:
                    continue  # the map falls back to PCA beyond t-SNE's limit
                kept.add(shipped_projection_file(info.path, method, mu))
                t0 = time.perf_counter()
                try:
                    project(mu, method, model_dir=info.path, ship=True)
                except ValueError as e:
                    failures += 1
                    print(f"{name}: {method} skipped: {e}", flush=True)
                    continue
                print(f"{name}: {method} ({len(mu)} points) in {time.perf_counter() - t0:.1f} s", flush=True)
        if args.prune and not failures:
            for stale in sorted(set((Path(info.path) / "projections").glob("*.npz")) - kept):
                stale.unlink()
                print(f"{name}: removed the stale {stale.name}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
