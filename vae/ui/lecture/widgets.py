"""The live widget of each lecture step, and the number that proves its idea.

Every widget is a component the other pages already use, called with the sidebar's models: the explorer's map
(:func:`vae.ui.explorer.views.latent_map`) and drawing pad (``drawing_pad``), the Denoise page's panel
(:func:`vae.ui.denoise_view.shown_panel`), the prior samples (:mod:`vae.ui.samples`), the six training steps
(:func:`vae.ui.training_step.training_step` and its figures), the Compare page's reports and rate–distortion
figure, the training film (:func:`vae.ui.explorer.film_view.film_section`). Only the toy model of step 6 and
the IWAE curve of step 7 have figures of their own (:mod:`vae.ui.lecture.figures`).

A widget function takes the sidebar's :class:`~vae.ui.sidebar.Selection`, draws, and returns the step's
:class:`~vae.ui.lecture.numbers.Number` (None when the models at hand cannot give it); the numbers come from
:mod:`vae.ui.lecture.numbers`, cached for the whole server.
"""
from __future__ import annotations

import dataclasses

import streamlit as st

from ...denoising import denoisers, partners
from ...kinds import get_kind
from ...projection import default_projection
from .. import cache, samples
from ..compare_figures import rate_distortion_figure
from ..denoise_view import shown_panel
from ..explorer.views import drawing_pad, latent_map
from ..export import file_name, grid_download, plotly_chart, stack_rows
from ..i18n import t
from ..images import png, upscale
from ..sidebar import Selection, kind_header, model_label
from ..train_figures import latent_sample_figure, per_dim_bars
from ..training_step import training_step, variational_model
from . import figures, numbers
from .numbers import Number

DENOISE_IMAGES = 6
DENOISE_STD = 0.4       # the noise slider's first value
SAMPLES = 16
#: the toy model's sliders' first values (step 6): prior p, noise σ, observation x, q(z = 1) = r
TOY = {"p": 0.3, "sigma": 0.5, "x": 0.8, "r": 0.5}


def need(sel: Selection, kind: str):
    """The sidebar's model of ``kind``, or None after saying that the step needs one."""
    info = sel.models.get(kind)
    if info is None:
        st.info(t("lecture.no_model", kind=t(f"kind.{kind}")))
    return info


def map_method(sel: Selection) -> str:
    """The projection the lecture's maps use: the latent plane itself at d = 2, else PCA (exactly invertible)."""
    return default_projection(sel.latent_dim)


def _map_of(sel: Selection, kind: str) -> bool:
    info = need(sel, kind)
    if info is None:
        return False
    latent_map(dataclasses.replace(sel, focus=info), map_method(sel))
    return True


# ---------------------------------------------------------------------------------------------------- 1
def ae_map(sel: Selection) -> Number | None:
    """Step 1: the AE's latent map (hover decodes, a click inspects); the AE's test reconstruction error."""
    if not _map_of(sel, "ae"):
        return None
    return numbers.ae_number(sel.models["ae"].path)


# ---------------------------------------------------------------------------------------------------- 2
def denoise(sel: Selection) -> Number | None:
    """Step 2: noisy inputs through the denoising AE and the plain AE (the Denoise page's panel)."""
    found = denoisers(sel.all_models, sel.dataset, sel.latent_dim)
    if not found:
        st.info(t("lecture.no_denoiser"))
        return None
    main = found[0]
    plain, _ = partners(main, sel.all_models)
    std = st.slider(t("denoise.noise"), 0.0, 0.8, DENOISE_STD, 0.05, key="lecture.denoise.std")
    rows = {"denoised": main, **({"plain": plain} if plain is not None else {})}
    shown = shown_panel(rows, main.dataset, DENOISE_IMAGES, std, 0)
    titles = {"noisy": "denoise.row.noisy", "denoised": "denoise.row.denoised", "plain": "denoise.row.plain",
              "clean": "denoise.row.clean"}
    for row in ("noisy", *rows, "clean"):  # a row is one strip: 4 images in all, not 4 × 6 (ShownPanel.strips)
        st.markdown(f"**{t(titles[row])}**" + (f" · {model_label(rows[row])}" if row in rows else ""))
        st.image(shown.strips[row], output_format="PNG", width="stretch")
    order = ("noisy", *rows, "clean")
    grid_download(lambda: stack_rows([shown.pictures[row] for row in order]), key="lecture.denoise.png",
                  name=file_name("denoising", model=main.id, dataset=main.dataset, extra=[f"noise{std:g}"]),
                  title=t("export.denoise_title", std=std), row_labels=[t(titles[row]) for row in order])
    err = float(shown.panel.mse["denoised"].mean())
    return numbers.denoise_number(err, None if plain is None else float(shown.panel.mse["plain"].mean()), std)


# ---------------------------------------------------------------------------------------------------- 3
def prior_samples(sel: Selection) -> None:
    """Step 3 after the vote: the same prior codes z ~ N(0, I) decoded by every model in play (Generate's grids)."""
    st.markdown(f"**{t('lecture.quiz.samples')}**")
    lineup = sel.lineup()
    for col, (kind, info) in zip(st.columns(len(lineup)), lineup):
        with col:
            st.markdown(kind_header(kind))
            if info is not None:
                picture = samples.generated_grid(info.path, SAMPLES, 0, 1.0, 4, 56)
                st.image(picture, output_format="PNG", width="stretch")
                grid_download(picture, key=f"lecture.samples.png.{kind}",
                              name=file_name("samples", model=info.id, dataset=info.dataset, extra=[f"n{SAMPLES}", "seed0"]),
                              title=t("export.prior_title", kind=t(f"kind.{kind}"), model=model_label(info)))


def quiz_number(sel: Selection) -> Number | None:
    """Step 3's number: the Compare page's coverage of the codes by the generator's samples, AE against VAE
    (k-NN precision and recall, ``regularity.coverage``, from the models' reports): low for the AE both ways."""
    ae, vae = sel.models.get("ae"), sel.models.get("vae")
    if ae is None or vae is None:
        return None
    return numbers.coverage_number(ae.path, vae.path)


# ---------------------------------------------------------------------------------------------------- 4
def posterior(sel: Selection) -> Number | None:
    """Step 4: the drawing pad (a drawing's code: a point for the AE, 1–3σ ellipses for the VAE and β-VAE)."""
    info = need(sel, "vae")
    if info is None:
        return None
    drawing_pad(sel)
    return numbers.posterior_number(info.path)


# ---------------------------------------------------------------------------------------------------- 5
def kl_map(sel: Selection) -> Number | None:
    """Step 5: the VAE's map (prior circle, σ ellipses, KL of the inspected image); closed-form KL vs Monte Carlo."""
    if not _map_of(sel, "vae"):
        return None
    return numbers.kl_number(sel.models["vae"].path)


# ---------------------------------------------------------------------------------------------------- 6
def toy_elbo(sel: Selection) -> Number | None:
    """Step 6: the lecture's toy model, p(z) = Bernoulli(p), p(x|z) = N(z, σ): move q(z = 1) against log p(x)."""
    c1, c2, c3, c4 = st.columns(4)
    p = c1.slider(t("lecture.toy.p"), 0.05, 0.95, TOY["p"], 0.05, key="lecture.toy.p")
    sigma = c2.slider(t("lecture.toy.sigma"), 0.2, 1.5, TOY["sigma"], 0.05, key="lecture.toy.sigma")
    x = c3.slider(t("lecture.toy.x"), -1.5, 2.5, TOY["x"], 0.05, key="lecture.toy.x")
    r = c4.slider(t("lecture.toy.r"), 0.01, 0.99, TOY["r"], 0.01, key="lecture.toy.r")
    plotly_chart(figures.toy_elbo_figure(x, p, sigma, r, figures.toy_labels()), key="lecture.toy.fig", name=file_name("toy-elbo"))
    return numbers.toy_number(x, p, sigma, r)


# ---------------------------------------------------------------------------------------------------- 7
def iwae(sel: Selection) -> Number | None:
    """Step 7: the IWAE bound against K on the VAE (``regularity.elbo_and_iwae``, Compare's ELBO and IWAE)."""
    info = need(sel, "vae")
    if info is None:
        return None
    points = numbers.iwae_curve(info.path)
    if not points:
        st.info(t("lecture.no_number"))
        return None
    plotly_chart(figures.bounds_figure(points, figures.bounds_labels()), key="lecture.iwae.fig",
                 name=file_name("elbo-iwae", model=info.id, dataset=info.dataset))
    return numbers.iwae_number(points)


# ---------------------------------------------------------------------------------------------------- 8
def _resample() -> None:
    st.session_state["lecture.reparam.seed"] = int(st.session_state.get("lecture.reparam.seed", 0)) + 1


def reparam(sel: Selection) -> Number | None:
    """Step 8: one test image through the training steps (How a VAE trains), the gradient with and without the
    trick, and the training film of the line-up."""
    info, _ = variational_model(sel)
    if info is None:
        st.info(t("lecture.no_model", kind=t("kind.vae")))
        return None
    n_test = len(cache.get_dataset(info.dataset).x_test)
    c1, c2 = st.columns([1, 4], vertical_alignment="bottom")
    index = int(c1.number_input(t("lecture.reparam.index"), 0, n_test - 1, 0, 1, key="lecture.reparam.index"))
    c2.button(t("lecture.reparam.resample"), key="lecture.reparam.resample", on_click=_resample, icon=":material/casino:")
    step = training_step(info.path, index, int(st.session_state.get("lecture.reparam.seed", 0)))
    s = step.steps
    a, b, c = st.columns([1, 3, 1])
    a.image(png(upscale(step.x, 140)), caption=t("common.original"), output_format="PNG")
    with b:
        if len(s.mu) == 2:
            labels = {k: t(f"howto.pic.{k}") for k in ("prior", "ellipse", "mu", "z", "eps", "zoom")}
            plotly_chart(latent_sample_figure(s.mu, s.sigma, s.z, labels), key="lecture.reparam.fig",
                         name=file_name("reparam-sample", model=info.id, dataset=info.dataset, extra=[f"image{index}"]))
        else:
            plotly_chart(per_dim_bars({"μ": s.mu, "σ": s.sigma, "z": s.z}, t("howto.bars.z"), t("howto.dim")),
                         key="lecture.reparam.fig",
                         name=file_name("reparam-bars", model=info.id, dataset=info.dataset, extra=[f"image{index}"]))
    c.image(png(upscale(s.x_hat, 140)), caption=t("howto.decoded_z"), output_format="PNG")
    st.caption(t("lecture.reparam.loss", recon=s.recon, beta_kl=s.beta_kl, total=s.total))
    _film(sel)
    return numbers.reparam_number(step.with_trick.norm(step.with_trick.recon_mu), step.sampled.norm(step.sampled.recon_mu))


def _film(sel: Selection) -> None:
    """The line-up's training films (the explorer's film view), compact: the map forming while the model trains.

    Hook: the film player (``vae/ui/explorer/film_view.py``) is being built alongside; until it is in the tree
    the step says so instead."""
    try:
        from ..explorer.film_view import film_section
    except ImportError:
        st.caption(t("lecture.film_pending"))
        return
    film_section(sel, compact=True, key="lecture.film")


# ---------------------------------------------------------------------------------------------------- 9
def beta_sweep(sel: Selection) -> Number | None:
    """Step 9: the β sweep's rate–distortion curve (Compare's figure, from the models' reports on the test split),
    then the line-up's training films (AE | VAE | β-VAE)."""
    points = numbers.sweep_points(sel.all_models, sel.dataset, sel.latent_dim)
    if len(points) < 2:
        st.info(t("lecture.beta.too_few"))
        return None
    chosen = [m.id for k, m in sel.lineup() if m is not None and get_kind(k).beta.weighs_kl]
    plotly_chart(rate_distortion_figure(
        points, selected=chosen, title=t("compare.rd.title", split=t("compare.split.test")), x_title=t("compare.rd.x"),
        y_title=t("compare.rd.y"), models_name=t("compare.rd.models"), selected_name=t("compare.rd.selected"), height=380),
        key="lecture.beta.fig", name=file_name("beta-sweep", dataset=sel.dataset, extra=[f"{sel.latent_dim}d", "test"]))
    _film(sel)  # AE | VAE | β-VAE training side by side: the KL term pulls the codes into the prior's circle
    return numbers.beta_number(points)
