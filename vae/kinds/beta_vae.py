"""The β-VAE (Higgins et al. 2017): the VAE's network with β·KL in the loss, β chosen freely."""
from __future__ import annotations

from .base import BetaRule, Kind


class BetaVAE(Kind):
    """Same network as the VAE; β > 1 pulls the codes closer to the prior, β < 1 favours reconstruction."""

    name = "beta-vae"
    variational = True
    beta = BetaRule(default=4.0, free=True)
    labels = {
        "short": {"en": "β-VAE", "fr": "β-VAE"},
        "long": {"en": "β-VAE", "fr": "β-VAE"},
        "generator": {"en": "z ~ N(0, I), the prior it was trained towards with weight β",
                      "fr": "z ~ N(0, I), l'a priori vers lequel il a été entraîné avec le poids β"},
    }
