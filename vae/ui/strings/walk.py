"""Strings of the Latent walk page (keys ``walk.*``)."""

STRINGS = {
    "walk.title": {"en": "Latent walk", "fr": "Promenade dans l'espace latent"},
    "walk.intro": {
        "en": "Pick a point of the latent space, move along each dimension and watch the decoder answer. "
              "Model explored: **{model}**.",
        "fr": "Choisissez un point de l'espace latent, déplacez-vous le long de chaque dimension et regardez "
              "ce que répond le décodeur. Modèle exploré : **{model}**.",
    },
    "walk.sliders.help_kl": {
        "en": "Sliders are sorted by each dimension's mean KL divergence on the test set: a dimension with "
              "KL ≈ 0 has collapsed to the prior and the decoder ignores it.",
        "fr": "Les curseurs sont triés par divergence KL moyenne de chaque dimension sur le jeu de test : une "
              "dimension de KL ≈ 0 s'est effondrée sur la loi a priori et le décodeur l'ignore.",
    },
    "walk.sliders.help_var": {
        "en": "Sliders are sorted by the variance of each dimension's codes on the test set (the AE has no KL).",
        "fr": "Les curseurs sont triés par variance des codes de chaque dimension sur le jeu de test "
              "(l'AE n'a pas de terme KL).",
    },
    "walk.interp.explain": {
        "en": "**Why the latent path looks like digits.** Every point on the latent path is *decoded*: the "
              "decoder has learned to map codes to images that look like the data, so each step is a plausible "
              "digit that morphs progressively (best for a VAE, whose regularised latent space has no holes "
              "between the two codes). **Why the pixel blend does not.** Averaging pixels just superimposes "
              "the two images: the result is a ghosted double exposure that fades from one to the other and "
              "is never a digit in between — images of digits do not form a straight line in pixel space. "
              "**Slerp** follows a great circle instead of the chord: under N(0, I) most of the mass sits near "
              "the sphere of radius √d, and the straight line cuts inside it, towards the rarely used origin.",
        "fr": "**Pourquoi le chemin latent donne des chiffres.** Chaque point du chemin latent est *décodé* : le "
              "décodeur a appris à transformer un code en une image qui ressemble aux données, donc chaque étape "
              "est un chiffre plausible qui se déforme progressivement (surtout pour un VAE, dont l'espace latent "
              "régularisé n'a pas de trous entre les deux codes). **Pourquoi le mélange de pixels non.** Moyenner "
              "les pixels superpose simplement les deux images : on obtient une double exposition fantôme qui "
              "passe de l'une à l'autre sans jamais être un chiffre intermédiaire — les images de chiffres ne "
              "forment pas une droite dans l'espace des pixels. **Slerp** suit un grand cercle au lieu de la "
              "corde : sous N(0, I) presque toute la masse est proche de la sphère de rayon √d, et la droite "
              "passe à l'intérieur, vers l'origine peu utilisée.",
    },
}
