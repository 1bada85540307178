"""The training film: snapshots of the latent map taken while a model trains, kept in its folder as ``film.npz``.

What a class should see (the lecture's point): the KL term pulls the VAE's codes into the prior's circle,
epoch by epoch, while the AE's codes drift wherever reconstruction wants them. So every training
(``vae.training_run.train_and_save``: the CLI, the app's jobs, ``scripts/train_pretrained.sh``) records:

* a **schedule** of about :data:`N_FRAMES` snapshots, log-spaced in batches and dense early
  (:func:`snapshot_schedule`): the untrained model, batch-level points during the first epoch (where most of
  the motion happens), then whole epochs, and always the last one;
* at each snapshot, the codes μ of a fixed subset of test images (:func:`film_indices`: at most
  :data:`N_POINTS`, stratified by label, the same indices in every frame), :data:`N_SAMPLES` decoded prior
  samples from fixed codes z ~ N(0, I) (the same z in every frame, drawn once from a private generator), and
  the mean reconstruction loss and KL of those test images at z = μ (no sampling).

Recording never touches the training's random streams: a snapshot runs in eval mode under ``no_grad`` with
the model's deterministic path (``sample=False``), and the prior codes come from their own
``torch.Generator``; the weights after training are bit-identical with and without a film
(``tests/test_film.py``). ``vae.train.fit`` takes the snapshots and emits each one as
``callback("snapshot", event)`` (:meth:`FilmRecorder.take` documents the event), so the app shows the map
forming live.

**One fixed projection per film.** A 2-D latent space is shown as it is (the native plane). A larger one is
projected on the principal plane of the *final* codes (the last snapshot's μ, ``vae.projection.fit_pca``),
and every frame is projected with that same basis: one basis for all frames, so frames never flip or spin
(a per-frame PCA would swap and mirror its axes as the codes move). A live film
(:func:`film_from_snapshots` on the snapshots so far) uses the latest snapshot's basis for all its frames.

File format (``film.npz``, version :data:`VERSION`; read with ``vae.bounded_io``, never unpickled):
``meta`` (UTF-8 JSON as uint8: version, projection, steps per epoch, planned epochs, best epoch, explained
variance, image shape), ``steps`` int32 (F,) batches done at each frame, ``coords`` float16 (F, N, 2),
``indices`` int32 (N,) and ``labels`` int32 (N,) of the test images, ``samples`` uint8 (F, K, H, W) (grey
levels rounded to multiples of :data:`GREY_STEP`: decoded images are grey everywhere and compress badly; 32
levels halve them, invisibly on thumbnails),
``z`` float32 (K, d), ``recon`` float32 (F,), ``kl`` float32 (F,) for variational kinds, and for a PCA film
``mean`` float32 (d,) and ``components`` float32 (2, d). :func:`read_film` checks every shape, dtype and value
and raises :class:`FilmError` with a clear message; the rest of the model folder works without its film.
"""
from __future__ import annotations

import io
import json
import math
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from .atomic_file import write_file_atomically
from .bounded_io import loads_json, read_npz
from .errors import ExplorerError
from .losses import per_image_terms
from .projection import default_projection, fit_pca
from .ui.images import to_uint8

FILM = "film.npz"
VERSION = 1
N_FRAMES = 30        # snapshots per training (about: a short run has fewer, an early stop adds its last batch)
N_POINTS = 1000      # test images per frame
N_SAMPLES = 4        # prior samples per frame
SAMPLE_SEED = 20140  # the prior codes z: the same in every frame and every film of the same latent size
GREY_STEP = 8        # stored prior samples: grey levels rounded to multiples of 8 (32 levels, error ≤ 4/255)
MAX_FILE_BYTES = 32 << 20
MAX_FRAMES, MAX_POINTS, MAX_SAMPLES, MAX_SIDE = 1000, 20000, 64, 256


class FilmError(ExplorerError):
    """A film file that cannot be read (missing arrays, wrong shapes or values, unknown version)."""


# -- what to record and when -------------------------------------------------------------------------------------

def snapshot_schedule(epochs: int, steps_per_epoch: int, count: int = N_FRAMES) -> list[int]:
    """Global steps (batches done, 0 = untrained) at which to take a snapshot, log-spaced and dense early:
    ``count`` of them, or fewer when the run is too short (at most every batch of the first epoch and every
    epoch after it; a run of at most ``count`` batches is snapshot at every batch).

    Points are spaced evenly in log(g + g₀), with g₀ = an eighth of an epoch (so the very first batches do not
    take every frame); within the first epoch they stay batch-level, after it they are rounded to whole
    epochs (a frame is then "epoch k"), and a point that rounding puts closer than half a log step to the
    previous one is dropped. The untrained model (0) and the last batch are always included. The number of
    candidate points is raised until ``count`` steps remain; if that overshoots, the points closest (in log)
    to their neighbours are dropped.
    """
    s, total = int(steps_per_epoch), int(epochs) * int(steps_per_epoch)
    if total + 1 <= count:
        return list(range(total + 1))
    g0 = max(1.0, s / 8)

    def points(k: int) -> list[int]:
        lo, hi = math.log(g0), math.log(total + g0)
        g = np.exp(np.linspace(lo, hi, k)) - g0
        g = np.where(g <= s, np.round(g), np.round(g / s) * s)
        keep = [0]
        for v in sorted({int(v) for v in np.clip(g, 0, total)} | {total}):
            if v and math.log(v + g0) - math.log(keep[-1] + g0) >= 0.5 * (hi - lo) / (k - 1):
                keep.append(v)  # rounding to whole epochs can crowd two points: keep the first
        if keep[-1] != total:
            keep[-1] = total
        return keep

    k = count
    steps = points(k)
    while len(steps) < count and k < 100 * count:
        k += 1
        steps = points(k)
    while len(steps) > count:  # drop the inner point whose neighbours are closest in log(g + g₀)
        logs = np.log(np.asarray(steps, float) + g0)
        gaps = logs[2:] - logs[:-2]
        del steps[1 + int(np.argmin(gaps))]
    return steps


def film_indices(labels: np.ndarray, n: int = N_POINTS) -> np.ndarray:
    """Fixed indices of at most ``n`` test images, stratified by label: each label keeps its share (largest
    remainder), taken evenly spaced in that label's own order. No randomness: the same data gives the same
    indices, so every frame and every film of a dataset shows the same images."""
    labels = np.asarray(labels)
    if len(labels) <= n:
        return np.arange(len(labels), dtype=np.int32)
    classes, counts = np.unique(labels, return_counts=True)
    share = counts * n / len(labels)
    take = np.floor(share).astype(int)
    for i in np.argsort(-(share - take), kind="stable")[: n - take.sum()]:
        take[i] += 1
    picked = []
    for c, k in zip(classes, take):
        idx = np.flatnonzero(labels == c)
        picked.append(idx[np.linspace(0, len(idx) - 1, k).round().astype(int)] if k else idx[:0])
    return np.sort(np.concatenate(picked)).astype(np.int32)


def prior_codes(latent_dim: int, n: int = N_SAMPLES, seed: int = SAMPLE_SEED) -> torch.Tensor:
    """The fixed prior codes z ~ N(0, I) decoded in every frame, from a private generator (the global random
    stream, which training uses, is never touched)."""
    return torch.randn((n, latent_dim), generator=torch.Generator().manual_seed(seed))


class FilmRecorder:
    """Takes one training's snapshots. ``vae.train.fit`` asks :meth:`schedule` for the steps once it knows the
    number of batches per epoch, and calls :meth:`take` at each of them; the events are kept in ``events``."""

    def __init__(self, x_test: torch.Tensor, y_test: torch.Tensor, n_points: int = N_POINTS,
                 n_samples: int = N_SAMPLES, count: int = N_FRAMES):
        self.indices = film_indices(y_test.numpy(), n_points)
        self.labels = y_test.numpy()[self.indices].astype(np.int32)
        self.x = x_test.reshape(len(x_test), -1)[torch.from_numpy(self.indices).long()]
        self.n_samples, self.count = n_samples, count
        self.run = uuid.uuid4().hex[:12]
        self.events: list[dict] = []
        self.steps_per_epoch = 1
        self.epochs = 0

    def schedule(self, epochs: int, steps_per_epoch: int) -> set[int]:
        """The global steps to snapshot in a run of ``epochs`` × ``steps_per_epoch`` batches."""
        self.epochs, self.steps_per_epoch = int(epochs), int(steps_per_epoch)
        return set(snapshot_schedule(epochs, steps_per_epoch, self.count))

    @torch.no_grad()
    def take(self, model, global_step: int) -> dict:
        """One snapshot of ``model`` after ``global_step`` batches; returns (and keeps) the event.

        The event (what ``fit`` passes to ``callback("snapshot", event)``): ``run`` (this recording's id),
        ``frame`` (0, 1, …), ``global_step``, ``epoch`` (batches done / batches per epoch, a float),
        ``steps_per_epoch``, ``epochs`` (planned), ``recon`` and ``kl`` (means over the film's test images at
        z = μ; ``kl`` None for kinds without one), and NumPy arrays ``mu`` float32 (N, d), ``samples`` uint8
        (K, H, W), ``labels`` and ``indices`` int32 (N,), ``z`` float32 (K, d).
        """
        cfg = model.cfg
        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        x = self.x.to(device)
        out = model(x, sample=False)
        terms = per_image_terms(out, x, cfg.recon, cfg.beta, model.kind)
        z = prior_codes(cfg.latent_dim, self.n_samples).to(device)
        samples = model.decode(z).reshape(len(z), *cfg.image_shape).cpu().numpy()
        model.train(was_training)
        event = {
            "run": self.run, "frame": len(self.events), "global_step": int(global_step),
            "epoch": global_step / self.steps_per_epoch, "steps_per_epoch": self.steps_per_epoch, "epochs": self.epochs,
            "recon": float(terms["recon"].double().mean()),
            "kl": float(terms["kl"].double().mean()) if out["logvar"] is not None else None,
            "mu": out["mu"].cpu().numpy().astype(np.float32), "samples": to_uint8(samples),
            "labels": self.labels, "indices": self.indices, "z": z.cpu().numpy(),
        }
        self.events.append(event)
        return event


# -- a film: frames in one fixed 2-D projection ------------------------------------------------------------------

@dataclass
class Film:
    """A training film: F frames of N test images' map coordinates, K prior samples, and the losses."""

    steps: np.ndarray            # int (F,): batches done at each frame
    steps_per_epoch: int
    coords: np.ndarray           # float32 (F, N, 2), one fixed projection
    indices: np.ndarray          # int32 (N,): test-set indices
    labels: np.ndarray           # int32 (N,)
    samples: np.ndarray          # uint8 (F, K, H, W): decoded prior codes z
    z: np.ndarray                # float32 (K, d)
    recon: np.ndarray            # float32 (F,)
    kl: np.ndarray | None        # float32 (F,), None for kinds without a KL term
    projection: str = "native"   # "native" (d = 2) or "pca" (the final codes' principal plane)
    mean: np.ndarray | None = None        # PCA: (d,)
    components: np.ndarray | None = None  # PCA: (2, d)
    explained: list[float] | None = None  # PCA: variance share of the two axes (final codes)
    epochs: int = 0              # planned epochs
    best_epoch: int | None = None  # early stopping: the epoch whose weights were kept

    @property
    def epoch(self) -> np.ndarray:
        """Epochs of training done at each frame (fractions within the first epoch)."""
        return self.steps / max(1, self.steps_per_epoch)

    @property
    def n_frames(self) -> int:
        return len(self.steps)

    @property
    def latent_dim(self) -> int:
        return int(self.z.shape[1])


def film_from_snapshots(events: list[dict], best_epoch: int | None = None) -> Film:
    """Assemble a film from snapshot events (all of a finished run, or those so far of a live one).

    Latent 2: the native plane. Otherwise every frame is projected on the principal plane of the LAST event's
    codes (one basis for all frames: no flips or spins between frames; see the module docstring).
    """
    if not events:
        raise FilmError("a film needs at least one snapshot")
    last = events[-1]
    mus = np.stack([e["mu"] for e in events]).astype(np.float32)
    d = mus.shape[2]
    mean = components = explained = None
    projection = default_projection(d)
    if projection == "native":
        coords = mus
    else:
        proj = fit_pca(last["mu"])
        mean, components = proj.mean.astype(np.float32), proj.components.astype(np.float32)
        explained = [float(v) for v in proj.explained]
        coords = ((mus - mean) @ components.T).astype(np.float32)
    kls = [e["kl"] for e in events]
    return Film(steps=np.asarray([e["global_step"] for e in events], np.int64), steps_per_epoch=int(last["steps_per_epoch"]),
                coords=coords, indices=np.asarray(last["indices"], np.int32), labels=np.asarray(last["labels"], np.int32),
                samples=np.stack([e["samples"] for e in events]).astype(np.uint8), z=np.asarray(last["z"], np.float32),
                recon=np.asarray([e["recon"] for e in events], np.float32),
                kl=None if any(k is None for k in kls) else np.asarray(kls, np.float32), projection=projection,
                mean=mean, components=components, explained=explained, epochs=int(last["epochs"]), best_epoch=best_epoch)


# -- the file ----------------------------------------------------------------------------------------------------

def film_bytes(film: Film) -> bytes:
    """The ``film.npz`` bytes of ``film`` (compressed; coordinates as float16, samples on :data:`GREY_STEP`
    levels). Size, for 30 frames of 1,000 points and 4 MNIST samples: about 140 KB."""
    meta = {"version": VERSION, "projection": film.projection, "steps_per_epoch": int(film.steps_per_epoch),
            "epochs": int(film.epochs), "best_epoch": film.best_epoch, "explained": film.explained}
    arrays = {"meta": np.frombuffer(json.dumps(meta, allow_nan=False).encode(), np.uint8),
              "steps": film.steps.astype(np.int32), "coords": film.coords.astype(np.float16),
              "indices": film.indices.astype(np.int32), "labels": film.labels.astype(np.int32),
              "samples": quantize_grey(film.samples), "z": film.z.astype(np.float32),
              "recon": film.recon.astype(np.float32)}
    if film.kl is not None:
        arrays["kl"] = film.kl.astype(np.float32)
    if film.projection == "pca":
        arrays["mean"], arrays["components"] = film.mean.astype(np.float32), film.components.astype(np.float32)
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def quantize_grey(images: np.ndarray, step: int = GREY_STEP) -> np.ndarray:
    """uint8 images with their grey levels rounded to multiples of ``step`` (255 stays 255)."""
    q = np.round(np.asarray(images, np.float32) / step) * step
    return np.minimum(q, 255).astype(np.uint8)


def write_film(film: Film, folder: str | os.PathLike) -> Path:
    """Write ``film.npz`` into an existing model folder: a temp file beside it, fsync, then rename, so a reader
    sees no film or the whole film. (Written after ``save_model`` has put the folder in place: a film is
    optional, so a folder seen for a moment without one is a valid model.)"""
    return write_file_atomically(Path(folder) / FILM, film_bytes(film), durable=True)


def _array(arrays: dict, name: str, kinds: str, shape: tuple, what: str) -> np.ndarray:
    """``arrays[name]`` checked: present, of a dtype kind in ``kinds``, of ``shape`` (None = any size)."""
    if name not in arrays:
        raise FilmError(f"{what}: the array {name!r} is missing")
    a = arrays[name]
    if a.dtype.kind not in kinds:
        raise FilmError(f"{what}: {name!r} has dtype {a.dtype}, expected {'integers' if kinds in 'iu' else kinds}")
    if a.ndim != len(shape) or any(s is not None and s != t for s, t in zip(shape, a.shape)):
        want = "×".join("?" if s is None else str(s) for s in shape)
        raise FilmError(f"{what}: {name!r} has shape {'×'.join(map(str, a.shape)) or 'scalar'}, expected {want}")
    if a.dtype.kind == "f" and not np.isfinite(a).all():
        raise FilmError(f"{what}: {name!r} holds NaN or infinite values")
    return a


def read_film(folder: str | os.PathLike, latent_dim: int | None = None, n_test: int | None = None) -> Film | None:
    """The film of a model folder, or None when it has none. Raises :class:`FilmError` for a file that is not a
    valid film of this format version (never unpickles; sizes are bounded before anything is inflated).

    ``latent_dim`` and ``n_test`` (the model's, when known) are checked against the film's codes and indices.
    """
    folder = Path(folder)
    path = folder / FILM
    if not os.path.lexists(path):
        return None
    what = f"{folder.name}/{FILM}"
    arrays = read_npz(path, max_file=MAX_FILE_BYTES, max_values=MAX_FRAMES * MAX_POINTS * 2, max_bytes=64 << 20,
                      error=lambda m: FilmError(f"{what}: {m}"))
    meta = loads_json(bytes(_array(arrays, "meta", "u", (None,), what)), what=f"{what} meta", limit=1 << 16,
                      error=FilmError)
    if not isinstance(meta, dict):
        raise FilmError(f"{what}: meta must be a JSON object")
    if meta.get("version") != VERSION:
        raise FilmError(f"{what}: film format version {str(meta.get('version'))[:20]} is not supported "
                        f"(this app reads version {VERSION}); retrain the model to record a new film")
    projection = meta.get("projection")
    if projection not in ("native", "pca"):
        raise FilmError(f"{what}: unknown projection {str(projection)[:20]!r}")
    spe, epochs, best = meta.get("steps_per_epoch"), meta.get("epochs"), meta.get("best_epoch")
    if not all(type(v) is int and v >= 0 for v in (spe, epochs)) or spe < 1 or not (best is None or (type(best) is int and best >= 1)):
        raise FilmError(f"{what}: meta holds invalid epoch counts")
    steps = _array(arrays, "steps", "iu", (None,), what)
    f = len(steps)
    if not 1 <= f <= MAX_FRAMES:
        raise FilmError(f"{what}: {f} frames; a film has 1 to {MAX_FRAMES}")
    if (steps < 0).any() or (np.diff(steps) < 0).any():
        raise FilmError(f"{what}: the frames' steps must be non-negative and in order")
    coords = _array(arrays, "coords", "f", (f, None, 2), what)
    n = coords.shape[1]
    if not 1 <= n <= MAX_POINTS:
        raise FilmError(f"{what}: {n} points per frame; the limit is {MAX_POINTS}")
    indices = _array(arrays, "indices", "iu", (n,), what)
    if (indices < 0).any() or (n_test is not None and (indices >= n_test).any()):
        raise FilmError(f"{what}: test-image indices out of range")
    labels = _array(arrays, "labels", "iu", (n,), what)
    if (labels < 0).any() or (labels > 100000).any():
        raise FilmError(f"{what}: labels out of range")
    samples = _array(arrays, "samples", "u", (f, None, None, None), what)
    if samples.dtype != np.uint8 or samples.shape[1] > MAX_SAMPLES or max(samples.shape[2:]) > MAX_SIDE:
        raise FilmError(f"{what}: samples must be uint8 images, at most {MAX_SAMPLES} per frame")
    z = _array(arrays, "z", "f", (samples.shape[1], None), what)
    d = z.shape[1]
    if latent_dim is not None and d != latent_dim:
        raise FilmError(f"{what}: the film's codes have {d} dimensions, the model {latent_dim}")
    if projection != default_projection(d):
        raise FilmError(f"{what}: a {projection} film of a {d}-dimensional latent space")
    recon = _array(arrays, "recon", "f", (f,), what)
    kl = _array(arrays, "kl", "f", (f,), what) if "kl" in arrays else None
    mean = components = explained = None
    if projection == "pca":
        mean = _array(arrays, "mean", "f", (d,), what).astype(np.float32)
        components = _array(arrays, "components", "f", (2, d), what).astype(np.float32)
        explained = meta.get("explained")
        if not (isinstance(explained, list) and len(explained) == 2
                and all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in explained)):
            raise FilmError(f"{what}: meta.explained must be two shares of variance")
    known = {"meta", "steps", "coords", "indices", "labels", "samples", "z", "recon", "kl", "mean", "components"}
    extra = sorted(set(arrays) - known)
    if extra:
        raise FilmError(f"{what}: unexpected array {str(extra[0])[:40]!r}")
    return Film(steps=steps.astype(np.int64), steps_per_epoch=spe, coords=coords.astype(np.float32),
                indices=indices.astype(np.int32), labels=labels.astype(np.int32), samples=samples, z=z.astype(np.float32),
                recon=recon.astype(np.float32), kl=None if kl is None else kl.astype(np.float32), projection=projection,
                mean=mean, components=components, explained=explained, epochs=epochs, best_epoch=best)
