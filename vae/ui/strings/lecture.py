"""Strings of the Lecture page (keys ``lecture.*``): the nine steps of the course chapter (``shared/LECTURE.md``),
in its order, with the French course's own terms."""

_STEPS = {
    "ae": {
        "title": ("Auto-encoder, latent space, reconstruction loss", "Auto-encodeur, espace latent, fonction de coût"),
        "text": (
            "The encoder E compresses an image x of n pixels into a code z = E(x) of d numbers; the decoder D "
            "rebuilds x̂ from it. Both are trained together, by backpropagation, to make the loss between x and x̂ "
            "small: a lossy compression (MSE, MAE or BCE, depending on the data). The map is the auto-encoder's "
            "latent space Z: each dot is the code of one test image; hover to decode any code, click a dot to see "
            "the image and its reconstruction.",
            "L'encodeur E compresse une image x de n pixels en un code z = E(x) de d nombres ; le décodeur D "
            "reconstruit x̂ à partir de ce code. Les deux sont appris ensemble, par rétropropagation, pour rendre "
            "petite la perte entre x et x̂ : une compression avec pertes (erreur quadratique, erreur absolue ou "
            "entropie croisée, selon les données). La carte est l'espace latent Z de l'auto-encodeur : chaque point "
            "est le code d'une image de test ; survolez pour décoder un code, cliquez sur un point pour voir l'image "
            "et sa reconstruction."),
        "number": ("AE test reconstruction error (MSE per pixel)", "Erreur de reconstruction de l'AE en test (MSE par pixel)"),
        "caption": ("{n_test} test images; a code of d = {d} numbers for n = {n} pixels: ×{ratio:.0f} fewer numbers.",
                    "{n_test} images de test ; un code de d = {d} nombres pour n = {n} pixels : ×{ratio:.0f} moins de nombres."),
        "link": ("Open the latent map", "Ouvrir la carte latente"),
    },
    "denoise": {
        "title": ("Application: denoising", "Application : le débruitage"),
        "text": (
            "A denoising auto-encoder H is fed a noisy copy x̃ = x + ε and trained to give back the clean x: it "
            "has to learn what a digit looks like, not the noise. Move the noise level σ: the denoising AE cleans "
            "the digits, while the plain AE, trained on clean images only, keeps much more of the noise.",
            "Un auto-encodeur débruiteur H reçoit une copie bruitée x̃ = x + ε et apprend à rendre l'image propre x : "
            "il doit apprendre à quoi ressemble un chiffre, pas le bruit. Faites varier le niveau de bruit σ : l'AE "
            "débruiteur nettoie les chiffres, alors que l'AE ordinaire, entraîné sur des images propres seulement, "
            "garde bien plus de bruit."),
        "number": ("Denoising AE: error to the clean image (MSE)", "AE débruiteur : erreur par rapport à l'image propre (MSE)"),
        "caption": ("Plain AE at the same σ = {std:.2f}: {plain:.4f} (×{ratio:.1f} the denoising AE's error).",
                    "AE ordinaire au même σ = {std:.2f} : {plain:.4f} (×{ratio:.1f} l'erreur de l'AE débruiteur)."),
        "link": ("Open the Denoise page", "Ouvrir la page Débruiter"),
    },
    "quiz": {
        "title": ("The AE as a generative model — and why it fails", "L'AE comme modèle génératif — et pourquoi il échoue"),
        "text": (
            "Decoding = generating: the decoder D is a model of P(X|z), so pick a random code z and decode it. "
            "But which z? Nothing in the AE's training ties its codes to any distribution: its latent space has no "
            "regularity, and with d ≪ n still large, a random code mostly lands where no image was encoded. "
            "Vote first, then look at the samples.",
            "Décoder = générer : le décodeur D modélise P(X|z), il suffit de tirer un code z au hasard et de le "
            "décoder. Mais quel z ? Rien dans l'apprentissage de l'AE ne lie ses codes à une loi : son espace latent "
            "n'a aucune régularité, et avec d ≪ n mais encore grand, un code aléatoire tombe surtout là où aucune "
            "image n'a été encodée. Votez d'abord, puis regardez les échantillons."),
        "number": ("Prior samples vs codes: coverage, AE → VAE", "Échantillons a priori et codes : couverture, AE → VAE"),
        "caption": ("Harmonic mean of k-NN precision (prior samples that land among the codes: AE {p_ae:.2f}, VAE "
                    "{p_vae:.2f}) and recall (codes the prior samples reach: AE {r_ae:.2f}, VAE {r_vae:.2f}), "
                    "Kynkäänniemi et al. 2019 — the Compare page's measure.",
                    "Moyenne harmonique de la précision k-PPV (échantillons a priori tombés parmi les codes : AE "
                    "{p_ae:.2f}, VAE {p_vae:.2f}) et du rappel (codes atteints par les échantillons : AE {r_ae:.2f}, "
                    "VAE {r_vae:.2f}), Kynkäänniemi et al. 2019 — la mesure de la page Comparer."),
        "link": ("Open the Generate page", "Ouvrir la page Générer"),
    },
    "posterior": {
        "title": ("From AE to VAE: one observation = one distribution", "De l'AE au VAE : une observation = une distribution"),
        "text": (
            "The variational auto-encoder's encoder outputs a distribution $q_\\phi(z \\mid x) = \\mathcal{N}(\\mu_x, \\sigma_x)$ instead of one "
            "point: a data point x matches many possible codes z. The latent space becomes less sparse, and the "
            "aggregate posterior p(z) = (1/n) Σᵢ q(z|xᵢ) is easy to write down. Draw a digit: the VAE places a cloud "
            "(its 1σ, 2σ, 3σ ellipses) where the AE places a single point.",
            "L'encodeur de l'auto-encodeur variationnel donne une distribution $q_\\phi(z \\mid x) = \\mathcal{N}(\\mu_x, \\sigma_x)$ au lieu d'un "
            "point : une donnée x correspond à beaucoup de codes z possibles. L'espace latent devient moins "
            "clairsemé, et la postérieure agrégée p(z) = (1/n) Σᵢ q(z|xᵢ) s'écrit facilement. Dessinez un chiffre : "
            "le VAE place un nuage (ses ellipses à 1σ, 2σ, 3σ) là où l'AE place un seul point."),
        "number": ("VAE: mean σ of q(z|x) over the test set", "VAE : σ moyen de q(z|x) sur le jeu de test"),
        "caption": ("Each image is a cloud of about this width per dimension (the AE: σ = 0, one point); "
                    "codes span about ±{spread:.1f}.",
                    "Chaque image est un nuage d'environ cette largeur par dimension (l'AE : σ = 0, un point) ; "
                    "les codes s'étendent sur environ ±{spread:.1f}."),
        "link": ("Open the drawing pad", "Ouvrir le dessin"),
    },
    "kl": {
        "title": ("Regularisation: the KL divergence and the VAE cost", "Régularisation : la divergence KL et le coût du VAE"),
        "text": (
            "To sample the prior, the VAE forces every $q_\\phi(z \\mid x)$ to stay close to p(z) = N(0, I), measured by the "
            "Kullback–Leibler divergence. Between Gaussians it has a closed form, so the VAE cost is the "
            "reconstruction term plus this regularisation. Click a dot: the inspector prints its KL, and the map "
            "shows its σ ellipse beside the prior's circle.",
            "Pour échantillonner la loi a priori, le VAE force chaque $q_\\phi(z \\mid x)$ à rester proche de p(z) = N(0, I), "
            "mesuré par la divergence de Kullback–Leibler. Entre gaussiennes elle a une forme close : le coût du VAE "
            "est le terme de reconstruction plus cette régularisation. Cliquez sur un point : l'inspecteur affiche "
            "sa KL, et la carte montre son ellipse σ à côté du cercle de la loi a priori."),
        "number": ("Mean KL(q(z|x) ‖ N(0, I)), closed form", "KL(q(z|x) ‖ N(0, I)) moyenne, forme close"),
        "caption": ("Monte Carlo, {samples} samples per image: {mc:.3f} ± {se:.3f} nats — the formula agrees.",
                    "Monte-Carlo, {samples} tirages par image : {mc:.3f} ± {se:.3f} nats — la formule concorde."),
        "link": ("Open the VAE's latent map", "Ouvrir la carte latente du VAE"),
    },
    "elbo": {
        "title": ("Variational inference and the ELBO", "Inférence variationnelle et ELBO"),
        "text": (
            "Maximum likelihood needs $p_\\theta(x) = \\int p(z)\\, p_\\theta(x \\mid z)\\, dz$, which is intractable, and the "
            "posterior $p_\\theta(z \\mid x)$ is unknown. We approximate it with $q_\\phi(z \\mid x)$: $\\log p_\\theta(x)$ splits into "
            "$KL(q \\,\\Vert\\, p_\\theta(z \\mid x)) \\ge 0$ plus the ELBO, "
            "so maximising the ELBO raises a lower bound of the likelihood and pulls q towards the true posterior. "
            "The lecture's toy model has everything exact: move q(z = 1) and watch the gap close at the posterior.",
            "Le maximum de vraisemblance demande $p_\\theta(x) = \\int p(z)\\, p_\\theta(x \\mid z)\\, dz$, incalculable, et la "
            "postérieure $p_\\theta(z \\mid x)$ est inconnue. On l'approche par $q_\\phi(z \\mid x)$ : $\\log p_\\theta(x)$ se "
            "décompose en $KL(q \\,\\Vert\\, p_\\theta(z \\mid x)) \\ge 0$ plus l'ELBO ; maximiser l'ELBO élève une "
            "borne inférieure de la vraisemblance et rapproche q de la vraie postérieure. Le modèle jouet du cours "
            "est exact : déplacez q(z = 1) et regardez l'écart se refermer sur "
            "la postérieure."),
        "number": ("log p(x) − ELBO", "log p(x) − ELBO"),
        "caption": ("= KL(q ‖ p(z|x)) computed from the posterior directly: {kl:.4f} nats. The true posterior is "
                    "p(z = 1 | x) = {post:.3f}.",
                    "= KL(q ‖ p(z|x)) calculée directement depuis la postérieure : {kl:.4f} nats. La vraie postérieure "
                    "est p(z = 1 | x) = {post:.3f}."),
        "link": ("Open How a VAE trains", "Ouvrir Comment un VAE apprend"),
    },
    "iwae": {
        "title": ("The ELBO's gap: importance-weighted bounds", "L'écart de l'ELBO : bornes à poids d'importance"),
        "text": (
            "How loose is the ELBO on our VAE? Averaging K importance weights $p_\\theta(x, z_k) / q_\\phi(z_k \\mid x)$ inside the "
            "log gives a tighter bound $\\mathcal{L}_K$ (Burda, Grosse & Salakhutdinov, 2016): $\\mathcal{L}_1$ is the ELBO, "
            "and $\\mathcal{L}_K$ climbs towards $\\log p_\\theta(x)$ as K grows. What it gains is the part of "
            "$KL(q \\,\\Vert\\, p_\\theta(z \\mid x))$ that the Gaussian q cannot close.",
            "L'ELBO de notre VAE est-elle lâche ? Moyenner K poids d'importance $p_\\theta(x, z_k) / q_\\phi(z_k \\mid x)$ "
            "dans le log donne une borne plus serrée $\\mathcal{L}_K$ (Burda, Grosse & Salakhutdinov, 2016) : $\\mathcal{L}_1$ "
            "est l'ELBO, et $\\mathcal{L}_K$ monte vers $\\log p_\\theta(x)$ quand K grandit. Ce qu'elle gagne est la part de "
            "$KL(q \\,\\Vert\\, p_\\theta(z \\mid x))$ que la gaussienne q ne peut pas combler."),
        "number": ("IWAE bound (K = {k}) − ELBO, nats per image", "Borne IWAE (K = {k}) − ELBO, nats par image"),
        "caption": ("VAE, {n} test images: ELBO {elbo:.2f}, IWAE bound with K = {k}: {iwae:.2f} nats.",
                    "VAE, {n} images de test : ELBO {elbo:.2f}, borne IWAE avec K = {k} : {iwae:.2f} nats."),
        "link": ("Open Compare", "Ouvrir Comparer"),
    },
    "reparam": {
        "title": ("Training in practice: the reparameterisation trick", "Optimisation des VAE : l'astuce de reparamétrisation"),
        "text": (
            "One step: a batch, the encoder gives μ and σ, a code z is sampled, the decoder gives x̂, the loss, then "
            "the gradient by backpropagation. Sampling z ~ N(μ, σ) is not differentiable; writing z = μ + σ ⊙ ε with "
            "ε ~ N(0, I) moves the randomness to an input node, so ∂L/∂μ and ∂L/∂σ exist (Kingma & Welling 2014; "
            "Rezende et al. 2014). Below: one test image through the steps, and the gradient with and without the trick.",
            "Une étape : un batch, l'encodeur donne μ et σ, on tire un code z, le décodeur donne x̂, la perte, puis le "
            "gradient par rétropropagation. Tirer z ~ N(μ, σ) n'est pas dérivable ; écrire z = μ + σ ⊙ ε avec "
            "ε ~ N(0, I) déplace l'aléa vers un nœud d'entrée, donc ∂L/∂μ et ∂L/∂σ existent (Kingma & Welling 2014 ; "
            "Rezende et al. 2014). Ci-dessous : une image de test à travers les étapes, et le gradient avec et sans "
            "l'astuce."),
        "number": ("‖∂L/∂μ‖ with the trick", "‖∂L/∂μ‖ avec l'astuce"),
        "caption": ("Without it (z = Normal(μ, σ).sample()): {without} — no gradient reaches the encoder.",
                    "Sans elle (z = Normal(μ, σ).sample()) : {without} — aucun gradient n'atteint l'encodeur."),
        "link": ("Open How a VAE trains", "Ouvrir Comment un VAE apprend"),
    },
    "beta": {
        "title": ("β-VAE: the trade-off", "β-VAE : le compromis"),
        "text": (
            "The β-VAE weighs the KL term by β. β = 1 is the classic VAE; β > 1 pushes the codes closer to the "
            "prior (a more efficient, more structured encoding) at the cost of reconstruction; β < 1 reconstructs "
            "better with a less structured latent space. Each point of the curve is one shipped model of the β sweep: "
            "its KL (rate) against its reconstruction error (distortion).",
            "Le β-VAE pondère le terme KL par β. β = 1 est le VAE classique ; β > 1 rapproche les codes de la loi a "
            "priori (un encodage plus efficace, plus structuré) au prix de la reconstruction ; β < 1 reconstruit "
            "mieux avec un espace latent moins structuré. Chaque point de la courbe est un modèle fourni du balayage "
            "en β : sa KL (débit) contre son erreur de reconstruction (distorsion)."),
        "number": ("KL at β = {hi:g} vs β = {lo:g}", "KL à β = {hi:g} contre β = {lo:g}"),
        "caption": ("Test split: KL {kl_lo:.2f} → {kl_hi:.2f} nats, reconstruction {rec_lo:.1f} → {rec_hi:.1f} "
                    "(BCE per image), {n} models.",
                    "Jeu de test : KL {kl_lo:.2f} → {kl_hi:.2f} nats, reconstruction {rec_lo:.1f} → {rec_hi:.1f} "
                    "(BCE par image), {n} modèles."),
        "link": ("Open Compare", "Ouvrir Comparer"),
    },
}

STRINGS = {
    f"lecture.{slug}.{field}": {"en": en, "fr": fr}
    for slug, fields in _STEPS.items() for field, (en, fr) in fields.items()
}

_OTHERS = {
    "lecture.title": {"en": "Lecture", "fr": "Cours"},
    "lecture.intro": {
        "en": "The chapter on auto-encoders and VAEs, one idea per step, in the course's order. Keys: → / ← (or "
              "PageDown / PageUp, Space) move between steps.",
        "fr": "Le chapitre sur les auto-encodeurs et les VAE, une idée par étape, dans l'ordre du cours. Touches : "
              "→ / ← (ou Page suivante / Page précédente, Espace) pour changer d'étape."},
    "lecture.counter": {"en": "Step {k} / {n}", "fr": "Étape {k} / {n}"},
    "lecture.prev": {"en": "Previous", "fr": "Précédente"},
    "lecture.next": {"en": "Next", "fr": "Suivante"},
    "lecture.jump": {"en": "Step", "fr": "Étape"},
    "lecture.present": {"en": "Presenter mode", "fr": "Mode présentation"},
    "lecture.present_help": {"en": "Large type for a projector, sidebar folded away.",
                             "fr": "Grands caractères pour un vidéoprojecteur, barre latérale repliée."},
    "lecture.step": {"en": "step", "fr": "étape"},
    "lecture.no_model": {"en": "This step needs a {kind} model: pick one in the sidebar.",
                         "fr": "Cette étape demande un modèle {kind} : choisissez-en un dans la barre latérale."},
    "lecture.no_denoiser": {"en": "No denoising model for this dataset (train one with a noise level on the Train page).",
                            "fr": "Aucun modèle débruiteur pour ce jeu de données (entraînez-en un avec du bruit dans la page Entraîner)."},
    "lecture.no_number": {"en": "Not available for these models.", "fr": "Indisponible pour ces modèles."},
    "lecture.film_pending": {"en": "The training film of these models is not available yet.",
                             "fr": "Le film d'entraînement de ces modèles n'est pas encore disponible."},
    # the toy model of step 6
    "lecture.toy.p": {"en": "Prior p(z = 1) = p", "fr": "Loi a priori p(z = 1) = p"},
    "lecture.toy.sigma": {"en": "Noise σ of p(x|z) = N(z, σ)", "fr": "Bruit σ de p(x|z) = N(z, σ)"},
    "lecture.toy.x": {"en": "Observation x", "fr": "Observation x"},
    "lecture.toy.r": {"en": "Approximate posterior q(z = 1)", "fr": "Postérieure approchée q(z = 1)"},
    "lecture.toy.r_axis": {"en": "q(z = 1)", "fr": "q(z = 1)"},
    "lecture.toy.elbo": {"en": "ELBO of q", "fr": "ELBO de q"},
    "lecture.toy.evidence": {"en": "log p(x)", "fr": "log p(x)"},
    "lecture.toy.posterior": {"en": "true posterior p(z = 1 | x)", "fr": "vraie postérieure p(z = 1 | x)"},
    "lecture.toy.current": {"en": "your q", "fr": "votre q"},
    "lecture.toy.y": {"en": "nats", "fr": "nats"},
    # step 7's curve
    "lecture.iwae.k": {"en": "number of samples K (log scale)", "fr": "nombre de tirages K (échelle log)"},
    "lecture.iwae.y": {"en": "nats per image", "fr": "nats par image"},
    "lecture.iwae.bound": {"en": "IWAE bound L_K", "fr": "borne IWAE L_K"},
    "lecture.iwae.elbo": {"en": "ELBO (K-sample mean)", "fr": "ELBO (moyenne sur K tirages)"},
    "lecture.iwae.fig_title": {"en": "Bounds on log p(x) of the VAE", "fr": "Bornes de log p(x) du VAE"},
    # step 8
    "lecture.reparam.index": {"en": "Test image", "fr": "Image de test"},
    "lecture.reparam.resample": {"en": "Draw another ε", "fr": "Tirer un autre ε"},
    "lecture.reparam.loss": {"en": "Loss: reconstruction {recon:.1f} + β·KL {beta_kl:.2f} = {total:.1f}",
                             "fr": "Perte : reconstruction {recon:.1f} + β·KL {beta_kl:.2f} = {total:.1f}"},
    # step 9
    "lecture.beta.too_few": {"en": "The β sweep needs at least two models with a KL term for this dataset and latent size.",
                             "fr": "Le balayage en β demande au moins deux modèles avec un terme KL pour ce jeu de données et cette dimension latente."},
    # the class: code, votes, tally, following the teacher
    "lecture.class.header": {"en": "The class", "fr": "La classe"},
    "lecture.class.intro": {
        "en": "A teacher opens a class (with the teacher key): students scan the code or type it, follow the "
              "teacher's steps and answer the micro-quiz on their laptops. Nothing personal is kept; a class "
              "expires after two hours.",
        "fr": "L'enseignant ouvre une classe (avec la clé enseignant) : les étudiants scannent le code ou le "
              "saisissent, suivent ses étapes et répondent au micro-quiz sur leur ordinateur. Rien de personnel "
              "n'est gardé ; une classe expire au bout de deux heures."},
    "lecture.class.open": {"en": "Open a class", "fr": "Ouvrir une classe"},
    "lecture.class.code": {"en": "Class code", "fr": "Code de la classe"},
    "lecture.class.link": {"en": "Students open: {url}", "fr": "Les étudiants ouvrent : {url}"},
    "lecture.class.qr": {"en": "QR code of the students' link", "fr": "QR code du lien des étudiants"},
    "lecture.class.teacher": {"en": "You teach class {code}: your steps are published to the students who follow.",
                              "fr": "Vous animez la classe {code} : vos étapes sont publiées aux étudiants qui suivent."},
    "lecture.class.join": {"en": "Class code from your teacher", "fr": "Code de la classe donné par l'enseignant"},
    "lecture.class.follow": {"en": "Follow the teacher's steps", "fr": "Suivre les étapes de l'enseignant"},
    "lecture.class.following": {"en": "Class {code}: following the teacher.", "fr": "Classe {code} : vous suivez l'enseignant."},
    "lecture.class.err.bad_code": {"en": "A class code is 5 letters or digits.", "fr": "Un code de classe fait 5 lettres ou chiffres."},
    "lecture.class.err.unknown_code": {"en": "No open class has this code.", "fr": "Aucune classe ouverte n'a ce code."},
    "lecture.class.err.expired": {"en": "This class code has expired.", "fr": "Ce code de classe a expiré."},
    "lecture.class.err.too_many": {"en": "Too many classes are open on this server; try again later.",
                                   "fr": "Trop de classes sont ouvertes sur ce serveur ; réessayez plus tard."},
    "lecture.class.err.class_full": {"en": "This class is full; ask your teacher.",
                                     "fr": "Cette classe est complète ; demandez à votre enseignant."},
    "lecture.class.err.not_joined": {"en": "Join the class before voting.", "fr": "Rejoignez la classe avant de voter."},
    "lecture.class.err.not_teacher": {"en": "Only the teacher who opened this class can do this.",
                                      "fr": "Seul l'enseignant qui a ouvert cette classe peut faire cela."},
    "lecture.class.err.too_many_mine": {"en": "Your teacher key already has 10 open classes; close one first.",
                                        "fr": "Votre clé enseignant a déjà 10 classes ouvertes ; fermez-en une d'abord."},
    "lecture.class.err.bad_size": {"en": "A class admits 1 to 500 students.", "fr": "Une classe accueille de 1 à 500 étudiants."},
    "lecture.class.err.store": {"en": "The class cannot be reached right now; try again.",
                                "fr": "La classe est injoignable pour l'instant ; réessayez."},
    "lecture.class.err.unreachable": {
        "en": "The class server is not reachable right now; the page keeps working, try again in a moment.",
        "fr": "Le serveur de la classe est injoignable pour l'instant ; la page reste utilisable, réessayez dans "
              "un instant."},
    "lecture.class.open_new": {"en": "Open a new class", "fr": "Ouvrir une nouvelle classe"},
    "lecture.class.close": {"en": "Close the class", "fr": "Fermer la classe"},
    "lecture.class.ended": {"en": "Class {code} ended at {time}.", "fr": "La classe {code} s'est terminée à {time}."},
    "lecture.class.size": {"en": "Students at most", "fr": "Étudiants au plus"},
    "lecture.class.size_help": {"en": "A student joins once per browser; beyond this number the class is full, so a "
                                      "script cannot flood it.",
                                "fr": "Un étudiant rejoint une fois par navigateur ; au-delà de ce nombre la classe est "
                                      "complète : un script ne peut pas l'inonder."},
    "lecture.class.attendance": {"en": "Joined: {joined} of {size} ({recent} in the last minute)",
                                 "fr": "Ont rejoint : {joined} sur {size} ({recent} dans la dernière minute)"},
    # the teacher key (vae/ui/teacher.py)
    "teacher.unlock.title": {"en": "I teach: open a class", "fr": "J'enseigne : ouvrir une classe"},
    "teacher.unlock.help": {"en": "Type the teacher key that the server printed when it started (or its "
                                  "VAE_TEACHER_KEY). This browser then remembers it.",
                            "fr": "Saisissez la clé enseignant affichée par le serveur au démarrage (ou sa "
                                  "VAE_TEACHER_KEY). Ce navigateur s'en souvient ensuite."},
    "teacher.key": {"en": "Teacher key", "fr": "Clé enseignant"},
    "teacher.unlock": {"en": "Unlock", "fr": "Déverrouiller"},
    "teacher.forget": {"en": "Forget the key here", "fr": "Oublier la clé ici"},
    "teacher.err.key": {"en": "This is not the teacher key.", "fr": "Ce n'est pas la clé enseignant."},
    "teacher.err.server": {"en": "Teacher keys cannot be checked on this server: {detail}",
                           "fr": "Les clés enseignant ne peuvent pas être vérifiées sur ce serveur : {detail}"},
    "lecture.class.err.other": {"en": "The class could not be reached: {detail}", "fr": "La classe est injoignable : {detail}"},
    "lecture.quiz.vote_class": {"en": "Your vote goes to class {code} (anonymous).",
                                "fr": "Votre vote va à la classe {code} (anonyme)."},
    "lecture.quiz.voted": {"en": "Vote counted. You can still change it.", "fr": "Vote compté. Vous pouvez encore le changer."},
    "lecture.quiz.tally": {"en": "Live tally — {total} vote(s)", "fr": "Résultats en direct — {total} vote(s)"},
    "lecture.quiz.reveal": {"en": "Reveal the samples", "fr": "Montrer les échantillons"},
    "lecture.quiz.wait_reveal": {"en": "The teacher will show the samples.", "fr": "L'enseignant va montrer les échantillons."},
    "lecture.quiz.samples": {"en": "Prior samples z ~ N(0, I), decoded by each model",
                             "fr": "Échantillons a priori z ~ N(0, I), décodés par chaque modèle"},
}
_clash = set(_OTHERS) & set(STRINGS)
if _clash:  # a page key would silently replace a step's text
    raise KeyError(f"lecture strings defined twice: {sorted(_clash)}")
STRINGS.update(_OTHERS)
