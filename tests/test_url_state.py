"""The state of a page in the URL (vae.ui.url_state): URL values are parsed like outside input (never raise,
junk is None); a link opens the view it names (models, projection, inspected index, pinned code, language);
a bad or stale value falls back to the default with a visible note and leaves the URL; the widgets write their
changes back; and a URL restored by Back/Forward (a query the session has not seen) wins over the widgets.

The map is the app's default page, so AppTest runs the whole app (sidebar included) on every run here. The
browser's own history (pushState on change, a rerun on popstate) is tested in tests/test_lecture_browser.py."""
import math

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import APP, explorer_data
from vae.ui import url_state


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import store_listing

    store_listing.clear()


def _app(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update(params)
    return at.run()


def _notes(at) -> list[str]:
    return [w.value for w in at.warning]


# ---- parsing outside input ------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, n, expected", [
    ("0", 10, 0), ("9", 10, 9), ("10", 10, None), ("-1", 10, None), ("3.0", 10, None), ("NaN", 10, None),
    ("1e3", 10000, None), ("", 10, None), (" 3", 10, None), ("٣", 10, None), ("9" * 40, 10, None), (None, 10, None)])
def test_parse_index(raw, n, expected):
    assert url_state.parse_index(raw, n) == expected


@pytest.mark.parametrize("raw, d, expected", [
    ("0.5,-1.25", 2, [0.5, -1.25]), ("1,2,3", 3, [1.0, 2.0, 3.0]), ("1,2", 3, None), ("nan,1", 2, None),
    ("inf,0", 2, None), ("1e9,0", 2, None), ("a,b", 2, None), ("", 2, None), (",", 2, None), (None, 2, None),
    ("1,,2", 3, None)])
def test_parse_code(raw, d, expected):
    assert url_state.parse_code(raw, d) == expected


def test_parse_choice_int_and_models():
    assert url_state.parse_choice("pca", ("native", "pca")) == "pca"
    assert url_state.parse_choice("PCA", ("native", "pca")) is None
    assert url_state.parse_int("16", [2, 16]) == 16 and url_state.parse_int("3", [2, 16]) is None
    assert url_state.parse_int("1e1", [10]) is None and url_state.parse_int(None, [2]) is None
    ids = ["pretrained/mnist-vae-2d", "user/my-vae"]
    assert url_state.model_from_param("mnist-vae-2d", ids) == "pretrained/mnist-vae-2d"
    assert url_state.model_from_param("user/my-vae", ids) == "user/my-vae"
    assert url_state.model_from_param("../../etc", ids) is None
    assert url_state.model_param("pretrained/mnist-vae-2d") == "mnist-vae-2d"
    assert url_state.model_param("user/my-vae") == "user/my-vae"


def test_format_code_round_trips():
    z = [0.123456, -2.0, 1e-5]
    text = url_state.format_code(z)
    assert text == "0.1235,-2,0" and url_state.parse_code(text, 3) == [0.1235, -2.0, 0.0]
    assert url_state.format_code(None) is None and math.isclose(url_state.parse_code(url_state.format_code([3.3]), 1)[0], 3.3)


# ---- links open the view they name ----------------------------------------------------------------------------
def test_a_link_opens_models_projection_inspected_index_and_pinned_code():
    at = _app(lang="fr", focus="ae", proj="pca", i="17", z="1.5,-2.25", **{"beta-vae": "mnist-betavae8-2d"})
    assert not at.exception and not _notes(at)
    assert at.sidebar.radio(key="sel_focus").value == "ae"
    assert at.sidebar.selectbox(key="sel_beta-vae_mnist_2_fr").value == "pretrained/mnist-betavae8-2d"  # French
    assert at.segmented_control(key="map_projection").value == "pca"
    data = explorer_data(at, "map")
    assert data["main"]["id"] == "pretrained/mnist-ae-2d" and data["main"]["method"] == "pca" and data["lang"] == "fr"
    assert data["inspected"] == 17 and data["inspected_from_server"] is True
    assert [t.get("id") for t in data["trio"]][2] == "pretrained/mnist-betavae8-2d"
    # the pin is sent as a point of the PCA plane: projecting it back gives the code of the link
    from vae.ui.cache import projection

    proj = projection(_path("mnist-ae-2d"), "pca")
    np.testing.assert_allclose(np.asarray(data["pinned_xy"]) @ proj.components + proj.mean, [1.5, -2.25], atol=1e-6)
    assert data["pinned_from_server"] is True
    assert at.query_params == {"lang": "fr", "focus": "ae", "proj": "pca", "i": "17", "z": "1.5,-2.25",
                               "beta-vae": "mnist-betavae8-2d"}  # a valid link is left as it is


def _path(name: str) -> str:
    from vae.checkpoint import PRETRAINED_DIR

    return str(PRETRAINED_DIR / name)


def test_bad_parameters_fall_back_to_defaults_with_a_note_and_leave_the_url():
    at = _app(lang="en", d="3", vae="no-such-model", focus="gan", proj="isomap", i="NaN", z="1,2,3")
    assert not at.exception
    notes = _notes(at)
    assert len(notes) == 6, notes
    assert all("cannot be used here" in n for n in notes)
    assert any("“no-such-model”" in n for n in notes) and any("“isomap”" in n for n in notes)
    assert at.sidebar.selectbox(key="sel_latent").value == 2 and at.sidebar.radio(key="sel_focus").value == "vae"
    data = explorer_data(at, "map")
    assert data["main"]["id"] == "pretrained/mnist-vae-2d" and data["main"]["method"] == "native"
    assert data["inspected"] is None and "pinned_xy" not in data
    assert at.query_params == {"lang": "en"}  # the URL now names the view shown
    at.run()
    assert not _notes(at)  # a note is about the link: it goes once the URL is clean


def test_a_hostile_value_is_quoted_as_text():
    at = _app(lang="en", proj="![x](http://e.invalid/a.png)" + "z" * 80)
    note = _notes(at)[0]
    assert "\\!\\[x\\](" in note and note.count("z") < 50  # markdown escaped (shown as text, no image), cut


# ---- widgets write back; a restored URL wins --------------------------------------------------------------------
def test_widgets_write_their_state_and_a_restored_url_wins():
    at = _app(lang="en")
    assert at.query_params == {"lang": "en"}  # defaults are left out of the URL
    at.segmented_control(key="map_projection").set_value("pca").run()
    assert at.query_params["proj"] == "pca"
    at.sidebar.radio(key="sel_focus").set_value("ae").run()
    assert at.query_params["focus"] == "ae" and at.query_params["proj"] == "pca"
    at.sidebar.selectbox(key="sel_latent").set_value(16).run()
    assert at.query_params["d"] == "16"
    assert explorer_data(at, "map")["main"]["id"] == "pretrained/mnist-ae-16d"

    # Back: the browser restores an earlier query and reruns with it (Streamlit's popstate handler); the
    # widgets still hold the later choice, but the URL brings news and wins.
    at.query_params.clear()
    at.query_params.update({"lang": "en", "proj": "pca"})
    at.run()
    assert not at.exception
    assert at.sidebar.selectbox(key="sel_latent").value == 2 and at.sidebar.radio(key="sel_focus").value == "vae"
    assert at.segmented_control(key="map_projection").value == "pca"
    assert explorer_data(at, "map")["main"]["id"] == "pretrained/mnist-vae-2d"
    # and a later widget change is written on top of it
    at.segmented_control(key="map_projection").set_value("native").run()
    assert "proj" not in at.query_params


def test_language_from_the_url_and_the_sidebar():
    at = _app(lang="fr")
    assert at.title[0].value == "Carte de l'espace latent"
    at.sidebar.selectbox(key="lang").set_value("en").run()
    assert at.query_params["lang"] == "en" and at.title[0].value == "Latent map"
    at.query_params["lang"] = "fr"  # Back to the French view
    at.run()
    assert at.title[0].value == "Carte de l'espace latent" and at.sidebar.selectbox(key="lang").value == "fr"


def test_the_map_defaults_to_english_without_a_language():
    at = _app()
    assert at.title[0].value == "Latent map" and "lang" not in at.query_params
