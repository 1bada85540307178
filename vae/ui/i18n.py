"""English/French text for the app: ``t("map.title")`` returns the string in the current language.

The language lives in ``st.session_state["lang"]``; it starts from the ``?lang=`` query parameter
(``en`` or ``fr``) and the sidebar switches it at any time.
"""
from __future__ import annotations

import streamlit as st

from .strings import all_strings

LANGS = ("en", "fr")
LANG_NAMES = {"en": "English", "fr": "Français"}
STRINGS = all_strings()


def current_lang() -> str:
    """The language of this session (``en`` by default)."""
    lang = st.session_state.get("lang", "en")
    return lang if lang in LANGS else "en"


def t(key: str, **fmt) -> str:
    """Text for ``key`` in the current language, formatted with ``fmt``; a missing key shows itself."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    text = entry.get(current_lang()) or entry.get("en", key)
    return text.format(**fmt) if fmt else text


def init_language() -> None:
    """Take the language from ``?lang=`` when the session starts or when the URL asks for another."""
    q = st.query_params.get("lang")
    if q in LANGS and st.session_state.get("_lang_from_url") != q:
        st.session_state["lang"] = q
        st.session_state["_lang_from_url"] = q
    st.session_state.setdefault("lang", "en")
