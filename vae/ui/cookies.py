"""Small values a browser keeps between sessions (Streamlit): the teacher's token, a student's place in a class.

Streamlit reads the browser's cookies when a session connects (``st.context.cookies``) but cannot set one, so a
cookie is written by a one-line script in the page: :func:`queue` (from a callback or the page) and
:func:`flush` (once per run, by ``app.py`` after the page, and at the end of a fragment whose own rerun may queue
one: the Lecture page's). Values are tokens the server checks every time it
reads them; nothing personal is stored.
"""
from __future__ import annotations

import json
import re

import streamlit as st

_PENDING = "_cookies.pending"   # {name: (value, max_age seconds)} to write at the end of this run
_NAME = re.compile(r"^[a-z_]{1,32}\Z")
_VALUE = re.compile(r"^[A-Za-z0-9:_-]{0,120}\Z")


def read(name: str) -> str | None:
    """The value of cookie ``name`` the browser sent when this session connected (None if absent); a value just
    queued in this session wins (the browser sends it from the next session on)."""
    pending = st.session_state.get(_PENDING, {})
    if name in pending:
        return pending[name][0] or None
    try:
        value = st.context.cookies.get(name)
    except Exception:  # noqa: BLE001 - no browser context (a bare script run)
        return None
    return value if isinstance(value, str) and _VALUE.match(value) else None


def queue(name: str, value: str, days: float = 120) -> None:
    """Set cookie ``name`` to ``value`` for ``days`` (``value`` "" removes it) at the end of this run."""
    if not _NAME.match(name) or not _VALUE.match(value):
        raise ValueError(f"not a cookie this app writes: {name}={value!r}")
    st.session_state.setdefault(_PENDING, {})[name] = (value, int(days * 86400) if value else 0)


def flush() -> None:
    """Write the queued cookies (one small script in the page); called once per run, after the page, and by a
    fragment that can queue one in a rerun of its own (``app.py`` does not run then)."""
    pending = st.session_state.get(_PENDING)
    if not pending:
        return
    lines = [f"{name}={value}; path=/; max-age={age}; SameSite=Strict" for name, (value, age) in pending.items()]
    st.html("<script>" + "".join(f"document.cookie = {json.dumps(c)};" for c in lines) + "</script>",
            unsafe_allow_javascript=True)
    st.session_state[_PENDING] = {}
