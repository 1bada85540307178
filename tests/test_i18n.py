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


def test_the_language_is_read_once_per_run_and_again_in_the_next(monkeypatch):
    """current_lang() remembers the session's language for the rest of a script run (t() asks hundreds of times),
    and a language switched between two runs is the one the next run speaks."""
    from streamlit.testing.v1 import AppTest

    from vae.ui import i18n

    reads = []
    real = i18n._session_lang
    monkeypatch.setattr(i18n, "_session_lang", lambda: reads.append(1) or real())

    def script():
        import streamlit as st

        from vae.ui.i18n import LANGS, t

        st.selectbox("language", LANGS, key="lang")  # no init_language(): nothing forgets the language for us
        for _ in range(3):
            st.title(t("compare.title"))

    at = AppTest.from_function(script, default_timeout=30)
    strings = all_strings()["compare.title"]
    for lang in ("en", "fr", "fr", "en"):
        if at.selectbox:
            at.selectbox(key="lang").set_value(lang)
        at.run()
        assert not at.exception and [x.value for x in at.title] == [strings[lang]] * 3
        assert len(reads) == 1  # once in this run
        reads.clear()


def test_a_new_run_in_the_same_script_thread_reads_the_language_again(monkeypatch):
    """One script thread can run several reruns in a row (Streamlit's ScriptRunner keeps its ScriptRunContext while
    requests queue up): the remembered language belongs to one run, recognised by the context's ``cursors``, a new
    dict at the start of every run."""
    from types import SimpleNamespace

    import streamlit as st

    from vae.ui import i18n

    state = {"lang": "en"}
    ctx = SimpleNamespace(cursors={})
    monkeypatch.setattr(st, "session_state", state)
    monkeypatch.setattr(i18n, "get_script_run_ctx", lambda **_: ctx)
    assert i18n.current_lang() == "en"
    state["lang"] = "fr"
    assert i18n.current_lang() == "en"  # the same run: remembered (the language never changes mid-run unannounced)
    ctx.cursors = {}  # the next run
    assert i18n.current_lang() == "fr"
    state["lang"] = "en"
    i18n._forget()  # what init_language, set_url_language and page_default_language do after a change
    assert i18n.current_lang() == "en"
