"""The app's ``st.Page`` list, made once per session and language (``app.py`` hands it to ``st.navigation``).

Making an ``st.Page`` from a script path resolves the path on disk (a ``realpath`` and a ``stat`` per page): for the
nine pages, about 7% of a Lecture rerun's script time (``bench/profile_rerun.py --page lecture-class``), paid by
every rerun of every student. A session reruns one script at a time, so its own pages are reused from one run to the
next; they are never shared between sessions (``st.navigation`` marks the page it returns as the one to run).
A link to one of them (``st.page_link``) takes the page itself (:func:`session_page`): given a path, Streamlit
resolves it on disk again (a ``realpath``, one ``lstat`` per folder of the path) at every rerun that draws the link.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from .i18n import current_lang, t

_PAGES = "_nav.pages"   # session state: (language, the pages' table, the st.Page list)


def session_pages(table: list[tuple[str, str, str, str]], folder: Path) -> list:
    """``st.Page`` objects for ``table`` rows (script under ``folder``, title key, icon, URL path; the first row is
    the default page), titled in the session's language: this session's own list when it already made one for
    the same language and table, else a new one."""
    lang = current_lang()
    kept = st.session_state.get(_PAGES)
    if kept is not None and kept[0] == lang and kept[1] == table:
        return kept[2]
    pages = [st.Page(folder / path, title=t(title), icon=icon, url_path=url, default=(i == 0))
             for i, (path, title, icon, url) in enumerate(table)]
    st.session_state[_PAGES] = (lang, list(table), pages)
    return pages


def session_page(path: str, folder: Path):
    """This session's ``st.Page`` for the script ``path`` (a row of the table :func:`session_pages` made the list
    from), for ``st.page_link``: the page object links without Streamlit resolving the path on disk again. The path
    under ``folder`` when the session has no such page (a script run outside ``app.py``'s navigation)."""
    kept = st.session_state.get(_PAGES)
    if kept is not None:
        for row, page in zip(kept[1], kept[2]):
            if row[0] == path:
                return page
    return folder / path
