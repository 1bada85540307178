"""The nine steps of the lecture, in the order of the French course (``shared/LECTURE.md``): data only.

A step has a slug (its name in the URL, ``?step=kl``), the slide's formula in LaTeX with the course's
notation, the widget that shows the idea live and returns the number that proves it
(:mod:`vae.ui.lecture.widgets`), and the full page that holds the idea, with the parameters that open it in
the same state. Its title, sentences, number label and link label are the strings ``lecture.<slug>.*``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..sidebar import Selection
from . import widgets
from .numbers import Number


@dataclass(frozen=True)
class Step:
    """One idea of the chapter."""

    slug: str
    formula: str                                   # LaTeX, typeset by st.latex
    widget: Callable[[Selection], Number | None]   # draws the live widget, returns the proving number
    page: str                                      # the full page (script path, as app.py lists it)
    url_path: str                                  # its URL path (for links made to be shared)
    link_params: dict[str, str] = field(default_factory=dict)  # page state beyond the sidebar's (focus, proj)
    quiz: bool = False                             # the micro-quiz comes before the widget


STEPS: tuple[Step, ...] = (
    Step("ae",
         r"\begin{gathered}\hat{x} = D \circ E(x), \qquad E : \mathbb{R}^n \to \mathbb{R}^d, \quad "
         r"D : \mathbb{R}^d \to \mathbb{R}^n, \quad z = E(x) \in Z \\ "
         r"\theta^* = \arg\min_\theta \mathcal{L}(x, \hat{x}) = \lVert D(E(x)) - x \rVert \\ "
         r"\text{MSE } \lVert x - \hat{x} \rVert_2^2 \quad \text{MAE } \lVert x - \hat{x} \rVert_1 \quad "
         r"\text{BCE } -\textstyle\sum_j x_j \log \hat{x}_j + (1 - x_j) \log (1 - \hat{x}_j)\end{gathered}",
         widgets.ae_map, "pages/latent_map.py", "map", {"focus": "ae"}),
    Step("denoise",
         r"\tilde{x} = x + \varepsilon, \quad \varepsilon \sim \mathcal{N}(0, \sigma^2 I), \qquad "
         r"\theta^* = \arg\min_\theta \lVert H_\theta(\tilde{x}) - x \rVert",
         widgets.denoise, "pages/denoise.py", "denoising"),
    Step("quiz",
         r"z \sim \mathcal{N}(0, I), \qquad \hat{x} = D(z) \sim P(X \mid z)",
         widgets.quiz_number, "pages/generate.py", "generation", quiz=True),
    Step("posterior",
         r"q_\phi(z \mid x) = \mathcal{N}(\mu_x, \sigma_x), \qquad "
         r"p(z) = \frac{1}{n} \sum_{i=1}^{n} q_\phi(z \mid x_i) \quad \longrightarrow \quad p(z) = \mathcal{N}(0, I)",
         widgets.posterior, "pages/draw.py", "drawing"),
    Step("kl",
         r"\begin{gathered}D_{KL}(P \Vert Q) = \sum_i P(x_i) \log \frac{P(x_i)}{Q(x_i)} \\ "
         r"D_{KL}\big(\mathcal{N}(\mu, \operatorname{diag} \sigma^2) \,\Vert\, \mathcal{N}(0, I)\big) = "
         r"\tfrac{1}{2}\big(\operatorname{tr}(\sigma^2) + \mu^\top \mu - d - \log \det (\sigma^2)\big) \\ "
         r"\mathcal{L}(\theta, \phi; x) = \mathbb{E}_{q_\phi(z \mid x)} \lVert x - \hat{x} \rVert + "
         r"D_{KL}\big(q_\phi(z \mid x) \,\Vert\, p(z)\big)\end{gathered}",
         widgets.kl_map, "pages/latent_map.py", "map", {"focus": "vae"}),
    Step("elbo",
         r"\begin{gathered}\log p_\theta(x) = KL\big(q_\phi(z \mid x) \,\Vert\, p_\theta(z \mid x)\big) + "
         r"\mathcal{L}(\theta, \phi; x) \;\ge\; \mathcal{L}(\theta, \phi; x) \\ "
         r"\mathcal{L}(\theta, \phi; x) = \mathbb{E}_{q_\phi(z \mid x)}\big[\log p_\theta(x \mid z)\big] - "
         r"KL\big(q_\phi(z \mid x) \,\Vert\, p(z)\big) \\ "
         r"p(z) = \mathcal{B}(p), \quad p(x \mid z) = \mathcal{N}(z, \sigma)\end{gathered}",
         widgets.toy_elbo, "pages/how_vae_trains.py", "how-a-vae-trains"),
    Step("iwae",
         r"\mathcal{L}_K = \mathbb{E}_{z_1, \dots, z_K \sim q_\phi(z \mid x)}\left[\log \frac{1}{K} \sum_{k=1}^{K} "
         r"\frac{p_\theta(x, z_k)}{q_\phi(z_k \mid x)}\right], \qquad "
         r"\mathcal{L} = \mathcal{L}_1 \le \mathcal{L}_K \le \log p_\theta(x)",
         widgets.iwae, "pages/compare.py", "comparison"),
    Step("reparam",
         r"z = \mu_x + \sigma_x \odot \varepsilon, \quad \varepsilon \sim \mathcal{N}(0, I) \qquad \Longrightarrow "
         r"\qquad \frac{\partial \mathcal{L}}{\partial \mu_x} = \frac{\partial \mathcal{L}}{\partial z}, \quad "
         r"\frac{\partial \mathcal{L}}{\partial \sigma_x} = \frac{\partial \mathcal{L}}{\partial z} \odot \varepsilon",
         widgets.reparam, "pages/how_vae_trains.py", "how-a-vae-trains"),
    Step("beta",
         r"\mathcal{L}(\theta, \phi; x) = \mathbb{E}_{q_\phi(z \mid x)} \lVert x - \hat{x} \rVert + "
         r"\beta \cdot KL\big(q_\phi(z \mid x) \,\Vert\, p(z)\big)",
         widgets.beta_sweep, "pages/compare.py", "comparison"),
)
SLUGS = tuple(s.slug for s in STEPS)


def step_of(slug: str | None) -> Step | None:
    """The step named ``slug`` (a URL's ``?step=``), or None."""
    return next((s for s in STEPS if s.slug == slug), None)
