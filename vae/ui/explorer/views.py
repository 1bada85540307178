"""The explorer's views as pages use them: build each view's ``data``, mount it, read back what the
browser reported (validated), and do the server's part for decoders the browser cannot run.

Pages call :func:`latent_map`, :func:`latent_walk` and :func:`drawing_pad`; tests call :func:`map_data`,
:func:`walk_data`, :func:`draw_data` and :func:`server_walk_images` directly.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import streamlit as st

from ... import latent
from ...checkpoint import ModelInfo
from ...decoder_export import UnsupportedDecoder, export_decoder
from ...denoising import denoisers, partners
from ...errors import ExplorerError
from ...explorer_data import SHOWN_IMAGES, flat_uint8, shown_counts
from ...projection import NEIGHBOUR_METHODS, check_size, default_projection
from .. import cache, url_state
from ..export import file_name
from ..i18n import current_lang, grouped, t
from ..sidebar import Selection, model_label
from . import COMPONENT, messages, mount
from .payloads import encoder_ref, model_refs, plotly_ref, projection_ref

MAP_KEY = "map.explorer"
WALK_KEY = "walk.explorer"
SERVER_GRID_LIMIT = 200   # codes the server decodes for one walk request (conv fallback)


def texts(prefix: str = "vx.") -> dict:
    """Every ``vx.*`` string in the current language, keyed without the prefix (the component's ``text``): a new
    dict, which the caller may complete."""
    return dict(_texts(prefix, current_lang()))


@lru_cache(maxsize=16)
def _texts(prefix: str, lang: str) -> dict:
    """:func:`texts` in ``lang``, gathered once per process (about a hundred strings, sent on every rerun)."""
    from ..i18n import STRINGS, text_in

    return {k[len(prefix):]: text_in(k, lang) for k in STRINGS if k.startswith(prefix)}


def axis_titles(method: str, explained) -> list[str]:
    """Axis titles of a map: z₁/z₂, principal components with their share of variance, or t-SNE axes."""
    if method == "pca" and explained is not None:
        return [f"{t('map.axis.pca', i=i + 1)} ({100 * explained[i]:.0f}%)" for i in range(2)]
    return [t(f"map.axis.{method}", i=1), t(f"map.axis.{method}", i=2)]


def _model_entry(info: ModelInfo, method: str, count: int = SHOWN_IMAGES) -> dict:
    """One model on a map: its bundles (the encoder's too: the browser fetches it only when something is drawn),
    projection and axis titles, for ``count`` shown test images."""
    proj = cache.projection(info.path, method, count)
    return {"id": info.id, "kind": info.kind, "label": model_label(info), **model_refs(info.path, count),
            "encoder": encoder_ref(info.path), "projection": projection_ref(info.path, method, count), "method": method,
            "axis": axis_titles(method, proj.explained),
            "export": file_name("latent-map", model=info.id, dataset=info.dataset, projection=method, ext=None),
            "export_grid": file_name("decoded-grid", model=info.id, dataset=info.dataset, projection=method, ext=None)}


@dataclass
class MapState:
    """What the map reported: the inspected test index and the pinned code (None until clicked)."""

    inspected: int | None
    pinned: list[float] | None


_MAPS: dict[tuple, dict] = {}     # map_data's answers, shared by every session (see map_data)
MAX_MAPS = 256


def _model_key(info: ModelInfo | None) -> tuple | None:
    """What a map's entry of ``info`` depends on: its identity, label fields and the version of its weights."""
    if info is None:
        return None
    return (info.kind, info.id, info.path, info.beta, info.noise, info.source, info.dataset, cache.model_version(info.path))


def map_data(sel: Selection, method: str, count: int = SHOWN_IMAGES) -> dict:
    """The ``data`` of the map view: the focus model under ``method``, and the AE | VAE | β-VAE trio, each with
    ``count`` shown test images (the same images on every map, so that a hovered image is linked across them).

    Built once per models (and their weights' versions), projection, count and language in this process, and
    shared: an amphitheatre's reruns of the Lecture and map pages all ask for the same few maps (a fresh dict is
    returned, which the caller may complete; its nested parts are shared and never changed). A t-SNE or UMAP focus,
    or an entry that failed, is built afresh each time."""
    key = (current_lang(), method, int(count), sel.latent_dim, _model_key(sel.focus),
           tuple((kind, _model_key(info)) for kind, info in sel.lineup()))
    kept = _MAPS.get(key)
    if kept is not None:
        return dict(kept)
    data, complete = _build_map_data(sel, method, count)
    if complete and method not in NEIGHBOUR_METHODS:
        if len(_MAPS) >= MAX_MAPS:
            _MAPS.clear()
        _MAPS[key] = data
    return dict(data)


def _build_map_data(sel: Selection, method: str, count: int) -> tuple[dict, bool]:
    """:func:`map_data`'s answer, and whether every model of it was built (no entry stands for an error)."""
    complete = True
    focus = sel.focus
    main = _model_entry(focus, method, count)
    if method == "pca":
        explained = cache.projection(focus.path, "pca", count).explained
        main["note"] = t("map.pca_explained", pct=100 * float(np.sum(explained)))
    trio_method = default_projection(sel.latent_dim)
    trio = []
    for kind, info in sel.lineup():
        title = t(f"kind.{kind}")
        if info is None:
            trio.append({"kind": kind, "title": title, "missing": t("map.trio.missing", kind=title)})
            continue
        try:
            trio.append({**_model_entry(info, trio_method, count), "title": title})
        except Exception as exc:  # noqa: BLE001 - a broken trio model must not take the map down
            trio.append({"kind": kind, "title": title, "missing": t("common.error_model", detail=exc)})
            complete = False
    return {"plotly": plotly_ref(), "main": main, "trio": trio, "shared": trio_method == "native",
            "trio_prior": trio_method == "native", "text": texts(), "lang": current_lang()}, complete


def preload() -> None:
    """Start fetching and evaluating plotly.js before the sidebar and the page's controls are built.

    ``app.py`` calls this first on pages that draw maps. An ``st.html`` script (our own constant code, no
    outside input) runs as soon as its element arrives, earlier than any component can (a component waits for
    Streamlit's component runtime to load); it imports the explorer's own ``core.js`` and calls its
    ``loadPlotly``, so the map view later finds plotly.js loaded, or loading, in the same module."""
    base = "/".join(p for p in str(st.get_option("server.baseUrlPath") or "").split("/") if p)
    core = f"/{base + '/' if base else ''}_stcore/bidi-components/{COMPONENT}/core.js"
    ref = json.dumps(plotly_ref())
    st.html(f'<script type="module">import("{core}").then((m) => m.loadPlotly({ref})).catch(() => {{}});</script>',
            unsafe_allow_javascript=True)


def map_counts(info: ModelInfo) -> tuple[list[int], int]:
    """How many test images the map of ``info`` can show (:func:`vae.explorer_data.shown_counts` of its data
    set's test split, the default first), and the split's size; only the default when the data set cannot be
    loaded (the map then says why)."""
    try:
        n_test = len(cache.get_dataset(info.dataset).y_test)
    except ExplorerError:
        return [SHOWN_IMAGES], SHOWN_IMAGES
    return shown_counts(n_test), n_test


def count_label(count: int, n_test: int) -> str:
    """A choice of :func:`map_counts` as the control shows it: ``1,000``, or ``all 10,000`` for the whole split."""
    n = grouped(count)
    return t("map.points.all", n=n) if count == n_test else n


def _server_decode(path: str, z: list[float]) -> list[int]:
    return flat_uint8(cache.decode(path, np.asarray([z], np.float32)))[0].tolist()


def latent_map(sel: Selection, method: str, count: int = SHOWN_IMAGES) -> MapState:
    """Mount the live map of the sidebar's focus model with ``count`` shown test images; return what the browser
    reported."""
    focus = sel.focus
    data = map_data(sel, method, count)
    n, d = _size(focus.path, count)
    previous = st.session_state.get(MAP_KEY)
    (inspected, i_url), (pinned, z_url) = url_state.map_link(  # the URL keeps them: links, Back/Forward
        messages.index(messages.state_value(previous, "inspected"), n), messages.code(messages.state_value(previous, "pinned"), d), n, d)
    state = MapState(inspected, pinned)
    data["inspected"], data["inspected_from_server"] = state.inspected, i_url
    if state.pinned is not None and z_url:
        data["pinned_xy"], data["pinned_from_server"] = _pinned_xy(focus.path, method, state.pinned, count), True
    if data["main"]["decoder"] is None and state.pinned is not None:
        data["server_pinned"] = _server_decode(focus.path, state.pinned)
    mount("map", key=MAP_KEY, data=data, state={"inspected": None, "pinned": None})
    return state


def _pinned_xy(path: str, method: str, z: list[float], count: int = SHOWN_IMAGES) -> list[float] | None:
    """Map coordinates of a pinned code: the code itself (native), its PCA projection, UMAP's placement; None on
    t-SNE (no forward map for a new code: a pin from a link shows on the native, PCA and UMAP maps only)."""
    if method == "tsne":
        return None
    return cache.projection(path, method, count).transform(np.asarray([z], np.float64))[0].astype(float).tolist()


def _size(path: str, count: int = SHOWN_IMAGES) -> tuple[int, int]:
    enc = cache.encoded_test_set(path, count)
    return len(enc["mu"]), int(enc["mu"].shape[1])


def pad_limit(mu: np.ndarray) -> float:
    """Range ±L of the walk's sliders and pad: at least the prior's 4σ, wider when the codes spread further
    (an AE's codes are not tied to N(0, I))."""
    spread = float(np.percentile(np.abs(mu), 99.5)) if len(mu) else 0.0
    return float(max(4.0, np.ceil(spread * 1.1)))


def human_size(n_bytes: int) -> str:
    """``812 KB`` / ``1.2 MB``."""
    return f"{n_bytes / 1024:.0f} KB" if n_bytes < 1024 * 1024 else f"{n_bytes / 1024 / 1024:.1f} MB"


def walk_data(info: ModelInfo) -> dict:
    """The ``data`` of the walk view for one model."""
    refs = model_refs(info.path)
    enc = cache.encoded_test_set(info.path)
    mu, labels = enc["mu"], enc["labels"]
    text = texts()
    if refs["decoder"] is not None:
        text["browser_note"] = t("vx.browser_note", size=human_size(refs["decoder"]["bytes"]))
    else:
        try:
            export_decoder(cache.get_model(info.path))
            reason = ""
        except UnsupportedDecoder as exc:
            reason = str(exc)
        text["server_fallback"] = t("vx.server_fallback", reason=reason)
    d = mu.shape[1]
    if d > 2:
        _, _, score_name = latent.dimension_order(mu, enc["logvar"])
        text["sliders_help"] = t(f"walk.sliders.help_{'kl' if score_name == 'kl' else 'var'}")
    other = np.flatnonzero(labels != labels[0])
    export = {f: file_name(f, model=info.id, dataset=info.dataset, ext=None) for f in ("traversal", "interpolation")}
    return {"model": {"id": info.id, **refs, "export": export}, "limit": pad_limit(mu), "start_index": 0, "interp_a": 0,
            "interp_b": int(other[0]) if len(other) else min(1, len(mu) - 1), "steps": 9, "text": text,
            "lang": current_lang()}


def server_walk_images(path: str, request: dict) -> dict | None:
    """The server's images for a walk request (decoders the browser cannot run): the current code, the
    traversal grid around the start code, and lerp/slerp between the two chosen test images."""
    enc = cache.encoded_test_set(path)
    mu, logvar = enc["mu"], enc["logvar"]
    n, d = mu.shape
    z = messages.code(request.get("z"), d)
    z0 = messages.code(request.get("z0"), d)
    a, b = messages.index(request.get("a"), n), messages.index(request.get("b"), n)
    steps = messages.index(request.get("steps"), 16)
    if z is None or z0 is None or a is None or b is None or steps is None or steps < 3:
        return None
    order, _, _ = latent.dimension_order(mu, logvar)
    rows = [int(i) for i in order[:10]]
    values = np.linspace(-3.0, 3.0, 11)
    codes = [np.asarray([z], np.float32), latent.traversal_codes(np.asarray(z0, np.float32), rows, values),
             latent.lerp(mu[a], mu[b], steps), latent.slerp(mu[a], mu[b], steps)]
    images = flat_uint8(cache.decode(path, np.concatenate(codes)[:SERVER_GRID_LIMIT]))
    k = len(rows) * len(values)
    return {"decoded": images[0].tolist(), "traversal": images[1:1 + k].tolist(),
            "interp": images[1 + k:1 + k + 2 * steps].tolist()}


def latent_walk(info: ModelInfo) -> dict | None:
    """Mount the live walk of one model; return the last validated request the browser reported."""
    data = walk_data(info)
    request = messages.mapping(messages.state_value(st.session_state.get(WALK_KEY), "walk"))
    if data["model"]["decoder"] is None and request:
        data["server"] = server_walk_images(info.path, request)
    mount("walk", key=WALK_KEY, data=data, state={"walk": None})
    return request or None


def map_projection(path: str, method: str, count: int = SHOWN_IMAGES) -> str:
    """The projection the map can show for ``method`` and ``count`` shown test images: a first t-SNE runs under a
    spinner; a test set too large for t-SNE falls back to PCA with a warning; an impossible projection stops
    with an error."""
    try:
        if method in ("tsne", "umap"):
            with st.spinner(t(f"map.{method}_running")):
                cache.projection(path, method, count)
        else:
            cache.projection(path, method, count)
        return method
    except ValueError as e:
        if method != "tsne":
            st.error(t("map.error_projection", detail=e))
            st.stop()
        st.warning(t("map.tsne_too_large", detail=e))
        return "pca"


POLL_SECONDS = 1.0  # how often a page waiting for a projection asks the worker


def projection_to_show(path: str, method: str, count: int = SHOWN_IMAGES) -> str:
    """The projection the map draws now for the asked ``method``: ``method`` itself when it is ready (native, PCA,
    a map shipped with the model or already computed), else the model's default (PCA, or native in 2-D) while the
    t-SNE or UMAP fit runs in the projection worker (``vae.jobs.projection_jobs``), with a progress bar that polls
    and reruns the page once the fit ends (:func:`projection_progress`). A fit that failed or was refused shows
    why, and the default stays. Problems of the model or data set, and a test set too large for t-SNE, return
    ``method``: :func:`map_projection` and the map report them as before."""
    if method not in NEIGHBOUR_METHODS:
        return method
    try:
        n, d = _size(path, count)
        check_size(method, n)
        if cache.projection_ready(path, method, count):
            return method
        status = cache.request_projection(path, method, count)
    except (ExplorerError, ValueError):
        return method
    if status.state == "done":
        return method
    fallback = default_projection(d)
    names = {"method": t(f"map.proj.{method}"), "shown": t(f"map.proj.{fallback}")}
    if status.state == "failed":
        st.error(t("map.projection_failed", detail=status.error, **names))
    elif status.state == "full":
        st.warning(t("map.projection_busy", **names))
    else:
        projection_progress(path, method, count)
        st.caption(t("map.projection_meanwhile", **names))
    return fallback


@st.fragment(run_every=POLL_SECONDS)
def projection_progress(path: str, method: str, count: int = SHOWN_IMAGES) -> None:
    """The progress bar of a t-SNE / UMAP fit in the projection worker; every :data:`POLL_SECONDS` it asks again
    (this fragment only: the rest of the page stays as it is) and reruns the page once the fit has ended."""
    status = cache.request_projection(path, method, count)
    if not status.pending:
        st.rerun()
    name = t(f"map.proj.{method}")
    if status.state == "queued":
        st.progress(0.0, text=t("map.projection_queued", method=name, position=status.position))
    else:
        st.progress(status.progress, text=t("map.projection_progress", method=name, pct=100 * status.progress))


DRAW_KEY = "draw.explorer"


def pick_denoisers(models: list[ModelInfo], dataset: str | None) -> tuple[ModelInfo | None, ModelInfo | None]:
    """The denoising AE the drawing pad feeds its noisy drawing to (a model of ``dataset`` trained on noisy
    inputs, preferring a shipped, deterministic one), and the plain AE it is compared with (no noise, same
    latent size, as on the Denoise page); None where there is none. Only MLP bodies run in the browser."""
    usable = [m for m in models if m.dataset == dataset and m.arch == "mlp"]
    found = denoisers(usable, dataset)  # the Denoise page's line-up (vae.denoising): one rule for both
    if not found:
        return None, None
    plain, _ = partners(found[0], usable)
    return found[0], plain


def _nets(info: ModelInfo) -> dict:
    """What the browser needs to encode and decode with one model (no test set, no map)."""
    return {"id": info.id, "label": model_label(info), "decoder": model_refs(info.path)["decoder"],
            "encoder": encoder_ref(info.path)}


def draw_data(sel: Selection) -> dict:
    """The ``data`` of the drawing pad view: the sidebar's AE | VAE | β-VAE with their encoders and maps (native
    2-D, else PCA, as the map page's trio), and the denoising AE of the same dataset."""
    method = default_projection(sel.latent_dim)
    models = []
    for kind, info in sel.lineup():
        title = t(f"kind.{kind}")
        if info is None:
            models.append({"kind": kind, "title": title, "missing": t("map.trio.missing", kind=title)})
            continue
        try:
            models.append({**_model_entry(info, method), "title": title})
        except Exception as exc:  # noqa: BLE001 - a broken model must not take the pad down
            models.append({"kind": kind, "title": title, "missing": t("common.error_model", detail=exc)})
    denoiser = None
    den, plain = pick_denoisers(sel.all_models, sel.dataset)
    if den is not None:
        try:
            denoiser = {**_nets(den), "noise": den.noise, "plain": _nets(plain) if plain is not None else None}
        except Exception:  # noqa: BLE001 - the pad works without the denoising part
            denoiser = None
    return {"plotly": plotly_ref(), "models": models, "denoiser": denoiser, "prior": method == "native",
            "text": texts(), "lang": current_lang()}


def drawing_pad(sel: Selection) -> None:
    """Mount the drawing pad: everything happens in the browser, nothing is reported back."""
    mount("draw", key=DRAW_KEY, data=draw_data(sel), state={})
