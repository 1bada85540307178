"""Streamlit's keyed widgets look up their own key without copying the whole session state.

Streamlit 1.67 builds ``st.selectbox``, ``st.radio``, ``st.slider``, ``st.number_input``, the text and the date/time
widgets each with ``session_state = get_session_state().filtered_state`` followed by ``key in session_state`` and
``session_state[key]``. ``filtered_state`` is a new dict of every key of the session, each value deserialized: one
widget pays for all the others. The sidebar alone draws seven such widgets per rerun; under 200 students that was
4% of the server's GIL time for the select boxes alone (``py-spy record --gil``, issue #24).

:func:`install` hands those widget modules a session state whose ``filtered_state`` answers ``in`` and ``[]`` for
the one key asked, through Streamlit's own ``SessionState`` lookup (the same value: the user key's widget id, the
presenter applied). A key that is an element id or an internal key, which ``filtered_state`` leaves out, is answered
from ``filtered_state`` itself. Everything else the modules ask of the session state goes to the real one.
"""
from __future__ import annotations

import importlib
from typing import Any

from streamlit.runtime.state.common import is_element_id
from streamlit.runtime.state.session_state import STREAMLIT_INTERNAL_KEY_PREFIX

#: the widget modules of Streamlit 1.67 that read ``get_session_state().filtered_state``
WIDGET_MODULES = ("radio", "slider", "number_input", "selectbox", "text_widgets", "time_widgets")
_originals: dict[str, Any] = {}


def _left_out(key: Any) -> bool:
    """Keys that ``filtered_state`` leaves out or renames: element ids and Streamlit's internal keys."""
    return not isinstance(key, str) or is_element_id(key) or key.startswith(STREAMLIT_INTERNAL_KEY_PREFIX)


class KeyLookup:
    """``filtered_state`` for a widget's one key: ``key in lookup`` and ``lookup[key]`` give what
    ``key in filtered_state`` and ``filtered_state[key]`` give, without building the dict.

    A widget asks ``key in lookup and lookup[key] is None``: the value found by ``in`` is kept for the ``[]`` that
    follows (``SessionState.__contains__`` is itself a ``[]``, so the value would otherwise be decoded twice).
    A lookup lives for one widget call (``filtered_state`` makes a new one), like the dict it stands for, which
    was also read once."""

    __slots__ = ("_safe", "_hit")

    def __init__(self, safe_state):
        self._safe = safe_state
        self._hit: tuple[str, Any] | None = None   # (key, value) found by the last ``in``

    def __contains__(self, key: Any) -> bool:
        if _left_out(key):
            return key in self._safe.filtered_state
        with self._safe._lock:
            try:
                self._hit = (key, self._safe._state[key])
            except KeyError:
                self._hit = None
                return False
        return True

    def __getitem__(self, key: Any) -> Any:
        if _left_out(key):
            return self._safe.filtered_state[key]
        if self._hit is not None and self._hit[0] == key:
            return self._hit[1]
        with self._safe._lock:
            return self._safe._state[key]


class WidgetSessionState:
    """The session state as the widget modules see it: ``filtered_state`` is a :class:`KeyLookup`; every other
    attribute is the real ``SafeSessionState``'s."""

    __slots__ = ("_safe",)

    def __init__(self, safe_state):
        self._safe = safe_state

    @property
    def filtered_state(self) -> KeyLookup:
        return KeyLookup(self._safe)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._safe, name)


def _module(name: str):
    return importlib.import_module(f"streamlit.elements.widgets.{name}")


def install() -> bool:
    """Give the widget modules the lighter lookup (before the server starts; idempotent). Returns False, and
    changes nothing, when this Streamlit lacks what it relies on."""
    if _originals:
        return True
    from streamlit.runtime.state.safe_session_state import SafeSessionState

    try:
        modules = {name: _module(name) for name in WIDGET_MODULES}
    except ImportError:
        return False
    if not all(hasattr(m, "get_session_state") for m in modules.values()) or \
            not isinstance(getattr(SafeSessionState, "filtered_state", None), property):
        return False
    for name, module in modules.items():
        original = module.get_session_state
        _originals[name] = original

        def get_session_state(original=original) -> WidgetSessionState:
            return WidgetSessionState(original())
        get_session_state.__wrapped__ = original
        module.get_session_state = get_session_state
    return True


def uninstall() -> None:
    """Undo :func:`install` (tests)."""
    for name, original in _originals.items():
        _module(name).get_session_state = original
    _originals.clear()
