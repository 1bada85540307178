"""The Train page's "Import a model" section (Streamlit): uploaded files → ``vae.model_import`` → the store.

Nothing uploaded is trusted or unpickled (``vae.model_import`` validates everything); a refusal is one
translated message, a success reruns the page so the pickers list the new model at once.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from ..checkpoint import read_config
from ..model_import import PICKLE_SUFFIXES, ModelImportError, import_model
from .cache import store_listing
from .i18n import t
from .plain_text import escape_markdown, plain_fields

DONE_KEY = "importer.just_done"
IMPORT_TYPES = ["safetensors", "json", "zip", *(s.lstrip(".") for s in PICKLE_SUFFIXES)]  # pickles: refused with a message


def _import(files) -> Path:
    if not files:
        raise ModelImportError("no_files", "no file was uploaded")
    names = [f.name for f in files]
    if dup := next((n for n in names if names.count(n) > 1), None):
        raise ModelImportError("duplicate", f"{dup} was uploaded twice", name=dup)
    return import_model({f.name: f.getvalue() for f in files}, st.session_state.get("importer.name", ""))


def import_section() -> None:
    """The form, its refusal or success message."""
    st.subheader(t("importer.title"))
    st.caption(t("importer.intro"))
    with st.form("importer.form"):
        files = st.file_uploader(t("importer.files"), type=IMPORT_TYPES, accept_multiple_files=True, key="importer.files")
        st.text_input(t("importer.name"), value="imported-model", key="importer.name", help=t("train.name_help"))
        submitted = st.form_submit_button(t("importer.submit"), key="importer.submit")
    if submitted:
        try:
            path = _import(files)
        except ModelImportError as exc:
            st.error(t("importer.refused", detail=t(f"importer.err.{exc.code}", **plain_fields(**exc.fmt))))
        except OSError as exc:  # e.g. the store's disk is full: nothing was kept (import_model cleans up)
            st.error(t("importer.refused", detail=escape_markdown(f"{exc.strerror or exc}.")))
        else:
            store_listing.clear()
            st.session_state[DONE_KEY] = str(path)
            st.rerun()  # so the sidebar lists the new model at once
    if done_path := st.session_state.pop(DONE_KEY, None):
        cfg, _ = read_config(done_path)
        st.success(t("importer.done", model_id=escape_markdown(f"user/{Path(done_path).name}"), kind=t(f"kind.{cfg.kind}"),
                     dim=cfg.latent_dim, dataset=escape_markdown(cfg.dataset)))
