"""The one number each lecture step shows, computed live from the models and cached for the whole server.

Every function takes model folders (paths) and settings, and keys its cache by the weights' modification time
(``cache.model_version``), as :mod:`vae.ui.samples` does: a retrained model is never served a stale number.
The computations are :mod:`vae.lecture_checks`, :mod:`vae.metrics` and :mod:`vae.regularity` (the Compare
page's metrics): called, not copied.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from ... import lecture_checks
from ...metrics import reconstruction_mse
from .. import cache
from ..i18n import t

KL_IMAGES = 2000      # test images for the Monte Carlo KL check (S samples each)
KL_SAMPLES = 32
IWAE_IMAGES = 100     # test images for the IWAE curve
IWAE_KS = (1, 2, 5, 10, 50, 200)


@dataclass(frozen=True)
class Number:
    """What a step shows as its proof: a label, the value as text, and a caption that says what it means."""

    label: str
    value: str
    caption: str = ""


@st.cache_data(show_spinner=False, max_entries=64)
def _recon(path: str, version: float) -> tuple[float, int, int, int]:
    model = cache.get_model(path)
    x = cache.get_dataset(model.cfg.dataset).x_test
    return reconstruction_mse(model, x), len(x), model.cfg.latent_dim, int(np.prod(model.cfg.image_shape))


def reconstruction(path: str) -> tuple[float, int, int, int]:
    """(test MSE per pixel, test images, latent size d, pixels n) of a model (``metrics.reconstruction_mse``)."""
    return _recon(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _posterior_width(path: str, version: float) -> tuple[float, float]:
    enc = cache.encoded_test_set(path)
    spread = float(np.percentile(np.abs(enc["mu"]), 99)) if len(enc["mu"]) else 0.0
    return lecture_checks.mean_sigma(enc["logvar"]), spread


def posterior_width(path: str) -> tuple[float, float]:
    """(mean σ of q(z|x) over the test set, 99th percentile of |μ|) of a model."""
    return _posterior_width(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=64)
def _kl_check(path: str, version: float) -> lecture_checks.KLCheck | None:
    enc = cache.encoded_test_set(path)
    if enc["logvar"] is None:
        return None
    return lecture_checks.kl_closed_and_monte_carlo(enc["mu"][:KL_IMAGES], enc["logvar"][:KL_IMAGES], KL_SAMPLES)


def kl_check(path: str) -> lecture_checks.KLCheck | None:
    """The closed-form KL against its Monte Carlo estimate on the first test images (None for an AE)."""
    return _kl_check(path, cache.model_version(path))


@st.cache_data(show_spinner=False, max_entries=32)
def _iwae(path: str, version: float) -> list[lecture_checks.BoundPoint]:
    model = cache.get_model(path)
    x = cache.get_dataset(model.cfg.dataset).x_test[:IWAE_IMAGES]
    return lecture_checks.iwae_curve(model, x, IWAE_KS)


def iwae_curve(path: str) -> list[lecture_checks.BoundPoint]:
    """ELBO and IWAE bound for K in ``IWAE_KS`` on the first ``IWAE_IMAGES`` test images (empty: no bound)."""
    return _iwae(path, cache.model_version(path))


# ---- each step's Number, as the Lecture page shows it and the offline lecture file freezes it (vae/handout):
# one place for the wording and the rounding of every step's proof
def ae_number(path: str) -> Number:
    """Step 1: the AE's test reconstruction error (MSE per pixel) and how many fewer numbers its code holds."""
    mse, n_test, d, n = reconstruction(path)
    return Number(t("lecture.ae.number"), f"{mse:.4f}", t("lecture.ae.caption", n_test=n_test, d=d, n=n, ratio=n / d))


def denoise_number(err: float, plain: float | None, std: float) -> Number:
    """Step 2: the denoising AE's error to the clean images at noise ``std``, against the plain AE's ``plain``."""
    if plain is None:
        return Number(t("lecture.denoise.number"), f"{err:.4f}")
    return Number(t("lecture.denoise.number"), f"{err:.4f}",
                  t("lecture.denoise.caption", std=std, plain=plain, ratio=plain / max(err, 1e-12)))


def coverage_number(ae_path: str, vae_path: str) -> Number | None:
    """Step 3: the Compare page's coverage of the codes by the generator's samples, AE against VAE (k-NN precision
    and recall, ``regularity.coverage``, from the models' reports); None when a report lacks them."""
    r_ae, r_vae = cache.model_report(ae_path), cache.model_report(vae_path)
    keys = ("coverage", "prior_precision", "prior_recall")
    if any(r.get(k) is None for r in (r_ae, r_vae) for k in keys):
        return None
    return Number(t("lecture.quiz.number"), f"{r_ae['coverage']:.2f} → {r_vae['coverage']:.2f}",
                  t("lecture.quiz.caption", p_ae=r_ae["prior_precision"], p_vae=r_vae["prior_precision"],
                    r_ae=r_ae["prior_recall"], r_vae=r_vae["prior_recall"]))


def posterior_number(path: str) -> Number:
    """Step 4: the VAE's mean σ of q(z|x) over the test set, and how far its codes spread."""
    sigma, spread = posterior_width(path)
    return Number(t("lecture.posterior.number"), f"{sigma:.3f}", t("lecture.posterior.caption", spread=spread))


def kl_number(path: str) -> Number | None:
    """Step 5: the closed-form KL against its Monte Carlo estimate (None for a model without σ)."""
    check = kl_check(path)
    if check is None:
        return None
    return Number(t("lecture.kl.number"), f"{check.closed:.3f} nats",
                  t("lecture.kl.caption", samples=check.n_samples, mc=check.monte_carlo, se=check.standard_error))


def toy_number(x: float, p: float, sigma: float, r: float) -> Number:
    """Step 6: the toy model's gap log p(x) − ELBO(q) at q(z = 1) = ``r``, which is the KL to the true posterior."""
    gap = lecture_checks.toy_log_evidence(x, p, sigma) - lecture_checks.toy_elbo(r, x, p, sigma)
    kl = lecture_checks.toy_kl_to_posterior(r, x, p, sigma)
    return Number(t("lecture.elbo.number"), f"{gap:.4f} nats",
                  t("lecture.elbo.caption", kl=kl, post=lecture_checks.toy_posterior(x, p, sigma)))


def iwae_number(points: list[lecture_checks.BoundPoint]) -> Number:
    """Step 7: how much the IWAE bound with the largest K gains over the ELBO (``points`` from :func:`iwae_curve`)."""
    last = points[-1]
    return Number(t("lecture.iwae.number", k=last.k), f"{last.iwae - points[0].elbo:.2f} nats",
                  t("lecture.iwae.caption", n=IWAE_IMAGES, elbo=points[0].elbo, k=last.k, iwae=last.iwae))


def reparam_number(with_trick: float | None, without: float | None) -> Number:
    """Step 8: ‖∂L/∂μ‖ with the reparameterisation trick, and without it (``Normal.sample()``: None)."""
    from ..training_step import fmt_norm

    return Number(t("lecture.reparam.number"), fmt_norm(with_trick), t("lecture.reparam.caption", without=fmt_norm(without)))


@dataclass(frozen=True)
class SweepPoint:
    """One model of the β sweep as Compare's rate–distortion figure reads it."""

    beta: float
    kl: float
    recon: float
    model_id: str


def sweep_points(models, dataset: str | None, latent_dim: int | None) -> list[SweepPoint]:
    """The shipped β sweep of ``dataset`` at ``latent_dim`` (one model per β, no denoising), each with its KL and
    reconstruction on the test split from its report, in β order."""
    from ...kinds import get_kind

    sweep = {}
    for m in models:
        if (m.dataset == dataset and m.latent_dim == latent_dim and not m.noise and m.source == "pretrained"
                and get_kind(m.kind).beta.weighs_kl and m.beta is not None):
            sweep.setdefault(float(m.beta), m)
    points = []
    for beta, m in sorted(sweep.items()):
        report = cache.model_report(m.path)
        if report.get("kl") is not None and report.get("recon") is not None:
            points.append(SweepPoint(beta, float(report["kl"]), float(report["recon"]), m.id))
    return points


def beta_number(points: list[SweepPoint]) -> Number:
    """Step 9: KL at the largest β against the smallest, with their reconstructions (``points`` in β order)."""
    lo, hi = points[0], points[-1]
    return Number(t("lecture.beta.number", lo=lo.beta, hi=hi.beta), f"{hi.kl:.2f} / {lo.kl:.2f} nats",
                  t("lecture.beta.caption", kl_lo=lo.kl, kl_hi=hi.kl, rec_lo=lo.recon, rec_hi=hi.recon, n=len(points)))
