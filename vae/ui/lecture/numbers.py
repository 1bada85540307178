"""The one number each lecture step shows, computed live from the models and cached for the whole server.

Every function takes model folders (paths) and settings, and keys its cache by the weights' modification time
(``cache.model_version``), as :mod:`vae.ui.samples` does: a retrained model is never served a stale number.
The computations are :mod:`vae.lecture_checks`, :mod:`vae.metrics` and :mod:`vae.regularity` (the Compare
page's metrics): called, not copied.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ... import lecture_checks
from ...metrics import reconstruction_mse
from .. import cache

KL_IMAGES = 2000      # test images for the Monte Carlo KL check (S samples each)
KL_SAMPLES = 32
IWAE_IMAGES = 100     # test images for the IWAE curve
IWAE_KS = (1, 2, 5, 10, 50, 200)


@dataclass(frozen=True)
class Number:
    """What a step shows as its proof: a label, the value as text, and a caption that says what it means."""

    label: str
    value: str
    caption: str = ""


@st.cache_data(show_spinner=False, max_entries=64)
def _recon(path: str, version: float) -> tuple[float, int, int, int]:
    model = cache.get_model(path)
    x = cache.get_dataset(model.cfg.dataset).x_test
    return reconstruction_mse(model, x), len(x), model.cfg.latent_dim, int(np.prod(model.cfg.image_shape))


def reconstruction(path: str) -> tuple[float, int, int, int]:
    """(test MSE per pixel, test images, latent size d, pixels n) of a model (``metrics.reconstruction_mse``)."""
    return _recon(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _posterior_width(path: str, version: float) -> tuple[float, float]:
    enc = cache.encoded_test_set(path)
    spread = float(np.percentile(np.abs(enc["mu"]), 99)) if len(enc["mu"]) else 0.0
    return lecture_checks.mean_sigma(enc["logvar"]), spread


def posterior_width(path: str) -> tuple[float, float]:
    """(mean σ of q(z|x) over the test set, 99th percentile of |μ|) of a model."""
    return _posterior_width(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _kl_check(path: str, version: float) -> lecture_checks.KLCheck | None:
    enc = cache.encoded_test_set(path)
    if enc["logvar"] is None:
        return None
    return lecture_checks.kl_closed_and_monte_carlo(enc["mu"][:KL_IMAGES], enc["logvar"][:KL_IMAGES], KL_SAMPLES)


def kl_check(path: str) -> lecture_checks.KLCheck | None:
    """The closed-form KL against its Monte Carlo estimate on the first test images (None for an AE)."""
    return _kl_check(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=32)
def _iwae(path: str, version: float) -> list[lecture_checks.BoundPoint]:
    model = cache.get_model(path)
    x = cache.get_dataset(model.cfg.dataset).x_test[:IWAE_IMAGES]
    return lecture_checks.iwae_curve(model, x, IWAE_KS)


def iwae_curve(path: str) -> list[lecture_checks.BoundPoint]:
    """ELBO and IWAE bound for K in ``IWAE_KS`` on the first ``IWAE_IMAGES`` test images (empty: no bound)."""
    return _iwae(path, cache.model_version(path))
