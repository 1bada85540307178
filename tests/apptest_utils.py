"""Helpers for page tests with ``streamlit.testing.v1.AppTest`` (no browser)."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "vae" / "ui" / "app.py")


def open_page(page: str, lang: str = "en", timeout: float = 120) -> AppTest:
    """Run the app, switch to ``pages/<page>.py`` in language ``lang`` and return the AppTest.

    The sidebar (drawn by app.py) picks the shipped MNIST latent-2 models by default.
    """
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


def output(at: AppTest, name: str):
    """A page's output array stored in session state under ``out.<name>`` (older pages publish them for tests;
    issue #12 removes them)."""
    return at.session_state[f"out.{name}"]


def explorer_data(at: AppTest, view: str) -> dict:
    """The ``data`` the page sent to the explorer component's ``view`` (what the browser receives)."""
    import json

    for el in at.get("bidi_component"):
        data = json.loads(el.proto.json or "{}")
        if data.get("view") == view:
            return data
    raise AssertionError(f"no explorer '{view}' view on the page")


def count_conversions(monkeypatch) -> list[str]:
    """A list that records every conversion a prepared element saves (``vae.ui.plotly_spec``, ``prepared_table``):
    Plotly's figure conversion and JSON serialisation, a pandas Styler's computation. Patched for the test."""
    import plotly.io
    import plotly.tools
    from pandas.io.formats.style import Styler

    calls: list[str] = []
    for owner, name in ((plotly.io, "to_json"), (plotly.tools, "return_figure_from_figure_or_data"),
                        (Styler, "_compute")):
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _real=real, _name=name, **k: calls.append(_name) or _real(*a, **k))
    return calls
