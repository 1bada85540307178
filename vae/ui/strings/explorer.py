"""Strings of the explorer component's views (keys ``vx.*``): the live latent map and the latent walk."""

STRINGS = {
    "vx.loading": {"en": "Loading the model into your browser…", "fr": "Chargement du modèle dans votre navigateur…"},
    "vx.load_error": {"en": "The explorer could not load: {detail}. Reload the page.",
                      "fr": "L'explorateur n'a pas pu se charger : {detail}. Rechargez la page."},
    "vx.legend": {"en": "label", "fr": "classe"},
    # map: overlays
    "vx.overlay_prior": {"en": "Prior N(0, I): 1σ, 2σ, 3σ circles", "fr": "Loi a priori N(0, I) : cercles 1σ, 2σ, 3σ"},
    "vx.overlay_ellipses": {"en": "σ ellipses of 100 points", "fr": "Ellipses σ de 100 points"},
    "vx.overlay_manifold": {"en": "Decoded grid under the map", "fr": "Grille décodée de la carte"},
    # map: under the cursor
    "vx.hover_title": {"en": "Under the cursor (decoded in your browser)",
                       "fr": "Sous le curseur (décodé dans votre navigateur)"},
    "vx.hover_title_tsne": {"en": "Under the cursor: neighbour-weighted code (approximation)",
                            "fr": "Sous le curseur : code pondéré par les voisins (approximation)"},
    "vx.hover_hint": {"en": "Move the mouse over the map (or drag a finger): the code under it is decoded at every move.",
                      "fr": "Déplacez la souris sur la carte (ou faites glisser un doigt) : le code dessous est décodé à chaque mouvement."},
    "vx.hover_code": {"en": "z = ({z})", "fr": "z = ({z})"},
    "vx.nearest": {"en": "on image #{i} ({label})", "fr": "sur l'image n°{i} ({label})"},
    "vx.tsne_note": {
        "en": "t-SNE has no inverse: no code maps exactly to a place of this map. The image decodes the "
              "inverse-distance average of the μ of the 8 nearest points.",
        "fr": "t-SNE n'a pas d'inverse : aucun code ne correspond exactement à un endroit de cette carte. L'image "
              "décode la moyenne des μ des 8 points les plus proches, pondérée par l'inverse de la distance."},
    "vx.umap_note": {
        "en": "UMAP has no inverse: no code maps exactly to a place of this map. The image decodes the "
              "inverse-distance average of the μ of the 8 nearest points. A drawing is placed as UMAP places a new "
              "point: from its 15 nearest codes.",
        "fr": "UMAP n'a pas d'inverse : aucun code ne correspond exactement à un endroit de cette carte. L'image "
              "décode la moyenne des μ des 8 points les plus proches, pondérée par l'inverse de la distance. Un dessin "
              "est placé comme UMAP place un nouveau point : d'après ses 15 codes les plus proches."},
    "vx.no_browser_decoder": {
        "en": "This model's decoder (convolutional) cannot run in the browser: hover a dot to see its reconstruction; "
              "click an empty place and the server decodes that code.",
        "fr": "Le décodeur de ce modèle (convolutif) ne peut pas tourner dans le navigateur : survolez un point pour voir "
              "sa reconstruction ; cliquez dans une zone vide et le serveur décode ce code."},
    # map: inspector
    "vx.inspect_title": {"en": "Inspected test image (click a dot)", "fr": "Image de test inspectée (cliquez sur un point)"},
    "vx.inspect_hint": {"en": "Click a dot of the map.", "fr": "Cliquez sur un point de la carte."},
    "vx.original": {"en": "original", "fr": "originale"},
    "vx.reconstruction": {"en": "reconstruction", "fr": "reconstruction"},
    "vx.inspect_label": {"en": "Image #{i}, label {label}", "fr": "Image n°{i}, classe {label}"},
    "vx.mu": {"en": "μ", "fr": "μ"},
    "vx.sigma": {"en": "σ", "fr": "σ"},
    "vx.code": {"en": "z = E(x)", "fr": "z = E(x)"},
    "vx.kl": {"en": "KL to the prior {kl} nats (test mean {mean})",
              "fr": "KL à la loi a priori {kl} nats (moyenne du test {mean})"},
    "vx.ae_no_sigma": {"en": "the AE gives one point, no σ and no KL",
                       "fr": "l'AE donne un point, ni σ ni KL"},
    "vx.index": {"en": "Test image index", "fr": "Indice de l'image de test"},
    # map: pinned code
    "vx.pinned_title": {"en": "Pinned code (click an empty place)", "fr": "Code épinglé (cliquez dans une zone vide)"},
    "vx.pinned_hint": {"en": "Click an empty place of the map to pin the code there (the AE's holes are telling).",
                       "fr": "Cliquez dans une zone vide de la carte pour y épingler le code (les trous de l'AE sont parlants)."},
    "vx.pinned_code": {"en": "z = ({z})", "fr": "z = ({z})"},
    "vx.server_decoding": {"en": "decoded by the server", "fr": "décodé par le serveur"},
    # map: manifold
    "vx.manifold_title": {"en": "Decoded grid over the visible region", "fr": "Grille décodée sur la région visible"},
    "vx.manifold_caption": {
        "en": "{n}×{n} codes evenly spread over the visible region, decoded in your browser (top row = largest y); "
              "zoom the map and the grid follows. Holes show up as blurry or non-digit cells.",
        "fr": "{n}×{n} codes répartis régulièrement sur la région visible, décodés dans votre navigateur (ligne du "
              "haut = y le plus grand) ; zoomez sur la carte et la grille suit. Les trous apparaissent comme des "
              "cases floues ou qui ne ressemblent à aucun chiffre."},
    # map: trio
    "vx.trio_title": {"en": "Side by side, linked: AE | VAE | β-VAE", "fr": "Côte à côte, liés : AE | VAE | β-VAE"},
    "vx.trio_caption": {
        "en": "Hover or click a dot in any map: the same test image is circled in all of them, with each model's "
              "reconstruction. On native 2-D maps, hovering an empty place decodes that same code with the three decoders.",
        "fr": "Survolez ou cliquez un point sur n'importe quelle carte : la même image de test est entourée sur toutes, "
              "avec la reconstruction de chaque modèle. Sur des cartes 2-D natives, survoler une zone vide décode ce "
              "même code avec les trois décodeurs."},
    "vx.trio_recon": {"en": "reconstruction of #{i}", "fr": "reconstruction de n°{i}"},
    "vx.trio_decoding": {"en": "decoding of z = ({x}, {y})", "fr": "décodage de z = ({x}, {y})"},
    # walk
    "vx.start_header": {"en": "1. Start point", "fr": "1. Point de départ"},
    "vx.start": {"en": "Start from", "fr": "Partir de"},
    "vx.start_test": {"en": "a test image's code μ", "fr": "le code μ d'une image de test"},
    "vx.start_origin": {"en": "the origin z = 0", "fr": "l'origine z = 0"},
    "vx.start_prior": {"en": "a random code from the prior", "fr": "un code aléatoire tiré de la loi a priori"},
    "vx.start_image": {"en": "Test image #{index} (label {label})", "fr": "Image de test n°{index} (classe {label})"},
    "vx.origin_caption": {"en": "z = 0: the centre of the prior N(0, I)", "fr": "z = 0 : le centre de la loi a priori N(0, I)"},
    "vx.prior_caption": {"en": "a code drawn from N(0, I)", "fr": "un code tiré de N(0, I)"},
    "vx.sliders_header": {"en": "2. Move the code: one slider per latent dimension, decoded in your browser at every move",
                          "fr": "2. Déplacer le code : un curseur par dimension latente, décodé dans votre navigateur à chaque mouvement"},
    "vx.score_kl": {"en": "KL", "fr": "KL"},
    "vx.score_variance": {"en": "var", "fr": "var"},
    "vx.reset": {"en": "Back to the start code", "fr": "Revenir au code de départ"},
    "vx.random": {"en": "Random code from the prior", "fr": "Code aléatoire tiré de la loi a priori"},
    "vx.pad": {"en": "Latent pad: drag the crosshair", "fr": "Plan latent : faites glisser la croix"},
    "vx.pad_x": {"en": "horizontal", "fr": "horizontal"},
    "vx.pad_y": {"en": "vertical", "fr": "vertical"},
    "vx.pad_caption": {"en": "Dots: codes μ of test images (colour = label). Circles: 1σ, 2σ, 3σ of the prior N(0, I).",
                       "fr": "Points : codes μ des images de test (couleur = classe). Cercles : 1σ, 2σ, 3σ de la loi a priori N(0, I)."},
    "vx.decoded": {"en": "Decoded image", "fr": "Image décodée"},
    "vx.norm": {"en": "‖z‖ = {norm} (typical norm under N(0, I): ≈ {typical})",
                "fr": "‖z‖ = {norm} (norme typique sous N(0, I) : ≈ {typical})"},
    "vx.browser_note": {"en": "Decoded in your browser: {size} of decoder weights, sent once per model and kept across reloads.",
                        "fr": "Décodé dans votre navigateur : {size} de poids du décodeur, envoyés une fois par modèle et gardés d'une visite à l'autre."},
    "vx.server_fallback": {
        "en": "This model's decoder ({reason}) cannot run in the browser: the server decodes when you release a control.",
        "fr": "Le décodeur de ce modèle ({reason}) ne peut pas tourner dans le navigateur : le serveur décode quand vous relâchez une commande."},
    "vx.traversal_header": {"en": "3. Traversal of each dimension", "fr": "3. Parcours de chaque dimension"},
    "vx.traversal_caption": {
        "en": "Each row starts from the start code and sets one dimension to −3 … 3 (columns), the others fixed. "
              "Rows: the {k} most used dimensions. A row that does not change is a dimension the decoder ignores.",
        "fr": "Chaque ligne part du code de départ et fixe une dimension à −3 … 3 (colonnes), les autres restant fixes. "
              "Lignes : les {k} dimensions les plus utilisées. Une ligne qui ne change pas est une dimension ignorée par le décodeur."},
    "vx.interp_header": {"en": "4. Interpolation between two test images", "fr": "4. Interpolation entre deux images de test"},
    "vx.interp_a": {"en": "First image", "fr": "Première image"},
    "vx.interp_b": {"en": "Second image", "fr": "Seconde image"},
    "vx.interp_steps": {"en": "Steps", "fr": "Étapes"},
    "vx.lerp": {"en": "lerp", "fr": "lerp"},
    "vx.slerp": {"en": "slerp", "fr": "slerp"},
    "vx.pixel": {"en": "pixels", "fr": "pixels"},
    "vx.interp_legend": {
        "en": "lerp: straight line in latent space · slerp: great circle in latent space · pixels: blend (1−t)·x₀ + t·x₁ of the two images.",
        "fr": "lerp : droite dans l'espace latent · slerp : grand cercle dans l'espace latent · pixels : mélange (1−t)·x₀ + t·x₁ des deux images."},
    # export menu of the maps and grids (assets/export.js)
    "vx.export": {"en": "Export", "fr": "Exporter"},
    "vx.export_png2x": {"en": "PNG 2×", "fr": "PNG 2×"},
    "vx.export_png_width": {"en": "PNG, width", "fr": "PNG, largeur"},
    "vx.export_svg": {"en": "SVG", "fr": "SVG"},
    "vx.export_bg": {"en": "Background", "fr": "Fond"},
    "vx.export_white": {"en": "white", "fr": "blanc"},
    "vx.export_transparent": {"en": "transparent", "fr": "transparent"},
    "vx.export_projector": {"en": "projector (large fonts)", "fr": "vidéoprojecteur (grandes polices)"},
}
