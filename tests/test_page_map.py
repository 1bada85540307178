"""Latent map page (AppTest, shipped MNIST models): the page mounts the explorer's map view with the right
models, projections and strings; the browser side is tested in tests/test_explorer_browser.py."""
import numpy as np
import pytest

from apptest_utils import explorer_data, open_page
from vae.browser_bundle import unpack
from vae.ui.explorer.assets_store import file_of


@pytest.fixture
def isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))


def _bundle(ref):
    return unpack(file_of(ref["url"]).read_bytes())


def test_map_page_sends_the_focus_model_and_the_trio(isolated_store):
    at = open_page("latent_map", "en")
    assert not at.exception
    assert at.segmented_control(key="map_projection").value == "native"
    data = explorer_data(at, "map")
    main = data["main"]
    assert main["id"] == "pretrained/mnist-vae-2d" and main["method"] == "native" and main["axis"] == ["z1", "z2"]
    meta, arrays = _bundle(main["test_set"])
    assert meta["n"] == 1000 and arrays["mu"].shape == (1000, 2)
    _, proj = _bundle(main["projection"])
    np.testing.assert_array_equal(proj["coords"], arrays["mu"])  # native: the map is μ itself
    assert main["decoder"]["bytes"] > 100_000 and file_of(data["plotly"]["url"]).is_file()
    assert [t["kind"] for t in data["trio"]] == ["ae", "vae", "beta-vae"] and data["shared"] is True
    assert data["text"]["hover_title"].startswith("Under the cursor")

    at.segmented_control(key="map_projection").set_value("pca").run()
    assert not at.exception
    main = explorer_data(at, "map")["main"]
    assert main["method"] == "pca" and main["axis"][0].startswith("principal component 1")
    _, proj = _bundle(main["projection"])
    assert proj["components"].shape == (2, 2) and "PCA plane keeps" in main["note"]

    at.radio(key="sel_focus").set_value("ae").run()
    assert not at.exception
    assert explorer_data(at, "map")["main"]["kind"] == "ae"


def test_map_page_french(isolated_store):
    en = open_page("latent_map", "en")
    fr = open_page("latent_map", "fr")
    assert not fr.exception
    assert fr.title[0].value != en.title[0].value
    assert fr.segmented_control(key="map_projection").options != en.segmented_control(key="map_projection").options
    text = explorer_data(fr, "map")["text"]
    assert text["inspect_title"].startswith("Image de test inspectée")
    assert text["hover_title"] != explorer_data(en, "map")["text"]["hover_title"]


def test_map_page_16d_offers_pca_and_tsne_only(isolated_store):
    at = open_page("latent_map", "en")
    at.selectbox(key="sel_latent").set_value(16).run()
    assert not at.exception
    assert at.segmented_control(key="map_projection").options == ["PCA", "t-SNE"]
    data = explorer_data(at, "map")
    assert data["main"]["method"] == "pca" and data["shared"] is False
    assert all(t["method"] == "pca" for t in data["trio"])
