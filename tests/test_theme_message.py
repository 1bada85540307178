"""The theme part of Streamlit's new_session message, filled from the config once (vae.ui.theme_message)."""
from streamlit import config
from streamlit.proto.NewSession_pb2 import CustomThemeConfig
from streamlit.runtime import app_session

from vae.ui import theme_message

SECTIONS = ("theme", "theme.light", "theme.dark", "theme.sidebar", "theme.light.sidebar", "theme.dark.sidebar")


def _filled(populate) -> bytes:
    """A custom_theme message filled section by section, as ``_create_new_session_message`` does."""
    msg = CustomThemeConfig()
    targets = {"theme": msg, "theme.light": msg.light, "theme.dark": msg.dark, "theme.sidebar": msg.sidebar,
               "theme.light.sidebar": msg.light.sidebar, "theme.dark.sidebar": msg.dark.sidebar}
    for section in SECTIONS:
        populate(targets[section], section)
    return msg.SerializeToString(deterministic=True)


def test_the_theme_is_read_once_and_gives_the_same_message(monkeypatch):
    original = app_session._populate_theme_msg
    original = getattr(original, "__wrapped__", original)
    reads = []
    monkeypatch.setattr(config, "get_options_for_section",
                        lambda section, read=config.get_options_for_section: reads.append(section) or read(section))
    config.set_option("theme.primaryColor", "#336699")
    config.set_option("theme.light.primaryColor", "#113355")
    try:
        theme_message.forget()
        memo = theme_message.memoized(original)
        expected = _filled(original)
        reads.clear()
        assert _filled(memo) == expected and b"#336699" in expected and b"#113355" in expected
        assert sorted(reads) == sorted(SECTIONS)  # each section read once ...
        assert _filled(memo) == expected and _filled(memo) == expected
        assert sorted(reads) == sorted(SECTIONS)  # ... and not again
        unset = CustomThemeConfig()
        memo(unset.dark, "theme.dark")
        assert not unset.HasField("dark")  # a section with nothing set stays absent, as with Streamlit's own
        # a new parse of the config empties the memo: the next run reads the new theme
        config.set_option("theme.primaryColor", "#aa0000")
        theme_message.forget()
        assert b"#aa0000" in _filled(memo)
    finally:
        config.set_option("theme.primaryColor", None)
        config.set_option("theme.light.primaryColor", None)
        theme_message.forget()
