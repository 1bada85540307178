"""Widget values from the browser parsed with bounds, in the server process (installed by the launcher).

A component's state (``st.components.v2``) reaches the server as JSON text in the widget state, and Streamlit
1.67 parses it with a plain ``json.loads`` (``streamlit.runtime.state.common.unpack_widget_state_value``) when
the script first reads the widget. Anyone can forge that text from the devtools or a short script, and three
kinds of it raise inside Streamlit, which then shows an exception on the sender's page:

* a 5,000-digit integer (``ValueError``: Python's int-from-text limit),
* 100,000 nested brackets (``RecursionError``),
* text that is not JSON (``JSONDecodeError``).

:func:`install` replaces that parser, and the component triggers' one, by the project's bounded JSON reader
(:func:`vae.bounded_io.loads_json`: size and depth checked before parsing, finite numbers, no duplicate keys).
A value it refuses becomes ``None`` (a cleared widget: the explorer's views then fall back to their defaults)
and one line in the server log, never a traceback on a page. The size of a whole message is bounded earlier,
by Streamlit's own ``server.maxWidgetStateSize`` (the launcher lowers it: :data:`vae.ui.serve.BASE_FLAGS`).
"""
from __future__ import annotations

import logging
from typing import Any

from ..bounded_io import loads_json
from ..errors import ExplorerError

#: Largest JSON text accepted as one widget's value: the explorer sends an index, a code of at most a few hundred
#: numbers, or a short list of codes to decode (a few kB); 256 kB leaves room and bounds the parsed objects.
MAX_WIDGET_JSON = 256 << 10
MAX_WIDGET_DEPTH = 16

_LOG = logging.getLogger(__name__)
_installed = False


def parse_widget_json(text: str | bytes | None) -> Any:
    """A widget's JSON value from the browser, parsed with bounds; ``None`` when it is absent or refused."""
    if text is None:
        return None
    try:
        return loads_json(text, what="a widget value from the browser", limit=MAX_WIDGET_JSON,
                          max_depth=MAX_WIDGET_DEPTH)
    except ExplorerError as exc:
        _LOG.warning("ignored %s", exc)
        return None


def _unpack(original):
    def unpack_widget_state_value(widget_state):
        if widget_state.WhichOneof("value") == "json_value":
            return parse_widget_json(widget_state.json_value)
        return original(widget_state)

    unpack_widget_state_value.__wrapped__ = original
    return unpack_widget_state_value


def install() -> None:
    """Make this process's Streamlit parse widget JSON with :func:`parse_widget_json` (idempotent)."""
    global _installed
    if _installed:
        return
    from streamlit.components.v2.bidi_component import serialization
    from streamlit.runtime.state import common, session_state

    patched = _unpack(common.unpack_widget_state_value)
    common.unpack_widget_state_value = patched
    session_state.unpack_widget_state_value = patched
    try:
        from streamlit.runtime.agent import widget_writes
    except ImportError:  # not in every Streamlit version
        widget_writes = None
    if widget_writes is not None and hasattr(widget_writes, "unpack_widget_state_value"):
        widget_writes.unpack_widget_state_value = patched
    serialization.handle_deserialize = parse_widget_json  # the component's trigger values
    _installed = True
