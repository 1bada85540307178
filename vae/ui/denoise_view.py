"""What the Denoise page shows, computed once per (models, noise, seed) for the whole server.

:func:`vae.denoising.denoise_panel` runs the chosen models on noisy test images; :func:`shown_panel` caches it
with each image already upscaled and encoded as PNG, so a rerun that shows the same panel again (a language
switch, another student at the same noise) costs a look-up instead of three encoder/decoder passes and 40
image encodings.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..checkpoint import ModelInfo
from ..denoising import DenoisePanel, denoise_panel
from . import cache
from .images import png, upscale

CELL = 112  # pixels of one shown image


@dataclass
class ShownPanel:
    """A denoise panel and its pictures: {row: one PNG per image}, rows as in ``panel.mse`` plus ``clean``."""

    panel: DenoisePanel
    pictures: dict[str, list[bytes]]


@st.cache_data(show_spinner=False, max_entries=128)
def _shown(rows: tuple[tuple[str, str, float], ...], dataset: str, n: int, std: float, seed: int) -> ShownPanel:
    models = {row: cache.get_model(path) for row, path, _ in rows}
    p = denoise_panel(models, cache.get_dataset(dataset).x_test, n, std, seed)
    stacks = {"noisy": p.noisy, **p.outputs, "clean": p.clean}
    return ShownPanel(p, {row: [png(upscale(img, CELL)) for img in images] for row, images in stacks.items()})


def shown_panel(rows: dict[str, ModelInfo], dataset: str, n: int, std: float, seed: int) -> ShownPanel:
    """The panel of ``rows`` ({row name: model}) on ``n`` test images of ``dataset`` noised with σ = ``std``."""
    key = tuple((row, m.path, cache.model_version(m.path)) for row, m in rows.items())
    return _shown(key, dataset, int(n), round(float(std), 6), int(seed))
