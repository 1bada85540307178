"""How a VAE trains page (AppTest): the six steps, resampling ε, the gradient with and without the trick."""
import numpy as np
import pytest

from apptest_utils import open_page, output
from vae.ui.cache import available_models

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    available_models.clear()


@pytest.mark.parametrize("lang,resample", [("en", "Resample ε"), ("fr", "Retirer ε")])
def test_page_runs_in_both_languages(lang, resample):
    at = open_page("how_vae_trains", lang)
    assert not at.exception, at.exception
    assert at.button(key="howto.resample").label == resample
    assert at.number_input(key="howto.index") and at.number_input(key="howto.seed")
    assert len(at.metric) >= 4
    assert output(at, "howto.mu").shape == (2,)
    at.button(key="howto.resample").click().run()
    assert not at.exception and at.button(key="howto.resample").label == resample


def test_resampling_eps_changes_z_and_gradients_are_computed():
    at = open_page("how_vae_trains", "en")
    z0, mu0 = output(at, "howto.z").copy(), output(at, "howto.mu").copy()
    with_, without = output(at, "howto.grad_with"), output(at, "howto.grad_without")
    assert np.abs(with_["mu"]).sum() > 0 and np.abs(with_["sigma"]).sum() > 0
    assert without["mu"] is None and without["sigma"] is None
    assert np.all(without["normal_mu"] == 0)
    at.button(key="howto.resample").click().run()
    assert not at.exception
    assert at.number_input(key="howto.seed").value == 1
    assert not np.allclose(output(at, "howto.z"), z0)
    assert np.allclose(output(at, "howto.mu"), mu0)  # same image, same encoder output
    at.number_input(key="howto.index").set_value(7).run()
    assert not np.allclose(output(at, "howto.mu"), mu0)


def test_ae_focus_falls_back_to_the_vae():
    at = open_page("how_vae_trains", "en")
    at.radio(key="sel_focus").set_value("ae").run()
    assert not at.exception
    assert any("no distribution" in i.value for i in at.info)
    assert output(at, "howto.mu").shape == (2,)
