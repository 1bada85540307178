"""What the browser needs to explore one model without asking the server again (no Streamlit here).

Bundles (:mod:`vae.browser_bundle`), each built once per model (or per model and projection):

* the **decoder**: a dense decoder's layers (:mod:`vae.decoder_export`), so the browser decodes any
  code it is pointed at; ``None`` for decoders it cannot run (conv bodies), where the server decodes;
* the **encoder**: a dense encoder's trunk and its μ / log σ² heads, so the browser encodes a drawing;
  ``None`` for encoders it cannot run;
* the **test set**: μ and log σ² of the shown test images (:func:`shown_indices`: all of a test split of at most
  ``count`` images, else that many stratified by label; the map offers :func:`shown_counts`), labels, the images as uint8, the latent
  dimensions' order of importance, and, for decoders the browser cannot run, the reconstructions;
* the **projection** of μ on the map: coordinates, and the PCA basis for its exact inverse (native
  is the identity; the neighbour-weighted inverse of t-SNE and UMAP, and UMAP's placement of a new code, need
  only the coordinates and μ);
* the **training film** (:mod:`vae.film`): every frame's map coordinates, prior samples and losses, so the
  browser scrubs and plays it without asking the server again.
"""
from __future__ import annotations

import numpy as np

from . import latent
from .browser_bundle import Bundle, pack
from .data import Dataset
from .decoder_export import UnsupportedNetwork, export_decoder, export_encoder
from .film import Film, film_indices
from .models import Autoencoder
from .projection import UMAP_NEIGHBOURS, Projection
from .ui.images import to_uint8

#: Neighbours averaged by the t-SNE and UMAP maps' approximate inverse (the same k as ``Projection.inverse``).
TSNE_NEIGHBOURS = 8


def flat_uint8(images: np.ndarray) -> np.ndarray:
    """Images in [0, 1] -> uint8 rows (N, H*W), rounded as a canvas shows them."""
    return to_uint8(np.asarray(images, np.float32)).reshape(len(images), -1)


def decoder_bundle(model: Autoencoder) -> Bundle | None:
    """The model's decoder as a bundle (``meta.spec`` + ``params``), or None when the browser cannot run it."""
    try:
        exported = export_decoder(model)
    except UnsupportedNetwork:
        return None
    return pack({"kind": "decoder", "spec": exported.spec()}, {"params": exported.flat()})


def encoder_bundle(model: Autoencoder) -> Bundle | None:
    """The model's encoder as a bundle (``meta.spec`` + ``params``), or None when the browser cannot run it."""
    try:
        exported = export_encoder(model)
    except UnsupportedNetwork:
        return None
    return pack({"kind": "encoder", "spec": exported.spec()}, {"params": exported.flat()})


#: Test images the maps and the walk show by default: all of MNIST's 1,000, a stratified 1,000 of Fashion-MNIST's
#: 10,000 (the same images as the training films), so a student's browser fetches about 1 MB per model, not 8
SHOWN_IMAGES = 1000

#: Sizes the map offers below a whole test split (which is always offered): the teacher picks 5,000 or all
#: 10,000 of Fashion-MNIST's test images when the room's network can carry the 4 or 8 MB per model
SHOWN_CHOICES = (1000, 5000)
#: The most test images a map shows: 10,000 dots are about 8 MB per model for the browser; a larger split (an
#: upload's) offers 10,000 of its images, stratified, rather than all
MAX_SHOWN_IMAGES = 10_000


def shown_counts(n_test: int) -> list[int]:
    """The numbers of test images the map offers for a test split of ``n_test``: each of :data:`SHOWN_CHOICES`
    smaller than the split, then the whole split up to :data:`MAX_SHOWN_IMAGES` (MNIST's 1,000: ``[1000]``;
    Fashion-MNIST's 10,000: ``[1000, 5000, 10000]``). The first is the default (:data:`SHOWN_IMAGES`, or the
    whole of a smaller split)."""
    n_test = int(n_test)
    return [c for c in SHOWN_CHOICES if c < n_test] + [min(n_test, MAX_SHOWN_IMAGES)]


def shown_indices(data: Dataset, count: int = SHOWN_IMAGES) -> np.ndarray:
    """Indices (sorted) of the test images the explorer shows: the whole test split when it holds at most
    ``count``, else that many stratified by label (``vae.film.film_indices``, as the films: at the default
    count they are the films' images)."""
    return film_indices(data.y_test.numpy(), int(count))


def split_bundle(model: Autoencoder, data: Dataset, mu: np.ndarray, logvar: np.ndarray | None,
                 browser_decodes: bool, label_names=None, count: int = SHOWN_IMAGES) -> Bundle:
    """Codes, images and labels of the shown test images (:func:`shown_indices` of ``count``; ``mu`` and
    ``logvar`` are theirs); reconstructions too when the browser cannot decode. ``label_names`` (default: the
    data set's own) are the class names shown, e.g. translated by the app."""
    shown = shown_indices(data, count)
    if len(shown) != len(mu):
        raise ValueError(f"{len(mu)} codes for {len(shown)} shown test images")
    order, score, score_name = latent.dimension_order(mu, logvar)
    labels = data.y_test.numpy()[shown].astype(np.int32)
    meta = {
        "kind": "test_set", "n": int(len(mu)), "latent_dim": int(mu.shape[1]),
        "image_shape": [int(s) for s in model.cfg.image_shape], "variational": logvar is not None,
        "label_names": [str(n) for n in (data.label_names if label_names is None else label_names)], "order": [int(i) for i in order],
        "score": [float(s) for s in score], "score_name": score_name,
    }
    arrays = {"mu": mu, "labels": labels, "images": flat_uint8(data.x_test.numpy()[shown])}
    if logvar is not None:
        arrays["logvar"] = logvar
    if not browser_decodes:
        arrays["recon"] = flat_uint8(latent.decode(model, mu))
    return pack(meta, arrays)


def projection_bundle(proj: Projection) -> Bundle:
    """Map coordinates of the test set, and the PCA basis (mean, 2×d components) when the map is PCA."""
    meta = {"kind": "projection", "method": proj.method, "exact_inverse": proj.exact_inverse,
            "explained": None if proj.explained is None else [float(v) for v in proj.explained],
            "neighbours": TSNE_NEIGHBOURS, "placement_neighbours": UMAP_NEIGHBOURS}
    arrays = {"coords": proj.coords}
    if proj.method == "pca":
        arrays["mean"] = proj.mean
        arrays["components"] = proj.components
    return pack(meta, arrays)


def map_to_code(proj: Projection, point: np.ndarray) -> np.ndarray:
    """The code the browser decodes under a map point: the reference the JavaScript must match."""
    return proj.inverse(np.asarray(point, np.float64)[None], k=TSNE_NEIGHBOURS)[0]


def film_bundle(film: Film) -> Bundle:
    """A training film for the browser: coordinates (F, N, 2), labels, prior samples (F, K, H, W), and per frame
    the epoch, batches done, reconstruction loss and (variational kinds) KL."""
    f, k, h, w = film.samples.shape
    meta = {"kind": "film", "projection": film.projection, "explained": film.explained,
            "steps_per_epoch": int(film.steps_per_epoch), "epochs": int(film.epochs), "best_epoch": film.best_epoch,
            "image_shape": [int(h), int(w)], "n_frames": int(f), "n_points": int(film.coords.shape[1]),
            "n_samples": int(k), "variational": film.kl is not None}
    arrays = {"coords": film.coords, "labels": film.labels, "samples": film.samples, "epoch": film.epoch,
              "steps": film.steps, "recon": film.recon}
    if film.kl is not None:
        arrays["kl"] = film.kl
    return pack(meta, arrays)
