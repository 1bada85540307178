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


def test_a_map_is_built_once_for_every_session_and_again_for_new_weights_or_another_language(isolated_store,
                                                                                               monkeypatch):
    """An amphitheatre opens the same few maps: map_data builds one per models, weights' version, projection, count
    and language, and every session's rerun after that reuses it (vae.ui.explorer.views._MAPS)."""
    from vae.ui import cache
    from vae.ui.explorer import views

    views._MAPS.clear()
    built = []
    real = views._build_map_data
    monkeypatch.setattr(views, "_build_map_data", lambda *a: built.append(a[1]) or real(*a))
    first = open_page("latent_map", "en")
    assert built == ["native"]
    again = open_page("latent_map", "en")   # another session, and a rerun of the first
    first.run()
    assert built == ["native"] and explorer_data(again, "map") == explorer_data(first, "map")
    french = open_page("latent_map", "fr")
    assert built == ["native", "native"] and explorer_data(french, "map")["lang"] == "fr"
    version = cache.model_version
    monkeypatch.setattr(cache, "model_version", lambda path: version(path) + 1)   # retrained under the same name
    first.run()
    assert built == ["native", "native", "native"] and not first.exception


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
    assert at.segmented_control(key="map_projection").options == ["PCA", "t-SNE", "UMAP"]
    data = explorer_data(at, "map")
    assert data["main"]["method"] == "pca" and data["shared"] is False
    assert all(t["method"] == "pca" for t in data["trio"])


def _fashion_map(**params):
    from streamlit.testing.v1 import AppTest

    from apptest_utils import APP
    from conftest import require_shipped

    require_shipped("fashion-mnist-ae-2d", "fashion-mnist-vae-2d", "fashion-mnist-betavae4-2d")
    at = AppTest.from_file(APP, default_timeout=180)
    for k, v in {"lang": "en", "data": "fashion-mnist", **params}.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception
    return at


def _shown(data) -> list[int]:
    """The number of test images in each map's bundles (main, then the trio): test set and projection."""
    sizes = []
    for entry in [data["main"], *data["trio"]]:
        meta, arrays = _bundle(entry["test_set"])
        _, proj = _bundle(entry["projection"])
        assert len(arrays["mu"]) == len(arrays["labels"]) == len(arrays["images"]) == len(proj["coords"]) == meta["n"]
        sizes.append(meta["n"])
    return sizes


def test_the_fashion_map_shows_1000_5000_or_all_10000_test_images_and_the_url_keeps_it(isolated_store):
    at = _fashion_map()
    control = at.segmented_control(key="map_points")
    assert control.options == ["1,000", "5,000", "all 10,000"] and control.value == 1000
    assert _shown(explorer_data(at, "map")) == [1000] * 4 and "points" not in at.query_params
    control.set_value(10_000).run()
    assert not at.exception
    data = explorer_data(at, "map")
    assert _shown(data) == [10_000] * 4  # the trio shows the same images: a hovered image is linked across maps
    assert at.query_params["points"] == "10000"
    _, arrays = _bundle(data["main"]["test_set"])
    assert np.bincount(arrays["labels"]).tolist() == [1000] * 10  # the whole split
    at.segmented_control(key="map_points").set_value(1000).run()
    assert "points" not in at.query_params  # the default leaves the URL

    # a link opens the count it names; a count the split does not offer falls back to 1,000 with a note
    at = _fashion_map(points="5000", proj="pca")
    assert at.segmented_control(key="map_points").value == 5000
    data = explorer_data(at, "map")
    assert data["main"]["method"] == "pca" and _shown(data)[0] == 5000
    at = _fashion_map(points="7")
    assert at.segmented_control(key="map_points").value == 1000 and _shown(explorer_data(at, "map"))[0] == 1000
    assert any("test images shown" in w.value and "7" in w.value for w in at.warning)


def test_the_fashion_map_control_in_french_and_none_on_mnist(isolated_store):
    fr = _fashion_map(lang="fr")
    assert fr.segmented_control(key="map_points").options == ["1\u202f000", "5\u202f000", "toutes (10\u202f000)"]
    assert fr.segmented_control(key="map_points").label == "Images de test affichées"
    mnist = open_page("latent_map", "en")  # MNIST's test split holds 1,000 images: shown whole, nothing to pick
    assert not mnist.exception
    assert [c.key for c in mnist.segmented_control] == ["map_projection"]
    assert _bundle(explorer_data(mnist, "map")["main"]["test_set"])[0]["n"] == 1000


@pytest.fixture
def projection_worker():
    """The web process's projection worker, stopped after the test (its next request starts a fresh one)."""
    from vae.jobs.projection_jobs import get_executor

    yield get_executor()
    get_executor().shutdown()


def _progress_texts(at) -> list[str]:
    return [el.proto.text for el in at.get("progress")]


def _until_shown(at, method: str, timeout: float = 240.0) -> dict:
    """Rerun the page (as the progress fragment does every second) until the map shows ``method``."""
    import time

    end = time.monotonic() + timeout
    while True:
        main = explorer_data(at, "map")["main"]
        if main["method"] == method:
            return main
        assert time.monotonic() < end, f"the map still shows {main['method']}"
        time.sleep(0.5)
        at.run()
        assert not at.exception


@pytest.mark.parametrize("lang, method", [("en", "tsne"), ("fr", "umap")])
def test_a_user_models_tsne_or_umap_is_fitted_in_the_worker_while_the_map_shows_pca(isolated_store, tmp_path,
                                                                                    projection_worker, lang, method):
    import torch

    from vae.checkpoint import save_model
    from vae.config import ModelConfig
    from vae.models import build_model
    from vae.projection import cached_projection
    from vae.ui.cache import store_listing

    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=3, hidden=[32])), tmp_path / "tiny-vae-3d")
    store_listing.clear()  # the model list of an earlier test's store is cached for a few seconds
    at = open_page("latent_map", lang)
    at.selectbox(key="sel_latent").set_value(3).run()
    assert not at.exception
    assert explorer_data(at, "map")["main"]["id"] == "user/tiny-vae-3d" and not _progress_texts(at)

    at.segmented_control(key="map_projection").set_value(method).run()
    assert not at.exception
    main = explorer_data(at, "map")["main"]
    assert main["method"] == "pca"  # drawn at once, the fit still running in the worker
    (bar,) = _progress_texts(at)
    name = {"tsne": "t-SNE", "umap": "UMAP"}[method]
    if lang == "en":
        assert bar.startswith(f"Computing the {name} map of this model") or "waiting for" in bar
        assert any(f"{name} is being computed on the server" in c.value and "shows PCA meanwhile" in c.value
                   for c in at.caption)
    else:
        assert bar.startswith(f"Calcul de la carte {name} de ce modèle") or "attend le calcul" in bar
        assert any(f"{name} est en cours de calcul sur le serveur" in c.value and "« ACP »" in c.value
                   for c in at.caption)
    assert projection_worker.pending() == 1 and at.query_params["proj"] == method

    main = _until_shown(at, method)
    assert not _progress_texts(at) and projection_worker.pending() == 0
    _, proj = _bundle(main["projection"])
    _, arrays = _bundle(main["test_set"])
    on_disk = cached_projection(arrays["mu"], method, tmp_path / "tiny-vae-3d")  # the worker wrote the cache
    assert on_disk is not None and np.array_equal(proj["coords"], on_disk.coords)

    # another session opening the same map draws it at once, with no new fit
    other = open_page("latent_map", lang)
    other.selectbox(key="sel_latent").set_value(3).run()
    other.segmented_control(key="map_projection").set_value(method).run()
    assert not other.exception and explorer_data(other, "map")["main"]["method"] == method
    assert not _progress_texts(other) and projection_worker.pending() == 0


def test_a_map_shipped_in_the_models_folder_opens_at_once_without_the_worker(isolated_store, tmp_path,
                                                                            projection_worker):
    """A model whose folder carries its UMAP (as ``make pretrained`` writes it for shipped models) keeps the instant
    path: no worker, no progress bar."""
    import torch

    from vae.checkpoint import save_model
    from vae.config import ModelConfig
    from vae.models import build_model
    from vae.projection import probe, shipped_projection_file
    from vae.ui.cache import store_listing

    torch.manual_seed(1)  # not the codes of the test above, whose fitted UMAP the worker may still hold
    folder = tmp_path / "shipped-like-3d"
    save_model(build_model(ModelConfig(kind="vae", latent_dim=3, hidden=[32])), folder)
    store_listing.clear()
    at = open_page("latent_map", "en")
    at.selectbox(key="sel_latent").set_value(3).run()
    _, arrays = _bundle(explorer_data(at, "map")["main"]["test_set"])
    coords = np.random.default_rng(0).normal(size=(len(arrays["mu"]), 2)).astype(np.float32)
    target = shipped_projection_file(folder, "umap", arrays["mu"])
    target.parent.mkdir()
    np.savez(target, coords=coords, probe=probe(arrays["mu"]))   # a shipped map keeps rows of the codes it maps

    at.segmented_control(key="map_projection").set_value("umap").run()
    assert not at.exception
    main = explorer_data(at, "map")["main"]
    assert main["id"] == "user/shipped-like-3d" and main["method"] == "umap"
    np.testing.assert_array_equal(_bundle(main["projection"])[1]["coords"], coords)
    assert not _progress_texts(at) and not projection_worker.worker_pids() and projection_worker.pending() == 0
