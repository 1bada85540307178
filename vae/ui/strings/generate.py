"""Strings of the Generate page (keys ``generate.*``)."""

STRINGS = {
    "generate.title": {"en": "Generate", "fr": "Générer"},
    "generate.intro": {
        "en": "“Decoding = generating”: draw random codes z from the prior N(0, I) and decode them. "
              "The same codes go through the AE, the VAE and the β-VAE.",
        "fr": "« Décoder = générer » : on tire des codes z au hasard selon la loi a priori N(0, I) et on les "
              "décode. Les mêmes codes passent dans l'AE, le VAE et le β-VAE.",
    },
    # quiz
    "generate.quiz.header": {"en": "Micro-quiz: before you look", "fr": "Micro-quiz : avant de regarder"},
    "generate.quiz.question": {
        "en": "What will a random code z ~ N(0, I) decode to for the **auto-encoder** (AE)?",
        "fr": "Que donne le décodage d'un code aléatoire z ~ N(0, I) pour l'**auto-encodeur** (AE) ?",
    },
    "generate.quiz.opt1": {"en": "(1) a synthetic but plausible observation",
                           "fr": "(1) une observation synthétique mais plausible"},
    "generate.quiz.opt2": {"en": "(2) a poor reconstruction / garbage",
                           "fr": "(2) une mauvaise reconstruction / n'importe quoi"},
    "generate.quiz.show": {"en": "Just show me", "fr": "Montrez-moi directement"},
    "generate.quiz.right": {"en": "Right: in practice, mostly (2).", "fr": "Exact : en pratique, surtout (2)."},
    "generate.quiz.wrong": {"en": "Not quite: in practice, mostly (2).", "fr": "Pas tout à fait : en pratique, surtout (2)."},
    "generate.quiz.explain": {
        "en": "The AE is trained only to reconstruct: nothing constrains *where* the encoder puts the codes. Its "
              "latent space has no regularity (no continuity): the codes of the training images occupy a few "
              "scattered regions, and a random code from N(0, I) mostly lands in the holes between them, where the "
              "decoder has never been trained — hence blurry blends and garbage. The VAE adds the KL term that "
              "pulls every q(z|x) towards N(0, I): the encoded data then fill the prior, so prior samples land "
              "where the decoder has learned, and decode to plausible digits.",
        "fr": "L'AE est entraîné uniquement à reconstruire : rien ne contraint *où* l'encodeur place les codes. "
              "Son espace latent n'a aucune régularité (aucune continuité) : les codes des images d'entraînement "
              "occupent quelques régions éparses, et un code tiré de N(0, I) tombe surtout dans les trous entre "
              "elles, là où le décodeur n'a jamais été entraîné — d'où des mélanges flous et n'importe quoi. Le "
              "VAE ajoute la divergence KL qui attire chaque q(z|x) vers N(0, I) : les données encodées "
              "remplissent alors la loi a priori, les échantillons a priori tombent là où le décodeur a appris, "
              "et se décodent en chiffres plausibles.",
    },
    "generate.quiz.waiting": {"en": "Answer the quiz (or click “Just show me”) to reveal the samples.",
                              "fr": "Répondez au quiz (ou cliquez sur « Montrez-moi directement ») pour voir les "
                                    "échantillons."},
    # controls
    "generate.n": {"en": "Number of samples", "fr": "Nombre d'échantillons"},
    "generate.temperature": {"en": "Temperature (prior scale: z ~ N(0, T²·I))",
                             "fr": "Température (échelle de la loi a priori : z ~ N(0, T²·I))"},
    "generate.temperature_help": {
        "en": "Below 1, codes stay near the centre of the prior (cleaner, less varied); above 1 they leave the "
              "region the decoder has learned.",
        "fr": "En dessous de 1, les codes restent près du centre de la loi a priori (plus nets, moins variés) ; "
              "au-dessus de 1 ils sortent de la région apprise par le décodeur.",
    },
    "generate.new": {"en": "New samples", "fr": "Nouveaux échantillons"},
    "generate.seed_caption": {"en": "Seed {seed} — the same codes for every model of latent dimension {dim}.",
                              "fr": "Graine {seed} — les mêmes codes pour tous les modèles de dimension latente {dim}."},
    "generate.low_dim_hint": {
        "en": "With only 2 latent dimensions the AE's codes crowd a small plane, so some of its samples still "
              "look like digits. Try latent dimension 16 in the sidebar: the AE's codes then scatter in a larger "
              "space, and random codes miss them far more often.",
        "fr": "Avec seulement 2 dimensions latentes, les codes de l'AE se serrent dans un petit plan : certains "
              "de ses échantillons ressemblent encore à des chiffres. Essayez la dimension latente 16 dans la barre "
              "latérale : les codes de l'AE s'éparpillent alors dans un espace plus grand, et un code aléatoire "
              "les manque bien plus souvent.",
    },
    "generate.samples.header": {"en": "Prior samples, decoded", "fr": "Échantillons a priori, décodés"},
    "generate.missing": {"en": "No {kind} model selected.", "fr": "Aucun modèle {kind} choisi."},
    # options
    "generate.options.header": {"en": "How to choose z? The lecture's two options",
                                "fr": "Comment choisir z ? Les deux options du cours"},
    "generate.options.model": {"en": "Model: **{model}**.", "fr": "Modèle : **{model}**."},
    "generate.option1": {"en": "Option 1 — aggregate posterior p(z) = (1/n) Σᵢ N(μᵢ, σᵢ)",
                         "fr": "Option 1 — postérieure agrégée p(z) = (1/n) Σᵢ N(μᵢ, σᵢ)"},
    "generate.option1.caption": {
        "en": "Pick a test image i at random, then sample its N(μᵢ, σᵢ) (for the AE: the code itself). Works "
              "here, but poor with few data or a large d, and expensive when n is large (keep every μᵢ, σᵢ).",
        "fr": "On tire une image de test i au hasard, puis on échantillonne sa N(μᵢ, σᵢ) (pour l'AE : le code "
              "lui-même). Fonctionne ici, mais médiocre avec peu de données ou un grand d, et coûteux quand n "
              "est grand (il faut garder tous les μᵢ, σᵢ).",
    },
    "generate.option2": {"en": "Option 2 — the prior N(0, I)", "fr": "Option 2 — la loi a priori N(0, I)"},
    "generate.option2.caption": {
        "en": "Force p(z) to follow N(0, I) during training (the KL term) and sample it directly: this is what "
              "the VAE does. Nothing to store, and cheap whatever n.",
        "fr": "On force p(z) à suivre N(0, I) pendant l'entraînement (le terme KL) et on l'échantillonne "
              "directement : c'est ce que fait le VAE. Rien à stocker, et peu coûteux quel que soit n.",
    },
}
