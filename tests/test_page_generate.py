"""Generate page: the quiz gates the reveal; temperature, seed and count change what is drawn (AppTest, rendered
images); French; and the cached sample functions it calls (vae.ui.samples)."""
import io

import numpy as np
import pytest
from PIL import Image

from apptest_utils import open_page
from vae.checkpoint import PRETRAINED_DIR
from vae.ui import samples

VAE = str(PRETRAINED_DIR / "mnist-vae-2d")


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import store_listing

    store_listing.clear()
    return tmp_path


def _urls(at) -> list[str]:
    return [url for img in at.image for url in img.value]


def test_quiz_reveals_samples_and_controls_change_them():
    at = open_page("generate", "en")
    assert not at.exception
    assert not at.image  # nothing generated before the quiz is answered (or "show me" pressed)
    assert at.radio(key="generate.quiz").value is None

    at.radio(key="generate.quiz").set_value(2).run()
    assert not at.exception
    assert len(at.success) == 1
    first = _urls(at)
    assert len(first) == 3 + 2  # one grid per model in play (AE, VAE, β-VAE), then option 1 and option 2
    assert [img.captions[0] for img in at.image[:3]] == ["mnist-ae-2d (shipped)", "mnist-vae-2d (shipped)",
                                                        "mnist-betavae4-2d (β=4, shipped)"]
    assert first[1] == first[4]  # focus = the VAE: its samples are option 2's, the same N(0, I) codes
    assert len(set(first)) == 4

    at.slider(key="generate.temperature").set_value(2.5).run()
    hot = _urls(at)
    assert all(a != b for a, b in zip(hot[:3], first[:3]))  # hotter codes, other samples
    assert hot[3:] == first[3:]  # option 1 / option 2 do not depend on the temperature

    at.button(key="generate.new").click().run()
    assert any(c.value.startswith("Seed 1 ") for c in at.caption)
    new = _urls(at)
    assert all(a != b for a, b in zip(new, hot[:3] + first[3:]))  # new seed: new codes everywhere

    at.slider(key="generate.n").set_value(32).run()
    assert not at.exception and all(a != b for a, b in zip(_urls(at), new))


def test_show_me_button_and_french():
    at_en = open_page("generate", "en")
    at = open_page("generate", "fr")
    assert not at.exception
    assert at.title[0].value != at_en.title[0].value
    assert at.radio(key="generate.quiz").label != at_en.radio(key="generate.quiz").label
    at.button(key="generate.show").click().run()
    assert not at.exception
    assert len(at.image) == 5
    assert at.button(key="generate.new").label == "Nouveaux échantillons"
    assert any(c.value.startswith("Graine 0 ") for c in at.caption)
    at.radio(key="generate.quiz").set_value(1).run()
    assert len(at.warning) == 1


# ---- what the page calls ------------------------------------------------------------------------------------
def test_sample_functions():
    cold = samples.generated_images(VAE, 16, seed=0, temperature=1.0)
    assert cold.shape == (16, 28, 28) and 0 <= cold.min() and cold.max() <= 1
    assert np.array_equal(samples.prior_images(VAE, 16, seed=0), cold)  # the VAE generates from its prior
    assert np.abs(samples.generated_images(VAE, 16, seed=0, temperature=2.5) - cold).max() > 1e-3
    assert np.abs(samples.generated_images(VAE, 16, seed=1) - cold).max() > 1e-3
    assert np.abs(samples.aggregate_images(VAE, 16, seed=0) - cold).max() > 1e-3
    assert samples.aggregate_images(VAE, 32, seed=0).shape == (32, 28, 28)


def test_grid_pictures_are_png_of_the_right_size():
    picture = Image.open(io.BytesIO(samples.generated_grid(VAE, 32, 0, 1.0, ncols=6, cell=56)))
    assert picture.format == "PNG"
    assert picture.size == (6 * 58 + 2, 6 * 58 + 2)  # 6 columns x 6 rows of 56 px cells, 2 px gutters
    prior = np.asarray(Image.open(io.BytesIO(samples.prior_grid(VAE, 16, 0, ncols=4, cell=84))))
    assert prior.shape == (4 * 86 + 2, 4 * 86 + 2)
    assert np.array_equal(prior[2:86, 2:86] > 127, np.kron(samples.prior_images(VAE, 16, 0)[0], np.ones((3, 3))) > 0.5)
