"""Strings of the "How a VAE trains" page (lecture §8)."""

STRINGS = {
    "howto.title": {"en": "How a VAE trains", "fr": "Comment un VAE apprend"},
    "howto.intro": {
        "en": "One training step of a VAE, live on one test image: the six steps of the lecture (§8), with the numbers "
              "the model computes and the gradient that the reparameterisation trick makes possible.",
        "fr": "Une étape d'entraînement d'un VAE, en direct sur une image de test : les six étapes du cours (§8), avec "
              "les nombres que calcule le modèle et le gradient que l'astuce de reparamétrisation rend possible."},
    "howto.ae_note": {
        "en": "The model to explore is an AE: its encoder gives one code z, there is no distribution and no sampling step, "
              "so nothing here applies to it. This page uses the VAE chosen in the sidebar: {name}.",
        "fr": "Le modèle à explorer est un AE : son encodeur donne un seul code z, il n'y a ni loi ni étape "
              "d'échantillonnage, donc rien ici ne s'y applique. Cette page utilise le VAE choisi dans la barre latérale : {name}."},
    "howto.no_vae": {"en": "Pick a VAE or a β-VAE in the sidebar to use this page.",
                     "fr": "Choisissez un VAE ou un β-VAE dans la barre latérale pour utiliser cette page."},
    "howto.model": {"en": "Model: {name} (β = {beta:g}, d = {dim})", "fr": "Modèle : {name} (β = {beta:g}, d = {dim})"},
    "howto.index": {"en": "Test image index", "fr": "Indice de l'image de test"},
    "howto.step1": {"en": "1. Build a batch {x₁, x₂, …}", "fr": "1. Construire un lot {x₁, x₂, …}"},
    "howto.step1.text": {"en": "Here the batch is a single test image (label {label}).",
                         "fr": "Ici le lot est une seule image de test (classe {label})."},
    "howto.step2": {"en": "2. Encoder → μ, σ", "fr": "2. Encodeur → μ, σ"},
    "howto.step2.text": {
        "en": "The encoder does not output one code but the parameters of a Gaussian q(z|x) = N(μ, diag σ²).",
        "fr": "L'encodeur ne donne pas un code mais les paramètres d'une gaussienne q(z|x) = N(μ, diag σ²)."},
    "howto.bars.mu_sigma": {"en": "μ and σ per latent dimension", "fr": "μ et σ par dimension latente"},
    "howto.dim": {"en": "latent dimension", "fr": "dimension latente"},
    "howto.step3": {"en": "3. Sample z = μ + σ ⊙ ε, ε ~ N(0, I)", "fr": "3. Échantillonner z = μ + σ ⊙ ε, ε ~ N(0, I)"},
    "howto.step3.text": {
        "en": "Drawing z ~ N(μ, σ²) directly is not differentiable. Written z = μ + σ ⊙ ε, the randomness sits in ε, "
              "an input drawn beforehand, and z becomes a plain function of μ and σ.",
        "fr": "Tirer z ~ N(μ, σ²) directement n'est pas différentiable. Écrit z = μ + σ ⊙ ε, l'aléa est dans ε, une "
              "entrée tirée à l'avance, et z devient une simple fonction de μ et σ."},
    "howto.eps_seed": {"en": "Seed of ε", "fr": "Graine de ε"},
    "howto.resample": {"en": "Resample ε", "fr": "Retirer ε"},
    "howto.table.dim": {"en": "dimension", "fr": "dimension"},
    "howto.bars.z": {"en": "μ, ε and the sample z", "fr": "μ, ε et l'échantillon z"},
    "howto.pic.prior": {"en": "prior N(0, I): 1σ circle", "fr": "loi a priori N(0, I) : cercle à 1σ"},
    "howto.pic.ellipse": {"en": "q(z|x): 1σ ellipse", "fr": "q(z|x) : ellipse à 1σ"},
    "howto.pic.mu": {"en": "μ", "fr": "μ"},
    "howto.pic.z": {"en": "z = μ + σ⊙ε", "fr": "z = μ + σ⊙ε"},
    "howto.pic.eps": {"en": "σ⊙ε", "fr": "σ⊙ε"},
    "howto.pic.zoom": {"en": "zoom on q(z|x)", "fr": "zoom sur q(z|x)"},
    "howto.step4": {"en": "4. Decoder → x̂", "fr": "4. Décodeur → x̂"},
    "howto.step4.text": {"en": "The decoder turns the sampled code z into a reconstruction x̂.",
                         "fr": "Le décodeur transforme le code échantillonné z en une reconstruction x̂."},
    "howto.decoded_z": {"en": "x̂ = D(z)", "fr": "x̂ = D(z)"},
    "howto.decoded_mu": {"en": "D(μ), for comparison", "fr": "D(μ), pour comparaison"},
    "howto.step5": {"en": "5. Loss", "fr": "5. Fonction de coût"},
    "howto.step5.text": {
        "en": "L = reconstruction ({recon}) + β·KL(q(z|x) ‖ N(0, I)), with the closed form "
              "KL = ½ Σ (σ² + μ² − 1 − log σ²).",
        "fr": "L = reconstruction ({recon}) + β·KL(q(z|x) ‖ N(0, I)), avec la forme fermée "
              "KL = ½ Σ (σ² + μ² − 1 − log σ²)."},
    "howto.loss.recon": {"en": "Reconstruction", "fr": "Reconstruction"},
    "howto.loss.kl": {"en": "KL divergence", "fr": "Divergence KL"},
    "howto.loss.beta_kl": {"en": "β·KL", "fr": "β·KL"},
    "howto.loss.total": {"en": "Total loss", "fr": "Coût total"},
    "howto.step6": {"en": "6. Gradient and backpropagation", "fr": "6. Gradient et rétropropagation"},
    "howto.step6.text": {
        "en": "To train the encoder, the reconstruction error must send a gradient back to μ and σ (and from them into "
              "the encoder's weights). Both columns below are computed now by PyTorch on this image.",
        "fr": "Pour entraîner l'encodeur, l'erreur de reconstruction doit renvoyer un gradient vers μ et σ (puis, de là, "
              "vers les poids de l'encodeur). Les deux colonnes ci-dessous sont calculées à l'instant par PyTorch sur cette image."},
    "howto.with": {"en": "With the reparameterisation trick: z = μ + σ ⊙ ε",
                   "fr": "Avec l'astuce de reparamétrisation : z = μ + σ ⊙ ε"},
    "howto.without": {"en": "Without it: z drawn directly from N(μ, σ²)",
                      "fr": "Sans elle : z tiré directement selon N(μ, σ²)"},
    "howto.requires_grad": {"en": "z.requires_grad = {value}", "fr": "z.requires_grad = {value}"},
    "howto.grad_norm": {"en": "‖∂ reconstruction / ∂{param}‖", "fr": "‖∂ reconstruction / ∂{param}‖"},
    "howto.grad_none": {"en": "None: no gradient reaches μ and σ through z.", "fr": "None : aucun gradient n'atteint μ et σ à travers z."},
    "howto.grad_table": {"en": "∂ reconstruction / ∂μ and ∂σ per dimension", "fr": "∂ reconstruction / ∂μ et ∂σ par dimension"},
    "howto.sample_code": {"en": "`Normal(μ, σ).sample()` — the sample is cut from the graph:",
                          "fr": "`Normal(μ, σ).sample()` — l'échantillon est détaché du graphe :"},
    "howto.normal_code": {"en": "`torch.normal(μ, σ)` — a graph node whose gradient PyTorch defines as zero:",
                          "fr": "`torch.normal(μ, σ)` — un nœud du graphe dont PyTorch définit le gradient comme nul :"},
    "howto.kl_only": {
        "en": "The KL term still pulls μ and σ towards the prior (its gradient does not go through z), "
              "but without the trick the reconstruction error can never reach the encoder: it would only learn to "
              "forget the image. Total gradient on μ without the trick: {without}; with it: {with_}.",
        "fr": "Le terme KL tire toujours μ et σ vers la loi a priori (son gradient ne passe pas par z), mais sans "
              "l'astuce l'erreur de reconstruction n'atteint jamais l'encodeur : il apprendrait seulement à oublier "
              "l'image. Gradient total sur μ sans l'astuce : {without} ; avec : {with_}."},
    "howto.refs": {
        "en": "Kingma & Welling, *Auto-Encoding Variational Bayes*, ICLR 2014; Rezende, Mohamed & Wierstra, "
              "*Stochastic Backpropagation and Approximate Inference in Deep Generative Models*, ICML 2014.",
        "fr": "Kingma & Welling, *Auto-Encoding Variational Bayes*, ICLR 2014 ; Rezende, Mohamed & Wierstra, "
              "*Stochastic Backpropagation and Approximate Inference in Deep Generative Models*, ICML 2014."},
}
