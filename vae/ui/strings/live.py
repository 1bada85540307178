"""Strings of the live (in-browser) decoder component (keys ``live.*``), used on the walk and map pages."""

STRINGS = {
    "live.header": {"en": "Live decoder (runs in your browser)",
                    "fr": "Décodeur en direct (il tourne dans votre navigateur)"},
    "live.intro": {
        "en": "The decoder's weights are sent once to your browser, which decodes the code z on every move: "
              "drag the sliders or the crosshair and the image follows without waiting for the server. "
              "The code is sent back to the app when you release.",
        "fr": "Les poids du décodeur sont envoyés une fois à votre navigateur, qui décode le code z à chaque "
              "mouvement : faites glisser les curseurs ou la croix et l'image suit sans attendre le serveur. "
              "Le code est renvoyé à l'application quand vous relâchez.",
    },
    "live.sliders": {"en": "One slider per latent dimension", "fr": "Un curseur par dimension latente"},
    "live.reset": {"en": "Back to the start code", "fr": "Revenir au code de départ"},
    "live.pad": {"en": "Latent pad: drag the crosshair", "fr": "Plan latent : faites glisser la croix"},
    "live.pad_x": {"en": "horizontal", "fr": "horizontal"},
    "live.pad_y": {"en": "vertical", "fr": "vertical"},
    "live.pad_caption": {
        "en": "Dots: codes μ of test images (colour = label). Circles: 1σ, 2σ, 3σ of the prior N(0, I).",
        "fr": "Points : codes μ des images de test (couleur = classe). Cercles : 1σ, 2σ, 3σ de la loi a priori N(0, I).",
    },
    "live.decoded": {"en": "Decoded image", "fr": "Image décodée"},
    "live.norm": {"en": "‖z‖ = {norm}", "fr": "‖z‖ = {norm}"},
    "live.browser_note": {"en": "Decoded in your browser: {size} of decoder weights, sent once per model.",
                          "fr": "Décodé dans votre navigateur : {size} de poids du décodeur, envoyés une fois par modèle."},
    "live.loading": {"en": "Receiving the decoder's weights…", "fr": "Réception des poids du décodeur…"},
    "live.server_fallback": {
        "en": "This model's decoder ({reason}) cannot run in the browser: images are decoded on the server "
              "with the controls above instead.",
        "fr": "Le décodeur de ce modèle ({reason}) ne peut pas tourner dans le navigateur : les images sont "
              "décodées sur le serveur, avec les réglages ci-dessus.",
    },
    "live.reported": {"en": "Code received by the app on release: z = {z}",
                      "fr": "Code reçu par l'application au relâchement : z = {z}"},
    "live.none_reported": {"en": "Move a slider or the crosshair, then release: the app receives the code.",
                           "fr": "Déplacez un curseur ou la croix puis relâchez : l'application reçoit le code."},
}
