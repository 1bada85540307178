"""Each lecture step's still figures for the offline file, made by the builders the Lecture page uses, with its
widgets at their first state: the denoising rows (step 2), the prior samples of the three models (step 3), the
toy model's ELBO (6), the bounds on log p(x) (7), one image through the training step (8) and the β sweep (9).

Charts are Plotly figure specs (drawn by the file's own plotly.js, so they keep their hover and camera); image
grids are PNG bytes. The live parts (maps, walk, drawing pad, films) are :mod:`vae.handout.data`'s views.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ..denoising import denoisers, partners
from ..kinds import get_kind
from ..ui import samples
from ..ui.compare_figures import rate_distortion_figure
from ..ui.export import stack_rows
from ..ui.i18n import t
from ..ui.images import png, upscale
from ..ui.lecture import figures as lecture_figures
from ..ui.lecture import numbers
from ..ui.lecture.widgets import DENOISE_IMAGES, DENOISE_STD, SAMPLES, TOY
from ..ui.sidebar import Selection, model_label
from ..ui.train_figures import latent_sample_figure
from ..ui.training_step import training_step


@dataclass(frozen=True)
class Picture:
    """A still image (PNG bytes) with its caption."""

    png: bytes
    caption: str


@dataclass(frozen=True)
class Chart:
    """A Plotly figure as plain JSON (``{"data", "layout"}``)."""

    spec: dict


@dataclass(frozen=True)
class Note:
    """A sentence in place of a figure (e.g. why a step has none for these models)."""

    text: str


@dataclass
class StepFigures:
    """A step's still figures, in the order shown, and a caption under them."""

    items: list[Picture | Chart | Note] = field(default_factory=list)
    caption: str = ""


def chart(fig) -> Chart:
    """A Plotly figure as plain JSON (NumPy arrays become lists, through Plotly's own encoder)."""
    spec = json.loads(fig.to_json())
    layout = spec.get("layout", {})
    for name, axis in layout.items():  # the page has no Streamlit container to pad the figure: room for tick labels
        if re.fullmatch(r"[xy]axis\d*", name) and isinstance(axis, dict):
            axis.setdefault("automargin", True)
    return Chart({"data": spec.get("data", []), "layout": layout})


def kind_title(kind: str) -> str:
    """``AE — Auto-encoder``: a kind's short name and, when it differs, its long name."""
    short, long = t(f"kind.{kind}"), t(f"kind.{kind}.long")
    return short if long == short else f"{short} — {long}"


def denoise_figures(sel: Selection) -> StepFigures:
    """Step 2: noisy test images, the denoising AE's and the plain AE's outputs, the clean images (one row each)."""
    from ..ui.denoise_view import shown_panel

    found = denoisers(sel.all_models, sel.dataset, sel.latent_dim)
    if not found:
        return StepFigures([Note(t("lecture.no_denoiser"))])
    main = found[0]
    plain, _ = partners(main, sel.all_models)
    rows = {"denoised": main, **({"plain": plain} if plain is not None else {})}
    shown = shown_panel(rows, main.dataset, DENOISE_IMAGES, DENOISE_STD, 0)
    titles = {"noisy": "denoise.row.noisy", "denoised": "denoise.row.denoised", "plain": "denoise.row.plain",
              "clean": "denoise.row.clean"}
    items = []
    for row in ("noisy", *rows, "clean"):
        caption = t(titles[row]) + (f" · {model_label(rows[row])}" if row in rows else "")
        items.append(Picture(png(stack_rows([shown.pictures[row]])), caption))
    return StepFigures(items, t("handout.settings", settings=f"{t('denoise.noise')} = {DENOISE_STD:g}"))


def prior_sample_figures(sel: Selection) -> StepFigures:
    """Step 3: the same prior codes z ~ N(0, I) decoded by each model of the line-up (Generate's grids)."""
    items = []
    for kind, info in sel.lineup():
        if info is not None:
            items.append(Picture(samples.generated_grid(info.path, SAMPLES, 0, 1.0, 4, 56),
                                 f"{kind_title(kind)} · {model_label(info)}"))
    return StepFigures(items, t("lecture.quiz.samples"))


def toy_figures() -> StepFigures:
    """Step 6: the toy model's ELBO against q(z = 1), at the sliders' first values."""
    fig = lecture_figures.toy_elbo_figure(TOY["x"], TOY["p"], TOY["sigma"], TOY["r"], lecture_figures.toy_labels())
    return StepFigures([chart(fig)],
                       t("handout.settings", settings="; ".join(f"{t(f'lecture.toy.{k}')} = {TOY[k]:g}"
                                                                 for k in ("p", "sigma", "x", "r"))))


def iwae_figures(sel: Selection) -> StepFigures:
    """Step 7: the IWAE bound and the K-sample ELBO of the VAE against K."""
    points = numbers.iwae_curve(sel.models["vae"].path)
    if not points:
        return StepFigures([Note(t("lecture.no_number"))])
    return StepFigures([chart(lecture_figures.bounds_figure(points, lecture_figures.bounds_labels()))])


def reparam_figures(sel: Selection) -> StepFigures:
    """Step 8: test image 0 through the training step: the image, its code sampled with the trick, x̂."""
    info = sel.models["vae"]
    step = training_step(info.path, 0, 0)
    s = step.steps
    labels = {k: t(f"howto.pic.{k}") for k in ("prior", "ellipse", "mu", "z", "eps", "zoom")}
    return StepFigures([Picture(png(upscale(step.x, 140)), t("common.original")),
                        chart(latent_sample_figure(s.mu, s.sigma, s.z, labels)),
                        Picture(png(upscale(s.x_hat, 140)), t("howto.decoded_z"))],
                       t("lecture.reparam.loss", recon=s.recon, beta_kl=s.beta_kl, total=s.total))


def beta_figures(sel: Selection) -> StepFigures:
    """Step 9: the β sweep's rate–distortion curve (Compare's figure, from the models' reports)."""
    points = numbers.sweep_points(sel.all_models, sel.dataset, sel.latent_dim)
    if len(points) < 2:
        return StepFigures([Note(t("lecture.beta.too_few"))])
    chosen = [m.id for k, m in sel.lineup() if m is not None and get_kind(k).beta.weighs_kl]
    return StepFigures([chart(rate_distortion_figure(
        points, selected=chosen, title=t("compare.rd.title", split=t("compare.split.test")), x_title=t("compare.rd.x"),
        y_title=t("compare.rd.y"), models_name=t("compare.rd.models"), selected_name=t("compare.rd.selected"),
        height=380))])


def step_figures(sel: Selection) -> dict[str, StepFigures]:
    """Every step's still figures (slug -> figures; steps whose live views say it all have none)."""
    return {"denoise": denoise_figures(sel), "quiz": prior_sample_figures(sel), "elbo": toy_figures(),
            "iwae": iwae_figures(sel), "reparam": reparam_figures(sel), "beta": beta_figures(sel)}
