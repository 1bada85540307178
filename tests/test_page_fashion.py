"""Fashion-MNIST in the app: its class names follow the language, and without Debian's files the sidebar says in one
sentence how to install them while every page keeps working (no traceback).

A tiny model is trained on small fake IDX files (``VAE_FASHION_MNIST_DIR``) into a temporary store; the real
files are tested in tests/test_data.py.
"""
from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import APP, explorer_data
from test_data import _fake_fashion
from vae.__main__ import main

INSTALL = "apt-get install dataset-fashion-mnist"


@pytest.fixture
def fashion_store(tmp_path, monkeypatch):
    """A store holding one 2-D VAE trained on fake Fashion-MNIST files; the files' folder is returned too.

    Streamlit's caches live as long as the test process: a test file run earlier in it may have loaded the real
    Fashion-MNIST (``vae.ui.cache`` keeps a data set by name) and published bundles into its own cache folder, so
    they are emptied here, before and after, as a server started with these files would have them."""
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "fm"))
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path / "store"))
    _fake_fashion(tmp_path / "fm", n_train=60, n_test=20)
    assert main(["train", "--kind", "vae", "--dataset", "fashion-mnist", "--latent-dim", "2", "--hidden", "16",
                 "--epochs", "1", "--out", str(tmp_path / "store" / "fm-vae")]) == 0
    yield tmp_path
    st.cache_resource.clear()
    st.cache_data.clear()


def _open_map(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["lang"] = lang
    at.query_params["data"] = "fashion-mnist"
    at.run()
    return at


@pytest.mark.parametrize("lang, first", [("en", "T-shirt/top"), ("fr", "T-shirt/haut")])
def test_the_map_names_clothes_in_the_pages_language(fashion_store, lang, first):
    at = _open_map(lang)
    assert not at.exception
    assert at.sidebar.selectbox(key="sel_dataset").value == "fashion-mnist"
    assert not [w for w in at.sidebar.warning if INSTALL in w.value]
    from vae.browser_bundle import unpack
    from vae.ui.explorer.assets_store import file_of

    meta, _ = unpack(file_of(explorer_data(at, "map")["main"]["test_set"]["url"]).read_bytes())
    assert meta["label_names"][0] == first and len(meta["label_names"]) == 10


@pytest.mark.parametrize("lang, sentence", [("en", "Fashion-MNIST is not installed on this server"),
                                            ("fr", "Fashion-MNIST n'est pas installé sur ce serveur")])
def test_missing_files_are_one_sentence_in_the_sidebar_and_no_traceback(fashion_store, lang, sentence):
    shutil.rmtree(fashion_store / "fm")
    shutil.rmtree(fashion_store / "cache", ignore_errors=True)
    at = _open_map(lang)
    assert not at.exception
    warnings = [w.value for w in at.sidebar.warning if INSTALL in w.value]
    assert len(warnings) == 1 and warnings[0].startswith(sentence), [w.value for w in at.sidebar.warning]
    for page in ("latent_walk", "generate", "compare", "draw"):
        at.switch_page(f"pages/{page}.py").run()
        assert not at.exception, page
        assert not [e for e in at.error if "Traceback" in e.value], page
