"""Plotly figures built from plain dicts, without Plotly's property validation.

``go.Bar(...)``, ``fig.update_layout(...)`` and ``make_subplots`` validate every property they are given:
8 to 25 ms of CPU for the small figures of the Denoise and "How a VAE trains" pages, on every rerun, for
every student (measured with ``bench/rerun_cpu.py``; validation is most of a rerun's cost there). Our
builders write the figure's JSON structure themselves (``{"type": "bar", "x": …}``, ``{"xaxis": …}``) and
wrap it with :func:`figure`, which skips validation (Plotly's own ``_validate=False``, as ``plotly.io``
uses for templates): building then costs about 1 ms. ``st.plotly_chart`` takes the figure as usual.

Nothing checks such a spec at run time, so every builder is checked by the tests instead:
:func:`validate` rebuilds a figure *with* validation and raises on a misspelt property.
"""
from __future__ import annotations

import plotly.graph_objects as go


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure holding ``data`` (trace dicts, each with its ``type``) and ``layout``, not validated."""
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def validate(fig: go.Figure) -> go.Figure:
    """``fig`` rebuilt with Plotly's validation (tests): raises ``ValueError`` on an invalid property."""
    return go.Figure(fig.to_dict())
