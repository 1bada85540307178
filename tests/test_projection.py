"""Projections of a latent space: PCA's exact inverse, t-SNE's neighbour-weighted inverse, UMAP and its placement
of new codes (against umap-learn's own functions), the disk cache."""
import numpy as np
import pytest

from vae import projection
from vae.projection import Projection, default_projection, fit_pca, project, projection_methods


@pytest.fixture
def codes():
    rng = np.random.default_rng(0)
    return (rng.standard_normal((200, 6)) * np.array([3, 2, 1, 0.5, 0.2, 0.1])).astype(np.float32)


@pytest.mark.parametrize("d, default, methods", [(2, "native", ["native", "pca", "tsne", "umap"]),
                                                 (1, "pca", ["pca", "tsne", "umap"]), (3, "pca", ["pca", "tsne", "umap"]),
                                                 (16, "pca", ["pca", "tsne", "umap"])])
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


# ---- UMAP ---------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def blobs_umap():
    """Four separated blobs of 6-D codes and their UMAP map, fitted once for the module (umap-learn's first call in
    a process compiles numba functions: seconds to a minute)."""
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((4, 6)) * 6
    labels = np.repeat(np.arange(4), 60)
    mu = (centres[labels] + rng.standard_normal((240, 6))).astype(np.float32)
    return mu, labels, centres, projection.fit_umap(mu)


def test_umap_learns_uncached_numba_functions_get_numbas_disk_cache(blobs_umap):
    """umap-learn compiles these without ``cache=True``: each new process paid ~10 s of compilation before its
    first map. After a fit they have numba's disk cache, so the next process loads them."""
    import umap.layouts
    import umap.umap_
    import umap.utils

    # every umap-learn and pynndescent function was reached by the first pass: a second one finds none left to turn on
    assert projection.cache_umap_compilations.__wrapped__() == 0
    for function in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths,
                     umap.utils.fast_knn_indices, umap.layouts._nb_optimize_layout_euclidean_single_epoch):
        assert type(function._cache).__name__ == "FunctionCache", function


def _majority(labels: np.ndarray) -> int:
    return int(np.bincount(labels).argmax())


def test_umap_keeps_neighbours_together(blobs_umap):
    mu, labels, _, proj = blobs_umap
    assert proj.method == "umap" and proj.coords.shape == (240, 2) and np.isfinite(proj.coords).all()
    assert not proj.exact_inverse
    d2 = ((proj.coords[:, None] - proj.coords[None]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    same = labels[np.argsort(d2, 1)[:, :10]] == labels[:, None]
    assert same.mean() > 0.95  # each blob stays one cluster on the map


def test_umap_placement_is_umap_learns_own(blobs_umap):
    """umap_placement against umap-learn's functions of its transform (smooth_knn_dist with the local connectivity
    transform uses, compute_membership_strengths, init_graph_transform) on the same exact neighbours."""
    import scipy.sparse
    from umap.umap_ import compute_membership_strengths, init_graph_transform, smooth_knn_dist

    mu, _, centres, proj = blobs_umap
    rng = np.random.default_rng(2)
    new = (centres[rng.integers(0, 4, 12)] + rng.standard_normal((12, 6)) * 1.3).astype(np.float32)
    ours = projection.umap_placement(new, mu, proj.coords)
    want = []
    for z in new:
        d = np.sqrt(((mu.astype(np.float64) - z) ** 2).sum(1))
        nn = np.argsort(d, kind="stable")[:15][None].astype(np.int32)
        dist = d[nn].astype(np.float32)
        sigmas, rhos = smooth_knn_dist(dist, 15.0, local_connectivity=0.0)
        rows, cols, vals, _ = compute_membership_strengths(nn, dist, sigmas, rhos, bipartite=True)
        graph = scipy.sparse.coo_matrix((vals, (rows, cols)), shape=(1, len(mu))).tocsr()
        graph.eliminate_zeros()
        want.append(init_graph_transform(graph, proj.coords)[0])
    np.testing.assert_allclose(ours, np.asarray(want), rtol=0, atol=1e-4)
    # a test image's own code lands on its own point; Projection.transform is this placement
    np.testing.assert_array_equal(proj.transform(mu[[7, 100]]), proj.coords[[7, 100]].astype(np.float64))
    np.testing.assert_allclose(proj.transform(new), ours)


def test_umap_placement_lands_a_new_code_in_its_blob(blobs_umap):
    mu, labels, centres, proj = blobs_umap
    rng = np.random.default_rng(3)
    for b in range(4):
        xy = proj.transform(centres[b] + rng.standard_normal(6) * 0.5)[0]
        nearest_dots = np.argsort(((proj.coords - xy) ** 2).sum(1))[:10]
        assert _majority(labels[nearest_dots]) == b


def test_umap_inverse_is_neighbour_weighted_and_cached(blobs_umap, tmp_path, monkeypatch):
    mu, _, _, proj = blobs_umap
    z = proj.inverse(proj.coords[:3] + 0.01)
    assert z.shape == (3, 6)
    assert np.abs(z - mu[:3]).max() < np.abs(mu - mu.mean(0)).max()  # near the codes of those points
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(projection, "fit_umap", lambda mu, seed=0, progress=None: proj)
    (tmp_path / "model").mkdir()
    first = project(mu, "umap", tmp_path / "model", ship=True)
    assert sorted(p.name.split("-")[0] for p in (tmp_path / "model" / "projections").glob("*.npz")) == ["umap"]

    def boom(*a, **k):
        raise AssertionError("refitted instead of reading the shipped map")

    monkeypatch.setattr(projection, "fit_umap", boom)
    again = project(mu, "umap", tmp_path / "model")
    assert again.method == "umap" and again.mu is not None
    np.testing.assert_array_equal(again.coords, first.coords)
    np.testing.assert_allclose(again.transform(mu[:2] + 0.1), first.transform(mu[:2] + 0.1))


def test_a_shipped_map_is_recognised_by_its_codes_up_to_rounding_not_by_their_bytes(codes, tmp_path, monkeypatch):
    """Another machine encodes the shipped weights with other float rounding (thread counts, vector units): the
    shipped map must still be found. Codes that differ more (another model) must not reuse it."""
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    small = codes[:60]
    shipped = project(small, "tsne", model_dir, ship=True)
    assert [p.name for p in (model_dir / "projections").glob("*.npz")] == ["tsne-n60.npz"]
    monkeypatch.setattr(projection, "fit_tsne", lambda *a, **k: pytest.fail("refitted a shipped map"))
    rounded = small + np.float32(2e-6) * np.sign(small)          # what another machine may compute
    assert not np.array_equal(rounded, small)
    np.testing.assert_array_equal(project(rounded, "tsne", model_dir).coords, shipped.coords)
    monkeypatch.setattr(projection, "fit_tsne", lambda mu, **k: projection.Projection("tsne", np.zeros((len(mu), 2), np.float32), mu=mu))
    assert not project(small + 0.05, "tsne", model_dir).coords.any()   # other codes: fitted again
    np.testing.assert_array_equal(project(rounded, "tsne", model_dir).coords, shipped.coords)   # still found
