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
