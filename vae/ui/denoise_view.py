"""What the Denoise page shows, computed once per (models, noise, seed) for the whole server.

:func:`vae.denoising.denoise_panel` runs the chosen models on noisy test images; :func:`shown_panel` caches it
with each image already upscaled and encoded as PNG, so a rerun that shows the same panel again (a language
switch, another student at the same noise) costs a look-up instead of three encoder/decoder passes and 40
image encodings. The cache is shared (``st.cache_resource``: the panel is only read), so a hit does not unpickle a
copy of its arrays and pictures either.

Each row also comes as one strip (``strips``): the Lecture's denoise step shows a row as one image, where one image
per column costs the server an element, a column block and a media file per picture on every rerun of an
amphitheatre (issue #24).
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ..checkpoint import ModelInfo
from ..denoising import DenoisePanel, denoise_panel
from . import cache
from .export import stack_rows
from .images import png, upscale

CELL = 112  # pixels of one shown image
GUTTER = 8  # white pixels between the pictures of a strip (the page's light background)


@dataclass
class ShownPanel:
    """A denoise panel and its pictures: {row: one PNG per image} and {row: one PNG of the row's images side by
    side}, rows as in ``panel.mse`` plus ``clean``."""

    panel: DenoisePanel
    pictures: dict[str, list[bytes]]
    strips: dict[str, bytes]


@st.cache_resource(show_spinner=False, max_entries=128)
def _shown(rows: tuple[tuple[str, str, float], ...], dataset: str, n: int, std: float, seed: int) -> ShownPanel:
    models = {row: cache.get_model(path) for row, path, _ in rows}
    p = denoise_panel(models, cache.get_dataset(dataset).x_test, n, std, seed)
    stacks = {"noisy": p.noisy, **p.outputs, "clean": p.clean}
    cells = {row: [upscale(img, CELL) for img in images] for row, images in stacks.items()}
    return ShownPanel(p, {row: [png(c) for c in row_cells] for row, row_cells in cells.items()},
                      {row: png(stack_rows([row_cells], pad=GUTTER)) for row, row_cells in cells.items()})


def shown_panel(rows: dict[str, ModelInfo], dataset: str, n: int, std: float, seed: int) -> ShownPanel:
    """The panel of ``rows`` ({row name: model}) on ``n`` test images of ``dataset`` noised with σ = ``std``."""
    key = tuple((row, m.path, cache.model_version(m.path)) for row, m in rows.items())
    return _shown(key, dataset, int(n), round(float(std), 6), int(seed))
