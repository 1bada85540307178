"""Strings of the Denoise page."""

STRINGS = {
    "denoise.title": {"en": "Denoising", "fr": "Débruitage"},
    "denoise.intro": {
        "en": "A denoising auto-encoder H is trained on noisy copies x̃ = x + ε of the images to give back the clean x: "
              "its cost is ‖H(x̃) − x‖ (lecture §2). A plain AE, trained on clean images only, has never learnt to remove noise.",
        "fr": "Un auto-encodeur débruiteur H est entraîné sur des copies bruitées x̃ = x + ε des images pour retrouver "
              "l'image propre x : sa fonction de coût est ‖H(x̃) − x‖ (cours §2). Un AE classique, entraîné sur des images "
              "propres seulement, n'a jamais appris à enlever le bruit."},
    "denoise.noise": {"en": "Noise std σ of ε ~ N(0, σ²I)", "fr": "Écart-type σ du bruit ε ~ N(0, σ²I)"},
    "denoise.model": {"en": "Denoising model", "fr": "Modèle débruiteur"},
    "denoise.show_dvae": {"en": "Also show the denoising VAE", "fr": "Afficher aussi le VAE débruiteur"},
    "denoise.n": {"en": "Number of test images", "fr": "Nombre d'images de test"},
    "denoise.row.noisy": {"en": "Noisy input x̃", "fr": "Entrée bruitée x̃"},
    "denoise.row.denoised": {"en": "Denoising AE H(x̃)", "fr": "AE débruiteur H(x̃)"},
    "denoise.row.dvae": {"en": "Denoising VAE", "fr": "VAE débruiteur"},
    "denoise.row.plain": {"en": "Plain AE (trained without noise)", "fr": "AE classique (entraîné sans bruit)"},
    "denoise.row.clean": {"en": "Clean original x", "fr": "Original propre x"},
    "denoise.row.model": {"en": "model: {name}", "fr": "modèle : {name}"},
    "denoise.mse": {"en": "MSE {value:.4f}", "fr": "EQM {value:.4f}"},
    "denoise.errors": {"en": "Mean error to the clean image (MSE per pixel, lower is better)",
                       "fr": "Erreur moyenne par rapport à l'image propre (EQM par pixel, plus bas = mieux)"},
    "denoise.error_axis": {"en": "MSE", "fr": "EQM"},
    "denoise.no_model": {
        "en": "No denoising model (trained with noise > 0) for the dataset {dataset}. Pick MNIST in the sidebar, "
              "or train one on the Train page with a denoising noise > 0.",
        "fr": "Aucun modèle débruiteur (entraîné avec un bruit > 0) pour le jeu de données {dataset}. Choisissez MNIST "
              "dans la barre latérale, ou entraînez-en un dans la page Entraîner avec un bruit de débruitage > 0."},
    "denoise.no_plain": {"en": "No plain AE with latent dimension {dim} on this dataset: the comparison row is left out.",
                         "fr": "Aucun AE classique de dimension latente {dim} sur ce jeu de données : la ligne de comparaison est omise."},
    "denoise.trained_noise": {"en": "This model was trained with noise σ = {noise:g}.",
                              "fr": "Ce modèle a été entraîné avec un bruit σ = {noise:g}."},
}
