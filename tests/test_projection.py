"""Projections of a latent space: PCA's exact inverse, t-SNE's neighbour-weighted inverse, the disk cache."""
import numpy as np
import pytest

from vae import projection
from vae.projection import Projection, default_projection, fit_pca, project, projection_methods


@pytest.fixture
def codes():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((200, 6)) * np.array([3, 2, 1, 0.5, 0.2, 0.1])).astype(np.float32)


@pytest.mark.parametrize("d, default, methods", [(2, "native", ["native", "pca", "tsne"]), (1, "pca", ["pca", "tsne"]),
                                                 (3, "pca", ["pca", "tsne"]), (16, "pca", ["pca", "tsne"])])
def test_the_default_projection_is_the_plane_itself_only_in_2d(d, default, methods):
    assert default_projection(d) == default
    assert projection_methods(d) == methods


def test_pca_inverse_projects_back_to_the_same_map_point(codes):
    proj = fit_pca(codes)
    pts = np.random.default_rng(1).uniform(-4, 4, (50, 2))
    z = proj.inverse(pts)
    assert z.shape == (50, 6)
    back = (z - proj.mean) @ proj.components.T
    np.testing.assert_allclose(back, pts, atol=1e-4)
    assert proj.exact_inverse


def test_pca_inverse_of_2d_data_is_the_data():
    mu = np.random.default_rng(2).standard_normal((100, 2)).astype(np.float32) @ np.array([[2, 1], [0, 0.5]], np.float32)
    proj = fit_pca(mu)
    np.testing.assert_allclose(proj.inverse(proj.coords), mu, atol=1e-4)


def test_tsne_inverse_is_a_convex_combination_of_neighbours(codes):
    coords = np.random.default_rng(3).standard_normal((len(codes), 2)).astype(np.float32)
    proj = Projection("tsne", coords, mu=codes)
    assert not proj.exact_inverse
    pts = np.random.default_rng(4).uniform(-2, 2, (30, 2))
    z = proj.inverse(pts, k=8)
    for p, code in zip(pts, z):
        nn = np.argsort(((coords - p) ** 2).sum(1))[:8]
        lo, hi = codes[nn].min(0), codes[nn].max(0)
        assert np.all(code >= lo - 1e-5) and np.all(code <= hi + 1e-5)
    # On a data point, the code is (almost) that point's μ, and it is its own nearest neighbour.
    np.testing.assert_allclose(proj.inverse(coords[7:8])[0], codes[7], atol=1e-3)
    assert proj.nearest(coords[7]) == 7


def test_disk_cache_is_written_and_reused(codes, tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    small = codes[:60]
    first_pca = project(small, "pca", model_dir)
    first_tsne = project(small, "tsne", model_dir)
    # Written to the cache folder only: a model folder (shipped, perhaps read-only) is never written at run time.
    files = sorted(p.name.split("-")[0] for p in (tmp_path / "cache" / "projections").glob("*.npz"))
    assert files == ["pca", "tsne"]
    assert not (model_dir / "projections").exists()

    def boom(*a, **k):
        raise AssertionError("refitted instead of reading the cache")

    monkeypatch.setattr(projection, "fit_tsne", boom)
    monkeypatch.setattr(projection, "fit_pca", boom)
    again_pca = project(small, "pca", model_dir)
    again_tsne = project(small, "tsne", model_dir)
    np.testing.assert_array_equal(again_pca.coords, first_pca.coords)
    np.testing.assert_array_equal(again_pca.components, first_pca.components)
    np.testing.assert_array_equal(again_tsne.coords, first_tsne.coords)
    # Other codes (a retrained model) do not reuse the stale map.
    with pytest.raises(AssertionError, match="refitted"):
        project(small + 1.0, "tsne", model_dir)


def test_shipped_projection_is_written_into_the_model_folder_and_read_first(codes, tmp_path, monkeypatch):
    """``make pretrained`` ships a model's projections (``ship=True``); the app reads them before its cache."""
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    small = codes[:60]
    shipped = project(small, "pca", model_dir, ship=True)
    assert [p.name.split("-")[0] for p in (model_dir / "projections").glob("*.npz")] == ["pca"]
    assert not list((tmp_path / "cache").glob("projections/*.npz"))
    monkeypatch.setattr(projection, "fit_pca", lambda *a, **k: pytest.fail("refitted a shipped projection"))
    np.testing.assert_array_equal(project(small, "pca", model_dir).coords, shipped.coords)


def test_native_refuses_other_latent_dims(codes):
    with pytest.raises(ValueError, match="2-D"):
        project(codes, "native")
    mu2 = codes[:, :2]
    np.testing.assert_array_equal(project(mu2, "native").coords, mu2)
    np.testing.assert_array_equal(project(mu2, "native").inverse(mu2[:3]), mu2[:3])


def test_tsne_refuses_too_many_points():
    with pytest.raises(ValueError, match="too long"):
        projection.fit_tsne(np.zeros((projection.MAX_TSNE_POINTS + 1, 2), np.float32))
