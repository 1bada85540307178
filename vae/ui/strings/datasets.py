"""Data sets: class names in the page's language (``class.<dataset>.<label>``), and how to install a missing one."""
_FASHION = [("T-shirt/top", "T-shirt/haut"), ("Trouser", "Pantalon"), ("Pullover", "Pull"), ("Dress", "Robe"),
            ("Coat", "Manteau"), ("Sandal", "Sandale"), ("Shirt", "Chemise"), ("Sneaker", "Basket"), ("Bag", "Sac"),
            ("Ankle boot", "Bottine")]

STRINGS = {
    **{f"class.fashion-mnist.{i}": {"en": en, "fr": fr} for i, (en, fr) in enumerate(_FASHION)},
    "data.fashion_missing": {
        "en": "Fashion-MNIST is not installed on this server: install Debian's package "
              "(`apt-get install dataset-fashion-mnist`) or set `VAE_FASHION_MNIST_DIR` to a folder holding its four "
              "IDX files.",
        "fr": "Fashion-MNIST n'est pas installé sur ce serveur : installez le paquet Debian "
              "(`apt-get install dataset-fashion-mnist`) ou indiquez dans `VAE_FASHION_MNIST_DIR` un dossier qui "
              "contient ses quatre fichiers IDX."},
}
