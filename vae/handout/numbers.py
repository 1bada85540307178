"""Each lecture step's number, frozen for the offline file: the value the Lecture page shows with its widgets at
their first state, the models it was computed with and the day.

The numbers come from :mod:`vae.ui.lecture.numbers` (the page's own wording and rounding, one place); what this
module adds is the choice of models and settings per step, and the stamp that says the number is no longer live.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..denoising import denoisers, partners
from ..ui.lecture import numbers
from ..ui.lecture.numbers import Number
from ..ui.lecture.widgets import DENOISE_IMAGES, DENOISE_STD, TOY
from ..ui.sidebar import Selection
from ..ui.training_step import training_step


@dataclass(frozen=True)
class Frozen:
    """A step's number (None: not available for these models) and the models (ids) it was computed with."""

    number: Number | None
    models: tuple[str, ...]


def today() -> str:
    """The day a file is built (UTC, ISO 8601): its numbers' stamp."""
    return dt.datetime.now(dt.timezone.utc).date().isoformat()


def _denoise(sel: Selection) -> Frozen:
    from ..ui.denoise_view import shown_panel

    found = denoisers(sel.all_models, sel.dataset, sel.latent_dim)
    if not found:
        return Frozen(None, ())
    main = found[0]
    plain, _ = partners(main, sel.all_models)
    rows = {"denoised": main, **({"plain": plain} if plain is not None else {})}
    panel = shown_panel(rows, main.dataset, DENOISE_IMAGES, DENOISE_STD, 0).panel
    err = float(panel.mse["denoised"].mean())
    other = None if plain is None else float(panel.mse["plain"].mean())
    return Frozen(numbers.denoise_number(err, other, DENOISE_STD), tuple(m.id for m in rows.values()))


def frozen_numbers(sel: Selection) -> dict[str, Frozen]:
    """Every step's :class:`Frozen` number (slug -> number), in the current language (``vae.ui.i18n.speaking``)."""
    ae, vae = sel.models["ae"], sel.models["vae"]
    iwae = numbers.iwae_curve(vae.path)
    step = training_step(vae.path, 0, 0)
    sweep = numbers.sweep_points(sel.all_models, sel.dataset, sel.latent_dim)
    return {
        "ae": Frozen(numbers.ae_number(ae.path), (ae.id,)),
        "denoise": _denoise(sel),
        "quiz": Frozen(numbers.coverage_number(ae.path, vae.path), (ae.id, vae.id)),
        "posterior": Frozen(numbers.posterior_number(vae.path), (vae.id,)),
        "kl": Frozen(numbers.kl_number(vae.path), (vae.id,)),
        "elbo": Frozen(numbers.toy_number(TOY["x"], TOY["p"], TOY["sigma"], TOY["r"]), ()),
        "iwae": Frozen(numbers.iwae_number(iwae) if iwae else None, (vae.id,)),
        "reparam": Frozen(numbers.reparam_number(step.with_trick.norm(step.with_trick.recon_mu),
                                                 step.sampled.norm(step.sampled.recon_mu)), (vae.id,)),
        "beta": Frozen(numbers.beta_number(sweep) if len(sweep) >= 2 else None, tuple(p.model_id for p in sweep)),
    }
