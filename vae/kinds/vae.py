"""The variational auto-encoder (Kingma & Welling 2014): reconstruction + KL(q(z|x) ‖ N(0, I)), β = 1."""
from __future__ import annotations

from .base import BetaRule, Kind


class VAE(Kind):
    """x ─E→ (μ, log σ²); z = μ + σ ⊙ ε ─D→ x̂; the loss is the negative ELBO (β = 1 by definition)."""

    name = "vae"
    variational = True
    beta = BetaRule(default=1.0)
    labels = {
        "short": {"en": "VAE", "fr": "VAE"},
        "long": {"en": "variational auto-encoder", "fr": "auto-encodeur variationnel"},
        "generator": {"en": "z ~ N(0, I), the prior it was trained towards",
                      "fr": "z ~ N(0, I), l'a priori vers lequel il a été entraîné"},
    }
