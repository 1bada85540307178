"""Compare page: AE | VAE | β-VAE side by side, the regularity metrics, the β sweep, disentanglement on sprites."""

STRINGS = {
    "compare.title": {"en": "Compare AE, VAE and β-VAE", "fr": "Comparer AE, VAE et β-VAE"},
    "compare.intro": {
        "en": "The lecture's claims about the regularity of the latent space, measured on the test split: "
              "latent maps, decoded N(0, I) samples, and one table of numbers. Then the β trade-off between "
              "reconstruction and KL divergence, and disentanglement on sprites.",
        "fr": "Les affirmations du cours sur la régularité de l'espace latent, mesurées sur le jeu de test : "
              "cartes latentes, échantillons de la loi a priori N(0, I) décodés, et un tableau de chiffres. "
              "Puis le compromis β entre reconstruction et divergence KL, et le démêlage (disentanglement) sur sprites."},
    "compare.computing": {"en": "Computing the metrics of {name} ({i}/{n}); a few seconds per model, cached afterwards…",
                          "fr": "Calcul des métriques de {name} ({i}/{n}) ; quelques secondes par modèle, mis en cache ensuite…"},
    "compare.error_report": {"en": "Metrics of {name} unavailable: {detail}",
                             "fr": "Métriques de {name} indisponibles : {detail}"},
    "compare.missing": {"en": "No {kind} model for this dataset and latent dimension.",
                        "fr": "Aucun modèle {kind} pour ce jeu de données et cette dimension latente."},
    # ---- section 1: side by side
    "compare.trio.header": {"en": "1. Side by side", "fr": "1. Côte à côte"},
    "compare.trio.caption": {
        "en": "Top: the encoded test set (μ), {proj}. Bottom: the same 36 codes z ~ N(0, I) (seed {seed}) decoded by each decoder.",
        "fr": "En haut : le jeu de test encodé (μ), {proj}. En bas : les mêmes 36 codes z ~ N(0, I) (graine {seed}) "
              "décodés par chaque décodeur."},
    "compare.trio.circle": {"en": "The dashed circle is 2σ of the prior N(0, I).",
                            "fr": "Le cercle pointillé est le 2σ de la loi a priori N(0, I)."},
    "compare.proj.native": {"en": "native 2-D latent space", "fr": "espace latent 2-D natif"},
    "compare.proj.pca": {"en": "PCA projection of each model's codes (each has its own axes)",
                         "fr": "projection ACP des codes de chaque modèle (chacun a ses propres axes)"},
    "compare.axis.native": {"en": "z{i}", "fr": "z{i}"},
    "compare.axis.pca": {"en": "PC{i}", "fr": "CP{i}"},
    "compare.prior_samples": {"en": "Decoded samples of its generator", "fr": "Échantillons de son générateur, décodés"},
    "compare.map.image": {"en": "test image", "fr": "image de test"},
    "compare.map.prior": {"en": "prior {k}σ", "fr": "a priori {k}σ"},
    "compare.map.legend": {"en": "label", "fr": "classe"},
    "compare.key_numbers": {"en": "Key numbers (test split)", "fr": "Chiffres clés (jeu de test)"},
    # ---- section 2: the table
    "compare.table.header": {"en": "2. The metrics", "fr": "2. Les métriques"},
    "compare.table.caption": {
        "en": "✓ and green = the best value of the row (ties share it); rows without a better direction have no ✓. "
              "— = not applicable (the AE has no q(z|x); MIG and the β-VAE score need ground-truth factors). "
              "Prior-sample scores use a small classifier of the data set's ten classes (digits or clothes) shipped with the app.",
        "fr": "✓ et vert = la meilleure valeur de la ligne (ex æquo partagés) ; les lignes sans sens « meilleur » "
              "n'ont pas de ✓. — = sans objet (l'AE n'a pas de q(z|x) ; la MIG et le score β-VAE demandent les "
              "facteurs de variation réels). Les scores des échantillons a priori utilisent un petit classifieur "
              "des dix classes du jeu de données (chiffres ou vêtements) fourni avec l'application."},
    "compare.table.metric": {"en": "metric", "fr": "métrique"},
    "compare.table.meaning": {"en": "what it says", "fr": "ce qu'elle dit"},
    "compare.table.reading": {
        "en": "The lecture's reading: the AE reconstructs best but its codes ignore N(0, I), so decoded prior "
              "samples are poor and the prior falls in holes; the KL term of the VAE buys regularity (prior samples "
              "look like digits, fewer holes, aggregate posterior close to N(0, I)); a larger β pushes further "
              "towards the prior at the cost of reconstruction.",
        "fr": "La lecture du cours : l'AE reconstruit le mieux mais ses codes ignorent N(0, I), donc les "
              "échantillons a priori décodés sont médiocres et tombent dans des trous ; le terme de divergence KL "
              "du VAE achète la régularité (échantillons qui ressemblent à des chiffres, moins de trous, postérieure "
              "agrégée proche de N(0, I)) ; un β plus grand pousse encore vers la loi a priori, au prix de la "
              "reconstruction."},
    "compare.claims.header": {"en": "The lecture's predictions, checked on these three models:",
                              "fr": "Les prédictions du cours, vérifiées sur ces trois modèles :"},
    "compare.claim.recon": {"en": "the AE reconstructs best (it pays no KL)",
                            "fr": "l'AE reconstruit le mieux (il ne paie pas de KL)"},
    "compare.claim.prior_confidence": {"en": "a VAE decodes N(0, I) samples into more convincing digits than the AE",
                                       "fr": "un VAE décode les échantillons de N(0, I) en chiffres plus convaincants que l'AE"},
    "compare.claim.coverage": {"en": "a VAE's codes and N(0, I) cover each other, in both directions, better than the AE's",
                               "fr": "les codes d'un VAE et N(0, I) se couvrent mutuellement, dans les deux sens, mieux que ceux de l'AE"},
    "compare.claim.posterior_prior_distance": {"en": "a VAE's aggregate posterior is closer to N(0, I)",
                                               "fr": "la postérieure agrégée d'un VAE est plus proche de N(0, I)"},
    "compare.claim.smoothness": {"en": "a VAE's interpolations are smoother",
                                 "fr": "les interpolations d'un VAE sont plus régulières"},
    "compare.claim.kl": {"en": "the β-VAE (β > 1) pays less KL than the VAE",
                         "fr": "le β-VAE (β > 1) paie moins de KL que le VAE"},
    "compare.claim.holds": {"en": "holds (best: {winners})", "fr": "vérifié (meilleur : {winners})"},
    "compare.claim.fails": {"en": "not on these models (best: {winners})",
                            "fr": "pas sur ces modèles (meilleur : {winners})"},
    "compare.claim.na": {"en": "cannot be checked here", "fr": "invérifiable ici"},
    "compare.claim.seeds": {"en": "(holds on {k} of {n} training seeds)",
                            "fr": "(vérifié sur {k} des {n} graines d'entraînement)"},
    "compare.table.spread": {
        "en": "[mean ± sd] = over the {n} training seeds of each model (the shown model and the same command retrained "
              "with other seeds), on the rows whose claim the seeds disagree on.",
        "fr": "[moy. ± é.-t.] = sur les {n} graines d'entraînement de chaque modèle (le modèle affiché et la même commande "
              "réentraînée avec d'autres graines), sur les lignes dont les graines ne s'accordent pas sur la prédiction."},
    "compare.why.recon": {
        "en": "Why the AE's reconstruction claim is not clear-cut at d = {dim} — training → test reconstruction: {rows}. "
              "The lecture's claim is about the loss each model minimises, i.e. the training figures. On the test images "
              "a small model overfits its training images (early stopping on a held-out tenth of them reduces this, "
              "it does not remove it), and the VAE's noise on z also acts as a regulariser.",
        "fr": "Pourquoi la prédiction sur la reconstruction de l'AE n'est pas nette en d = {dim} — reconstruction "
              "entraînement → test : {rows}. Le cours parle de la perte que chaque modèle minimise, donc des chiffres "
              "d'entraînement. Sur les images de test, un petit modèle sur-apprend ses images d'entraînement "
              "(l'arrêt précoce sur un dixième d'entre elles mis de côté le réduit sans le supprimer), et le bruit du VAE sur z "
              "agit aussi comme une régularisation."},
    "compare.why.recon.row": {"en": "{kind} {train} → {test}", "fr": "{kind} {train} → {test}"},
    "compare.why.seeds": {"en": "\u201c{claim}\u201d: the training seeds do not all agree; its row shows [mean ± sd] over seeds.",
                          "fr": "« {claim} » : les graines d'entraînement ne s'accordent pas toutes ; sa ligne montre "
                                "[moy. ± é.-t.] sur les graines."},
    "compare.sweep.claims": {"en": "The β slide, checked along this sweep (test split; shown models, then every training seed):",
                             "fr": "La diapositive β, vérifiée le long de ce balayage (jeu de test ; modèles affichés, "
                                   "puis chaque graine d'entraînement) :"},
    "compare.trend.kl": {"en": "a larger β pays less KL (codes closer to the prior)",
                         "fr": "un β plus grand paie moins de KL (codes plus proches de la loi a priori)"},
    "compare.trend.recon": {"en": "a larger β reconstructs worse (reconstruction loss)",
                            "fr": "un β plus grand reconstruit moins bien (perte de reconstruction)"},
    "compare.trend.mse": {"en": "a larger β reconstructs worse (MSE per pixel of the decoded μ)",
                          "fr": "un β plus grand reconstruit moins bien (MSE par pixel du μ décodé)"},
    "compare.trend.holds": {"en": "holds at every step (Spearman ρ with β: {rho})",
                            "fr": "vérifié à chaque pas (ρ de Spearman avec β : {rho})"},
    "compare.trend.fails": {"en": "not at every step (Spearman ρ with β: {rho})",
                            "fr": "pas à chaque pas (ρ de Spearman avec β : {rho})"},
    "compare.trend.na": {"en": "cannot be checked here (fewer than three models)",
                         "fr": "invérifiable ici (moins de trois modèles)"},
    "compare.why.gap": {
        "en": "Why: the gap between test and training reconstruction shrinks from {g0:.1f} nats at β = {b0:g} to {g1:.1f} "
              "at β = {b1:g}. The KL term also regularises: small-β models overfit their training images more, even "
              "with early stopping, and on the test split this offsets part of what β costs.",
        "fr": "Pourquoi : l'écart entre reconstruction de test et d'entraînement passe de {g0:.1f} nats à β = {b0:g} à "
              "{g1:.1f} à β = {b1:g}. Le terme KL régularise aussi : les modèles à petit β sur-apprennent davantage leurs "
              "images d'entraînement, même avec l'arrêt précoce, et sur le jeu de test cela compense une partie de "
              "ce que β coûte."},
    "compare.why.train": {"en": "On the training split (switch above) every step goes the lecture's way.",
                          "fr": "Sur le jeu d'entraînement (basculez ci-dessus), chaque pas va dans le sens du cours."},
    "compare.why.spread": {
        "en": "Over {n} training seeds the test reconstruction of one β varies by up to ±{sd:.1f} nats (sd), while "
              "neighbouring β differ by {lo:.1f} to {hi:.1f} on average: a step smaller than the spread can go either "
              "way on one seed. The grey diamonds are the means over seeds, with ±sd bars.",
        "fr": "Sur {n} graines d'entraînement, la reconstruction de test d'un même β varie jusqu'à ±{sd:.1f} nats "
              "(é.-t.), alors que deux β voisins diffèrent de {lo:.1f} à {hi:.1f} en moyenne : un pas plus petit que "
              "cette dispersion peut aller dans un sens ou dans l'autre pour une graine. Les losanges gris sont les "
              "moyennes sur les graines, avec des barres ±é.-t."},
    "compare.why.sixteen": {
        "en": "In 2-D the bottleneck caps the rate (a few nats of KL for every β), so β moves the reconstruction "
              "little. Choose latent dimension 16 in the sidebar: there the shipped sweep spans about 30 nats of KL and the "
              "trade-off is large and clear.",
        "fr": "En 2-D le goulot d'étranglement plafonne le débit (quelques nats de KL pour tout β), si bien que β "
              "bouge peu la reconstruction. Choisissez la dimension latente 16 dans la barre latérale : le "
              "balayage fourni y couvre environ 30 nats de KL et le compromis est net."},
    "compare.sweep.numbers_only": {
        "en": "β = {betas}: numbers only. These models were trained by the same recipe "
              "(scripts/train_sweep_reports.py) and scored like the others, but their weights are not shipped "
              "(pretrained/ keeps under 40 MB), so they are in this chart and its trends, not in the model pickers.",
        "fr": "β = {betas} : chiffres seulement. Ces modèles ont été entraînés avec la même recette "
              "(scripts/train_sweep_reports.py) et évalués comme les autres, mais leurs poids ne sont pas fournis "
              "(pretrained/ reste sous 40 Mo) : ils figurent dans ce graphique et ses tendances, pas dans les "
              "sélecteurs de modèles."},
    "compare.rd.spread": {"en": "mean ± sd over seeds", "fr": "moy. ± é.-t. sur les graines"},
    "compare.key_fmt": {"en": "{name}: **{value}**", "fr": "{name} : **{value}**"},
    "compare.same_axes": {"en": "Same axes for the three maps", "fr": "Mêmes axes pour les trois cartes"},
    "compare.same_axes_help": {"en": "Off: each map zooms on its own codes (their shapes become visible, their scales no longer compare).",
                               "fr": "Décoché : chaque carte zoome sur ses propres codes (on voit leur forme, mais plus leur échelle relative)."},
    # metric names and one-line meanings
    "compare.m.recon": {"en": "reconstruction", "fr": "reconstruction"},
    "compare.d.recon": {"en": "mean per-image reconstruction loss (BCE summed over pixels): lower = closer copies",
                        "fr": "perte de reconstruction moyenne par image (entropie croisée sommée sur les pixels) : "
                              "plus bas = copies plus fidèles"},
    "compare.m.mse": {"en": "MSE per pixel", "fr": "MSE par pixel"},
    "compare.d.mse": {"en": "squared error per pixel of the decoded μ, comparable across kinds: lower = better",
                      "fr": "erreur quadratique par pixel du μ décodé, comparable entre modèles : plus bas = mieux"},
    "compare.m.kl": {"en": "KL divergence (rate)", "fr": "divergence KL (débit)"},
    "compare.d.kl": {"en": "mean D_KL(q(z|x) ‖ N(0, I)) per image, nats: lower = codes closer to the prior "
                           "(but carrying less information)",
                     "fr": "D_KL(q(z|x) ‖ N(0, I)) moyenne par image, en nats : plus bas = codes plus proches de la "
                           "loi a priori (mais moins d'information)"},
    "compare.m.loss": {"en": "training loss", "fr": "perte d'entraînement"},
    "compare.d.loss": {"en": "reconstruction + β·KL, the objective each model minimised; not comparable across β",
                       "fr": "reconstruction + β·KL, l'objectif minimisé par chaque modèle ; pas comparable entre β"},
    "compare.m.elbo": {"en": "ELBO", "fr": "ELBO"},
    "compare.d.elbo": {"en": "Monte-Carlo evidence lower bound on log p(x), nats: higher = better model of the data",
                       "fr": "borne inférieure de l'évidence (Monte-Carlo) sur log p(x), en nats : plus haut = "
                             "meilleur modèle des données"},
    "compare.m.iwae": {"en": "IWAE bound (K = 50)", "fr": "borne IWAE (K = 50)"},
    "compare.d.iwae": {"en": "importance-weighted bound, tighter than the ELBO: higher = better",
                       "fr": "borne pondérée par importance, plus serrée que l'ELBO : plus haut = mieux"},
    "compare.m.active_units": {"en": "active units", "fr": "unités actives"},
    "compare.d.active_units": {"en": "latent dimensions whose μ varies across images (Var > 0.01): how much of the code "
                                     "is really used",
                               "fr": "dimensions latentes dont μ varie d'une image à l'autre (Var > 0,01) : la part du "
                                     "code réellement utilisée"},
    "compare.m.prior_confidence": {"en": "prior-sample confidence", "fr": "confiance sur les échantillons a priori"},
    "compare.d.prior_confidence": {"en": "how sure a classifier of the ten classes is about decoded N(0, I) samples: higher = prior "
                                         "samples look like real digits or clothes",
                                   "fr": "certitude d'un classifieur des dix classes sur les échantillons de N(0, I) décodés : "
                                         "plus haut = ils ressemblent à de vrais chiffres ou vêtements"},
    "compare.m.prior_class_entropy": {"en": "prior-sample class entropy", "fr": "entropie des classes a priori"},
    "compare.d.prior_class_entropy": {"en": "bits, max log₂ 10 ≈ 3.32: higher = decoded prior samples cover all ten digits",
                                      "fr": "en bits, max log₂ 10 ≈ 3,32 : plus haut = les échantillons a priori décodés "
                                            "couvrent les dix chiffres"},
    "compare.m.coverage": {"en": "coverage, both directions", "fr": "couverture, dans les deux sens"},
    "compare.d.coverage": {"en": "harmonic mean of the two rows below: low when the prior misses the codes or the codes "
                                 "miss the prior; two samples of one distribution score ≈ 0.98 in 2-D, ≈ 0.8 in 16-D",
                           "fr": "moyenne harmonique des deux lignes suivantes : basse si la loi a priori manque les codes ou "
                                 "si les codes manquent la loi a priori ; deux échantillons d'une même loi donnent ≈ 0,98 en "
                                 "2-D, ≈ 0,8 en 16-D"},
    "compare.m.prior_precision": {"en": "prior → codes (precision)", "fr": "a priori → codes (précision)"},
    "compare.d.prior_precision": {"en": "share of generator samples that land among encoded images (k-NN balls, "
                                        "Kynkäänniemi et al. 2019): low = the prior samples holes no code uses",
                                  "fr": "part des échantillons du générateur qui tombent parmi les images encodées (boules "
                                        "k-PPV, Kynkäänniemi et al. 2019) : bas = la loi a priori tire dans des trous "
                                        "qu'aucun code n'occupe"},
    "compare.m.prior_recall": {"en": "codes → prior (recall)", "fr": "codes → a priori (rappel)"},
    "compare.d.prior_recall": {"en": "share of encoded images that the generator's samples reach: low = codes live "
                                     "where the prior never samples, so those images are never generated",
                               "fr": "part des images encodées que les échantillons du générateur atteignent : bas = des "
                                     "codes vivent là où la loi a priori ne tire jamais, ces images ne sont jamais générées"},
    "compare.m.posterior_prior_distance": {"en": "distance to the prior (W2)", "fr": "distance à la loi a priori (W2)"},
    "compare.d.posterior_prior_distance": {"en": "Wasserstein-2 distance between a Gaussian fitted to the aggregate "
                                                 "posterior and N(0, I): lower = codes spread like the prior",
                                           "fr": "distance de Wasserstein-2 entre une gaussienne ajustée à la postérieure "
                                                 "agrégée et N(0, I) : plus bas = codes répartis comme la loi a priori"},
    "compare.m.smoothness": {"en": "interpolation path ratio", "fr": "rapport de chemin d'interpolation"},
    "compare.d.smoothness": {"en": "length of the decoded path between two codes / straight distance (≥ 1): "
                                   "lower = smoother interpolations",
                             "fr": "longueur du chemin décodé entre deux codes / distance en ligne droite (≥ 1) : "
                                   "plus bas = interpolations plus régulières"},
    "compare.m.midpoint_confidence": {"en": "midpoint confidence", "fr": "confiance au milieu"},
    "compare.d.midpoint_confidence": {"en": "classifier confidence on the decoded midpoint of two codes: higher = the "
                                            "middle of a path still looks like a digit",
                                      "fr": "certitude du classifieur sur le milieu décodé de deux codes : plus haut = "
                                            "le milieu du chemin ressemble encore à un chiffre"},
    "compare.m.mig": {"en": "MIG", "fr": "MIG"},
    "compare.d.mig": {"en": "mutual information gap, in [0, 1], needs known factors (sprites): higher = each factor in "
                            "one latent dimension",
                      "fr": "écart d'information mutuelle, dans [0, 1], demande les facteurs réels (sprites) : plus haut = "
                            "chaque facteur dans une seule dimension latente"},
    "compare.m.beta_vae_score": {"en": "β-VAE score", "fr": "score β-VAE"},
    "compare.d.beta_vae_score": {"en": "accuracy of a linear classifier guessing which factor was held fixed (chance "
                                       "0.2 on sprites): higher = more disentangled",
                                 "fr": "exactitude d'un classifieur linéaire qui devine quel facteur est resté fixe "
                                       "(hasard 0,2 sur sprites) : plus haut = plus démêlé"},
    # ---- section 3: the β sweep
    "compare.sweep.header": {"en": "3. The β trade-off: reconstruction vs KL", "fr": "3. Le compromis β : reconstruction contre KL"},
    "compare.sweep.intro": {
        "en": "Every {dataset} VAE / β-VAE with a {dim}-d latent space (one per β). Each loss is reconstruction + "
              "β·KL: a larger β buys a smaller KL (rate) with a worse reconstruction (distortion).",
        "fr": "Tous les VAE / β-VAE {dataset} à espace latent {dim}-D (un par β). Chaque perte vaut reconstruction "
              "+ β·KL : un β plus grand achète une KL (débit) plus faible contre une reconstruction moins bonne "
              "(distorsion)."},
    "compare.split": {"en": "Numbers from the", "fr": "Chiffres du"},
    "compare.split.test": {"en": "test split", "fr": "jeu de test"},
    "compare.split.train": {"en": "training split (last epoch)", "fr": "jeu d'entraînement (dernière époque)"},
    "compare.sweep.too_few": {"en": "Fewer than two VAE / β-VAE models with this latent dimension: no sweep to draw.",
                              "fr": "Moins de deux VAE / β-VAE avec cette dimension latente : pas de balayage à tracer."},
    "compare.rd.title": {"en": "Rate–distortion ({split})", "fr": "Débit–distorsion ({split})"},
    "compare.rd.x": {"en": "KL divergence (rate), nats / image", "fr": "divergence KL (débit), nats / image"},
    "compare.rd.y": {"en": "reconstruction loss (distortion)", "fr": "perte de reconstruction (distorsion)"},
    "compare.rd.models": {"en": "models", "fr": "modèles"},
    "compare.rd.selected": {"en": "chosen in the sidebar", "fr": "choisi dans la barre latérale"},
    "compare.kl_dims.title": {"en": "KL per latent dimension", "fr": "KL par dimension latente"},
    "compare.kl_dims.axis": {"en": "latent dimension", "fr": "dimension latente"},
    "compare.kl_dims.caption": {"en": "A dimension with KL ≈ 0 is collapsed onto the prior: the decoder ignores it.",
                                "fr": "Une dimension de KL ≈ 0 est effondrée sur la loi a priori : le décodeur l'ignore."},
    "compare.au.title": {"en": "Active units vs β", "fr": "Unités actives selon β"},
    "compare.au.y": {"en": "active units", "fr": "unités actives"},
    # ---- section 4: sprites
    "compare.sprites.header": {"en": "4. Disentanglement on sprites (several seeds)",
                               "fr": "4. Démêlage sur sprites (plusieurs graines)"},
    "compare.sprites.intro": {
        "en": "Sprites have known factors of variation (shape, scale, rotation, x, y), so disentanglement can be "
              "measured: MIG and the β-VAE score, for each training seed, then averaged. The lecture expects the "
              "β-VAE (β > 1) to disentangle better.",
        "fr": "Les sprites ont des facteurs de variation connus (forme, taille, rotation, x, y) : on peut mesurer le "
              "démêlage avec la MIG et le score β-VAE, pour chaque graine d'entraînement, puis en moyenne. Le cours "
              "attend un β-VAE (β > 1) mieux démêlé."},
    "compare.sprites.none": {"en": "No sprites model found.", "fr": "Aucun modèle sprites trouvé."},
    "compare.sprites.model": {"en": "model", "fr": "modèle"},
    "compare.sprites.group": {"en": "group", "fr": "groupe"},
    "compare.sprites.mean": {"en": "mean ± sd, {n} seeds", "fr": "moy. ± é.-t., {n} graines"},
    "compare.sprites.agree": {"en": "{metric}: every {hi} seed beats every {lo} seed ({hi} {hi_mean:.3f} vs {lo} {lo_mean:.3f} on average) — the seeds agree.",
                              "fr": "{metric} : chaque graine {hi} bat chaque graine {lo} ({hi} {hi_mean:.3f} contre {lo} {lo_mean:.3f} en moyenne) — les graines concordent."},
    "compare.sprites.disagree": {"en": "{metric}: the seeds disagree — the ranges overlap ({hi} {hi_mean:.3f} vs {lo} {lo_mean:.3f} on average), so the average alone does not settle it.",
                                 "fr": "{metric} : les graines ne concordent pas — les intervalles se chevauchent ({hi} {hi_mean:.3f} contre {lo} {lo_mean:.3f} en moyenne), la moyenne seule ne tranche pas."},
    "compare.sprites.one_seed": {"en": "{metric}: one seed per model only, so no spread to judge ({hi} {hi_mean:.3f} vs {lo} {lo_mean:.3f}).",
                                 "fr": "{metric} : une seule graine par modèle, pas de dispersion pour juger ({hi} {hi_mean:.3f} contre {lo} {lo_mean:.3f})."},
    "compare.sprites.seeds_fig": {"en": "Each dot is one seed, the bar is the mean",
                                  "fr": "Chaque point est une graine, la barre est la moyenne"},
}
