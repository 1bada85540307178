"""Figure export (issue #25 item 1), without a browser: file names, the Plotly camera's config, the projector
style, and the labelled PNG of an image grid."""
from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
import pytest
from PIL import Image

from vae.ui import export
from vae.ui.images import grid, png


def test_file_name_says_what_the_figure_shows():
    assert export.file_name("latent-map", model="pretrained/mnist-vae-2d", dataset="mnist", projection="pca") \
        == "vae-2d_mnist_latent-map_pca.png"
    assert export.file_name("samples", model="uploads/my VAE (β=4)", dataset="fashion-mnist", extra=["t1.5", "seed3"],
                            ext="svg") == "my-vae-beta-4_fashion-mnist_samples_t1.5_seed3.svg"
    assert export.file_name("beta-sweep", dataset="mnist", extra=["2d", "test"], ext=None) == "mnist_beta-sweep_2d_test"
    assert export.file_name("toy-elbo") == "toy-elbo.png"
    assert export.file_name("", model=None) == "figure.png"


def test_chart_config_sets_the_camera():
    fig = go.Figure(layout={"height": 380})
    two = export.chart_config("mnist_beta-sweep.png", fig, export.Settings())
    assert two["toImageButtonOptions"] == {"format": "png", "filename": "mnist_beta-sweep", "scale": 2}
    assert two["displayModeBar"] == "hover" and two["displaylogo"] is False
    wide = export.chart_config("x", fig, export.Settings(width=1920))["toImageButtonOptions"]
    assert (wide["width"], wide["height"]) == (export.CHART_WIDTH, 380)
    assert int(wide["width"] * wide["scale"]) == 1920  # the canvas truncates: never a pixel short
    svg = export.chart_config("x", fig, export.Settings(fmt="svg"))["toImageButtonOptions"]
    assert svg == {"format": "svg", "filename": "x"}


def test_projector_style_is_a_copy_with_larger_fonts_and_lines():
    fig = go.Figure([go.Scatter(x=[0, 1], y=[1, 0], line={"width": 2}, marker={"size": 6})],
                    layout={"title": {"text": "β"}, "xaxis": {"title": {"text": "KL"}}, "font": {"size": 12}})
    big = export.styled(fig, export.Settings(projector=True, background="transparent"))
    assert big is not fig and fig.layout.font.size == 12 and fig.data[0].line.width == 2
    assert big.layout.font.size == round(12 * export.PROJECTOR_FONT)
    assert big.layout.xaxis.title.font.size > 12 and big.data[0].line.width == 4 and big.data[0].marker.size > 6
    assert big.layout.paper_bgcolor == "rgba(0,0,0,0)"
    assert export.styled(fig, export.Settings()) is fig


def _image(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_labelled_png_is_lossless_and_labelled():
    rng = np.random.default_rng(0)
    images = rng.random((6, 28, 28))
    picture = grid(images, ncols=3, cell=56)           # (2·(56+2)+2, 3·(56+2)+2)
    plain = export.labelled_png(picture, scale=2)
    out = np.asarray(_image(plain).convert("L"))
    h, w = picture.shape
    # the grid's pixels, each enlarged to 2×2, are found unchanged (lossless) in the picture
    ys, xs = np.nonzero(out != 255)
    top, left = ys.min(), xs.min()
    assert np.array_equal(out[top:top + 2 * h:2, left:left + 2 * w:2], picture)
    labelled = export.labelled_png(png(picture), title="VAE · 6 échantillons, T = 1", row_labels=["z₁", "z₂"],
                                   col_labels=["−3", "0", "3"], caption="z ~ N(0, I)", scale=2)
    img = _image(labelled)
    assert img.mode == "RGB" and img.width > 2 * w and img.height > 2 * h
    body = np.asarray(img.convert("L"))
    ink = body[: body.shape[0] - 2 * h].min()            # text above the grid is dark ink on white
    assert ink < 100 and body[0, 0] == 255
    clear = _image(export.labelled_png(picture, title="t", background="transparent"))
    assert clear.mode == "RGBA" and np.asarray(clear)[0, 0, 3] == 0


def test_stack_rows_and_grid_scale():
    a, b = np.zeros((4, 5), np.uint8), np.full((4, 5), 200, np.uint8)
    out = export.stack_rows([[a, b], [png(b), a]], pad=1)
    assert out.shape == (9, 11)
    assert out[0, 0] == 0 and out[0, 6] == 200 and out[5, 0] == 200 and out[4, 0] == 255


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_export_strings_exist_in_both_languages(lang):
    from vae.ui.i18n import STRINGS

    keys = [k for k in STRINGS if k.startswith("export.") or k.startswith("vx.export")]
    assert len(keys) > 20
    assert all(STRINGS[k].get(lang) for k in keys)
