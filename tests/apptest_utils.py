"""Helpers for page tests with ``streamlit.testing.v1.AppTest`` (no browser)."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


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
    """A page's output array stored in session state under ``out.<name>`` (pages publish them for tests)."""
    return at.session_state[f"out.{name}"]
