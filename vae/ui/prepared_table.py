"""A styled table (a pandas ``Styler`` for ``st.table``) rendered once and sent as it is on every rerun.

``st.table(styler)`` runs the Styler (``_compute``, ``_translate``: pandas' HTML/CSS machinery) and serialises the
table twice to Arrow on every call: on the Compare page, the metrics table with its winners in green was one of the
largest costs of a rerun that changed nothing (``bench/profile_rerun.py``). :func:`prepare_table` does that work
once, with the same Streamlit function ``st.table`` calls (``marshall_table``), and keeps the element's proto;
:func:`show_table` enqueues it as ``st.table`` would (same proto, same layout), so the browser gets the same table.
The proto depends on the table only: the Styler's ``uuid`` (its CSS ids) is fixed here, where ``st.table`` takes
pandas' random one.

Those steps use Streamlit internals; if a Streamlit upgrade moves them, :func:`show_table` falls back to
``st.table`` (slower, same table) and says so once in the log, and ``tests/test_prepared_elements.py`` fails
(:func:`fast_path_problem`).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Callable

_LOG = logging.getLogger(__name__)
_problem: list[str] = []  # why the fast path is off in this process (empty while it works)


@dataclass(frozen=True, eq=False)
class PreparedTable:
    """A table marshalled once: ``proto`` is the ``Table`` element ``st.table(make())`` sends (None when the fast
    path is off), ``make`` builds the Styler again (the fallback). Read-only: shared by every session."""

    proto: object | None
    make: Callable


@lru_cache(maxsize=1)
def _streamlit_internals() -> SimpleNamespace:
    """The Streamlit functions ``st.table`` calls (private: checked here)."""
    import streamlit as st
    from streamlit import dataframe_util
    from streamlit.elements import table
    from streamlit.elements.lib import agent_spec
    from streamlit.elements.lib.layout_utils import create_layout_config
    from streamlit.proto.Table_pb2 import Table

    return SimpleNamespace(main=st._main, Table=Table, marshall=table.marshall_table, border=table.parse_border_mode,
                           hide_index=table._compute_hide_index, hide_header=table._compute_hide_header,
                           data_format=dataframe_util.determine_data_format, layout=create_layout_config,
                           recording=agent_spec.is_recording)


def fast_path_problem() -> str | None:
    """Why :func:`show_table` falls back to ``st.table`` in this process (None while the fast path works)."""
    if not _problem:
        try:
            _streamlit_internals()
        except (ImportError, AttributeError) as exc:
            _problem.append(f"{type(exc).__name__}: {exc}")
            _LOG.warning("prepared tables fall back to st.table: %s", _problem[0])
    return _problem[0] if _problem else None


def prepare_table(make: Callable, uuid: str) -> PreparedTable:
    """The ``Table`` element of the Styler ``make()`` (CSS ids ``uuid``), as ``st.table`` marshals it with its
    defaults (border, stretch width, content height, index and header shown as the data says)."""
    if fast_path_problem() is not None:
        return PreparedTable(None, make)
    s = _streamlit_internals()
    styler = make().set_uuid(uuid)
    proto = s.Table()
    s.marshall(proto.arrow_data, styler, uuid)
    proto.border_mode = s.border(True)
    proto.hide_index = s.hide_index(styler, None)
    proto.hide_header = s.hide_header(s.data_format(styler), None)
    return PreparedTable(proto, make)


def show_table(p: PreparedTable):
    """``st.table`` of a :class:`PreparedTable` (same element), without running its Styler again."""
    import streamlit as st

    if p.proto is not None and fast_path_problem() is None and not _streamlit_internals().recording():
        s = _streamlit_internals()  # (a session recorded for Streamlit's agent API gets st.table's own description)
        try:
            layout = s.layout(width="stretch", height="content", allow_content_width=True, allow_content_height=True)
            return s.main._enqueue("table", p.proto, layout_config=layout)
        except TypeError as exc:  # an internal's signature changed (the element is enqueued last, if at all)
            _problem.append(f"TypeError: {exc}")
            _LOG.warning("prepared tables fall back to st.table: %s", _problem[0])
    return st.table(p.make())
