"""The sidebar, drawn once by ``app.py`` for every page: language, dataset, models in play, focus model.

Pages read the choice with ``selection()``; they never draw their own model pickers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

from ..checkpoint import ModelInfo
from .cache import available_models
from .i18n import LANG_NAMES, LANGS, current_lang, t

KIND_ORDER = ("ae", "vae", "beta-vae")


@dataclass
class Selection:
    """What the sidebar picked: a dataset, one model per kind (or None), and the model to explore."""

    dataset: str | None = None
    latent_dim: int | None = None
    models: dict[str, ModelInfo | None] = field(default_factory=dict)
    focus: ModelInfo | None = None
    all_models: list[ModelInfo] = field(default_factory=list)

    def trio(self) -> list[tuple[str, ModelInfo | None]]:
        """(kind, model) for AE, VAE, β-VAE in that order."""
        return [(k, self.models.get(k)) for k in KIND_ORDER]


def model_label(m: ModelInfo) -> str:
    """Short human label of a model for pickers: name, β, denoising noise, shipped or user."""
    name = m.id.split("/", 1)[1]
    extra = [] if m.beta is None or m.kind == "vae" else [f"β={m.beta:g}"]
    if m.noise:
        extra.append(f"σ_noise={m.noise:g}")
    extra.append(t(f"source.{m.source}"))
    return f"{name} ({', '.join(extra)})"


def _default_index(options: list[ModelInfo], kind: str) -> int:
    """Prefer shipped, non-denoising models; for β-VAE prefer β = 4 (the lecture's example)."""
    def score(m: ModelInfo) -> tuple:
        return (m.source != "pretrained", m.noise > 0, kind == "beta-vae" and m.beta != 4.0)
    return min(range(len(options)), key=lambda i: score(options[i]))


def _set_lang() -> None:
    lang = st.session_state["lang"]
    st.query_params["lang"] = lang
    st.session_state["_lang_from_url"] = lang


def sidebar() -> Selection:
    """Draw the sidebar and store the ``Selection`` in session state."""
    sel = Selection()
    with st.sidebar:
        st.selectbox(t("side.language"), LANGS, key="lang", format_func=LANG_NAMES.get, on_change=_set_lang)
        models = available_models()
        sel.all_models = models
        for warning in st.session_state.get("_store_warnings", []):
            st.warning(t("side.store_warning", detail=warning), icon="⚠️")
        datasets = sorted({m.dataset for m in models}, key=lambda d: (d != "mnist", d))
        if not datasets:
            st.info(t("side.no_models"))
            st.session_state["selection"] = sel
            return sel
        sel.dataset = st.selectbox(t("side.dataset"), datasets, key="sel_dataset")
        in_data = [m for m in models if m.dataset == sel.dataset]
        dims = sorted({m.latent_dim for m in in_data})
        sel.latent_dim = st.selectbox(t("side.latent_dim"), dims, key="sel_latent",
                                      index=dims.index(2) if 2 in dims else 0)
        st.caption(t("side.models"))
        for kind in KIND_ORDER:
            options = [m for m in in_data if m.kind == kind and m.latent_dim == sel.latent_dim]
            options.sort(key=lambda m: (m.source != "pretrained", m.noise > 0, m.beta or 0, m.id))
            if not options:
                sel.models[kind] = None
                st.selectbox(t(f"kind.{kind}"), [t("side.none")], key=f"sel_none_{kind}_{sel.dataset}_{sel.latent_dim}", disabled=True)
                continue
            key = f"sel_{kind}_{sel.dataset}_{sel.latent_dim}"
            ids = [m.id for m in options]
            if st.session_state.get(key) not in ids:
                st.session_state.pop(key, None)
            chosen = st.selectbox(t(f"kind.{kind}"), ids, key=key, index=_default_index(options, kind),
                                  format_func={m.id: model_label(m) for m in options}.__getitem__)
            sel.models[kind] = next(m for m in options if m.id == chosen)
        present = [k for k in KIND_ORDER if sel.models.get(k)]
        if present:
            focus = st.radio(t("side.focus"), present, key="sel_focus", horizontal=True,
                             index=present.index("vae") if "vae" in present else 0,
                             format_func={k: t(f"kind.{k}") for k in present}.__getitem__)
            sel.focus = sel.models[focus]
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

    ``need_focus``: the page explores one model (the focus); otherwise any of AE/VAE/β-VAE will do.
    """
    sel = selection()
    missing = sel.focus is None if need_focus else not any(m for _, m in sel.trio())
    if missing:
        st.info(t("common.need_model", kind=t("kind.vae")))
        st.stop()
    return sel
