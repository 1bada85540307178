"""AppTest of the Latent walk page: sliders decode, the start point moves the sliders, interpolation, French."""
import numpy as np
import pytest

from apptest_utils import open_page, output


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import available_models

    available_models.clear()
    return tmp_path


def z_values(at, d):
    return np.array([at.slider(key=f"walk.z.{i}").value for i in range(d)])


def test_walk_english(store):
    at = open_page("latent_walk", "en")
    assert not at.exception
    assert at.title[0].value == "Latent walk"
    for name in ("walk.decoded", "walk.traversal", "walk.lerp", "walk.slerp", "walk.pixel"):
        assert isinstance(output(at, name), np.ndarray)
    assert output(at, "walk.decoded").shape == (28, 28)
    assert output(at, "walk.traversal").shape == (2, 11, 28, 28)
    assert "KL" in at.slider(key="walk.z.0").label

    # moving a slider changes the decoded image
    before = output(at, "walk.decoded").copy()
    at.slider(key="walk.z.0").set_value(3.0).run()
    assert not at.exception
    assert np.abs(output(at, "walk.decoded") - before).max() > 1e-3

    # reset brings the sliders back to the start code
    start = z_values(at, 2)
    at.button(key="walk.reset").click().run()
    assert not np.allclose(z_values(at, 2), start)

    # a new start test image moves the sliders to its code μ
    z_before = z_values(at, 2)
    at.number_input(key="walk.index").set_value(700).run()
    assert not at.exception
    assert not np.allclose(z_values(at, 2), z_before)

    # the origin puts every slider at 0; a prior sample moves them
    at.radio(key="walk.start").set_value("origin").run()
    np.testing.assert_allclose(z_values(at, 2), 0.0)
    at.button(key="walk.random").click().run()
    assert not np.allclose(z_values(at, 2), 0.0)

    # interpolation length follows the steps slider
    at.slider(key="walk.interp.steps").set_value(5).run()
    for name in ("walk.lerp", "walk.slerp", "walk.pixel"):
        assert output(at, name).shape == (5, 28, 28)
    at.slider(key="walk.interp.steps").set_value(12).run()
    assert output(at, "walk.slerp").shape == (12, 28, 28)
    # endpoints of the pixel blend are the two test images themselves
    pixel = output(at, "walk.pixel")
    assert not np.allclose(pixel[0], pixel[-1])


def test_walk_french_labels_differ(store):
    at_en = open_page("latent_walk", "en")
    at = open_page("latent_walk", "fr")
    assert not at.exception
    assert at.title[0].value != at_en.title[0].value
    assert at.button(key="walk.reset").label != at_en.button(key="walk.reset").label
    assert at.slider(key="walk.interp.steps").label != at_en.slider(key="walk.interp.steps").label


def test_walk_16d_sliders_sorted_by_kl(store):
    import torch

    from vae.checkpoint import save_model
    from vae.config import ModelConfig
    from vae.models import build_model

    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=16, hidden=[32])), store / "tiny-vae-16d")
    at = open_page("latent_walk", "en")
    at.selectbox(key="sel_latent").set_value(16).run()
    assert not at.exception
    sliders = [s for s in at.slider if s.key.startswith("walk.z.")]
    assert len(sliders) == 16
    kls = [float(s.label.split("KL")[1]) for s in sliders]
    assert kls == sorted(kls, reverse=True)
    assert output(at, "walk.traversal").shape == (10, 11, 28, 28)


def test_walk_figure_builders():
    from vae.ui.walk_figures import dim_label, dim_name, labeled_grid_figure

    assert dim_name(7) == "z₇" and dim_name(12) == "z₁₂"
    assert dim_label(7, 2.314, "KL") == "z₇ · KL 2.31"
    assert dim_label(3, None, None) == "z₃"
    imgs = np.random.default_rng(0).random((3, 5, 8, 8))
    fig = labeled_grid_figure(imgs, ["a", "b", "c"], [str(i) for i in range(5)], cell=16, pad=2)
    z = np.asarray(fig.data[0].z)
    assert z.shape == (3 * 18 + 2, 5 * 18 + 2, 3)
    assert list(fig.layout.yaxis.ticktext) == ["a", "b", "c"]
    assert len(fig.layout.xaxis.tickvals) == 5
