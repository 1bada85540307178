"""Strings of the training film: the sections that show it (``film.*``) and the explorer's film view (``vx.film_*``)."""

STRINGS = {
    "film.header": {"en": "Watch the latent space form", "fr": "Regardez l'espace latent se former"},
    "film.caption": {
        "en": "Each map shows the codes μ of the same {n} test images at snapshots taken during training, dense "
              "early: the first epoch batch by batch, then whole epochs. Drag the slider or press play (keyboard: "
              "space, ← →). Watch the KL term pull the VAE's codes into the prior's circles (1, 2, 3σ) epoch by "
              "epoch, while the AE's codes drift wherever reconstruction wants them. Under each map: the same prior "
              "codes z ~ N(0, I) decoded at that moment, and the losses with the current frame marked.",
        "fr": "Chaque carte montre les codes μ des mêmes {n} images de test à des instantanés pris pendant "
              "l'entraînement, serrés au début : la première époque lot par lot, puis des époques entières. Faites "
              "glisser le curseur ou lancez la lecture (clavier : espace, ← →). Regardez le terme KL attirer les "
              "codes du VAE dans les cercles de la loi a priori (1, 2, 3σ) époque après époque, tandis que les codes "
              "de l'AE dérivent là où la reconstruction les veut. Sous chaque carte : les mêmes codes a priori "
              "z ~ N(0, I) décodés à cet instant, et les pertes avec l'instant courant marqué."},
    "film.pca_note": {
        "en": "Latent dimension {d}: every frame is projected on the principal plane of the final codes (one basis "
              "for the whole film, so frames never flip or spin); the circles are the prior N(0, I) seen in that plane.",
        "fr": "Dimension latente {d} : chaque image du film est projetée sur le plan principal des codes finaux (une "
              "seule base pour tout le film : les images ne se retournent ni ne tournent) ; les cercles sont la loi "
              "a priori N(0, I) vue dans ce plan."},
    "film.missing": {
        "en": "{name} has no training film (it was trained before films were recorded): retrain it to record one.",
        "fr": "{name} n'a pas de film d'entraînement (il a été entraîné avant l'enregistrement des films) : "
              "réentraînez-le pour en enregistrer un."},
    "film.error": {
        "en": "The training film of {name} cannot be read: {detail}. The model itself works.",
        "fr": "Le film d'entraînement de {name} est illisible : {detail}. Le modèle lui-même fonctionne."},
    "film.none": {
        "en": "None of the models picked in the sidebar has a training film.",
        "fr": "Aucun des modèles choisis dans la barre latérale n'a de film d'entraînement."},
    "film.live_header": {"en": "The latent map, forming", "fr": "La carte latente, en train de se former"},
    "film.live_caption": {
        "en": "The codes μ of {n} test images, updated at each snapshot of this training (dense early, then "
              "every few epochs). The slider replays the snapshots so far; the film is saved with the model.",
        "fr": "Les codes μ de {n} images de test, mis à jour à chaque instantané de cet entraînement (serrés au "
              "début, puis toutes les quelques époques). Le curseur rejoue les instantanés déjà pris ; le film est "
              "enregistré avec le modèle."},
    "film.live_waiting": {
        "en": "The map appears at the first snapshot…", "fr": "La carte apparaît au premier instantané…"},
    "vx.film_play": {"en": "▶ Play", "fr": "▶ Lecture"},
    "vx.film_pause": {"en": "❚❚ Pause", "fr": "❚❚ Pause"},
    "vx.film_scrub": {"en": "Training progress", "fr": "Avancement de l'entraînement"},
    "vx.film_untrained": {"en": "untrained (before the first batch)", "fr": "non entraîné (avant le premier lot)"},
    "vx.film_batch": {"en": "epoch 1, batch {b} of {s}", "fr": "époque 1, lot {b} sur {s}"},
    "vx.film_epoch": {"en": "epoch {e}", "fr": "époque {e}"},
    "vx.film_frame": {"en": "snapshot {i} of {n}", "fr": "instantané {i} sur {n}"},
    "vx.film_samples": {
        "en": "Decoded prior codes z ~ N(0, I), the same z in every frame",
        "fr": "Codes a priori z ~ N(0, I) décodés, les mêmes z à chaque instant"},
    "vx.film_recon": {"en": "reconstruction", "fr": "reconstruction"},
    "vx.film_kl": {"en": "KL", "fr": "KL"},
    "vx.film_losses": {
        "en": "Losses of these test images at z = μ (nats per image)",
        "fr": "Pertes de ces images de test en z = μ (nats par image)"},
    "vx.film_x": {"en": "epoch (log scale)", "fr": "époque (échelle log)"},
    "vx.film_clipped": {
        "en": "{n} codes beyond the axes, drawn on the edge", "fr": "{n} codes hors des axes, dessinés sur le bord"},
    "vx.film_ended": {"en": "training ended at epoch {e}", "fr": "entraînement terminé à l'époque {e}"},
    "vx.film_best": {
        "en": "early stopping kept epoch {epoch}", "fr": "l'arrêt précoce a gardé l'époque {epoch}"},
    "vx.film_live": {
        "en": "live: follows the latest snapshot", "fr": "en direct : suit le dernier instantané"},
}
