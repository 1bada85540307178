"""2-D views of a latent space: native, PCA (with its exact inverse), t-SNE and UMAP (with an honest
approximate inverse), cached on disk next to the model.

PCA is linear, so any point of the 2-D map is the image of exactly one code in the principal
plane: ``inverse`` returns it. t-SNE (van der Maaten & Hinton 2008) and UMAP (McInnes, Healy & Melville
2018) have no inverse map; we return a neighbour-weighted code — the inverse-distance average of the
μ's of the k nearest embedded points — and say so in the UI.

The other way, a new code (a drawing's) on the map (``Projection.transform``): native and PCA project it
exactly; UMAP places it as umap-learn's own ``transform`` starts to (:func:`umap_placement`: its fuzzy
membership strengths to the code's nearest μ, the weighted average of their map points); t-SNE, which has no
out-of-sample map, keeps the inverse-distance average of the map points of the nearest μ.
"""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .atomic_file import write_file_atomically
from .bounded_io import read_npz
from .cache_dir import cache_dir
from .errors import ExplorerError

METHODS = ("native", "pca", "tsne", "umap")
NEIGHBOUR_METHODS = ("tsne", "umap")   # maps without an inverse: a map point decodes to a neighbour-weighted code
MAX_TSNE_POINTS = 5000
UMAP_NEIGHBOURS = 15                   # umap-learn's default n_neighbors: the fit and the placement of new codes
TSNE_PLACEMENT_NEIGHBOURS = 8          # nearest μ averaged to put a new code on a t-SNE map (as the inverse)


def default_projection(latent_dim: int) -> str:
    """The projection a map of d-dimensional codes shows by default: ``"native"`` when d = 2, else ``"pca"``.

    At d = 2 the latent plane is itself the map, with nothing lost; in any other dimension PCA is the
    default because it is linear and exactly invertible (``Projection.inverse``), so a point of the map
    decodes to exactly one code. t-SNE is only ever asked for. The one place of this rule: the map, compare,
    drawing-pad and lecture views and the training film all use it.
    """
    return "native" if latent_dim == 2 else "pca"


def projection_methods(latent_dim: int) -> list[str]:
    """The projections a map of d-dimensional codes offers, ``default_projection(d)`` first: native (only at
    d = 2), PCA, t-SNE, UMAP."""
    first = default_projection(latent_dim)
    return [first] + [m for m in METHODS if m not in (first, "native")]


@dataclass
class Projection:
    """A fitted 2-D projection of codes ``mu`` (N, d): ``coords`` (N, 2) and what is needed to invert it."""

    method: str
    coords: np.ndarray
    mean: np.ndarray | None = None        # PCA
    components: np.ndarray | None = None  # PCA, (2, d)
    explained: np.ndarray | None = None   # PCA explained variance ratio
    mu: np.ndarray | None = None          # t-SNE, UMAP: the codes, for the approximate inverse and placement

    @property
    def exact_inverse(self) -> bool:
        """True when a map point corresponds to exactly one code (native 2-D and PCA)."""
        return self.method in ("native", "pca")

    def transform(self, codes: np.ndarray) -> np.ndarray:
        """Map points (M, 2, float64) of new codes (M, d), e.g. a drawing's: exact for native and PCA, UMAP's own
        placement (:func:`umap_placement`), and for t-SNE the inverse-distance average of the map points of the
        ``TSNE_PLACEMENT_NEIGHBOURS`` nearest μ (an approximation: t-SNE has no out-of-sample map)."""
        codes = np.atleast_2d(np.asarray(codes, dtype=np.float64))
        if self.method == "native":
            return codes[:, :2].copy()
        if self.method == "pca":
            return (codes - self.mean) @ self.components.T
        if self.method == "umap":
            return umap_placement(codes, self.mu, self.coords)
        nn, dist = _nearest(codes, self.mu, TSNE_PLACEMENT_NEIGHBOURS)
        w = 1.0 / (dist + 1e-6)
        return np.einsum("mk,mkc->mc", w, self.coords[nn].astype(np.float64)) / w.sum(1, keepdims=True)

    def inverse(self, points: np.ndarray, k: int = 8) -> np.ndarray:
        """Codes (M, d) for map points (M, 2): exact for native/PCA, neighbour-weighted for t-SNE and UMAP."""
        points = np.atleast_2d(np.asarray(points, dtype=np.float64))
        if self.method == "native":
            return points.astype(np.float32)
        if self.method == "pca":
            return (points @ self.components + self.mean).astype(np.float32)
        d2 = ((points[:, None, :] - self.coords[None, :, :]) ** 2).sum(-1)
        k = min(k, len(self.coords))
        nn = np.argsort(d2, axis=1)[:, :k]
        w = 1.0 / (np.sqrt(np.take_along_axis(d2, nn, 1)) + 1e-6)
        w /= w.sum(1, keepdims=True)
        return np.einsum("mk,mkd->md", w, self.mu[nn]).astype(np.float32)

    def nearest(self, point: np.ndarray) -> int:
        """Index of the data point whose map position is closest to ``point``."""
        return int(np.argmin(((self.coords - np.asarray(point)[None]) ** 2).sum(1)))


def _nearest(codes: np.ndarray, mu: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices (M, k) and Euclidean distances of the k nearest rows of ``mu`` to each code, nearest first
    (ties: the lower index first, as the browser's search)."""
    mu = np.asarray(mu, dtype=np.float64)
    d2 = (codes ** 2).sum(1)[:, None] - 2 * codes @ mu.T + (mu ** 2).sum(1)[None, :]
    k = min(k, len(mu))
    nn = np.argsort(d2, axis=1, kind="stable")[:, :k]
    dist = np.sqrt(np.maximum(((codes[:, None, :] - mu[nn]) ** 2).sum(-1), 0.0))
    order = np.argsort(dist, axis=1, kind="stable")
    return np.take_along_axis(nn, order, 1), np.take_along_axis(dist, order, 1)


def smooth_knn_sigma(dist: np.ndarray, k: int, n_iter: int = 64, tol: float = 1e-5) -> float:
    """UMAP's kernel width for one new point (umap-learn ``smooth_knn_dist`` with the local connectivity its
    ``transform`` uses, 1 − 1 = 0, so ρ = 0): the σ whose membership strengths exp(−dᵢ/σ) over the neighbours
    after the first sum to log₂ k, by bisection; at least 10⁻³ of the mean distance."""
    target, lo, hi, mid = np.log2(k), 0.0, np.inf, 1.0
    for _ in range(n_iter):
        psum = float(np.sum(np.where(dist[1:] > 0, np.exp(-dist[1:] / mid), 1.0)))
        if abs(psum - target) < tol:
            break
        if psum > target:
            hi = mid
            mid = (lo + hi) / 2.0
        else:
            lo = mid
            mid = mid * 2 if hi == np.inf else (lo + hi) / 2.0
    return max(mid, 1e-3 * float(np.mean(dist)))


def umap_placement(codes: np.ndarray, mu: np.ndarray, coords: np.ndarray, k: int = UMAP_NEIGHBOURS) -> np.ndarray:
    """Map points (M, 2, float64) of new codes on a UMAP map of ``mu`` (N, d) -> ``coords`` (N, 2), as umap-learn's
    ``UMAP.transform`` places them before refining: the fuzzy membership strength of each of the k nearest μ
    (exp(−d/σ), :func:`smooth_knn_sigma`), then their map points' weighted average; a code equal to a μ lands
    on that μ's point. The refinement that follows in umap-learn (stochastic gradient steps against the fitted
    graph, which is not kept) is left out: the placement is deterministic and the browser computes the same
    (``assets/model.js``, ``project``), so a drawing appears at once where its neighbours are."""
    codes = np.atleast_2d(np.asarray(codes, dtype=np.float64))
    nn, dist = _nearest(codes, mu, k)
    coords = np.asarray(coords, dtype=np.float64)
    out = np.empty((len(codes), 2))
    for r in range(len(codes)):
        zero = np.flatnonzero(dist[r] == 0)
        if len(zero):
            out[r] = coords[nn[r, zero].min()]
            continue
        w = np.exp(-dist[r] / smooth_knn_sigma(dist[r], nn.shape[1]))
        out[r] = w @ coords[nn[r]] / w.sum()
    return out


def fit_pca(mu: np.ndarray) -> Projection:
    """Principal components of the codes (SVD of the centred matrix); codes of dimension < 2 are padded."""
    mu = np.asarray(mu, dtype=np.float64)
    mean = mu.mean(0)
    _, s, vt = np.linalg.svd(mu - mean, full_matrices=False)
    comps = np.zeros((2, mu.shape[1]))
    comps[:min(2, len(vt))] = vt[:2]
    # Fix the sign so the map does not flip between runs: largest loading positive.
    for i in range(2):
        j = np.argmax(np.abs(comps[i]))
        if comps[i, j] < 0:
            comps[i] *= -1
    var = s**2
    explained = np.zeros(2)
    explained[:min(2, len(var))] = (var / max(var.sum(), 1e-12))[:2]
    return Projection("pca", ((mu - mean) @ comps.T).astype(np.float32), mean, comps, explained)


def check_size(method: str, n: int) -> None:
    """Raise ``ValueError`` (a message for the page) when ``method`` cannot embed ``n`` codes: t-SNE beyond
    ``MAX_TSNE_POINTS`` (it would take minutes), UMAP below 4. Checked before a fit is queued, and by the fits."""
    if method == "tsne" and n > MAX_TSNE_POINTS:
        raise ValueError(f"t-SNE on {n:,} points would take too long; the limit is {MAX_TSNE_POINTS:,}")
    if method == "umap" and n < 4:
        raise ValueError(f"UMAP needs at least 4 codes; there are {n}")


class _ProgressText:
    """A text stream that turns what a fit prints into ``progress(fraction)`` calls: ``pattern`` finds
    (done, total) in the text (scikit-learn's t-SNE iterations, umap-learn's tqdm epochs), rising only."""

    def __init__(self, pattern: str, progress: Callable[[float], None], total: int | None = None):
        import re

        self._re, self._progress, self._total, self._last = re.compile(pattern), progress, total, 0.0

    def write(self, text: str) -> int:
        for m in self._re.finditer(text):
            done, total = int(m.group(1)), int(m.group(2)) if m.lastindex and m.lastindex > 1 else self._total
            if total:
                fraction = min(0.99, done / total)  # 1.0 only once the fit has returned
                if fraction > self._last:
                    self._last = fraction
                    self._progress(fraction)
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""


def fit_tsne(mu: np.ndarray, seed: int = 0, progress: Callable[[float], None] | None = None) -> Projection:
    """t-SNE embedding of the codes (scikit-learn, perplexity 30, PCA init, fixed seed).

    Raises ``ValueError`` beyond ``MAX_TSNE_POINTS`` points (it would take minutes in a page).
    ``progress(fraction)`` is called at 0, every 50 gradient iterations (scikit-learn's own report, read from its
    verbose output; the same embedding) and at 1. With ``progress``, the fit redirects ``sys.stdout`` — the whole
    process's — while it runs: pass it in a worker process or a script, never in a threaded server.
    """
    import contextlib

    from sklearn.manifold import TSNE

    mu = np.asarray(mu, dtype=np.float32)
    check_size("tsne", len(mu))
    perplexity = float(min(30, max(2, (len(mu) - 1) / 3)))
    tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed, n_jobs=1,
                verbose=2 if progress else 0)
    if not progress:
        return Projection("tsne", tsne.fit_transform(mu).astype(np.float32), mu=mu)
    progress(0.0)
    with contextlib.redirect_stdout(_ProgressText(r"Iteration (\d+):", progress, total=tsne.max_iter)):
        coords = tsne.fit_transform(mu)
    progress(1.0)
    return Projection("tsne", coords.astype(np.float32), mu=mu)


def fit_umap(mu: np.ndarray, seed: int = 0, progress: Callable[[float], None] | None = None) -> Projection:
    """UMAP embedding of the codes (umap-learn, ``UMAP_NEIGHBOURS`` neighbours, min_dist 0.1, spectral init, fixed
    seed, one thread). ``progress(fraction)`` is called at 0, along the layout's epochs (umap-learn's tqdm bar,
    written to a stream of ours; the same embedding) and at 1. umap-learn (and numba) are imported here only: the
    first call in a process compiles numba functions (tens of seconds, then cached on disk:
    :func:`cache_umap_compilations`)."""
    import umap

    cache_umap_compilations()
    mu = np.asarray(mu, dtype=np.float32)
    check_size("umap", len(mu))
    bar = {}
    if progress:
        progress(0.0)
        bar = {"tqdm_kwds": {"disable": False, "file": _ProgressText(r"(\d+)/(\d+)", progress),
                             "bar_format": "{n}/{total}", "mininterval": 0.25}}
    reducer = umap.UMAP(n_neighbors=min(UMAP_NEIGHBOURS, len(mu) - 1), min_dist=0.1, random_state=seed,
                        transform_seed=seed, n_jobs=1, **bar)
    coords = reducer.fit_transform(mu)
    if progress:
        progress(1.0)
    return Projection("umap", np.asarray(coords, np.float32), mu=mu)


@functools.lru_cache(maxsize=None)
def cache_umap_compilations() -> int:
    """Turn numba's disk cache on for every umap-learn and pynndescent function that does not ask for it; returns
    how many were turned on (once per process).

    Why: umap-learn compiles most of its numba functions without ``cache=True``, so each new process (a projection
    worker, a replica, a test worker) spent about 10 s of CPU compiling them again before its first UMAP map.
    With the cache on, the first process writes the compiled code next to the package (numba's own cache, keyed
    on the source file; a user-wide folder when the install is read-only) and later processes load it in about
    a second. A function numba cannot cache (no writable place) keeps compiling in memory as before."""
    import sys

    import umap.umap_  # noqa: F401  (imports umap-learn's and pynndescent's numba modules)
    from numba.core.registry import CPUDispatcher

    turned_on = 0
    modules = [m for name, m in list(sys.modules.items()) if name.split(".")[0] in ("umap", "pynndescent") and m]
    for module in modules:
        for function in list(vars(module).values()):
            if isinstance(function, CPUDispatcher) and type(function._cache).__name__ == "NullCache":
                try:
                    function.enable_caching()
                    turned_on += 1
                except RuntimeError:   # numba: "cannot cache function ...: no locator available"
                    pass
    return turned_on


def warm_up() -> float:
    """Fit UMAP once on 300 random 6-D codes so numba compiles and caches umap-learn's and pynndescent's functions
    on disk (:func:`cache_umap_compilations`; about 35 s on a 2-core machine, once per install); returns the
    seconds it took.

    ``make venv`` runs it, so the first UMAP map of a fresh install (a student's, or the test suite's) does not pay
    that compilation."""
    import time

    t0 = time.perf_counter()
    fit_umap(np.random.default_rng(0).normal(size=(300, 6)).astype(np.float32))
    return time.perf_counter() - t0


FITS = {"pca": lambda mu, progress: fit_pca(mu), "tsne": lambda mu, progress: fit_tsne(mu, progress=progress),
        "umap": lambda mu, progress: fit_umap(mu, progress=progress)}


def native(mu: np.ndarray) -> Projection:
    """The latent space itself when it has 2 dimensions."""
    if mu.shape[1] != 2:
        raise ValueError(f"the native map needs a 2-D latent space; this one has {mu.shape[1]} dimensions")
    return Projection("native", np.asarray(mu, np.float32))


PROBE_ROWS = 32            # rows of μ a shipped map keeps, to recognise the codes it was computed from
PROBE_TOLERANCE = 1e-3     # |Δμ| allowed: another machine's float rounding, never another model's codes


def _cache_file(model_dir: Path, method: str, mu: np.ndarray) -> list[Path]:
    """Where a projection of ``mu`` may be found: the model folder's ``projections/`` (shipped ones, computed by
    ``make pretrained``), then the cache folder, the only one written at run time (``vae.cache_dir``).

    A shipped map is named by method and number of points, and recognised by the rows of μ it keeps
    (:func:`probe`): the shipped weights give the same codes on any machine only up to float rounding (thread
    counts, vector units), so a hash of μ's bytes made on one machine missed on the next. The cache folder's maps
    are this machine's own and keep the exact hash."""
    digest = hashlib.sha256(np.ascontiguousarray(mu, dtype=np.float32).tobytes()).hexdigest()[:16]
    return [model_dir / "projections" / f"{method}-n{len(mu)}.npz", cache_dir("projections") / f"{method}-{digest}.npz"]


def probe(mu: np.ndarray) -> np.ndarray:
    """The :data:`PROBE_ROWS` evenly spaced rows of μ that a shipped map keeps (float32)."""
    rows = np.unique(np.linspace(0, len(mu) - 1, min(PROBE_ROWS, len(mu))).astype(int))
    return np.asarray(mu, np.float32)[rows]


def shipped_projection_file(model_dir: str | os.PathLike, method: str, mu: np.ndarray) -> Path:
    """The file in a model folder that ships the ``method`` projection of ``mu`` (``<method>-n<points>.npz``): what
    ``scripts/precompute_projections.py --prune`` keeps, every other projection file there being stale."""
    return _cache_file(Path(model_dir), method, mu)[0]


def _read_cache(path: Path, method: str, mu: np.ndarray, shipped: bool = False) -> Projection | None:
    """A cached projection of ``mu``, or None when the file is absent or unusable (too large, not a regular
    file, a symbolic link, arrays of the wrong shape): it is then recomputed, never trusted.

    Read with ``vae.bounded_io.read_npz``: a FIFO planted in ``projections/`` is refused at once (no hang).
    """
    if not os.path.lexists(path) or path.parent.is_symlink():
        return None
    n, d = np.shape(mu)
    try:
        f = read_npz(path, max_file=64 << 20, max_values=max(2 * max(n, d), PROBE_ROWS * d) + 16, max_bytes=256 << 20)
    except ExplorerError:
        return None
    coords = f.get("coords")
    if coords is None or coords.shape != (n, 2) or coords.dtype.kind != "f" or not np.isfinite(coords).all():
        return None
    kept = f.get("probe")
    if shipped:   # named by its size only: are these the codes it was computed from?
        want = probe(mu)
        if kept is None or kept.shape != want.shape or not np.allclose(kept, want, rtol=0, atol=PROBE_TOLERANCE):
            return None
    if method in NEIGHBOUR_METHODS:
        return Projection(method, coords, mu=np.asarray(mu, np.float32))
    shapes = {"mean": (d,), "components": (2, d), "explained": (2,)}
    if any(k not in f or f[k].shape != s or f[k].dtype.kind != "f" or not np.isfinite(f[k]).all()
           for k, s in shapes.items()):
        return None
    return Projection("pca", coords, f["mean"], f["components"], f["explained"])


def cached_projection(mu: np.ndarray, method: str, model_dir: str | os.PathLike | None = None) -> Projection | None:
    """The ``method`` projection of ``mu`` when it needs no fit: native and PCA (computed at once, instant), or a
    t-SNE / UMAP map already on disk (shipped in the model folder, or in the cache folder); None otherwise.

    The page asks this before it queues a fit in the projection worker (``vae.jobs.projection_jobs``)."""
    if method == "native":
        return native(mu)
    if method == "pca" and not model_dir:
        return fit_pca(mu)
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")
    for i, path in enumerate(_cache_file(Path(model_dir), method, mu) if model_dir else []):
        cached = _read_cache(path, method, mu, shipped=i == 0)
        if cached is not None:
            return cached
    return project(mu, "pca", model_dir) if method == "pca" else None


def project(mu: np.ndarray, method: str, model_dir: str | os.PathLike | None = None,
            progress: Callable[[float], None] | None = None, ship: bool = False) -> Projection:
    """Projection of ``mu`` by ``method``, read from / written to the disk cache when ``model_dir`` is given.

    The cache folder's key is a hash of the codes themselves and a shipped map keeps rows of its codes
    (``_cache_file``), so a retrained model never reuses a stale map. At run time
    a new projection is written to the cache folder only; ``ship=True`` (``make pretrained``, through
    ``scripts/precompute_projections.py``) writes it into the model folder, to be committed with the model.
    """
    if method == "native":
        return native(mu)
    if method not in METHODS:
        raise ValueError(f"unknown projection {method!r}; choose one of {', '.join(METHODS)}")
    paths = _cache_file(Path(model_dir), method, mu) if model_dir else []
    for i, path in enumerate(paths):
        cached = _read_cache(path, method, mu, shipped=i == 0)
        if cached is not None:
            return cached
    proj = FITS[method](mu, progress)
    arrays = {"coords": proj.coords, "probe": probe(mu)}
    if method == "pca":
        arrays.update(mean=proj.mean, components=proj.components, explained=proj.explained)
    target = (paths[0] if ship else paths[-1]) if paths else None
    if target is not None and not target.parent.is_symlink():  # a linked folder is never written through
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_file_atomically(target, lambda f: np.savez(f, **arrays))
        except OSError:
            pass  # an unwritable cache costs a recomputation next time, nothing else
    return proj
