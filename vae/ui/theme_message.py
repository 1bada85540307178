"""The theme part of Streamlit's ``new_session`` message, read from the config once per server, not once per run.

Streamlit 1.67 sends a ``new_session`` message at the start of every full run of the script, and fills its six
theme sections (``theme``, ``theme.light``, ``theme.dark`` and their sidebars) each time by
``streamlit.runtime.app_session._populate_theme_msg``, which walks every one of Streamlit's ~250 config options
to find the section's (``config.get_options_for_section``). Profiled with py-spy under the amphitheatre bench of
issue #24 (200 students, ``bench/load.py --profile lecture``), that was 4.5% of the time the server's GIL was
held: more than any of the Lecture's slides but one.

The theme does not change while the server runs (the launcher turns off the config file watcher in production,
and theme options cannot be set from a script), so :func:`install` keeps each section's filled message as bytes
and merges them into the next runs' messages. The memo is emptied whenever Streamlit parses its config again.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

_memo: dict[str, bytes] = {}
_lock = threading.Lock()
_installed = False


def memoized(original: Callable[..., None]) -> Callable[..., None]:
    """``original`` (Streamlit's ``_populate_theme_msg(msg, section)``) called once per section; later calls copy
    its result. A section with no option set leaves ``msg`` untouched, as the original does."""

    def populate_theme_msg(msg: Any, section: str = "theme") -> None:
        data = _memo.get(section)
        if data is None:
            fresh = type(msg)()
            original(fresh, section)
            data = fresh.SerializeToString(deterministic=True)
            with _lock:
                _memo[section] = data
        if data:
            msg.MergeFromString(data)

    populate_theme_msg.__wrapped__ = original
    return populate_theme_msg


def forget() -> None:
    """Empty the memo (the config was parsed again)."""
    with _lock:
        _memo.clear()


def install() -> bool:
    """Make this process's Streamlit fill the theme sections through :func:`memoized` (idempotent). Returns False,
    and changes nothing, when this Streamlit has no ``_populate_theme_msg``."""
    global _installed
    if _installed:
        return True
    from streamlit import config
    from streamlit.runtime import app_session

    original = getattr(app_session, "_populate_theme_msg", None)
    if original is None:
        return False
    app_session._populate_theme_msg = memoized(original)
    config.on_config_parsed(forget, force_connect=True)
    _installed = True
    return True
