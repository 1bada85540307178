"""How a VAE trains: the page (AppTest, asserting on what it renders: the μ/σ/ε/z table, the loss and gradient
metrics, the figures) and the cached computation it shows (vae.ui.training_step)."""
import json

import numpy as np
import pytest

from apptest_utils import open_page
from vae.checkpoint import PRETRAINED_DIR
from vae.ui.cache import store_listing
from vae.ui.training_step import training_step

pytestmark = pytest.mark.slow
VAE = str(PRETRAINED_DIR / "mnist-vae-2d")


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    store_listing.clear()


def _table(at) -> dict[str, list]:
    """The step-3 table as {column: values} (dimension, μ, σ, ε, z)."""
    df = at.dataframe[0].value
    return {c: df[c].tolist() for c in df.columns}


def _metrics(at) -> list[str]:
    """Values of every metric, in page order (losses, then the gradient norms of the three samplers)."""
    return [m.value for m in at.metric]


def _bars(at, key: str) -> dict[str, list]:
    """The series of a bar chart as the browser receives them: {trace name: y values}."""
    chart = next(c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key))
    return {tr["name"]: tr["y"] for tr in json.loads(chart.proto.spec)["data"]}


@pytest.mark.parametrize("lang,resample", [("en", "Resample ε"), ("fr", "Retirer ε")])
def test_page_runs_in_both_languages(lang, resample):
    at = open_page("how_vae_trains", lang)
    assert not at.exception, at.exception
    assert at.button(key="howto.resample").label == resample
    assert at.number_input(key="howto.index") and at.number_input(key="howto.seed")
    assert len(at.metric) == 4 + 2 + 2 + 2  # the loss terms, then |∂/∂μ|, |∂/∂σ| for three samplers
    assert len(_table(at)["z"]) == 2
    assert len(at.image) == 1 + 3 and len(at.get("plotly_chart")) == 3
    at.button(key="howto.resample").click().run()
    assert not at.exception and at.button(key="howto.resample").label == resample


def test_resampling_eps_changes_z_not_mu_and_the_gradients_shown():
    at = open_page("how_vae_trains", "en")
    before = _table(at)
    step = training_step(VAE, 0, 0)
    assert np.allclose(before["μ"], step.steps.mu) and np.allclose(before["z"], step.steps.z)
    assert np.allclose(_bars(at, "howto.fig.mu_sigma")["μ"], step.steps.mu)
    grads = _bars(at, "howto.fig.grad")
    assert np.allclose(grads["∂/∂μ"], step.with_trick.recon_mu) and np.abs(grads["∂/∂σ"]).sum() > 0
    shown = _metrics(at)
    assert shown[4] != "None" and shown[6:8] == ["None", "None"] and shown[8:10] == ["0", "0"]  # trick, sample(), normal()
    images = [img.value[0] for img in at.image]

    at.button(key="howto.resample").click().run()
    assert not at.exception
    assert at.number_input(key="howto.seed").value == 1
    after = _table(at)
    assert after["μ"] == before["μ"] and after["σ"] == before["σ"]  # same image, same encoder output
    assert not np.allclose(after["z"], before["z"]) and not np.allclose(after["ε"], before["ε"])
    assert [img.value[0] for img in at.image][0] == images[0]  # the input image stays

    at.number_input(key="howto.index").set_value(7).run()
    assert not np.allclose(_table(at)["μ"], before["μ"])
    assert [img.value[0] for img in at.image][0] != images[0]


def test_ae_focus_falls_back_to_the_vae():
    at = open_page("how_vae_trains", "en")
    at.radio(key="sel_focus").set_value("ae").run()
    assert not at.exception
    assert any("no distribution" in i.value for i in at.info)
    assert len(_table(at)["μ"]) == 2


def test_training_step_computes_the_six_steps():
    step = training_step(VAE, 3, 5)
    s = step.steps
    assert step.x.shape == step.x_hat_mu.shape == s.x_hat.shape == (28, 28)
    assert np.allclose(s.z, s.mu + s.sigma * s.eps)
    assert s.total == pytest.approx(s.recon + s.beta_kl) and s.kl > 0
    assert np.abs(step.with_trick.recon_mu).sum() > 0 and step.with_trick.z_requires_grad
    assert step.sampled.recon_mu is None and not step.sampled.z_requires_grad  # Normal.sample(): no path
    assert np.all(step.normal.recon_mu == 0)  # torch.normal: a path whose gradient is defined as zero
    other = training_step(VAE, 3, 6)
    assert np.array_equal(other.steps.mu, s.mu) and not np.allclose(other.steps.z, s.z)
