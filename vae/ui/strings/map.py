"""Strings of the Latent map page (keys ``map.*``); the live map's own strings are ``vx.*`` (strings/explorer.py)."""

STRINGS = {
    "map.title": {"en": "Latent map", "fr": "Carte de l'espace latent"},
    "map.intro": {
        "en": "Each dot is one test image, placed at the mean μ its encoder gives it and coloured by its digit. "
              "Move the mouse over the map: the code under it is decoded at every move. Click a dot to inspect it; "
              "click an empty place to pin that code and see what lives in the holes.",
        "fr": "Chaque point est une image de test, placée à la moyenne μ donnée par l'encodeur et colorée selon sa classe. "
              "Déplacez la souris sur la carte : le code dessous est décodé à chaque mouvement. Cliquez sur un point pour "
              "l'inspecter ; cliquez dans une zone vide pour épingler ce code et voir ce que cachent les trous."},
    "map.projection": {"en": "Projection", "fr": "Projection"},
    "map.proj.native": {"en": "Native 2-D", "fr": "2-D natif"},
    "map.proj.pca": {"en": "PCA", "fr": "ACP"},
    "map.proj.tsne": {"en": "t-SNE", "fr": "t-SNE"},
    "map.proj.umap": {"en": "UMAP", "fr": "UMAP"},
    "map.proj_help": {
        "en": "Native: the latent space itself (latent dimension 2 only). PCA: the plane of largest variance, exactly "
              "invertible. t-SNE: keeps neighbours close but distorts distances and has no inverse. UMAP: keeps "
              "neighbours close and more of the global layout, places new codes (a drawing) itself, has no inverse.",
        "fr": "Natif : l'espace latent lui-même (dimension latente 2 seulement). ACP : le plan de plus grande variance, "
              "inversible exactement. t-SNE : garde les voisins proches mais déforme les distances et n'a pas d'inverse. "
              "UMAP : garde les voisins proches et davantage la disposition d'ensemble, place lui-même les nouveaux codes "
              "(un dessin), n'a pas d'inverse."},
    "map.pca_explained": {"en": "The PCA plane keeps {pct:.0f}% of the variance of μ.",
                          "fr": "Le plan de l'ACP conserve {pct:.0f} % de la variance de μ."},
    "map.tsne_running": {"en": "Computing the t-SNE map of this model (a few seconds, done once)…",
                         "fr": "Calcul de la carte t-SNE de ce modèle (quelques secondes, une seule fois)…"},
    "map.tsne_too_large": {"en": "t-SNE is not available for this test set: {detail}. Showing PCA instead.",
                           "fr": "t-SNE n'est pas disponible pour ce jeu de test : {detail}. Affichage de l'ACP à la place."},
    "map.axis.native": {"en": "z{i}", "fr": "z{i}"},
    "map.axis.pca": {"en": "principal component {i}", "fr": "composante principale {i}"},
    "map.axis.tsne": {"en": "t-SNE {i}", "fr": "t-SNE {i}"},
    "map.axis.umap": {"en": "UMAP {i}", "fr": "UMAP {i}"},
    "map.umap_running": {"en": "Computing the UMAP map of this model (up to a minute, done once)…",
                         "fr": "Calcul de la carte UMAP de ce modèle (jusqu'à une minute, une seule fois)…"},
    "map.points": {"en": "Test images shown", "fr": "Images de test affichées"},
    "map.points.all": {"en": "all {n}", "fr": "toutes ({n})"},
    "map.points_help": {
        "en": "How many test images the maps show (stratified by class). More dots show the shape of the latent "
              "space in more detail, but each model's data then weighs more for the browser (about 1 MB per "
              "1,000 images, fetched once).",
        "fr": "Nombre d'images de test sur les cartes (échantillon stratifié par classe). Plus de points montrent "
              "la forme de l'espace latent plus en détail, mais les données de chaque modèle pèsent plus lourd pour "
              "le navigateur (environ 1 Mo pour 1 000 images, chargé une seule fois)."},
    "map.trio.missing": {"en": "No {kind} model selected.", "fr": "Aucun modèle {kind} sélectionné."},
    "map.projection_progress": {"en": "Computing the {method} map of this model: {pct:.0f}%",
                                "fr": "Calcul de la carte {method} de ce modèle : {pct:.0f} %"},
    "map.projection_queued": {"en": "The {method} map of this model is waiting for {position} other map(s) to be computed…",
                              "fr": "La carte {method} de ce modèle attend le calcul de {position} autre(s) carte(s)…"},
    "map.projection_meanwhile": {
        "en": "{method} is being computed on the server (once for everyone); the map shows {shown} meanwhile and "
              "switches to {method} by itself. The rest of the page works as usual.",
        "fr": "{method} est en cours de calcul sur le serveur (une seule fois pour tous) ; la carte affiche « {shown} » "
              "en attendant et passe d'elle-même à {method}. Le reste de la page fonctionne normalement."},
    "map.projection_failed": {"en": "The {method} map could not be computed: {detail}. Showing {shown} instead.",
                              "fr": "Impossible de calculer la carte {method} : {detail}. Affichage de « {shown} » à la place."},
    "map.projection_busy": {
        "en": "Too many maps are being computed on this server right now: showing {shown}. Choose {method} again in a minute.",
        "fr": "Trop de cartes sont en cours de calcul sur ce serveur : affichage de « {shown} ». Choisissez {method} "
              "de nouveau dans une minute."},
    "map.error_projection": {"en": "This projection cannot be computed: {detail}",
                             "fr": "Impossible de calculer cette projection : {detail}"},
}
