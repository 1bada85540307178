"""Generated images of the Generate and Compare pages, cached per (model, settings) for the whole server.

Arrays for tests and figures: :func:`generated_images` (the model's own generator: N(0, T² I) for the AE,
the VAE and the β-VAE, a fitted Gaussian for kinds that declare one), :func:`prior_images` (always
N(0, I), the lecture's "option 2") and :func:`aggregate_images` (the aggregate posterior q(z), "option 1").
Pictures for pages: the same as PNG grids (``*_grid``), encoded once per settings; a rerun that shows the
same samples again costs a cache look-up, not a decode and an image encoding.

Every key holds the model's path and the modification time of its weights (``cache.model_version``),
so a retrained model with the same name is never served stale samples.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from .. import latent
from . import cache
from .images import grid, png


@st.cache_data(show_spinner=False, max_entries=256)
def _generated(path: str, version: float, n: int, seed: int, temperature: float) -> np.ndarray:
    model = cache.get_model(path)
    return latent.decode(model, latent.generator_codes(model, n, seed=seed, temperature=temperature))


def generated_images(path: str, n: int, seed: int = 0, temperature: float = 1.0) -> np.ndarray:
    """n images (n, H, W) decoded from the codes the model's kind generates from, at ``temperature``."""
    return _generated(path=path, version=cache.model_version(path), n=int(n), seed=int(seed),
                      temperature=float(temperature))


@st.cache_data(show_spinner=False, max_entries=128)
def _prior(path: str, version: float, n: int, seed: int) -> np.ndarray:
    model = cache.get_model(path)
    return latent.decode(model, latent.prior_samples(n, model.cfg.latent_dim, seed=seed))


def prior_images(path: str, n: int, seed: int = 0) -> np.ndarray:
    """n images decoded from z ~ N(0, I) (the lecture's option 2: sample the prior)."""
    return _prior(path=path, version=cache.model_version(path), n=int(n), seed=int(seed))


@st.cache_data(show_spinner=False, max_entries=128)
def _aggregate(path: str, version: float, n: int, seed: int) -> np.ndarray:
    enc = cache.encoded_test_set(path)
    z = latent.aggregate_posterior_samples(enc["mu"], enc["logvar"], n, seed=seed)
    return latent.decode(cache.get_model(path), z)


def aggregate_images(path: str, n: int, seed: int = 0) -> np.ndarray:
    """n images decoded from the aggregate posterior q(z) of the test set (the lecture's option 1)."""
    return _aggregate(path=path, version=cache.model_version(path), n=int(n), seed=int(seed))


@st.cache_data(show_spinner=False, max_entries=256)
def _grid_png(kind: str, path: str, version: float, n: int, seed: int, temperature: float, ncols: int,
              cell: int) -> bytes:
    images = {"generated": lambda: generated_images(path, n, seed, temperature),
              "prior": lambda: prior_images(path, n, seed), "aggregate": lambda: aggregate_images(path, n, seed)}[kind]()
    return png(grid(images, ncols=ncols, cell=cell))


def generated_grid(path: str, n: int, seed: int, temperature: float, ncols: int, cell: int) -> bytes:
    """PNG of :func:`generated_images` tiled ``ncols`` wide, each image about ``cell`` pixels."""
    return _grid_png(kind="generated", path=path, version=cache.model_version(path), n=int(n), seed=int(seed),
                     temperature=float(temperature), ncols=ncols, cell=cell)


def prior_grid(path: str, n: int, seed: int, ncols: int, cell: int) -> bytes:
    """PNG of :func:`prior_images` tiled ``ncols`` wide."""
    return _grid_png(kind="prior", path=path, version=cache.model_version(path), n=int(n), seed=int(seed),
                     temperature=1.0, ncols=ncols, cell=cell)


def aggregate_grid(path: str, n: int, seed: int, ncols: int, cell: int) -> bytes:
    """PNG of :func:`aggregate_images` tiled ``ncols`` wide."""
    return _grid_png(kind="aggregate", path=path, version=cache.model_version(path), n=int(n), seed=int(seed),
                     temperature=1.0, ncols=ncols, cell=cell)
