"""The sidebar, drawn once by ``app.py`` for every page: language, dataset, models in play, focus model.

Pages read the choice with ``selection()``; they never draw their own model pickers. The choice lives in the
URL (:mod:`vae.ui.url_state`: ``data``, ``d``, one parameter per kind, ``focus``): a link opens the same
models, Back/Forward restores the previous choice, and a link's value that does not fit falls back to the
default with a note at the top of the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import streamlit as st

from ..checkpoint import ModelInfo
from ..kinds import DEFAULT_KIND, KINDS, get_kind
from ..data import fashion_mnist_available
from ..uploads import dataset_label
from .cache import store_listing
from . import url_state
from .export import settings_panel
from .i18n import LANG_NAMES, LANGS, current_lang, t
from .plain_text import escape_markdown


@dataclass
class Selection:
    """What the sidebar picked: a dataset, one model per kind (or None), and the model to explore."""

    dataset: str | None = None
    latent_dim: int | None = None
    models: dict[str, ModelInfo | None] = field(default_factory=dict)
    focus: ModelInfo | None = None
    all_models: Sequence[ModelInfo] = ()   # the sidebar's: the store's shared listing (``cache.store_listing``); read only

    def lineup(self) -> list[tuple[str, ModelInfo | None]]:
        """(kind, model) for every kind in play, in the registry's order: the lecture's AE, VAE and β-VAE
        always (model None when the sidebar found none), other kinds when a model of theirs was picked.

        Pages lay out one column per entry: 3 by default, more when the teacher adds another kind.
        """
        return [(k, self.models.get(k)) for k, kind in KINDS.items() if kind.lecture_trio or self.models.get(k)]

    trio = lineup  # the name pages used when the lineup was always AE, VAE, β-VAE


def model_label(m: ModelInfo) -> str:
    """Short human label of a model for pickers: name, β, denoising noise, shipped or user.

    Pages put it into markdown (captions, messages), so the name (a folder name: data from the store) goes
    through ``escape_markdown``; ordinary names come out unchanged, so the label also reads right in
    select-box options."""
    name = escape_markdown(m.id.split("/", 1)[1])
    extra = [f"β={m.beta:g}"] if m.beta is not None and get_kind(m.kind).beta.free else []
    if m.noise:
        extra.append(f"σ_noise={m.noise:g}")
    extra.append(t(f"source.{m.source}"))
    return f"{name} ({', '.join(extra)})"


def kind_header(kind: str, info: ModelInfo | None = None) -> str:
    """Markdown header of a page column for ``kind``: its bold short name, its long name when it differs,
    and β = … when ``info`` is given and the kind's β is free (the β-VAE)."""
    short, long = t(f"kind.{kind}"), t(f"kind.{kind}.long")
    head = f"**{short}**" + (f" — {long}" if long != short else "")
    if info is not None and get_kind(kind).beta.free and info.beta is not None:
        head += f" (β = {info.beta:g})"
    return head


def _default_index(options: list[ModelInfo], kind: str) -> int:
    """Prefer shipped, non-denoising models; for a kind with a free β, its default β (β-VAE: 4, the lecture's example)."""
    rule = get_kind(kind).beta

    def score(m: ModelInfo) -> tuple:
        return (m.source != "pretrained", m.noise > 0, rule.free and m.beta != rule.default)
    return min(range(len(options)), key=lambda i: score(options[i]))


def _set_lang() -> None:
    from .i18n import set_url_language

    set_url_language(st.session_state["lang"])


def _publish(sel: Selection, defaults: dict[str, str | None]) -> None:
    """Write the sidebar's choice into the URL, each parameter left out when it is the default."""
    values = selection_params(sel)
    url_state.publish({k: (None if v == defaults.get(k) else v) for k, v in values.items()})


SIDEBAR_PARAMS = ("data", "d", *KINDS, "focus")  # the URL parameters the sidebar reads and writes


def selection_params(sel: Selection) -> dict[str, str | None]:
    """The sidebar's choice as URL parameters, every one spelt out (for links made to be shared)."""
    params: dict[str, str | None] = {"data": sel.dataset, "d": None if sel.latent_dim is None else str(sel.latent_dim)}
    for kind in KINDS:
        m = sel.models.get(kind)
        params[kind] = url_state.model_param(m.id) if m is not None else None
    params["focus"] = next((k for k, m in sel.models.items() if m is not None and m is sel.focus), None)
    return params


def picker_key(kind: str, dataset: str, latent_dim: int, lang: str) -> str:
    """The widget key of the sidebar's model picker for ``kind`` (one per dataset and latent size, so each keeps
    its own choice), with the language as a suffix outside English (``sel_vae_mnist_2``, ``sel_vae_mnist_2_fr``).

    Why the language: Streamlit keeps a keyed select box's rendered option labels when only ``format_func``
    changes, so after a switch in the sidebar the pickers still read "(shipped)" in French. A new key draws
    the widget afresh; the choice itself survives the switch through the URL (``url_state.adopt``)."""
    base = f"sel_{kind}_{dataset}_{latent_dim}"
    return base if lang == "en" else f"{base}_{lang}"


def sidebar() -> Selection:
    """Draw the sidebar and store the ``Selection`` in session state."""
    sel = Selection()
    box = st.container()  # top of the main area: notes about a link's values that could not be used
    defaults: dict[str, str | None] = {}
    with st.sidebar:
        st.selectbox(t("side.language"), LANGS, key="lang", format_func=LANG_NAMES.get, on_change=_set_lang)
        listing = store_listing()
        models = sel.all_models = listing.models
        for warning in listing.warnings:
            st.warning(t("side.store_warning", detail=escape_markdown(warning)), icon="⚠️")
        datasets = sorted({m.dataset for m in models}, key=lambda d: (d != "mnist", d))
        if not datasets:
            st.info(t("side.no_models"))
            st.session_state["selection"] = sel
            return sel
        url_state.adopt("sel_dataset", "data", lambda v: url_state.parse_choice(v, datasets),
                        note=url_state.note_in(box, t("side.dataset")))
        if st.session_state.get("sel_dataset") not in datasets:
            st.session_state.pop("sel_dataset", None)
        sel.dataset = st.selectbox(t("side.dataset"), datasets, key="sel_dataset", format_func=dataset_label)
        if sel.dataset == "fashion-mnist" and not fashion_mnist_available():
            st.warning(t("data.fashion_missing"))  # its models are listed, their pages say what is missing
        defaults["data"] = datasets[0]
        in_data = [m for m in models if m.dataset == sel.dataset]
        dims = sorted({m.latent_dim for m in in_data})
        url_state.adopt("sel_latent", "d", lambda v: url_state.parse_int(v, dims),
                        note=url_state.note_in(box, t("side.latent_dim")))
        if st.session_state.get("sel_latent") not in dims:
            st.session_state.pop("sel_latent", None)
        default_dim = dims.index(2) if 2 in dims else 0
        sel.latent_dim = st.selectbox(t("side.latent_dim"), dims, key="sel_latent", index=default_dim)
        defaults["d"] = str(dims[default_dim])
        st.caption(t("side.models"))
        for kind, spec in KINDS.items():
            options = [m for m in in_data if m.kind == kind and m.latent_dim == sel.latent_dim]
            options.sort(key=lambda m: (m.source != "pretrained", m.noise > 0, m.beta or 0, m.id))
            sel.models[kind] = None
            if not options:
                if spec.lecture_trio:  # the lecture's kinds always show their place, even empty
                    st.selectbox(t(f"kind.{kind}"), [t("side.none")], key=f"sel_none_{kind}_{sel.dataset}_{sel.latent_dim}",
                                 disabled=True)
                continue
            key = picker_key(kind, sel.dataset, sel.latent_dim, current_lang())
            ids = [m.id for m in options]
            labels = {m.id: model_label(m) for m in options}
            if spec.lecture_trio:
                index = _default_index(options, kind)
            else:  # another kind joins the pages only when the teacher picks one of its models
                ids, index = [""] + ids, 0
                labels[""] = t("side.none")
            url_state.adopt(key, kind, lambda v, ids=ids: url_state.model_from_param(v, ids),
                            note=url_state.note_in(box, t(f"kind.{kind}")))
            if st.session_state.get(key) not in ids:
                st.session_state.pop(key, None)
            chosen = st.selectbox(t(f"kind.{kind}"), ids, key=key, index=index, format_func=labels.__getitem__)
            defaults[kind] = url_state.model_param(ids[index]) if ids[index] else None
            sel.models[kind] = next((m for m in options if m.id == chosen), None)
        present = [k for k, m in sel.lineup() if m]
        if present:
            url_state.adopt("sel_focus", "focus", lambda v: url_state.parse_choice(v, present),
                            note=url_state.note_in(box, t("side.focus")))
            if st.session_state.get("sel_focus") not in present:
                st.session_state.pop("sel_focus", None)
            default_focus = present.index(DEFAULT_KIND) if DEFAULT_KIND in present else 0
            focus = st.radio(t("side.focus"), present, key="sel_focus", horizontal=True, index=default_focus,
                             format_func={k: t(f"kind.{k}") for k in present}.__getitem__)
            sel.focus = sel.models[focus]
            defaults["focus"] = present[default_focus]
        settings_panel()  # figure export: format, size, background, projector style (vae/ui/export.py)
    _publish(sel, defaults)
    st.session_state["selection"] = sel
    return sel


def selection() -> Selection:
    """The sidebar's current choice (drawn by ``app.py`` before the page runs)."""
    return st.session_state.get("selection") or Selection()


def lang_suffix() -> str:
    """Current language code, handy in cache keys of language-dependent figures."""
    return current_lang()


def selection_with_models(need_focus: bool = True) -> Selection:
    """The sidebar's choice, or stop the page with a message when it holds no usable model.

    ``need_focus``: the page explores one model (the focus); otherwise any model in the lineup will do.
    """
    sel = selection()
    missing = sel.focus is None if need_focus else not any(m for _, m in sel.lineup())
    if missing:
        st.info(t("common.need_model", kind=t(f"kind.{DEFAULT_KIND}")))
        st.stop()
    return sel
