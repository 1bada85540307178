"""Latent map page (AppTest, shipped MNIST latent-2 models) and its figure builders."""
import numpy as np
import pytest

from apptest_utils import open_page, output
from vae.projection import fit_pca
from vae.ui.map_figures import (GRID_TRACE_NAME, click_target, ellipse, grid_points, latent_map_figure,
                                map_covariances)

TEXT = dict(image="image", label="label", decode_here="decode", prior="prior {k}σ", sigma="σ", inspected="star",
            decoded="x", point_sigma="σ point", legend="label")


@pytest.fixture
def isolated_store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))


def test_map_page_english(isolated_store):
    at = open_page("latent_map", "en")
    assert not at.exception
    assert at.segmented_control(key="map_projection").value == "native"
    native = np.array(output(at, "map.coords"))
    assert native.shape[1] == 2 and output(at, "map.inspected") == 0

    at.segmented_control(key="map_projection").set_value("pca").run()
    assert not at.exception
    assert not np.allclose(np.array(output(at, "map.coords")), native)

    before = np.array(output(at, "map.decoded"))
    at.number_input(key="map_x").set_value(2.0)
    at.number_input(key="map_y").set_value(-1.5)
    at.button(key="map_decode_btn").click().run()
    assert not at.exception
    after = np.array(output(at, "map.decoded"))
    assert after.shape == (28, 28) and not np.allclose(after, before)

    at.number_input(key="map_index").set_value(5).run()
    assert output(at, "map.inspected") == 5
    at.segmented_control(key="map_projection").set_value("native").run()
    for key in ("map_prior", "map_ellipses", "map_manifold"):
        at.checkbox(key=key).check()
    at.run()
    assert not at.exception
    assert np.asarray(output(at, "map.manifold")).shape == (225, 28, 28)

    at.radio(key="sel_focus").set_value("ae").run()  # the AE has no σ and no KL: the page says so
    assert not at.exception
    assert any("no σ" in i.value for i in at.info)


def test_map_page_french(isolated_store):
    en = open_page("latent_map", "en")
    fr = open_page("latent_map", "fr")
    assert not fr.exception
    assert fr.title[0].value != en.title[0].value
    assert fr.segmented_control(key="map_projection").options != en.segmented_control(key="map_projection").options
    assert fr.button(key="map_decode_btn").label == "Décoder ce point"
    assert [c.label for c in fr.checkbox] != [c.label for c in en.checkbox]


def test_figure_has_per_trace_customdata_and_a_clickable_grid():
    rng = np.random.default_rng(0)
    coords = rng.standard_normal((50, 2))
    labels = np.arange(50) % 10
    fig = latent_map_figure(coords, labels, [str(i) for i in range(10)], text=TEXT, x_range=(-3, 3), y_range=(-3, 3),
                            axis_titles=("z1", "z2"), grid_n=20, prior_circles=True)
    grid = [tr for tr in fig.data if tr.name == GRID_TRACE_NAME]
    assert len(grid) == 1 and grid[0].type == "scattergl"
    # The grid covers the empty places, and keeps clear of every data point (else it steals clicks).
    g = np.c_[grid[0].x, grid[0].y]
    assert 200 < len(g) < 400
    step = 6 / 19
    assert np.sqrt(((g[:, None] - coords[None]) ** 2).sum(-1)).min() > 0.7 * step
    assert np.abs(g).max() > 2.9  # corners far from the data stay clickable
    data = [tr for tr in fig.data if tr.customdata is not None]
    assert len(data) == 10
    for tr in data:  # customdata = test index, whatever the point's index inside its trace
        np.testing.assert_allclose(np.c_[tr.x, tr.y], coords[np.asarray(tr.customdata)])
    assert sum("prior" in (tr.name or "") for tr in fig.data) == 3


def test_click_target():
    assert click_target([]) is None
    assert click_target([{"curve_number": 3, "point_index": 2, "customdata": 417, "x": 1, "y": 2}]) == ("point", 417)
    assert click_target([{"curve_number": 3, "customdata": [12], "x": 1, "y": 2}]) == ("point", 12)
    assert click_target([{"curve_number": 0, "point_index": 5, "x": 0.5, "y": -1.25}]) == ("code", (0.5, -1.25))
    # A data point and a grid point selected together: the data point wins.
    assert click_target([{"x": 0.5, "y": -1.25}, {"customdata": 7, "x": 0.51, "y": -1.24}]) == ("point", 7)


def test_grid_points_and_covariances():
    g = grid_points((0, 1), (0, 2), 3)
    assert g.shape == (9, 2) and g[0].tolist() == [0, 2] and g[-1].tolist() == [1, 0]  # row 0 on top
    logvar = np.log(np.array([[4.0, 1.0]]))
    np.testing.assert_allclose(map_covariances("native", logvar)[0], np.diag([4.0, 1.0]))
    proj = fit_pca(np.random.default_rng(0).standard_normal((100, 5)))
    cov = map_covariances("pca", np.zeros((1, 5)), proj.components)[0]
    np.testing.assert_allclose(cov, np.eye(2), atol=1e-6)  # isotropic σ = 1 stays isotropic (orthonormal rows)
    e = ellipse(np.array([1.0, 0.0]), np.diag([4.0, 1.0]), k=2)
    assert np.isclose(e[:, 0].max(), 5.0) and np.isclose(e[:, 1].max(), 2.0, atol=1e-2)
