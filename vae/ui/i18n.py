"""English/French text for the app: ``t("map.title")`` returns the string in the current language.

The language lives in ``st.session_state["lang"]``; it comes from the ``?lang=`` query parameter (``en`` or
``fr``) when the URL brings one this session has not seen yet (first run, a pasted link, Back/Forward), and
the sidebar switches it at any time (writing it into the URL). Without ``?lang=`` a session speaks English,
except on a page that declares another default (``PAGE_LANGUAGES``: the Lecture speaks French, the course's
language). A session that opens such a page starts in its language (the page is read from the browser's
address, ``st.context.url``, before anything is drawn); a session that moves to it from another page switches
when the page calls :func:`page_default_language`. Either way the default only applies while nobody chose a
language: a ``?lang=`` in a link or a choice in the sidebar always wins, on every page, and is kept when the
user moves to another page.
"""
from __future__ import annotations

import contextlib
import contextvars
from urllib.parse import urlsplit

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .strings import all_strings

LANGS = ("en", "fr")
LANG_NAMES = {"en": "English", "fr": "Français"}
DEFAULT_LANG = "en"
PAGE_LANGUAGES = {"lecture": "fr"}  # URL path -> the page's default language
STRINGS = all_strings()
_FROM_URL = "_lang_from_url"      # the ``?lang=`` this session last read or wrote
_CHOSEN = "_lang_chosen"          # True once a link or the user chose the language
_PENDING = "_lang_pending"        # a page's default language, applied at the start of the next run
_SPOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar("vae_spoken_language", default=None)


@contextlib.contextmanager
def speaking(lang: str):
    """Within the block, :func:`t` (and everything built on it) speaks ``lang`` whatever the session's language:
    for text made outside a page's run or for another language than the page's (the offline lecture file, built
    in French or English from the CLI or from a page). Raises ``ValueError`` for a language the app lacks."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r} (choose one of {', '.join(LANGS)})")
    token = _SPOKEN.set(lang)
    try:
        yield lang
    finally:
        _SPOKEN.reset(token)


_RUN_MEMO = "_vae_lang_this_run"  # attribute of the session's ScriptRunContext: (this run's cursors, language)


def _session_lang() -> str:
    pending = None if st.session_state.get(_CHOSEN) else st.session_state.get(_PENDING)
    lang = pending or st.session_state.get("lang", DEFAULT_LANG)
    return lang if lang in LANGS else DEFAULT_LANG


def current_lang() -> str:
    """The language of this session (``en`` by default; a page's default waiting to be applied counts already);
    inside :func:`speaking`, that block's language.

    Read from the session state once per script run: every ``t()`` asks, a few hundred times per run, and each read
    goes through Streamlit's session-state proxy and lock (a tenth of the Compare page's rerun, measured with
    ``bench/profile_rerun.py``). The run is recognised by its ``ScriptRunContext.cursors``, a new dict at the start
    of every run (and of every fragment run); the functions below that change the language forget the value."""
    spoken = _SPOKEN.get()
    if spoken is not None:
        return spoken
    ctx = get_script_run_ctx(suppress_warning=True)
    run = getattr(ctx, "cursors", None)
    if run is None:  # no script run (a test calling in directly): read every time
        return _session_lang()
    memo = getattr(ctx, _RUN_MEMO, None)
    if memo is not None and memo[0] is run:
        return memo[1]
    lang = _session_lang()
    setattr(ctx, _RUN_MEMO, (run, lang))
    return lang


def _forget() -> None:
    """Drop this run's remembered language (the language may have just changed)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None and hasattr(ctx, _RUN_MEMO):
        delattr(ctx, _RUN_MEMO)


def text_in(key: str, lang: str) -> str:
    """The unformatted text of ``key`` in ``lang`` (English where ``lang`` has none); a missing key shows itself."""
    entry = STRINGS.get(key)
    if entry is None:
        return key
    return entry.get(lang) or entry.get("en", key)


def t(key: str, **fmt) -> str:
    """Text for ``key`` in the current language, formatted with ``fmt``; a missing key shows itself."""
    if key not in STRINGS:
        return key
    text = text_in(key, current_lang())
    return text.format(**fmt) if fmt else text


def class_names(dataset: str | None, names) -> list[str]:
    """The class names of ``dataset`` in the current language: the ``class.<dataset>.<label>`` strings where they
    exist (Fashion-MNIST's clothes), else the data set's own ``names`` (digits, an upload's labels)."""
    return [t(key) if (key := f"class.{dataset}.{i}") in STRINGS else str(name) for i, name in enumerate(names)]


def grouped(n: int | float) -> str:
    """A count with the language's thousands separator: 1,000,000 in English, 1 000 000 in French."""
    text = f"{n:,.0f}"
    return text.replace(",", "\u202f") if current_lang() == "fr" else text


def init_language() -> None:
    """Settle the run's language before anything is drawn: a ``?lang=`` the session has not seen yet wins (and
    counts as chosen); then, unless a language was chosen, the default of the page the session opens on
    (``PAGE_LANGUAGES``) or one a page asked for in the previous run; else the session keeps its language.

    A language that is neither English nor in the URL (a page default) is written into the URL, so a link
    copied from the address bar opens in the same language."""
    q = st.query_params.get("lang")
    if q in LANGS and st.session_state.get(_FROM_URL) != q:
        st.session_state["lang"] = q
        st.session_state[_FROM_URL] = q
        st.session_state[_CHOSEN] = True
    if "lang" not in st.session_state and not st.session_state.get(_CHOSEN):
        st.session_state.setdefault(_PENDING, PAGE_LANGUAGES.get(opened_page()))
    pending = st.session_state.pop(_PENDING, None)
    if pending in LANGS and not st.session_state.get(_CHOSEN):
        st.session_state["lang"] = pending
        if q != pending:
            set_url_language(pending, chosen=False)
    st.session_state.setdefault("lang", DEFAULT_LANG)
    _forget()  # the run's language is settled now


def opened_page() -> str:
    """The URL path of the page the browser shows (``lecture``, ``map``; ``""`` for the app's root), read from
    the address the browser reports (``st.context.url``) without the server's base path."""
    try:
        url = st.context.url or ""
    except Exception:  # noqa: BLE001 - no browser (a bare script run)
        return ""
    path = [p for p in urlsplit(url).path.split("/") if p]
    base = [p for p in str(st.get_option("server.baseUrlPath") or "").split("/") if p]
    return "/".join(path[len(base):]) if path[:len(base)] == base else ""


def set_url_language(lang: str, chosen: bool = True) -> None:
    """Write ``lang`` into the URL (``?lang=``) and remember it as read; ``chosen``: the user picked it."""
    _forget()
    st.query_params["lang"] = lang
    st.session_state[_FROM_URL] = lang
    if chosen:
        st.session_state[_CHOSEN] = True


def page_default_language(lang: str) -> None:
    """Called by a page whose default language is ``lang``: when no language was chosen (no ``?lang=`` in the
    URL, no choice in the sidebar) and the session speaks another one, switch to ``lang`` and rerun once, so the
    navigation, the sidebar and the page all speak it (the page itself speaks it from this call on). A session
    that opened on the page already speaks it (:func:`init_language`): no rerun then, which matters because a
    first run cut short would leave the browser's widgets out of step with the server's. Other pages keep
    English as their default."""
    if st.session_state.get(_CHOSEN) or current_lang() == lang or lang not in LANGS:
        return
    st.session_state[_PENDING] = lang
    _forget()
    st.rerun()
