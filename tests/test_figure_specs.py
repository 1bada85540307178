"""Figures built as plain specs (vae.ui.plotly_spec skips Plotly's validation on the rerun path): each builder's
output must still be a valid Plotly figure, so a misspelt property fails here instead of in the browser."""
import numpy as np
import pytest

from vae.ui.plotly_spec import figure, validate
from vae.ui.train_figures import error_bars, history_figure, latent_sample_figure, per_dim_bars

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


@pytest.mark.parametrize("with_kl", [True, False])
def test_loss_curves_are_laid_out_as_make_subplots_would(with_kl):
    """The live panel's curves (redrawn every second while a job runs) are a plain spec; its panels, their
    titles and each trace's axes match plotly's own make_subplots."""
    from plotly.subplots import make_subplots

    history = [{"epoch": e, "train_recon": 1 / e, "test_recon": 1.1 / e, "train_total": 2.0, "test_total": 2.1,
                **({"train_kl": 0.5, "test_kl": 0.6} if with_kl else {})} for e in (1, 2, 3)]
    titles = {"recon": "Recon", "kl": "KL", "total": "Total"}
    fig = validate(history_figure(history, titles, "train", "test", "epoch"))
    terms = ["recon", "kl", "total"] if with_kl else ["recon", "total"]
    ref = make_subplots(rows=1, cols=len(terms), subplot_titles=[titles[k] for k in terms])
    for k in range(1, len(terms) + 1):
        ax = "xaxis" if k == 1 else f"xaxis{k}"
        assert fig.layout[ax].domain == pytest.approx(ref.layout[ax].domain)
    assert [(a.text, round(a.x, 6)) for a in fig.layout.annotations] == \
        [(a.text, round(a.x, 6)) for a in ref.layout.annotations]
    assert [(tr.xaxis, tr.name, tr.showlegend) for tr in fig.data] == \
        [(f"x{'' if k == 1 else k}", name, k == 1) for k in range(1, len(terms) + 1) for name in ("train", "test")]
    assert list(fig.data[0].y) == [1, 0.5, 1 / 3]
