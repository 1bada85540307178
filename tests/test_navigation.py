"""The app's page list (vae/ui/navigation.py): made once per session and language, not on every rerun (each
st.Page resolves its script's path on disk), titled in the session's language, and never shared between sessions."""
import streamlit as st

from apptest_utils import open_page


def test_pages_are_made_once_per_session_and_language(monkeypatch):
    made = []
    real = st.Page
    monkeypatch.setattr(st, "Page", lambda *a, **k: made.append(k["url_path"]) or real(*a, **k))
    at = open_page("latent_map", "en")
    assert len(made) == 9 and not at.exception      # the first run makes the nine pages
    for _ in range(3):
        at.run()
    assert len(made) == 9 and not at.exception      # reruns reuse them
    at.switch_page("pages/generate.py")
    at.run()
    assert len(made) == 9 and not at.exception      # so does another page of the same session
    at.selectbox(key="lang").set_value("fr").run()  # the language changes the titles: new pages
    assert len(made) == 18 and not at.exception
    assert at.selectbox(key="lang").value == "fr"
    other = open_page("latent_map", "en")             # another session makes its own
    assert len(made) == 27 and not other.exception
