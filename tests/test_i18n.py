"""Every translation key has a non-empty English and French text, and the French differs where it should."""
import re

from vae.ui.strings import all_strings


def test_every_key_has_english_and_french():
    strings = all_strings()
    assert len(strings) > 30
    for key, entry in strings.items():
        assert set(entry) == {"en", "fr"}, key
        assert entry["en"].strip() and entry["fr"].strip(), key


def test_placeholders_match_between_languages():
    for key, entry in all_strings().items():
        assert set(re.findall(r"{(\w*)}", entry["en"])) == set(re.findall(r"{(\w*)}", entry["fr"])), key


def test_french_is_not_a_copy_of_english():
    strings = all_strings()
    same = [k for k, e in strings.items() if e["en"] == e["fr"] and len(e["en"]) > 12]
    assert len(same) <= len(strings) // 10, same


def test_fashion_mnist_class_names_follow_the_language(monkeypatch):
    """Clothes are named in the page's language; digits and unknown data sets keep their own names."""
    import streamlit as st

    from vae.data import FASHION_LABELS
    from vae.ui import i18n

    state = {}
    monkeypatch.setattr(st, "session_state", state)
    state["lang"] = "fr"
    assert i18n.class_names("fashion-mnist", FASHION_LABELS) == [
        "T-shirt/haut", "Pantalon", "Pull", "Robe", "Manteau", "Sandale", "Chemise", "Basket", "Sac", "Bottine"]
    assert i18n.class_names("mnist", [str(i) for i in range(10)]) == [str(i) for i in range(10)]
    state["lang"] = "en"
    assert i18n.class_names("fashion-mnist", FASHION_LABELS) == FASHION_LABELS
    # the English strings are the data set's own names, in label order
    assert [all_strings()[f"class.fashion-mnist.{i}"]["en"] for i in range(10)] == FASHION_LABELS
