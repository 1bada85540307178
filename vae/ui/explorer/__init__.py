"""The explorer: ONE Streamlit component (``st.components.v2``) with several views, in which the browser
does the interaction and the server only sends what changes.

Views: ``map`` (the latent map: hover decodes under the cursor, click a dot to inspect it, click an
empty place to pin a code, AE | VAE | β-VAE maps linked), ``walk`` (one live slider per latent
dimension, a 2-D pad, traversal and interpolation grids). A new view is one JavaScript module in
``assets/`` (``view_<name>.js``, registered in ``assets/explorer.js``) and a Python function that
builds its ``data``. The views share ``core.js`` (registry, update order, plotly.js, DOM helpers), ``model.js``
(bundles, decoders and encoders, test sets, projections, lerp / slerp), ``geometry.js`` (σ ellipses, prior
circles), ``spatial.js`` (the grid index of a map's dots: the dot under the cursor, a point's nearest dots),
``map_panel.js`` (a Plotly map, its overlay and hit-testing) and ``pad.js`` (the drawing pad).

Protocol
--------
Python → browser (the component's ``data``, a small JSON dict):
  ``view``: the view's name; ``text``: translated strings; ``plotly``: URL of the explorer's plotly.js
  (a partial build committed in ``plotly/``, see :mod:`vae.ui.explorer.assets_store`); per model, URLs + hashes of
  its bundles (:mod:`vae.explorer_data`: decoder, test set, projection), which the browser fetches
  over HTTP once and keeps in IndexedDB under their hash (a reload transfers nothing); and the
  view's own settings (initial inspected index, pinned code, ...).
Browser → Python (component state, validated by :mod:`vae.ui.explorer.messages`, one rerun per
  change, never per mouse move): ``inspected`` (a test index), ``pinned`` (a code), and for decoders
  the browser cannot run, ``request`` (codes the server must decode for the view).

Assets: ``assets/*.js`` and ``assets/explorer.css`` are the component's files (declared in the
package's own ``vae/pyproject.toml`` as ``asset_dir``, so the package must be installed: ``make venv``
runs ``pip install -e .``, a wheel carries that file). The plotly.js copy and the bundles are derived at run
time into the cache folder (``vendor/`` and ``data/``, named by version or content hash) and served under
the component's URL by :mod:`vae.ui.cache_assets`.
"""
from __future__ import annotations

from typing import Any, Callable

import streamlit as st

COMPONENT = "vae.explorer"

_renderers: dict[int, Any] = {}


def _renderer():
    """The component callable, registered once per Streamlit runtime (the server's, or each AppTest's).

    Registration needs the runtime's component manager, which has read the asset dir from the installed
    package's pyproject.toml: so it happens at the first mount, not at import (tests import this module
    without any runtime)."""
    from streamlit.components.v2.get_bidi_component_manager import get_bidi_component_manager

    manager = get_bidi_component_manager()
    if id(manager) not in _renderers:
        _renderers[id(manager)] = st.components.v2.component(COMPONENT, js="explorer.js", css="explorer.css",
                                                              isolate_styles=False)
    return _renderers[id(manager)]


def mount(view: str, *, key: str, data: dict, state: dict[str, Callable[[], None] | None],
          height: int | str = "content") -> Any:
    """Mount the explorer's ``view`` with ``data``; ``state`` maps each state name the view reports to a
    callback run (before the rerun) when the browser changes it. Returns the component's raw result;
    read values through :mod:`vae.ui.explorer.messages`, never directly."""
    callbacks = {f"on_{name}_change": (cb or _noop) for name, cb in state.items()}
    return _renderer()(key=key, data={"view": view, "instance": key, **data}, height=height, **callbacks)


def _noop() -> None:
    pass
