#!/usr/bin/env bash
# Regenerates every shipped model in pretrained/ from scratch with the project's own CLI.
# Deterministic under the seeds given (same machine, same torch build => same weights).
# Usage: scripts/train_pretrained.sh [PYTHON]   (default: .venv/bin/python)
# SKIP_EXISTING=1 keeps model folders that are already complete (to resume an interrupted run).
set -euo pipefail
# One thread per process: these small MLPs gain nothing from more, and several torch processes
# on 2 cores with 2 threads each slow each other down badly.
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
OUT=pretrained
COMMON=(--hidden 256 128 --recon bce --lr 1e-3 --batch-size 128 --seed 0 --store-dtype float16 --force)
train() {
  local name=$1; shift
  if [[ "${SKIP_EXISTING:-0}" == 1 && -f "$OUT/$name/metrics.json" ]]; then echo "== $name: kept"; return; fi
  echo "== $name: python -m vae train $* --out $OUT/$name"; "$PY" -m vae train "${COMMON[@]}" "$@" --out "$OUT/$name"
}

# MNIST, latent 2, early stopping: 400 of the 4,000 training images are held out and training stops 5 epochs
# after the best validation loss (keeping that epoch). Trained to the end, the small-β 2-D models overfit:
# their test loss then hides the β trade-off and the AE's better reconstruction (see Compare's β sweep).
ES2=(--latent-dim 2 --epochs 100 --early-stop 5 --val-fraction 0.1)
# MNIST, latent 2: the three maps the class compares natively in 2-D.
train mnist-ae-2d        --kind ae       "${ES2[@]}"
train mnist-vae-2d       --kind vae      "${ES2[@]}"
train mnist-betavae4-2d  --kind beta-vae --beta 4 "${ES2[@]}"
# MNIST, latent 2: the AE again (same seed, same weights) with a Gaussian fitted to its codes as generator:
# the lecture's "option 1", the ex-post density baseline of Ghosh et al. 2020.
train mnist-aegauss-2d   --kind ae-gauss "${ES2[@]}"
# MNIST, latent 2: the rest of the β sweep (β = 1 and 4 are the two models above).
for b in 0.25 0.5 2 8; do
  train "mnist-betavae${b}-2d" --kind beta-vae --beta "$b" "${ES2[@]}"
done
# MNIST, latent 16: PCA / t-SNE maps and sliders.
train mnist-ae-16d       --kind ae       --latent-dim 16 --epochs 40
train mnist-vae-16d      --kind vae      --latent-dim 16 --epochs 40
train mnist-betavae4-16d --kind beta-vae --beta 4 --latent-dim 16 --epochs 40
# MNIST, latent 16: the rest of a second β sweep (β = 1 and 4 are the two models above). In 2-D the
# rate is capped by the bottleneck and test reconstruction differences drown in overfitting; in 16-D
# the rate–distortion trade-off is large and clear.
for b in 0.25 0.5 2 8; do
  train "mnist-betavae${b}-16d" --kind beta-vae --beta "$b" --latent-dim 16 --epochs 40
done
# MNIST denoising (inputs clip(x + N(0, 0.4²)), target x), latent 16.
train mnist-dae-16d      --kind ae  --noise 0.4 --latent-dim 16 --epochs 40
train mnist-dvae-16d     --kind vae --noise 0.4 --latent-dim 16 --epochs 40
# Fashion-MNIST (60,000 training images from Debian's dataset-fashion-mnist), latent 2: the trio again on a full-size
# real data set, same recipe (early stopping on a 10% validation split).
train fashion-mnist-ae-2d       --kind ae       --dataset fashion-mnist "${ES2[@]}"
train fashion-mnist-vae-2d      --kind vae      --dataset fashion-mnist "${ES2[@]}"
train fashion-mnist-betavae4-2d --kind beta-vae --beta 4 --dataset fashion-mnist "${ES2[@]}"
# Fashion-MNIST, latent 16: the trio and a denoising AE, with early stopping too (60,000 images: no fixed epoch
# count fits both the AE, which keeps improving, and the β-VAE, which converges early).
ES16=(--latent-dim 16 --epochs 100 --early-stop 5 --val-fraction 0.1 --dataset fashion-mnist)
train fashion-mnist-ae-16d       --kind ae       "${ES16[@]}"
train fashion-mnist-vae-16d      --kind vae      "${ES16[@]}"
train fashion-mnist-betavae4-16d --kind beta-vae --beta 4 "${ES16[@]}"
train fashion-mnist-dae-16d      --kind ae --noise 0.4 "${ES16[@]}"
# Fashion-MNIST: the rest of both β sweeps (β = 0.25, 0.5, 2, 8 beside β = 1 and 4), trained by the β-VAE's own
# command with another --beta; only their reports and histories are kept (pretrained/_sweeps/, vae/sweeps.py):
# eight more sets of weights would not fit in pretrained/'s 40 MB.
echo "== β sweeps: scripts/train_sweep_reports.py"
"$PY" scripts/train_sweep_reports.py $([[ "${SKIP_EXISTING:-0}" == 1 ]] && echo --skip-existing)
# Sprites with known factors, latent 10: disentanglement.
train sprites-vae-10d       --kind vae      --dataset sprites --latent-dim 10 --epochs 40
train sprites-betavae6-10d  --kind beta-vae --beta 6 --dataset sprites --latent-dim 10 --epochs 40
# Two more training seeds of each, so disentanglement (MIG) is compared over 3 seeds
# (Locatello et al. 2019: seeds vary a lot).
for s in 1 2; do
  train "sprites-vae-10d-s$s"      --kind vae      --dataset sprites --latent-dim 10 --epochs 40 --seed "$s"
  train "sprites-betavae6-10d-s$s" --kind beta-vae --beta 6 --dataset sprites --latent-dim 10 --epochs 40 --seed "$s"
done
# The digit classifier that scores prior samples (metrics), on the same MNIST training split.
if [[ "${SKIP_EXISTING:-0}" != 1 || ! -f "$OUT/_classifiers/mnist/config.json" ]]; then
  echo "== classifier: python -m vae train-classifier --dataset mnist --epochs 15 --seed 0"
  "$PY" -m vae train-classifier --dataset mnist --epochs 15 --seed 0
fi
# The clothes classifier for the Fashion-MNIST models' sample-quality metrics (60,000 images: 3 epochs reach 89%).
if [[ "${SKIP_EXISTING:-0}" != 1 || ! -f "$OUT/_classifiers/fashion-mnist/config.json" ]]; then
  echo "== classifier: python -m vae train-classifier --dataset fashion-mnist --epochs 3 --seed 0"
  "$PY" -m vae train-classifier --dataset fashion-mnist --epochs 3 --seed 0
fi
# Latent maps (PCA, t-SNE) of every shipped model, so the Latent map page opens instantly.
"$PY" scripts/precompute_projections.py --prune
# Full evaluation reports (report.json, keyed by the weights' hash), so Compare opens instantly.
for d in "$OUT"/*/; do
  [[ "$(basename "$d")" == _* ]] && continue
  "$PY" -m vae evaluate "$d" > /dev/null && echo "report: $d"
done
