"""Strings of the Latent walk page (keys ``walk.*``)."""

STRINGS = {
    "walk.title": {"en": "Latent walk", "fr": "Promenade dans l'espace latent"},
    "walk.intro": {
        "en": "Pick a point of the latent space, move along each dimension and watch the decoder answer. "
              "Model explored: **{model}**.",
        "fr": "Choisissez un point de l'espace latent, déplacez-vous le long de chaque dimension et regardez "
              "ce que répond le décodeur. Modèle exploré : **{model}**.",
    },
    # start point
    "walk.start.header": {"en": "1. Start point", "fr": "1. Point de départ"},
    "walk.start": {"en": "Start from", "fr": "Partir de"},
    "walk.start.test": {"en": "a test image's code μ", "fr": "le code μ d'une image de test"},
    "walk.start.origin": {"en": "the origin z = 0", "fr": "l'origine z = 0"},
    "walk.index": {"en": "Test image index", "fr": "Indice de l'image de test"},
    "walk.start_image": {"en": "Test image #{index} (label {label})", "fr": "Image de test n°{index} (classe {label})"},
    "walk.origin_caption": {"en": "z = 0: the centre of the prior N(0, I)",
                            "fr": "z = 0 : le centre de la loi a priori N(0, I)"},
    # sliders
    "walk.sliders.header": {"en": "2. Move the code, one slider per latent dimension",
                            "fr": "2. Déplacer le code, un curseur par dimension latente"},
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
    "walk.score.kl": {"en": "KL", "fr": "KL"},
    "walk.score.variance": {"en": "var", "fr": "var"},
    "walk.reset": {"en": "Reset to start", "fr": "Revenir au départ"},
    "walk.random": {"en": "Random code from the prior", "fr": "Code aléatoire tiré de la loi a priori"},
    "walk.decoded": {"en": "Decoded code", "fr": "Code décodé"},
    "walk.code_norm": {"en": "‖z‖ = {norm:.2f} (typical norm under N(0, I): ≈ {typical:.1f})",
                       "fr": "‖z‖ = {norm:.2f} (norme typique sous N(0, I) : ≈ {typical:.1f})"},
    # traversal
    "walk.traversal.header": {"en": "3. Traversal of each dimension", "fr": "3. Parcours de chaque dimension"},
    "walk.traversal.caption": {
        "en": "Each row starts from the start code and sets one dimension to −3 … 3 (columns), the others fixed. "
              "Rows: the {k} most used dimensions. A row that does not change is a dimension the decoder ignores.",
        "fr": "Chaque ligne part du code de départ et fixe une dimension à −3 … 3 (colonnes), les autres restant "
              "fixes. Lignes : les {k} dimensions les plus utilisées. Une ligne qui ne change pas est une "
              "dimension ignorée par le décodeur.",
    },
    "walk.traversal.rows": {"en": "Rows (dimensions)", "fr": "Lignes (dimensions)"},
    "walk.traversal.xaxis": {"en": "value of the dimension", "fr": "valeur de la dimension"},
    # interpolation
    "walk.interp.header": {"en": "4. Interpolation between two test images",
                           "fr": "4. Interpolation entre deux images de test"},
    "walk.interp.a": {"en": "First image index", "fr": "Indice de la première image"},
    "walk.interp.b": {"en": "Second image index", "fr": "Indice de la seconde image"},
    "walk.interp.steps": {"en": "Steps", "fr": "Nombre d'étapes"},
    "walk.interp.lerp": {"en": "linear (lerp) in latent space", "fr": "linéaire (lerp) dans l'espace latent"},
    "walk.interp.slerp": {"en": "spherical (slerp) in latent space", "fr": "sphérique (slerp) dans l'espace latent"},
    "walk.interp.pixel": {"en": "pixel blend (1−t)·x₀ + t·x₁", "fr": "mélange de pixels (1−t)·x₀ + t·x₁"},
    "walk.interp.lerp_short": {"en": "lerp", "fr": "lerp"},
    "walk.interp.slerp_short": {"en": "slerp", "fr": "slerp"},
    "walk.interp.pixel_short": {"en": "pixels", "fr": "pixels"},
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
    "walk.interp.t": {"en": "t", "fr": "t"},
}
