"""Plotly figures built from plain dicts, without Plotly's property validation, and sent as ready-made JSON.

``go.Bar(...)``, ``fig.update_layout(...)`` and ``make_subplots`` validate every property they are given:
8 to 25 ms of CPU for the small figures of the Denoise and "How a VAE trains" pages, on every rerun, for
every student (measured with ``bench/rerun_cpu.py``; validation is most of a rerun's cost there). Our
builders write the figure's JSON structure themselves (``{"type": "bar", "x": …}``, ``{"xaxis": …}``) and
wrap it with :func:`figure`, which skips validation (Plotly's own ``_validate=False``, as ``plotly.io``
uses for templates): building then costs about 1 ms. ``st.plotly_chart`` takes the figure as usual.

``st.plotly_chart`` itself still copies and validates the figure (``plotly.tools.return_figure_from_figure_or_data``)
and serialises it to JSON on every call: for the Compare page's three 1,000-point maps that was most of a rerun.
A figure that only changes with its data is therefore :func:`prepare`\\ d once, cached beside that data
(``st.cache_resource``): :class:`Prepared` holds the JSON ``st.plotly_chart`` would have sent, made by the same
two calls. :func:`show` sends it through Streamlit's own PlotlyChart element path (the steps of
``st.plotly_chart`` after the conversion: same proto, same element id, same layout), so the browser receives
exactly what ``st.plotly_chart`` sends. Those steps use Streamlit internals; if a Streamlit upgrade moves them,
:func:`show` falls back to ``st.plotly_chart`` (slower, same page) and says so once in the log, and
``tests/test_plotly_prepared.py`` fails (:func:`fast_path_problem`).

Nothing checks such a spec at run time, so every builder is checked by the tests instead:
:func:`validate` rebuilds a figure *with* validation and raises on a misspelt property.
"""
from __future__ import annotations

import copy
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

import plotly.graph_objects as go

_LOG = logging.getLogger(__name__)
_problem: list[str] = []  # why the fast path is off in this process (empty while it works)


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure holding ``data`` (trace dicts, each with its ``type``) and ``layout``, not validated."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def validate(fig: go.Figure) -> go.Figure:
    """``fig`` rebuilt with Plotly's validation (tests): raises ``ValueError`` on an invalid property."""
    return go.Figure(fig.to_dict())


@dataclass(frozen=True, eq=False)
class Prepared:
    """A Plotly figure serialised once: ``spec`` is the JSON ``st.plotly_chart`` sends for it, ``width`` and
    ``height`` its layout's size (None when unset). Read-only: one object is shared by every session."""

    spec: str
    width: float | None
    height: float | None
    _source: dict

    def figure(self) -> go.Figure:
        """A new ``go.Figure`` of this figure (to restyle it: projector style, transparent background)."""
        return go.Figure(copy.deepcopy(self._source), _validate=False)


def prepare(fig: go.Figure) -> Prepared:
    """``fig`` converted and serialised as ``st.plotly_chart`` does it (validated once, here), for :func:`show`.

    Costly for a big figure (a 1,000-point map: tens of ms): call it where the figure is cached."""
    import plotly.io
    import plotly.tools

    converted = plotly.tools.return_figure_from_figure_or_data(fig, validate_figure=True)
    layout = converted.get("layout", {})
    return Prepared(plotly.io.to_json(converted, validate=False), layout.get("width"), layout.get("height"),
                    fig.to_dict())


@lru_cache(maxsize=1)
def _streamlit_internals() -> SimpleNamespace:
    """The Streamlit functions ``st.plotly_chart`` calls after converting its figure (private: checked here)."""
    import streamlit as st
    from streamlit.elements import plotly_chart as chart
    from streamlit.elements.lib import agent_spec
    from streamlit.elements.lib.form_utils import current_form_id
    from streamlit.elements.lib.layout_utils import LayoutConfig, validate_width
    from streamlit.elements.lib.utils import compute_and_register_element_id, to_key
    from streamlit.proto.PlotlyChart_pb2 import PlotlyChart

    return SimpleNamespace(main=st._main, PlotlyChart=PlotlyChart, current_form_id=current_form_id,
                           LayoutConfig=LayoutConfig, validate_width=validate_width, to_key=to_key,
                           element_id=compute_and_register_element_id, element=agent_spec.element,
                           plotly_data=chart._plotly_data, content_width=chart._resolve_content_width,
                           content_height=chart._resolve_content_height)


def _send(p: Prepared, key, width, config: dict):
    """What ``st.plotly_chart(fig, key=key, width=width, config=config)`` does after its conversion (no
    selection, theme "streamlit", height "content"): the same proto, element id and layout."""
    s = _streamlit_internals()
    s.validate_width(width, allow_content=True)
    dg = s.main
    key = s.to_key(key)
    proto = s.PlotlyChart()
    proto.theme = "streamlit"
    proto.form_id = s.current_form_id(dg)
    proto.spec = p.spec
    proto.config = json.dumps(config)
    proto.id = s.element_id("plotly_chart", user_key=key, key_as_main_identity=False, dg=dg, plotly_spec=proto.spec,
                            plotly_config=proto.config, selection_mode=("points", "box", "lasso"),
                            is_selection_activated=False, theme="streamlit", width=width, height="content", alt=None)
    size = {"layout": {"width": p.width, "height": p.height}}
    layout = s.LayoutConfig(width=s.content_width(width, size), height=s.content_height("content", size))
    return dg._enqueue("plotly_chart", proto, layout_config=layout,
                       agent_props=s.element("plotly_chart", key=key, data_builder=lambda: s.plotly_data(proto.spec),
                                             alt=None))


def fast_path_problem() -> str | None:
    """Why :func:`show` falls back to ``st.plotly_chart`` in this process (None while the fast path works)."""
    if not _problem:
        try:
            _streamlit_internals()
        except (ImportError, AttributeError) as exc:
            _problem.append(f"{type(exc).__name__}: {exc}")
            _LOG.warning("prepared Plotly figures fall back to st.plotly_chart: %s", _problem[0])
    return _problem[0] if _problem else None


def show(p: Prepared, *, key: str | None = None, width="stretch", config: dict | None = None):
    """``st.plotly_chart`` of a :class:`Prepared` figure (same element, same JSON), without converting or
    serialising the figure again; ``st.plotly_chart`` itself when Streamlit's internals have moved."""
    import streamlit as st

    config = config or {}
    if fast_path_problem() is None:
        try:
            return _send(p, key, width, config)
        except TypeError as exc:  # an internal's signature changed (the element is enqueued last, if at all)
            _problem.append(f"TypeError: {exc}")
            _LOG.warning("prepared Plotly figures fall back to st.plotly_chart: %s", _problem[0])
    return st.plotly_chart(p.figure(), key=key, width=width, config=config)
