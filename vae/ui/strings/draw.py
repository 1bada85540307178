"""Strings of the drawing pad: the Draw page (``draw.*``) and the explorer's draw view (``vx.draw_*``)."""

STRINGS = {
    "draw.title": {"en": "Draw your own digit", "fr": "Dessinez votre chiffre"},
    "draw.intro": {
        "en": "Draw a digit in the black square. At every move of the pen, the AE, the VAE and the β-VAE encode "
              "your drawing in your browser: each shows where it lands in its latent space, and what it "
              "reconstructs from that code.",
        "fr": "Dessinez un chiffre dans le carré noir. À chaque mouvement du crayon, l'AE, le VAE et le β-VAE "
              "encodent votre dessin dans votre navigateur : chacun montre où il tombe dans son espace latent, "
              "et ce qu'il reconstruit à partir de ce code."},
    "draw.explain": {
        "en": "What to look for: the VAEs' encoder outputs a distribution q(z|x) = N(μ, σ²), drawn as the σ "
              "ellipses around your code; the KL term keeps it near the prior N(0, I), so a drawing unlike the "
              "training digits still lands in a region the decoder knows. The AE gives a single point, which "
              "can fall in a hole of its latent space. Your drawing is normalised as MNIST's digits were: "
              "scaled to fit 20×20 pixels, strokes about 3 pixels wide, centred on its centre of mass.",
        "fr": "À observer : l'encodeur des VAE produit une distribution q(z|x) = N(μ, σ²), tracée par les "
              "ellipses σ autour de votre code ; le terme KL la garde près de la loi a priori N(0, I), si bien "
              "qu'un dessin différent des chiffres d'entraînement tombe quand même dans une région que le "
              "décodeur connaît. L'AE donne un seul point, qui peut tomber dans un trou de son espace latent. "
              "Votre dessin est normalisé comme les chiffres de MNIST : mis à l'échelle dans 20×20 pixels, "
              "traits d'environ 3 pixels, centré sur son centre de masse."},
    "draw.not_digits": {
        "en": "The pad draws 28×28 digits like MNIST; the models picked in the sidebar were trained on “{dataset}”, "
              "so expect odd codes.",
        "fr": "Le carré dessine des chiffres 28×28 comme MNIST ; les modèles choisis dans la barre latérale ont "
              "été entraînés sur « {dataset} » : attendez-vous à des codes étranges."},
    "vx.draw_pad": {"en": "Your drawing", "fr": "Votre dessin"},
    "vx.draw_undo": {"en": "Undo", "fr": "Annuler"},
    "vx.draw_clear": {"en": "Clear", "fr": "Effacer"},
    "vx.draw_hint": {"en": "Mouse, finger or pen. Undo removes the last stroke.",
                     "fr": "Souris, doigt ou stylet. « Annuler » retire le dernier trait."},
    "vx.draw_input": {"en": "what the encoders read (28×28, normalised like MNIST)",
                      "fr": "ce que lisent les encodeurs (28×28, normalisé comme MNIST)"},
    "vx.draw_empty": {"en": "Draw something on the pad.", "fr": "Dessinez quelque chose dans le carré."},
    "vx.draw_neighbours": {"en": "among the {label}s: {n} of its {k} nearest test codes",
                           "fr": "parmi les {label} : {n} de ses {k} codes de test les plus proches"},
    "vx.draw_sigma_mean": {"en": "mean σ {s}", "fr": "σ moyen {s}"},
    "vx.draw_kl": {"en": "KL to the prior {kl} nats", "fr": "KL à la loi a priori {kl} nats"},
    "vx.draw_no_encoder": {
        "en": "This model's encoder (convolutional) cannot run in the browser: pick an MLP model to draw into it.",
        "fr": "L'encodeur de ce modèle (convolutif) ne peut pas tourner dans le navigateur : choisissez un "
              "modèle MLP pour y dessiner."},
    "vx.draw_denoise_title": {"en": "Add noise to your drawing (denoising, débruitage)",
                              "fr": "Ajoutez du bruit à votre dessin (débruitage)"},
    "vx.draw_noise": {"en": "noise σ", "fr": "bruit σ"},
    "vx.draw_noisy": {"en": "x̃ = x + ε", "fr": "x̃ = x + ε"},
    "vx.draw_denoised": {"en": "denoising AE H(x̃)", "fr": "AE débruiteur H(x̃)"},
    "vx.draw_plain_ae": {"en": "plain AE on x̃", "fr": "AE simple sur x̃"},
    "vx.draw_denoise_caption": {
        "en": "The denoising AE was trained to map noisy copies x̃ = clip(x + ε, 0, 1), ε ~ N(0, {noise}²), back "
              "to the clean x; the plain AE only ever saw clean digits.",
        "fr": "L'AE débruiteur a appris à ramener des copies bruitées x̃ = clip(x + ε, 0, 1), ε ~ N(0, {noise}²), "
              "vers le x propre ; l'AE simple n'a vu que des chiffres propres."},
    # the latent map's own pad: a drawing becomes the inspected point
    "vx.map_draw_title": {"en": "Or draw a digit", "fr": "Ou dessinez un chiffre"},
    "vx.map_draw_hint": {
        "en": "Your drawing is encoded in your browser and becomes the inspected point (star and σ ellipses on the maps).",
        "fr": "Votre dessin est encodé dans votre navigateur et devient le point inspecté (étoile et ellipses σ sur les cartes)."},
    "vx.inspect_drawing": {"en": "Your drawing", "fr": "Votre dessin"},
    "vx.trio_drawing": {"en": "your drawing, reconstructed", "fr": "votre dessin, reconstruit"},
}
