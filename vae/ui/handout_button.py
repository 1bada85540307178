"""The Lecture page's "Download this lecture" button: the offline lecture file (:mod:`vae.handout`) in the page's
language, made only when a user clicks (Streamlit runs the button's ``data`` function then, on its own thread) and
kept in the cache folder by the models' hashes and the language (:func:`vae.handout.store.handout_file`), so a
class downloading it costs one build."""
from __future__ import annotations

import streamlit as st

from .cache import store_listing
from .export import file_name
from .i18n import t


def _file_bytes(lang: str) -> bytes:
    from ..handout.store import handout_file

    return handout_file(lang).read_bytes()


def handout_button(lang: str) -> None:
    """The download button of the lecture file in ``lang``; without the shipped lecture models, one sentence
    saying why there is none. Clicking it does not rerun the page."""
    from ..handout.data import missing_message, missing_models

    missing = missing_models(m.id for m in store_listing().models)
    if missing:
        st.caption(t("handout.error", detail=missing_message(missing)))
        return
    st.download_button(t("handout.button"), data=lambda: _file_bytes(lang), mime="text/html",
                       file_name=file_name("lecture", dataset="mnist", extra=[lang], ext="html"),
                       on_click="ignore", icon=":material/download:", help=t("handout.help"),
                       key=f"lecture.handout.{lang}")
