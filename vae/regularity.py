"""Numbers for the lecture's claims about the *regularity* of the latent space (no Streamlit).

The lecture says: an AE's latent space has no regularity, so decoding random codes gives poor
images; the VAE's KL term pulls the aggregate posterior towards N(0, I), so prior samples decode
to plausible digits and interpolations are smooth; β trades reconstruction for structure and,
for β > 1, disentanglement. Each function here measures one of these claims:

========================  ==================================================================
``kl_per_dim``            mean closed-form KL(q(z_j|x) ‖ N(0, 1)) of each latent dimension
``active_units``          Burda et al. 2016 active units (Var_x E_q[z_j] > 10⁻²)
``prior_sample_quality``  classifier confidence and class coverage of decoded N(0, I) samples
``holes``                 fraction of prior samples far from every encoded test point (one direction)
``coverage``              k-NN precision and recall between prior samples and codes (both directions,
                          Kynkäänniemi et al. 2019) and their harmonic mean
``posterior_prior_distance``  Gaussian 2-Wasserstein distance of the aggregate posterior to N(0, I)
``smoothness``            decoded path length / straight distance along latent interpolations
``elbo_and_iwae``         K-sample ELBO and IWAE bound on log p(x) (Burda et al. 2016)
``mig``                   Mutual Information Gap (Chen et al. 2018), needs ground-truth factors
``beta_vae_score``        β-VAE disentanglement metric (Higgins et al. 2017), needs factors
``full_report``           all of the above as one JSON-ready dict
========================  ==================================================================

Every function is deterministic under its ``seed`` (NumPy ``default_rng`` / ``torch.Generator``)
and runs in well under 5 s on 1,000 MNIST test images for the shipped MLP models on one core.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch

from .latent import decode as _decode
from .latent import encode as _encode
from .latent import generator_codes, kl_terms
from .losses import log_bernoulli, log_normal, log_standard_normal, reparameterise

ACTIVE_THRESHOLD = 1e-2  # Burda, Grosse & Salakhutdinov 2016, §5.2 (IWAE paper)
COVERAGE_K = 3  # Kynkäänniemi et al. 2019, §3: k = 3 (their default)
REPORT_KEYS = (
    "kl_per_dim", "active_units", "prior_confidence", "prior_class_entropy", "holes",
    "prior_precision", "prior_recall", "coverage",
    "posterior_prior_distance", "smoothness", "midpoint_confidence", "elbo", "iwae", "mig", "beta_vae_score",
)


def _is_variational(model) -> bool:
    return bool(getattr(model, "variational", True))


# --------------------------------------------------------------------------- KL and active units
def kl_per_dim(model, x) -> np.ndarray | None:
    """Mean over images of the closed-form KL of each latent dimension, shape (d,), in nats.

    KL_j = (1/N) Σ_i ½ (σ_ij² + μ_ij² − 1 − log σ_ij²), the per-dimension terms of
    D_KL(N(μ, diag σ²) ‖ N(0, I)) = ½ (tr σ² + μᵀμ − d − log det σ²) (Kingma & Welling 2014,
    appendix B). Their sum is the KL term of the training loss. A dimension with KL ≈ 0 is
    collapsed to the prior (posterior collapse): the decoder ignores it. None for the AE (no q).
    """
    if not _is_variational(model):
        return None
    mu, logvar = _encode(model, x)
    if logvar is None:
        return None
    mu, logvar = mu.astype(np.float64), logvar.astype(np.float64)
    return kl_terms(mu, logvar).mean(axis=0)


def active_units(model, x, threshold: float = ACTIVE_THRESHOLD) -> int | None:
    """Number of active latent units (Burda, Grosse & Salakhutdinov 2016, "Importance Weighted
    Autoencoders", §5.2): unit u is active when A_u = Cov_x(E_{u~q(u|x)}[u]) > 10⁻².

    For a Gaussian encoder E_{q(u|x)}[u] = μ_u(x), so A_u is the variance over the images ``x``
    of the posterior mean of dimension u (population variance, ddof = 0). The paper's threshold
    is 10⁻² (the default here); inactive units carry no information about x. None for the AE:
    the definition is about a stochastic posterior, and an AE code's scale is arbitrary.
    """
    if not _is_variational(model):
        return None
    mu, _ = _encode(model, x)
    return int(np.sum(np.var(mu.astype(np.float64), axis=0) > threshold))


# --------------------------------------------------------------------------- prior samples
def _entropy_bits(labels: np.ndarray, n_classes: int) -> float:
    p = np.bincount(labels, minlength=n_classes).astype(np.float64)
    p = p[p > 0] / p.sum()
    return float(-(p * np.log2(p)).sum())


def prior_sample_quality(model, classifier, n: int = 1000, seed: int = 0) -> dict:
    """Quality of images decoded from prior samples z ~ N(0, I), scored by a digit classifier.

    "Prior" is the model's generator (``latent.generator_codes``): N(0, I) for the AE, the VAE and the
    β-VAE, the Gaussian fitted to its codes for the AE + Gaussian.

    ``prior_confidence``: mean over the n samples of max_c p(c | x̂) (the classifier's
    confidence; high when the decoded image looks like *some* digit — the lecture's micro-quiz:
    "plausible observation or poor reconstruction?"). ``prior_class_entropy``: Shannon entropy in
    bits of the histogram of predicted classes (coverage of the ten digits; log2 10 ≈ 3.32 when
    all classes are equally frequent, 0 when every sample is the same digit). The same N(0, I) is
    used for the AE, whose codes were never asked to follow it. Classifier: ``vae.classifier``.
    """
    from .classifier import predict_proba

    z = generator_codes(model, n, seed=seed)
    proba = predict_proba(classifier, _decode(model, z))
    return {
        "prior_confidence": float(proba.max(axis=1).mean()),
        "prior_class_entropy": _entropy_bits(proba.argmax(axis=1), proba.shape[1]),
    }


# --------------------------------------------------------------------------- holes and coverage
def _pairwise_sq(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    d2 = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2.0 * a @ b.T
    return np.maximum(d2, 0.0)


def _nn_dist(query: np.ndarray, ref: np.ndarray, exclude_self: bool = False, k: int = 1, chunk: int = 2048) -> np.ndarray:
    """Distance of each query point to its k-th nearest point of ``ref`` (``exclude_self``: query is ref,
    a point is not its own neighbour)."""
    out = np.empty(len(query))
    for i in range(0, len(query), chunk):
        d2 = _pairwise_sq(query[i:i + chunk], ref)
        if exclude_self:
            rows = np.arange(len(d2))
            d2[rows, rows + i] = np.inf
        out[i:i + chunk] = np.sqrt(np.partition(d2, k - 1, axis=1)[:, k - 1])
    return out


def holes(mu, n: int = 1000, seed: int = 0, quantile: float = 0.95, logvar=None, samples=None) -> float:
    """Fraction of prior samples that fall in a *hole* of the encoded data.

    Let μ_1..μ_N be the encoded test codes (posterior means; the codes for the AE) and
    r_i = min_{i'≠i} ‖μ_i − μ_i'‖₂ their leave-one-out nearest-neighbour distances; the radius
    τ is the ``quantile`` of {r_i} (the 95th percentile by default: 95% of data points have a
    neighbour within τ). Draw z_1..z_n ~ N(0, I) (``seed``) and let
    d_j = min_i ‖z_j − μ_i‖₂. Then holes = (1/n) Σ_j 1[d_j > τ].

    Reading: a prior sample landing farther from all data than data points are from each other
    decodes a code the decoder never saw. Calibration: when the μ's are themselves distributed as
    N(0, I), d_j and r_i have (almost) the same law, so holes ≈ 1 − quantile (≈ 0.05), not 0;
    values near 1 mean the prior mostly misses the data (e.g. AE codes far from the origin).
    The scale of the AE code is arbitrary, which is exactly the lecture's point.

    With ``logvar`` (VAE kinds) the reference points are instead one aggregate-posterior sample
    per image, μ_i + σ_i ⊙ ε_i (ε from ``seed + 1``): the codes the decoder is trained on. Use it
    for VAEs in more than ~2 dimensions: there the posterior means shrink towards the origin
    (Var μ + E σ² ≈ 1 per active unit) and the σ's fill the rest, so a μ-only reference reports
    holes that the decoder does not have (shipped mnist-betavae4-16d: 1.0 with μ, 0.01 with samples).
    ``full_report`` uses the samples for VAE kinds and the codes for the AE.

    ``samples``: the generated codes to test instead of N(0, I) draws (``full_report`` passes the model's
    generator, ``latent.generator_codes``: N(0, I) but for the AE + Gaussian's fitted N(m, C)).
    """
    mu = _reference_codes(mu, logvar, seed)
    if len(mu) < 2:
        raise ValueError("holes needs at least two encoded points")
    tau = float(np.quantile(_nn_dist(mu, mu, exclude_self=True), quantile))
    z = np.random.default_rng(seed).standard_normal((n, mu.shape[1])) if samples is None else np.asarray(samples, np.float64)
    return float(np.mean(_nn_dist(z, mu) > tau))


def _reference_codes(mu, logvar, seed: int) -> np.ndarray:
    """The codes the decoder is trained on: μ for the AE, one sample μ_i + σ_i ⊙ ε_i per image for a VAE
    (ε from ``seed + 1``), as float64."""
    mu = np.asarray(mu, dtype=np.float64)
    if logvar is None:
        return mu
    eps = np.random.default_rng(seed + 1).standard_normal(mu.shape)
    return reparameterise(mu, np.asarray(logvar, dtype=np.float64), eps)


def _in_manifold(query: np.ndarray, ref: np.ndarray, k: int, chunk: int = 2048) -> np.ndarray:
    """For each query point: is it inside the k-NN manifold of ``ref``, the union over r ∈ ref of the
    balls B(r, ‖r − NN_k(r)‖) (Kynkäänniemi et al. 2019, eq. 1)?"""
    radius = _nn_dist(ref, ref, exclude_self=True, k=k)
    inside = np.empty(len(query), dtype=bool)
    for i in range(0, len(query), chunk):
        inside[i:i + chunk] = (np.sqrt(_pairwise_sq(query[i:i + chunk], ref)) <= radius[None, :]).any(axis=1)
    return inside


def knn_precision_recall(real, generated, k: int = COVERAGE_K) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, "Improved
    Precision and Recall Metric for Assessing Generative Models", §3), in the space the points live in.

    The k-NN manifold of a set Φ is the union of the balls centred on each φ ∈ Φ with radius the
    distance from φ to its k-th nearest neighbour in Φ. precision = share of ``generated`` points inside
    the manifold of ``real``; recall = share of ``real`` points inside the manifold of ``generated``.
    Both are in [0, 1]: 1 and 1 when the two sets are the same points; 0 and 0 when they are farther
    apart than any radius. Two finite samples of one distribution score just under 1, less so in more
    dimensions (two sets of 1,000 N(0, I) points, k = 3: ≈ 0.98 in 2-D, ≈ 0.79 in 16-D; see the tests),
    so compare models of one latent size only. A set needs more than k points.
    """
    real, generated = np.asarray(real, np.float64), np.asarray(generated, np.float64)
    if min(len(real), len(generated)) <= k:
        raise ValueError(f"precision and recall need more than k = {k} points in each set")
    return float(np.mean(_in_manifold(generated, real, k))), float(np.mean(_in_manifold(real, generated, k)))


def coverage(mu, samples, logvar=None, seed: int = 0, k: int = COVERAGE_K) -> dict:
    """How well the generator's samples and the encoded data cover each other, in both directions.

    ``prior_precision`` and ``prior_recall`` are ``knn_precision_recall(codes, samples)``
    (Kynkäänniemi et al. 2019): the codes are the encoded test images (μ + σ ⊙ ε for VAE kinds, see
    ``holes``; μ for the AE), the samples are the codes the model generates from (N(0, I), or the
    AE + Gaussian's fitted N(m, C)).

    - low ``prior_precision``: the prior samples regions no code uses (a "hole"; ``holes`` measures
      this direction with one global radius);
    - low ``prior_recall``: the codes cover regions the prior never samples, so those images can
      never be generated (the 2-D AE's codes spread to ±40 around an N(0, I) they ignore).

    ``coverage`` is their harmonic mean 2PR / (P + R) (the F1 score, as for PRD curves in Sajjadi et
    al. 2018): low when either direction fails, 0 when one of them is 0.
    """
    p, r = knn_precision_recall(_reference_codes(mu, logvar, seed), samples, k)
    return {"prior_precision": p, "prior_recall": r, "coverage": 2 * p * r / (p + r) if p + r > 0 else 0.0}


def gaussian_w2(samples) -> float:
    """2-Wasserstein distance between N(m, C) fitted to ``samples`` (N, d) and N(0, I).

    W2² = ‖m‖² + tr(C + I − 2 C^{1/2}) (Dowson & Landau 1982, the Fréchet distance between
    Gaussians, as in the FID). C is the sample covariance (ddof = 1); C^{1/2} comes from its
    eigendecomposition with negative round-off eigenvalues clipped to 0. Returns W2, not W2².
    """
    s = np.asarray(samples, dtype=np.float64)
    m = s.mean(axis=0)
    c = np.atleast_2d(np.cov(s, rowvar=False))
    eig = np.clip(np.linalg.eigvalsh((c + c.T) / 2), 0.0, None)
    w2sq = float(m @ m + eig.sum() + len(eig) - 2.0 * np.sqrt(eig).sum())
    return math.sqrt(max(w2sq, 0.0))


def posterior_prior_distance(mu, logvar=None, seed: int = 0, samples_per_point: int = 1) -> float:
    """Gaussian 2-Wasserstein distance between the aggregate posterior and the prior N(0, I).

    Samples of the aggregate posterior q(z) = (1/N) Σ_i N(μ_i, diag σ_i²): z = μ_i + σ_i ⊙ ε
    (``samples_per_point`` per image, ε ~ N(0, I) under ``seed``); for the AE (``logvar`` None)
    the codes themselves. Fit N(m, C) to them and return
    W2 = sqrt(‖m‖² + tr(C + I − 2 C^{1/2})) (Dowson & Landau 1982), see ``gaussian_w2``.
    Only the first two moments are compared: 0 means "mean 0, covariance I", not "Gaussian".
    """
    mu = np.asarray(mu, dtype=np.float64)
    if logvar is None:
        return gaussian_w2(mu)
    rng = np.random.default_rng(seed)
    mu_r = np.repeat(mu, samples_per_point, axis=0)
    lv_r = np.repeat(np.asarray(logvar, dtype=np.float64), samples_per_point, axis=0)
    return gaussian_w2(reparameterise(mu_r, lv_r, rng.standard_normal(mu_r.shape)))


# --------------------------------------------------------------------------- interpolation
def smoothness(model, x, classifier=None, n_pairs: int = 100, steps: int = 10, seed: int = 0) -> dict:
    """Smoothness of decoded linear interpolations between encoded test images.

    Pick ``n_pairs`` random pairs (a, b), a ≠ b, of images of ``x`` (``seed``); z_t = (1 − t/T) μ_a
    + (t/T) μ_b for t = 0..T (T = ``steps``), x̂_t = D(z_t). For each pair
    ratio = Σ_{t<T} ‖x̂_{t+1} − x̂_t‖₂ / ‖x̂_T − x̂_0‖₂ ≥ 1 (triangle inequality); 1 means the
    decoded images move in a straight line (pixel-space cross-fade), large values mean the path
    detours through other images or jumps. Pairs whose two decodings are identical
    (denominator < 1e-6) are skipped. ``smoothness`` is the mean ratio over pairs.

    ``midpoint_confidence``: mean over pairs of the classifier's max-probability for the decoded
    midpoint D((μ_a + μ_b)/2) — does the middle of the path still look like a digit? None when no
    classifier is given.
    """
    x = torch.as_tensor(x, dtype=torch.float32)
    mu, _ = _encode(model, x)
    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(mu), n_pairs)
    b = (a + rng.integers(1, len(mu), n_pairs)) % len(mu)  # b ≠ a
    t = (np.arange(steps + 1) / steps)[None, :, None]
    path = (1 - t) * mu[a][:, None] + t * mu[b][:, None]  # (P, T+1, d)
    imgs = _decode(model, path.reshape(-1, mu.shape[1])).reshape(n_pairs, steps + 1, -1).astype(np.float64)
    length = np.linalg.norm(np.diff(imgs, axis=1), axis=2).sum(axis=1)
    straight = np.linalg.norm(imgs[:, -1] - imgs[:, 0], axis=1)
    keep = straight > 1e-6
    ratio = float(np.mean(length[keep] / straight[keep])) if keep.any() else float("nan")
    conf = None
    if classifier is not None:
        from .classifier import predict_proba

        mid = _decode(model, (mu[a] + mu[b]) / 2)
        conf = float(predict_proba(classifier, mid).max(axis=1).mean())
    return {"smoothness": ratio, "midpoint_confidence": conf}


# --------------------------------------------------------------------------- likelihood bounds
def importance_bounds(log_likelihood: Callable[[torch.Tensor], torch.Tensor], mu: torch.Tensor, logvar: torch.Tensor,
                      k: int, generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """K-sample ELBO and IWAE bound of each image, shapes (N,), in float64 (Burda, Grosse & Salakhutdinov 2016).

    z_k = μ + σ ⊙ ε_k (k = 1..K, ε ~ N(0, I) from ``generator``), log w_k = log p(x|z_k) + log p(z_k)
    − log q(z_k|x) with ``log_likelihood(z)`` giving log p(x|z) of shape (K, N) for z of shape (K, N, d),
    p(z) = N(0, I) and q(z|x) = N(μ, diag σ²) (``losses.log_standard_normal``, ``losses.log_normal``).
    ELBO = (1/K) Σ_k log w_k; IWAE = log (1/K) Σ_k w_k (``torch.logsumexp``). Any likelihood works,
    so the bounds can be checked on a model whose log p(x) is known in closed form.
    """
    eps = torch.randn((k, *mu.shape), generator=generator, dtype=mu.dtype)  # (K, N, d)
    z = reparameterise(mu[None], logvar[None], eps)
    log_w = (log_likelihood(z) + log_standard_normal(z).sum(-1) - log_normal(z, mu[None], logvar[None]).sum(-1)).double()
    return log_w.mean(0), torch.logsumexp(log_w, 0) - math.log(k)


@torch.no_grad()
def elbo_and_iwae(model, x, k: int = 50, seed: int = 0, batch: int = 100) -> dict:
    """K-sample ELBO and importance-weighted bound on log p(x), in nats per image (``importance_bounds``).

    p(x|z) is the Bernoulli decoder (log p(x|z) = −BCE(logits, x) summed over pixels, the training
    loss, ``losses.log_bernoulli``). Returns ``elbo`` = mean over images of (1/K) Σ_k log w_k (the
    usual ELBO, Monte Carlo) and ``iwae`` = mean over images of log (1/K) Σ_k w_k (Burda, Grosse &
    Salakhutdinov 2016). By Jensen iwae ≥ elbo for every image and sample set; E[iwae_K] grows with K
    towards log p(x), and for K = 1 both are the same number.

    The encoder sees the clean x even for a denoising model (any q gives a valid bound).
    MNIST pixels are grey levels in [0, 1], so −BCE is the (unnormalised) Bernoulli
    log-likelihood used by the loss, comparable between the project's models only.
    Both values are None for the AE (no q(z|x): no bound) and for models trained with a ``mse``
    or ``l1`` reconstruction loss (no decoder likelihood with a known noise scale to evaluate).
    """
    if not _is_variational(model) or model.cfg.recon != "bce":
        return {"elbo": None, "iwae": None}
    x = torch.as_tensor(x, dtype=torch.float32)
    x = x.reshape(len(x), -1)
    gen = torch.Generator().manual_seed(seed)
    was_training = model.training
    model.eval()
    elbo_sum, iwae_sum = 0.0, 0.0
    for i in range(0, len(x), batch):
        xb = x[i:i + batch]
        mu, logvar = model.encode(xb)

        def log_likelihood(z: torch.Tensor) -> torch.Tensor:
            logits = model.decode_logits(z.reshape(-1, z.shape[-1])).reshape(*z.shape[:2], -1)
            return log_bernoulli(xb, logits)

        elbo, iwae = importance_bounds(log_likelihood, mu, logvar, k, gen)
        elbo_sum += elbo.sum().item()
        iwae_sum += iwae.sum().item()
    model.train(was_training)
    return {"elbo": elbo_sum / len(x), "iwae": iwae_sum / len(x)}


# --------------------------------------------------------------------------- disentanglement
def _discretize(mu: np.ndarray, n_bins: int) -> np.ndarray:
    out = np.zeros(mu.shape, dtype=np.int64)
    for j in range(mu.shape[1]):
        edges = np.histogram_bin_edges(mu[:, j], bins=n_bins)
        out[:, j] = np.digitize(mu[:, j], edges[1:-1])
    return out


def mig(mu, factors, n_bins: int = 20) -> float:
    """Mutual Information Gap (Chen, Li, Grosse & Duvenaud 2018, "Isolating Sources of
    Disentanglement in VAEs"), in the discretised form of disentanglement_lib (Locatello et al. 2019).

    Each latent dimension's posterior mean μ_j is cut into ``n_bins`` equal-width bins over its
    range; I(z_j; v_k) = ``sklearn.metrics.mutual_info_score`` between the bin index and the
    integer factor v_k, and H(v_k) its empirical entropy (both in nats). For each factor k, sort
    I(z_j; v_k)/H(v_k) over j; the gap is the largest minus the second largest. MIG is the mean
    gap over factors (factors with a single value are skipped), in [0, 1]: 1 when each factor is
    captured by exactly one dimension that the others do not share, ≈ 0 for an entangled or
    uninformative code. Histogram MI is biased upwards by ≈ (bins − 1)(values − 1)/(2N) nats.
    """
    from sklearn.metrics import mutual_info_score

    mu = np.asarray(mu, dtype=np.float64)
    factors = np.asarray(factors)
    if mu.shape[1] < 2:
        raise ValueError("MIG needs at least two latent dimensions")
    zb = _discretize(mu, n_bins)
    gaps = []
    for k in range(factors.shape[1]):
        v = factors[:, k]
        h = mutual_info_score(v, v)
        if h <= 0:
            continue
        mi = np.sort([mutual_info_score(v, zb[:, j]) for j in range(mu.shape[1])])[::-1]
        gaps.append((mi[0] - mi[1]) / h)
    return float(np.mean(gaps)) if gaps else float("nan")


def _encoder_fn(model_or_fn) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model_or_fn, "encode") and hasattr(model_or_fn, "cfg"):
        return lambda x: _encode(model_or_fn, x)[0]
    return lambda x: np.asarray(model_or_fn(x))


def beta_vae_score(model, data, seed: int = 0, n_train: int = 1000, n_test: int = 500, pairs: int = 64) -> float:
    """β-VAE disentanglement metric (Higgins et al. 2017, "β-VAE: Learning Basic Visual
    Concepts with a Constrained Variational Framework", §3 and appendix): held-out accuracy of a
    linear classifier that guesses which factor was held fixed.

    One example: draw a factor k uniformly, then a value v of factor k uniformly among its values;
    draw ``pairs`` (L = 64) pairs of images (x1, x2) uniformly among the images whose factor k
    equals v — the other factors are then uniform, since sprites is a full factorial grid; the
    feature is (1/L) Σ_l |μ(x1_l) − μ(x2_l)| (posterior means) and the label is k. A logistic
    regression (scikit-learn, standardised features) is trained on ``n_train`` examples and the
    score is its accuracy on ``n_test`` fresh ones. Chance = 1 / number of factors (0.2 for
    sprites). Images come from the train and test splits together (the full grid); ``model`` is an
    ``Autoencoder`` or a function images → μ. Known limit (Kim & Mnih 2018): a code that isolates
    all factors but one can still score 100%; MIG is the stricter of the two.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if data.factors_train is None:
        raise ValueError("the β-VAE score needs a dataset with ground-truth factors")
    x = torch.cat([data.x_train, data.x_test]).reshape(len(data.x_train) + len(data.x_test), -1)
    factors = np.concatenate([data.factors_train, data.factors_test])
    mu = _encoder_fn(model)(x).astype(np.float64)
    n_factors = factors.shape[1]
    groups = [{v: np.flatnonzero(factors[:, k] == v) for v in np.unique(factors[:, k])} for k in range(n_factors)]
    rng = np.random.default_rng(seed)

    def examples(n):
        feats, labels = np.empty((n, mu.shape[1])), rng.integers(0, n_factors, n)
        for e, k in enumerate(labels):
            values = list(groups[k])
            idx = groups[k][values[rng.integers(len(values))]]
            i1, i2 = rng.choice(idx, pairs), rng.choice(idx, pairs)
            feats[e] = np.abs(mu[i1] - mu[i2]).mean(axis=0)
        return feats, labels

    xtr, ytr = examples(n_train)
    xte, yte = examples(n_test)
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    clf.fit(xtr, ytr)
    return float(clf.score(xte, yte))


# --------------------------------------------------------------------------- everything at once
def full_report(model, data, classifier=None, seed: int = 0, n_eval: int = 1000) -> dict:
    """All regularity metrics of ``model`` on the first ``n_eval`` test images of ``data``.

    Keys (exactly ``REPORT_KEYS``): kl_per_dim (list of floats), active_units, prior_confidence,
    prior_class_entropy, holes, prior_precision, prior_recall, coverage, posterior_prior_distance,
    smoothness, midpoint_confidence, elbo, iwae (K = 50), mig, beta_vae_score. A key that does not
    apply is None: KL/active units/ELBO for the AE, ELBO/IWAE for non-BCE losses, classifier scores
    without a classifier (or when its image shape differs from the model's), MIG and β-VAE score
    without ground-truth factors. ``holes`` and ``coverage`` use aggregate-posterior samples as
    reference for VAE kinds (see ``holes``) and the same 1,000 generator samples.
    MIG uses the whole test split. Every value is a float, int, list of floats or None (JSON-ready).
    """
    x = data.x_test[:n_eval]
    mu, logvar = _encode(model, x)
    if classifier is not None and tuple(getattr(classifier, "image_shape", ())) != tuple(model.cfg.image_shape):
        classifier = None
    kl = kl_per_dim(model, x)
    samples = generator_codes(model, 1000, seed=seed)
    report = {
        "kl_per_dim": None if kl is None else [float(v) for v in kl],
        "active_units": active_units(model, x),
        "prior_confidence": None,
        "prior_class_entropy": None,
        "holes": holes(mu, n=1000, seed=seed, logvar=logvar, samples=samples),
        **coverage(mu, samples, logvar=logvar, seed=seed),
        "posterior_prior_distance": posterior_prior_distance(mu, logvar, seed=seed),
        "mig": None,
        "beta_vae_score": None,
    }
    if classifier is not None:
        report.update(prior_sample_quality(model, classifier, n=1000, seed=seed))
    report.update(smoothness(model, x, classifier, seed=seed))
    report.update(elbo_and_iwae(model, x, k=50, seed=seed))
    if data.factors_test is not None:
        mu_all, _ = _encode(model, data.x_test)
        report["mig"] = mig(mu_all, data.factors_test)
        report["beta_vae_score"] = beta_vae_score(model, data, seed=seed)
    return {key: report[key] for key in REPORT_KEYS}
