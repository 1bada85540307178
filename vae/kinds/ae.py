"""The auto-encoder (lecture §1): x ─E→ z ─D→ x̂, a deterministic code and no KL term."""
from __future__ import annotations

import torch

from .base import BetaRule, Kind


class AE(Kind):
    """Plain auto-encoder: trained on the reconstruction alone; its codes follow no prior."""

    name = "ae"
    variational = False
    beta = BetaRule(default=1.0, weighs_kl=False)
    labels = {
        "short": {"en": "AE", "fr": "AE"},
        "long": {"en": "auto-encoder", "fr": "auto-encodeur"},
        "generator": {"en": "z ~ N(0, I), a prior it was never trained for",
                      "fr": "z ~ N(0, I), un a priori pour lequel il n'a pas été entraîné"},
    }

    def regularizer(self, kl: torch.Tensor, beta: float, out: dict) -> torch.Tensor:
        """No regulariser: the AE's loss is the reconstruction alone."""
        return torch.zeros_like(kl)
