"""What the offline lecture file embeds: the explorer views' data, built by the same functions as the app's pages,
and the bytes of every bundle they name.

The lecture's live parts are the explorer component's own views (:mod:`vae.ui.explorer.views`): the AE | VAE |
β-VAE maps (hover decoding, click-to-inspect, linked highlighting, their drawing pad), the VAE's walk, the
drawing pad of the three models and the training films. Their ``data`` dicts are built here exactly as a page
builds them, for the three 2-D MNIST models of the lecture (:data:`LECTURE_MODELS`); every bundle a dict names
(decoder, encoder, test set, projection, film) is then read back from the cache folder and embedded, and its URL
is dropped, so the page can only take it from the file. The test images, identical in the three test sets, are
embedded once (the image sprite: 1,000 × 784 grey levels) and taken out of each test-set bundle.
"""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np

from ..browser_bundle import pack, unpack
from .. import checkpoint
from ..checkpoint import WEIGHTS, ModelInfo, list_models
from ..errors import ExplorerError
from ..ui.explorer.assets_store import file_of
from ..ui.i18n import t
from ..ui.sidebar import Selection

#: The lecture's three models (kind -> shipped folder): 2-D latent spaces, so every map is the latent plane itself.
LECTURE_MODELS = {"ae": "mnist-ae-2d", "vae": "mnist-vae-2d", "beta-vae": "mnist-betavae4-2d"}
DATASET, LATENT_DIM = "mnist", 2
#: The steps that show the training films.
FILM_STEPS = ("reparam", "beta")


@dataclass
class Embedded:
    """The views' data (instance key -> ``data`` with its ``view``) and what they need: bundle bytes by hash,
    the hashes of test sets whose images were taken out, and those images (the sprite, uint8 (n, h·w))."""

    views: dict[str, dict]
    blobs: dict[str, bytes] = field(default_factory=dict)
    without_images: set[str] = field(default_factory=set)
    sprite: np.ndarray | None = None


def missing_message(missing: list[str]) -> str:
    """Why there is no lecture file: the shipped models it needs that are missing."""
    return f"the lecture file needs the shipped models {', '.join(missing)} (make pretrained)"


def missing_models(listed: Iterable[str] | None = None) -> list[str]:
    """The lecture's shipped models whose weights are missing: a quick look at the files, or, given ``listed`` (the
    ids of the models a page already lists, ``pretrained/<name>``: ``vae.ui.cache.store_listing``), without one, as
    the Lecture page does at every rerun of every student."""
    if listed is not None:
        ids = set(listed)
        return [name for name in LECTURE_MODELS.values() if f"pretrained/{name}" not in ids]
    return [name for name in LECTURE_MODELS.values() if not (checkpoint.PRETRAINED_DIR / name / WEIGHTS).is_file()]


def lecture_selection() -> Selection:
    """The sidebar's choice the file is made of: the shipped 2-D MNIST AE, VAE and β-VAE (β = 4), with every shipped
    model beside them (step 9's β sweep reads them). Raises :class:`ExplorerError` when one of the three is missing."""
    shipped = list_models(include_user=False)
    by_name = {m.id.split("/", 1)[1]: m for m in shipped}
    missing = [name for name in LECTURE_MODELS.values() if name not in by_name]
    if missing:
        raise ExplorerError(missing_message(missing))
    models = {kind: by_name[name] for kind, name in LECTURE_MODELS.items()}
    return Selection(dataset=DATASET, latent_dim=LATENT_DIM, models=models, focus=models["vae"], all_models=shipped)


def lecture_infos(sel: Selection) -> list[ModelInfo]:
    """The three models of the file, AE, VAE, β-VAE."""
    return [sel.models[kind] for kind in LECTURE_MODELS]


def view_data(sel: Selection) -> dict[str, dict]:
    """Each live part's ``data``, keyed by its instance name: the AE's and the VAE's maps (steps 1 and 5, each with
    the linked trio), the VAE's walk, the drawing pad of the three models (no denoising AE: its two extra networks
    would cost 2 MB) and the films (steps 8 and 9, when the models have them), as copies the caller may change.
    Call it inside ``vae.ui.i18n.speaking(lang)``: the views' texts are translated."""
    from ..ui.explorer.film_view import film_data
    from ..ui.explorer.views import draw_data, human_size, map_data, walk_data

    trio_only = dataclasses.replace(sel, all_models=lecture_infos(sel))
    views = {
        "handout.ae": {"view": "map", **map_data(dataclasses.replace(sel, focus=sel.models["ae"]), "native")},
        "handout.kl": {"view": "map", **map_data(dataclasses.replace(sel, focus=sel.models["vae"]), "native")},
        "handout.walk": {"view": "walk", **walk_data(sel.models["vae"])},
        "handout.draw": {"view": "draw", **draw_data(trio_only)},
    }
    films = film_data(trio_only, compact=True)
    if any("film" in f for f in films["films"]):  # steps 8 and 9 both play the films, as on the Lecture page
        for step in FILM_STEPS:
            views[f"handout.film.{step}"] = {"view": "film", **films}
    # the builders return the app's cached references (st.cache_resource: shared, read-only): copies are changed
    views = copy.deepcopy(views)
    for key, data in views.items():
        data["instance"] = key
        data["plotly"] = None  # plotly.js is in the file: the views find window.Plotly already there
    walk = views["handout.walk"]
    if "browser_note" in walk["text"]:  # the app's note says the weights were sent by the server and kept
        walk["text"]["browser_note"] = t("handout.browser_note", size=human_size(walk["model"]["decoder"]["bytes"]))
    return views


def _refs(node, found: list[dict]) -> None:
    """Every bundle reference ({"url": "data/…", "hash", "bytes"}) inside ``node``."""
    if isinstance(node, dict):
        if isinstance(node.get("url"), str) and node["url"].startswith("data/") and "hash" in node:
            found.append(node)
            return
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def embed(views: dict[str, dict]) -> Embedded:
    """The bundles ``views`` name, read from the cache folder where the views' builders published them; each
    reference keeps its hash (the browser's key for the bundle) and loses its URL. Test-set bundles that hold the
    same images as the first one are repacked without them: the images go into the file once."""
    refs: list[dict] = []
    _refs(views, refs)
    out = Embedded(views)
    urls = {id(ref): ref["url"] for ref in refs}  # one dict may sit in several places (the views share references)
    for ref in refs:
        ref.pop("url", None)
    for ref in refs:
        if ref["hash"] in out.blobs:
            continue
        url = urls[id(ref)]
        data = file_of(url).read_bytes()
        meta, arrays = unpack(data)
        if meta.get("kind") == "test_set" and "images" in arrays:
            if out.sprite is None:
                out.sprite = np.array(arrays["images"])
            if arrays["images"].shape == out.sprite.shape and np.array_equal(arrays["images"], out.sprite):
                data = pack(meta, {k: v for k, v in arrays.items() if k != "images"}).data
                out.without_images.add(ref["hash"])
        out.blobs[ref["hash"]] = data
    return out
