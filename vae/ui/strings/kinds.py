"""Kind names and β messages, taken from the kinds registry (``vae.kinds``): a kind declares its own
labels, so a new kind needs no edit here. The β messages' English is the CLI's very text."""
from vae.kinds import KINDS
from vae.kinds.base import BETA_MESSAGES

STRINGS = {
    **{f"kind.{k.name}": k.labels["short"] for k in KINDS.values()},
    **{f"kind.{k.name}.long": k.labels["long"] for k in KINDS.values()},
    **{f"kind.{k.name}.generator": k.labels["generator"] for k in KINDS.values()},
    "kind.err.range": {"en": BETA_MESSAGES["range"],
                       "fr": "beta : β doit être un nombre dans [0, {max:g}] (valeur : {value})"},
    "kind.err.fixed": {"en": BETA_MESSAGES["fixed"],
                       "fr": "le type « {kind} » a β = {beta:g} par définition ; choisissez « {free} » pour un autre β"},
    "kind.err.no_kl": {"en": BETA_MESSAGES["no_kl"],
                       "fr": "le type « {kind} » n'a pas de terme KL : beta (β) ne s'applique pas, laissez-le vide"},
}
