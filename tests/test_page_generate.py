"""AppTest of the Generate page: the quiz gates the reveal; temperature and seed change the samples; French."""
import numpy as np
import pytest

from apptest_utils import open_page, output


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import available_models

    available_models.clear()
    return tmp_path


def test_quiz_reveals_samples_and_controls_change_them():
    at = open_page("generate", "en")
    assert not at.exception
    assert "out.generate.samples" not in at.session_state
    assert at.radio(key="generate.quiz").value is None

    at.radio(key="generate.quiz").set_value(2).run()
    assert not at.exception
    assert len(at.success) == 1
    samples = output(at, "generate.samples")
    assert set(samples) == {"ae", "vae", "beta-vae"}
    assert all(v.shape == (16, 28, 28) for v in samples.values())
    assert output(at, "generate.aggregate").shape == (16, 28, 28)
    assert output(at, "generate.prior").shape == (16, 28, 28)

    at.slider(key="generate.temperature").set_value(2.5).run()
    hot = output(at, "generate.samples")
    assert np.abs(hot["vae"] - samples["vae"]).max() > 1e-3

    at.button(key="generate.new").click().run()
    new = output(at, "generate.samples")
    assert np.abs(new["ae"] - hot["ae"]).max() > 1e-3
    assert np.abs(output(at, "generate.prior") - samples["vae"]).max() > 0  # new seed, new prior codes

    at.slider(key="generate.n").set_value(32).run()
    assert output(at, "generate.samples")["beta-vae"].shape == (32, 28, 28)


def test_show_me_button_and_french():
    at_en = open_page("generate", "en")
    at = open_page("generate", "fr")
    assert not at.exception
    assert at.title[0].value != at_en.title[0].value
    assert at.radio(key="generate.quiz").label != at_en.radio(key="generate.quiz").label
    at.button(key="generate.show").click().run()
    assert not at.exception
    assert "out.generate.samples" in at.session_state
    assert at.button(key="generate.new").label == "Nouveaux échantillons"
    at.radio(key="generate.quiz").set_value(1).run()
    assert len(at.warning) == 1
