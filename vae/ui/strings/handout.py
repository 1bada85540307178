"""Strings of the offline lecture file (``handout.*``): the Lecture page's download button and the file's own
words (its header, the stamp of its frozen numbers, its footer). The steps' texts are the Lecture's."""

STRINGS = {
    "handout.button": {"en": "Download this lecture", "fr": "Télécharger ce cours"},
    "handout.help": {
        "en": "One HTML file that works offline, without the app: the nine steps with their formulas, the live maps "
              "(hover decodes), the VAE's walk and the drawing pad. Its numbers are frozen on the day it is made.",
        "fr": "Un seul fichier HTML qui fonctionne hors ligne, sans l'application : les neuf étapes avec leurs "
              "formules, les cartes interactives (le survol décode), la promenade du VAE et le dessin. Ses nombres "
              "sont figés le jour où il est créé."},
    "handout.error": {"en": "The lecture file could not be made: {detail}",
                      "fr": "Le fichier du cours n'a pas pu être créé : {detail}"},
    "handout.brand": {"en": "Latent-space explorer · the lecture, offline",
                      "fr": "Explorateur d'espace latent · le cours, hors ligne"},
    "handout.intro": {
        "en": "This file needs no network and no server: the maps decode in your browser. Keys: → / ← (or PageDown / "
              "PageUp, Space) move between steps.",
        "fr": "Ce fichier n'a besoin ni de réseau ni de serveur : les cartes décodent dans votre navigateur. "
              "Touches : → / ← (ou Page suivante / Page précédente, Espace) pour changer d'étape."},
    "handout.frozen": {"en": "Frozen on {date}, computed with {models}.", "fr": "Figé le {date}, calculé avec {models}."},
    "handout.frozen_plain": {"en": "Frozen on {date}.", "fr": "Figé le {date}."},
    "handout.settings": {"en": "Shown at the Lecture page's first settings: {settings}.",
                         "fr": "Montré avec les réglages initiaux de la page Cours : {settings}."},
    "handout.browser_note": {"en": "Decoded in your browser: {size} of decoder weights, inside this file.",
                             "fr": "Décodé dans votre navigateur : {size} de poids du décodeur, dans ce fichier."},
    "handout.prev": {"en": "Previous step", "fr": "Étape précédente"},
    "handout.next": {"en": "Next step", "fr": "Étape suivante"},
    "handout.footer": {
        "en": "Made on {date} by the latent-space explorer {version}, from the models {models}. Includes KaTeX "
              "{katex} and plotly.js {plotly} (MIT licences).",
        "fr": "Créé le {date} par l'explorateur d'espace latent {version}, à partir des modèles {models}. Contient "
              "KaTeX {katex} et plotly.js {plotly} (licences MIT)."},
}
