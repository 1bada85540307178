"""Strings of the Latent map page (keys ``map.*``)."""

STRINGS = {
    "map.title": {"en": "Latent map", "fr": "Carte de l'espace latent"},
    "map.intro": {
        "en": "Each dot is one test image, placed at the mean μ its encoder gives it and coloured by its digit. "
              "Click a dot to inspect it; click an empty place to decode that exact code and see what lives in the holes.",
        "fr": "Chaque point est une image de test, placée à la moyenne μ donnée par l'encodeur et colorée selon sa classe. "
              "Cliquez sur un point pour l'inspecter ; cliquez dans une zone vide pour décoder ce code précis et voir ce que cachent les trous."},
    "map.projection": {"en": "Projection", "fr": "Projection"},
    "map.proj.native": {"en": "Native 2-D", "fr": "2-D natif"},
    "map.proj.pca": {"en": "PCA", "fr": "ACP"},
    "map.proj.tsne": {"en": "t-SNE", "fr": "t-SNE"},
    "map.proj_help": {
        "en": "Native: the latent space itself (latent dimension 2 only). PCA: the plane of largest variance, exactly invertible. "
              "t-SNE: keeps neighbours close but distorts distances and has no inverse.",
        "fr": "Natif : l'espace latent lui-même (dimension latente 2 seulement). ACP : le plan de plus grande variance, inversible exactement. "
              "t-SNE : garde les voisins proches mais déforme les distances et n'a pas d'inverse."},
    "map.pca_explained": {"en": "The PCA plane keeps {pct:.0f}% of the variance of μ.",
                          "fr": "Le plan de l'ACP conserve {pct:.0f} % de la variance de μ."},
    "map.tsne_running": {"en": "Computing the t-SNE map of this model (a few seconds, done once)…",
                         "fr": "Calcul de la carte t-SNE de ce modèle (quelques secondes, une seule fois)…"},
    "map.tsne_too_large": {"en": "t-SNE is not available for this test set: {detail}. Showing PCA instead.",
                           "fr": "t-SNE n'est pas disponible pour ce jeu de test : {detail}. Affichage de l'ACP à la place."},
    "map.overlay.prior": {"en": "Prior N(0, I): 1σ, 2σ, 3σ circles", "fr": "Loi a priori N(0, I) : cercles 1σ, 2σ, 3σ"},
    "map.overlay.ellipses": {"en": "σ ellipses of 100 points", "fr": "Ellipses σ de 100 points"},
    "map.overlay.manifold": {"en": "Decoded manifold grid", "fr": "Grille de variété décodée"},
    "map.overlay.no_prior": {"en": "The prior circles are drawn on native 2-D maps only.",
                             "fr": "Les cercles de la loi a priori ne sont tracés que sur les cartes 2-D natives."},
    "map.overlay.no_sigma": {"en": "The AE has no σ: its encoder returns one point per image, not a distribution.",
                             "fr": "L'AE n'a pas de σ : son encodeur renvoie un point par image, pas une distribution."},
    "map.prior_circle": {"en": "prior {k}σ", "fr": "a priori {k}σ"},
    "map.sigma_legend": {"en": "σ ellipses (sample)", "fr": "ellipses σ (échantillon)"},
    "map.decode_here": {"en": "click to decode", "fr": "cliquer pour décoder"},
    "map.axis.native": {"en": "z{i}", "fr": "z{i}"},
    "map.axis.pca": {"en": "principal component {i}", "fr": "composante principale {i}"},
    "map.axis.tsne": {"en": "t-SNE {i}", "fr": "t-SNE {i}"},
    "map.inspected_marker": {"en": "inspected image", "fr": "image inspectée"},
    "map.decoded_marker": {"en": "decoded point", "fr": "point décodé"},
    "map.sigma_of_point": {"en": "1σ, 2σ of q(z|x)", "fr": "1σ, 2σ de q(z|x)"},
    "map.inspect.title": {"en": "Inspected test image", "fr": "Image de test inspectée"},
    "map.inspect.index": {"en": "Test image index", "fr": "Indice de l'image de test"},
    "map.inspect.label": {"en": "Label: {label}", "fr": "Classe : {label}"},
    "map.inspect.mu": {"en": "μ (mean of q(z|x))", "fr": "μ (moyenne de q(z|x))"},
    "map.inspect.code": {"en": "Code z = E(x)", "fr": "Code z = E(x)"},
    "map.inspect.sigma": {"en": "σ (standard deviation of q(z|x))", "fr": "σ (écart-type de q(z|x))"},
    "map.inspect.kl": {"en": "KL divergence to the prior: {kl:.2f} nats (test-set mean {mean:.2f})",
                       "fr": "Divergence KL à la loi a priori : {kl:.2f} nats (moyenne sur le test {mean:.2f})"},
    "map.inspect.ae_no_sigma": {
        "en": "The AE encoder gives a single point z, not a distribution: there is no σ and no KL divergence to a prior.",
        "fr": "L'encodeur de l'AE donne un seul point z, pas une distribution : il n'y a ni σ ni divergence KL à une loi a priori."},
    "map.decode.title": {"en": "Decode a point of the map", "fr": "Décoder un point de la carte"},
    "map.decode.x": {"en": "x (map coordinate)", "fr": "x (coordonnée sur la carte)"},
    "map.decode.y": {"en": "y (map coordinate)", "fr": "y (coordonnée sur la carte)"},
    "map.decode.button": {"en": "Decode this point", "fr": "Décoder ce point"},
    "map.decode.exact": {"en": "Decoded code z = {z}", "fr": "Code décodé z = {z}"},
    "map.decode.pca_note": {"en": "PCA is linear: this map point is exactly one code of the principal plane (other directions at the mean).",
                            "fr": "L'ACP est linéaire : ce point de la carte correspond exactement à un code du plan principal (les autres directions à la moyenne)."},
    "map.decode.tsne_warning": {
        "en": "t-SNE has no inverse: no code maps exactly to this place. The image below decodes a neighbour-weighted code "
              "(inverse-distance average of the μ of the 8 nearest points), an approximation.",
        "fr": "t-SNE n'a pas d'inverse : aucun code ne correspond exactement à cet endroit. L'image ci-dessous décode un code pondéré "
              "par les voisins (moyenne des μ des 8 points les plus proches, pondérée par l'inverse de la distance), une approximation."},
    "map.decode.tsne_image": {"en": "Neighbour-weighted code, decoded", "fr": "Code pondéré par les voisins, décodé"},
    "map.decode.nearest": {"en": "Nearest test image: #{index} ({label})", "fr": "Image de test la plus proche : n°{index} ({label})"},
    "map.decode.click_hint": {"en": "Click an empty place on the map, or type coordinates:",
                              "fr": "Cliquez dans une zone vide de la carte, ou saisissez des coordonnées :"},
    "map.manifold.title": {"en": "Decoded grid over the visible region", "fr": "Grille décodée sur la région visible"},
    "map.manifold.caption": {
        "en": "{n}×{n} codes evenly spread over the map's region, decoded (top row = largest y). Holes of the latent space show up as blurry or non-digit cells.",
        "fr": "{n}×{n} codes répartis régulièrement sur la région de la carte, décodés (ligne du haut = y le plus grand). Les trous de l'espace latent apparaissent comme des cases floues ou qui ne ressemblent à aucun chiffre."},
    "map.manifold.no_tsne": {"en": "No decoded grid on a t-SNE map: t-SNE has no inverse.",
                             "fr": "Pas de grille décodée sur une carte t-SNE : t-SNE n'a pas d'inverse."},
    "map.trio.title": {"en": "Side by side: AE | VAE | β-VAE", "fr": "Côte à côte : AE | VAE | β-VAE"},
    "map.trio.caption": {
        "en": "The three models on the same axes ({proj}); the star marks the same test image in each.",
        "fr": "Les trois modèles sur les mêmes axes ({proj}) ; l'étoile marque la même image de test dans chacun."},
    "map.trio.missing": {"en": "No {kind} model selected.", "fr": "Aucun modèle {kind} sélectionné."},
    "map.error_projection": {"en": "This projection cannot be computed: {detail}", "fr": "Impossible de calculer cette projection : {detail}"},
    "map.hover_index": {"en": "image", "fr": "image"},
}
