"""Unit tests of vae.latent: sampling, interpolation, traversal, dimension order, manifold grid."""
import numpy as np
import torch

from vae import latent
from vae.losses import kl_per_image


def test_lerp_endpoints_and_midpoint():
    z0, z1 = np.array([0.0, 2.0, -1.0], np.float32), np.array([4.0, 0.0, 1.0], np.float32)
    path = latent.lerp(z0, z1, 5)
    assert path.shape == (5, 3)
    np.testing.assert_allclose(path[0], z0)
    np.testing.assert_allclose(path[-1], z1)
    np.testing.assert_allclose(path[2], (z0 + z1) / 2, atol=1e-6)


def test_slerp_endpoints_and_norms_between():
    rng = np.random.default_rng(0)
    z0, z1 = rng.standard_normal(16).astype(np.float32), 2 * rng.standard_normal(16).astype(np.float32)
    path = latent.slerp(z0, z1, 9)
    assert path.shape == (9, 16)
    np.testing.assert_allclose(path[0], z0, atol=1e-5)
    np.testing.assert_allclose(path[-1], z1, atol=1e-5)
    norms = np.linalg.norm(path, axis=1)
    lo, hi = sorted([np.linalg.norm(z0), np.linalg.norm(z1)])
    assert np.all(norms >= lo - 1e-4) and np.all(norms <= hi + 1e-4)
    # the straight line cuts inside the sphere: its midpoint is shorter than slerp's
    assert np.linalg.norm(latent.lerp(z0, z1, 9)[4]) < norms[4]


def test_slerp_falls_back_to_lerp_for_parallel_or_zero_codes():
    z = np.array([1.0, 2.0], np.float32)
    np.testing.assert_allclose(latent.slerp(z, 3 * z, 4), latent.lerp(z, 3 * z, 4), atol=1e-5)
    np.testing.assert_allclose(latent.slerp(np.zeros(2, np.float32), z, 3), latent.lerp(np.zeros(2, np.float32), z, 3))


def test_traversal_codes_vary_one_dimension_per_row():
    z0 = np.arange(6, dtype=np.float32)
    values = np.linspace(-3, 3, 11)
    dims = [4, 1, 0]
    codes = latent.traversal_codes(z0, dims, values)
    assert codes.shape == (len(dims) * len(values), 6)
    rows = codes.reshape(len(dims), len(values), 6)
    for r, dim in enumerate(dims):
        np.testing.assert_allclose(rows[r, :, dim], values, atol=1e-6)
        others = [i for i in range(6) if i != dim]
        np.testing.assert_allclose(rows[r][:, others], np.repeat(z0[None, others], len(values), axis=0))


def test_prior_samples_reproducible_and_scaled_by_temperature():
    a = latent.prior_samples(32, 4, seed=3)
    b = latent.prior_samples(32, 4, seed=3)
    c = latent.prior_samples(32, 4, seed=4)
    assert a.shape == (32, 4) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_allclose(latent.prior_samples(32, 4, seed=3, temperature=2.5), 2.5 * a, rtol=1e-6)
    assert abs(latent.prior_samples(20000, 2, seed=0).std() - 1.0) < 0.03


def test_aggregate_posterior_samples():
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((50, 3)).astype(np.float32)
    z = latent.aggregate_posterior_samples(mu, None, 40, seed=1)
    assert z.shape == (40, 3)
    # AE: a mixture of Diracs — every sample is one of the encoded points
    assert all(np.any(np.all(np.isclose(mu, row), axis=1)) for row in z)
    np.testing.assert_array_equal(z, latent.aggregate_posterior_samples(mu, None, 40, seed=1))
    # VAE: samples spread around the μ with σ
    logvar = np.full_like(mu, np.log(0.01))
    zv = latent.aggregate_posterior_samples(mu, logvar, 2000, seed=1)
    nearest = np.min(np.linalg.norm(zv[:, None] - mu[None], axis=2), axis=1)
    assert 0.05 < np.median(nearest) < 0.4


def test_dimension_order_sorts_by_kl_and_by_variance_for_ae():
    rng = np.random.default_rng(0)
    n = 500
    mu = np.stack([0.1 * rng.standard_normal(n), 2.0 * rng.standard_normal(n), 1.0 * rng.standard_normal(n)], axis=1)
    logvar = np.stack([np.zeros(n), np.full(n, -4.0), np.full(n, -1.0)], axis=1)
    order, score, name = latent.dimension_order(mu, logvar)
    assert name == "kl" and list(order) == [1, 2, 0]
    assert np.all(np.diff(score[order]) <= 0)
    expected = np.mean(0.5 * (np.exp(logvar) + mu**2 - 1 - logvar), axis=0)
    np.testing.assert_allclose(score, expected)
    order_ae, score_ae, name_ae = latent.dimension_order(mu, None)
    assert name_ae == "variance" and list(order_ae) == [1, 2, 0]
    np.testing.assert_allclose(score_ae, mu.var(axis=0))


def test_kl_per_point_matches_losses():
    rng = np.random.default_rng(0)
    mu = rng.standard_normal((10, 5)).astype(np.float32)
    logvar = rng.standard_normal((10, 5)).astype(np.float32)
    ours = latent.kl_per_point(mu, logvar)
    ref = kl_per_image(torch.from_numpy(mu), torch.from_numpy(logvar)).numpy()
    np.testing.assert_allclose(ours, ref, rtol=1e-5)
    assert latent.kl_per_point(mu, None) is None


def test_encode_decode_and_manifold_grid(make_model, tiny_digits):
    model = make_model(kind="vae", latent_dim=2)
    mu, logvar = latent.encode(model, tiny_digits.x_test[:30])
    assert mu.shape == (30, 2) and logvar.shape == (30, 2)
    imgs = latent.decode(model, mu)
    assert imgs.shape == (30, 8, 8) and imgs.min() >= 0 and imgs.max() <= 1
    assert latent.decode(model, mu[0]).shape == (1, 8, 8)
    ae = make_model(kind="ae", latent_dim=2)
    assert latent.encode(ae, tiny_digits.x_test[:5])[1] is None
    g = latent.manifold_grid(model, (-2, 2), (-1, 1), 5)
    assert g.shape == (5, 5, 8, 8)
    # row 0 is the top (largest y), column 0 the left (smallest x)
    corner = latent.decode(model, np.array([-2.0, 1.0], np.float32))[0]
    np.testing.assert_allclose(g[0, 0], corner, atol=1e-6)
