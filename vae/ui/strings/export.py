"""Strings of figure export (``export.*``: the sidebar's panel, the grids' download buttons, figure titles in
exported files). The explorer component's export menu has its own ``vx.export_*`` strings."""

STRINGS = {
    "export.panel": {"en": "Export figures", "fr": "Exporter les figures"},
    "export.format": {"en": "Charts' camera saves", "fr": "L'appareil photo des graphiques enregistre"},
    "export.format.png": {"en": "PNG", "fr": "PNG"},
    "export.format.svg": {"en": "SVG (vector)", "fr": "SVG (vectoriel)"},
    "export.format_help": {
        "en": "Hover a chart and click its camera icon: the chart is saved in this format. Image grids always "
              "download as lossless PNG.",
        "fr": "Survolez un graphique et cliquez sur son icône d'appareil photo : il est enregistré dans ce format. "
              "Les grilles d'images se téléchargent toujours en PNG sans perte."},
    "export.width": {"en": "PNG size", "fr": "Taille du PNG"},
    "export.width.2x": {"en": "2× the figure on screen", "fr": "2× la figure à l'écran"},
    "export.width.px": {"en": "{w} px wide", "fr": "{w} px de large"},
    "export.background": {"en": "Background", "fr": "Fond"},
    "export.bg.white": {"en": "white", "fr": "blanc"},
    "export.bg.transparent": {"en": "transparent", "fr": "transparent"},
    "export.projector": {"en": "Projector style", "fr": "Style vidéoprojecteur"},
    "export.projector_help": {
        "en": "Larger fonts and thicker lines, for a room screen: the charts are drawn so, and saved so.",
        "fr": "Polices plus grandes et traits plus épais, pour l'écran d'une salle : les graphiques sont dessinés "
              "ainsi, et enregistrés ainsi."},
    "export.caption": {
        "en": "Charts: the camera icon of each chart. Image grids: the download button under each grid. Live maps: "
              "their own « Export » menu.",
        "fr": "Graphiques : l'icône d'appareil photo de chacun. Grilles d'images : le bouton de téléchargement sous "
              "chaque grille. Cartes interactives : leur menu « Exporter »."},
    "export.grid_png": {"en": "Download PNG", "fr": "Télécharger le PNG"},
    "export.samples_title": {"en": "{kind} · {model}: {n} samples, T = {temperature:g}",
                             "fr": "{kind} · {model} : {n} échantillons, T = {temperature:g}"},
    "export.options_title": {"en": "{option} · {model}: {n} samples", "fr": "{option} · {model} : {n} échantillons"},
    "export.prior_title": {"en": "{kind} · {model}: samples", "fr": "{kind} · {model} : échantillons"},
    "export.denoise_title": {"en": "Denoising, noise σ = {std:g}", "fr": "Débruitage, bruit σ = {std:g}"},
}
