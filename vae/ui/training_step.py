"""What the "How a VAE trains" page shows, computed once per (model, test image, ε seed) for the whole server.

The six steps of lecture §8 on one test image come from :mod:`vae.reparam`: steps 1–5 with a given ε
(:func:`vae.reparam.forward_steps`), the decoding of μ itself, and step 6's gradients for the three ways
of drawing z (with the trick, ``Normal.sample()``, ``torch.normal``). :func:`training_step` gathers them,
cached, so a rerun of the page that shows the same image and ε again (a language switch, another
student on the same image) costs a look-up instead of four forward and three backward passes.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from ..checkpoint import ModelInfo
from ..kinds import get_kind
from ..reparam import Gradients, Steps, draw_eps, forward_steps, gradients
from . import cache
from .i18n import class_names
from .sidebar import Selection


@dataclass
class TrainingStep:
    """One image through the six steps: the input, its label, steps 1–5, x̂ decoded from μ, the gradients."""

    x: np.ndarray
    label: str
    steps: Steps
    x_hat_mu: np.ndarray         # decoding of z = μ (ε = 0): what the page shows beside x̂ = decoding of z
    with_trick: Gradients        # z = μ + σ ⊙ ε
    sampled: Gradients           # z = Normal(μ, σ).sample(): no gradient at all
    normal: Gradients            # z = torch.normal(μ, σ): a gradient defined as zero


@st.cache_data(show_spinner=False, max_entries=256)
def _training_step(path: str, version: float, index: int, seed: int) -> TrainingStep:
    model = cache.get_model(path)
    data = cache.get_dataset(model.cfg.dataset)
    x = data.x_test[index].numpy()
    y = int(data.y_test[index])
    d = model.cfg.latent_dim
    eps = draw_eps(d, seed)
    return TrainingStep(
        x=x, label=str(data.label_names[y]) if data.label_names else str(y), steps=forward_steps(model, x, eps),
        x_hat_mu=forward_steps(model, x, np.zeros(d, np.float32)).x_hat,
        with_trick=gradients(model, x, eps, "reparam"), sampled=gradients(model, x, eps, "sample", seed=seed),
        normal=gradients(model, x, eps, "normal", seed=seed))


def training_step(path: str, index: int, seed: int) -> TrainingStep:
    """Test image ``index`` of the model in ``path`` through the six steps, with ε drawn from ``seed``."""
    step = _training_step(path, cache.model_version(path), int(index), int(seed))
    dataset = cache.get_model(path).cfg.dataset
    data = cache.get_dataset(dataset)
    if not data.label_names:
        return step
    return replace(step, label=class_names(dataset, data.label_names)[int(data.y_test[int(index)])])  # page's language


def variational_model(sel: Selection) -> tuple[ModelInfo | None, bool]:
    """The model the page explains: the sidebar's focus when it is variational, else the first variational
    model in play. Returns (model or None, True when it stands in for a non-variational focus)."""
    info = sel.focus
    if info is not None and get_kind(info.kind).variational:
        return info, False
    fallback = next((m for k, m in sel.lineup() if m is not None and get_kind(k).variational), None)
    return fallback, fallback is not None and info is not None


def fmt_norm(value: float | None) -> str:
    """A gradient norm as the page prints it: ``None`` when no gradient reaches the parameter."""
    return "None" if value is None else f"{value:.4g}"
