"""Figures built as plain specs (vae.ui.plotly_spec skips Plotly's validation on the rerun path): each builder's
output must still be a valid Plotly figure, so a misspelt property fails here instead of in the browser."""
import numpy as np
import pytest

from vae.ui.plotly_spec import figure, validate
from vae.ui.train_figures import error_bars, latent_sample_figure, per_dim_bars

LABELS = {k: k for k in ("prior", "ellipse", "mu", "z", "eps", "zoom")}


def test_validate_catches_a_misspelt_property():
    with pytest.raises(ValueError):
        validate(figure([{"type": "bar", "x": [1], "y": [2], "colour": "red"}], {}))


@pytest.mark.parametrize("build", [
    lambda: per_dim_bars({"μ": np.array([1.0, -2.0]), "σ": np.array([0.1, 0.2])}, "title", "dim", colors={"μ": "#123456"}),
    lambda: latent_sample_figure(np.array([1.0, 2.0]), np.array([0.1, 0.2]), np.array([1.1, 2.3]), LABELS),
    lambda: error_bars({"noisy": 0.08, "denoised": 0.02}, "title", "MSE"),
])
def test_train_figures_are_valid_plotly(build):
    fig = build()
    checked = validate(fig)
    assert len(checked.data) == len(fig.data) >= 1


def test_step3_picture_zooms_on_q():
    fig = latent_sample_figure(np.array([1.0, 2.0]), np.array([0.1, 0.2]), np.array([1.1, 2.3]), LABELS)
    layout = validate(fig).layout
    width = {ax: getattr(layout, ax).range[1] - getattr(layout, ax).range[0] for ax in ("xaxis", "xaxis2")}
    assert layout.xaxis2.range[0] < 1.0 < layout.xaxis2.range[1] and width["xaxis2"] < width["xaxis"] / 3
    assert [a.text for a in layout.annotations] == ["N(0, I)", "zoom"]
