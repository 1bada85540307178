"""Server-side caches of what the explorer sends: bundle references per model and per (model, projection).

Each builder runs once per model version (``st.cache_resource``: one shared object, never copied per
session), writes its bundles as static files (:mod:`.assets_store`) and returns a small dict of URLs
and hashes, so a rerun that only re-mounts the component costs a dict lookup.
"""
from __future__ import annotations

import streamlit as st

from ...explorer_data import SHOWN_IMAGES, decoder_bundle, encoder_bundle, film_bundle, projection_bundle, split_bundle
from ...film import Film
from .. import cache
from ..i18n import class_names, current_lang
from .assets_store import plotly_js, publish


@st.cache_resource(show_spinner=False, max_entries=64)
def _model_refs(path: str, version: float, lang: str, count: int = SHOWN_IMAGES) -> dict:
    model = cache.get_model(path)
    data = cache.get_dataset(model.cfg.dataset)
    enc = cache.encoded_test_set(path, count)
    dec = decoder_bundle(model)
    ts = split_bundle(model, data, enc["mu"], enc["logvar"], browser_decodes=dec is not None,
                      label_names=class_names(model.cfg.dataset, data.label_names), count=count)
    return {"decoder": publish(dec) if dec is not None else None, "test_set": publish(ts)}


def model_refs(path: str, count: int = SHOWN_IMAGES) -> dict:
    """``{"decoder": ref | None, "test_set": ref}`` of the model in ``path`` (None: the browser cannot decode),
    the test set holding ``count`` shown images (``vae.explorer_data.shown_indices``).
    The test set carries the class names in the page's language: one bundle per language where they differ
    (Fashion-MNIST's clothes), the same file where they do not (digits)."""
    return _model_refs(path=path, version=cache.model_version(path), lang=current_lang(), count=int(count))


@st.cache_resource(show_spinner=False, max_entries=64)
def _encoder_ref(path: str, version: float) -> dict | None:
    bundle = encoder_bundle(cache.get_model(path))
    return publish(bundle) if bundle is not None else None


def encoder_ref(path: str) -> dict | None:
    """Reference of the encoder of the model in ``path`` (None: the browser cannot run it). Built apart from
    :func:`model_refs`: only views that encode (the drawing pad) send it."""
    return _encoder_ref(path=path, version=cache.model_version(path))


@st.cache_resource(show_spinner=False, max_entries=128)
def _projection_ref(path: str, version: float, method: str, count: int = SHOWN_IMAGES) -> dict:
    return publish(projection_bundle(cache.projection(path, method, count)))


def projection_ref(path: str, method: str, count: int = SHOWN_IMAGES) -> dict:
    """Reference of the map coordinates (and PCA basis) of the model in ``path`` under ``method``, for ``count``
    shown test images."""
    return _projection_ref(path=path, version=cache.model_version(path), method=method, count=int(count))


def film_ref(film: Film) -> dict:
    """Reference of a training film's bundle (callers cache it: :mod:`vae.ui.explorer.film_view`)."""
    return publish(film_bundle(film))


@st.cache_resource(show_spinner=False)
def plotly_ref() -> dict:
    """The explorer's plotly.js as a component asset (copied once per server, :func:`plotly_js`)."""
    return plotly_js()
