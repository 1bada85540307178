"""The state of every page in the URL (``st.query_params``), so that a link or a QR code opens exactly one view.

What lives where: the page is the URL's path (``/lecture``, ``/walk``; the default page, the map, is the root ``/``); the query holds the language (``lang``,
:mod:`vae.ui.i18n`), the dataset (``data``), the latent size (``d``), the model of each kind (``ae``, ``vae``,
``beta-vae``, …: a shipped model by its name, a user model as ``user/NAME``), the model to explore
(``focus``), the projection (``proj``), the map's inspected test index (``i``) and pinned code (``z``, comma
separated), the lecture step (``step``, a slug), the class code (``class``) and presenter mode (``present``).

One rule makes links, reloads and Back/Forward agree: **the URL wins when it brings news**. This session
remembers the value of each parameter it last read or wrote (its "synced" copy). When the URL's value differs
from it (the first run of a session, a pasted link, Back/Forward: Streamlit 1.67 answers ``popstate`` with a
rerun carrying the restored query string), the URL's value is put into the widget before it is drawn
(:func:`adopt`), or into the component (:func:`linked_value`). Otherwise the session's widgets win, and what they
show is written back (:func:`publish`) in one ``st.query_params`` update: Streamlit turns a change of the query
from Python into ``history.pushState`` (``replaceState`` during a Back/Forward rerun), so each change of view
is one history entry and Back restores the one before. Parameters left at their default are removed from the
URL, which keeps links short; a link made for sharing (:func:`share_link`) spells everything out.

URL values are outside input: every one is parsed by a function that returns a clean value or ``None`` and
never raises (:func:`parse_index`, :func:`parse_code`, :func:`parse_choice`, as :mod:`vae.ui.explorer.messages`
does for the browser's messages). A value that cannot be used falls back to the default with a visible note.
"""
from __future__ import annotations

import math
from typing import Any, Callable, Iterable
from urllib.parse import urlencode, urlsplit

import streamlit as st

from .explorer import messages
from .i18n import t
from .plain_text import escape_markdown

SYNCED = "_url.synced"
MAX_RAW = 2000                   # characters of one URL value we look at (a 16-D code needs about 150)


def _synced() -> dict[str, str | None]:
    return st.session_state.setdefault(SYNCED, {})


def raw(param: str) -> str | None:
    """The URL's value of ``param`` (the last one when repeated), or None; cut to ``MAX_RAW`` characters."""
    try:
        value = st.query_params.get(param)
    except Exception:  # noqa: BLE001 - an odd query must not break a page
        return None
    return None if value is None else str(value)[:MAX_RAW]


def news(param: str) -> bool:
    """True when the URL's ``param`` is not what this session last read or wrote: the session's first run, a
    pasted link or an edited address, or Back/Forward."""
    value, synced = raw(param), _synced()
    return value is not None if param not in synced else value != synced[param]


def mark_read(param: str) -> None:
    """Remember the URL's current value of ``param`` as seen (so it is news no more)."""
    _synced()[param] = raw(param)


# ---------------------------------------------------------------------------------------------------- parsing
def parse_choice(value: str | None, allowed: Iterable[str]) -> str | None:
    """``value`` when it is one of ``allowed``, else None."""
    return messages.choice(value, tuple(allowed))


def parse_int(value: str | None, allowed: Iterable[int]) -> int | None:
    """An integer written in decimal that is one of ``allowed``, else None."""
    digits = value[1:] if isinstance(value, str) and value.startswith("-") else value
    if not isinstance(digits, str) or not (digits.isascii() and digits.isdigit()) or len(digits) > 12:
        return None
    number = int(value)
    return number if number in set(allowed) else None


def parse_index(value: str | None, n: int) -> int | None:
    """A test-set index in [0, n) written in decimal, else None (``-1``, ``3.5``, ``NaN``, ``1e9``: None)."""
    if not isinstance(value, str) or not (value.isascii() and value.isdigit()) or len(value) > 12:
        return None
    return messages.index(int(value), n)


def parse_code(value: str | None, d: int) -> list[float] | None:
    """A latent code of ``d`` finite numbers written ``0.12,-1.5``, else None (NaN, inf, junk, wrong length)."""
    if not isinstance(value, str):
        return None
    parts = value.split(",")
    if len(parts) != d:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    return messages.code(numbers, d)


def format_code(z: Iterable[float] | None) -> str | None:
    """A code as the URL writes it (4 decimals, no trailing zeros), or None."""
    if z is None:
        return None
    return ",".join(f"{float(v):.4f}".rstrip("0").rstrip(".") if math.isfinite(float(v)) else "0" for v in z)


# ---------------------------------------------------------------------------------------------- reading, writing
def adopt(key: str, param: str, parse: Callable[[str], Any], *, note: Callable[[str], None]) -> None:
    """Before the widget with ``key`` is drawn: when the URL brings news for ``param``, or the widget has no
    value yet, set the widget from the URL (``st.session_state[key]``). A removed parameter (Back to a view where
    it was the default) restores the widget's default; a value ``parse`` refuses does too, and calls ``note``
    with the raw value so the page can say so."""
    if not news(param) and key in st.session_state:
        return
    had_news = news(param)
    value_raw = raw(param)
    mark_read(param)
    if value_raw is None:
        if had_news:
            st.session_state.pop(key, None)
        return
    value = parse(value_raw)
    if value is None:
        st.session_state.pop(key, None)
        note(value_raw)
        return
    st.session_state[key] = value


def publish(values: dict[str, str | None]) -> None:
    """Write the view's ``values`` ({param: text, or None to remove it}) into the URL, in one update (one
    history entry), only when the URL differs; the session then counts them as synced."""
    current = {k: raw(k) for k in values}
    changed = {k: v for k, v in values.items() if current[k] != v}
    _synced().update(values)
    if not changed:
        return
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    for k, v in changed.items():
        if v is None:
            query.pop(k, None)
        else:
            query[k] = v
    st.query_params.from_dict(query)


def linked_value(param: str, reported: Any, seen_key: str, parse: Callable[[str], Any],
                 *, note: Callable[[str], None]) -> tuple[Any, bool]:
    """A value that a component reports (the map's inspected index, its pinned code) and the URL keeps.

    A new report from the browser (one that differs from the last report seen, kept under ``seen_key``) wins.
    Otherwise (no report: a component only reports clicks; or the same one again) the URL's value wins: a
    link, a page switch or Back/Forward may have brought another one. Returns
    ``(value, from_url)``; the caller publishes the value when it did not come from the URL."""
    if reported is not None and reported != st.session_state.get(seen_key):
        st.session_state[seen_key] = reported
        return reported, False
    had_news, value_raw = news(param), raw(param)
    mark_read(param)
    if value_raw is None:
        return None, True
    value = parse(value_raw)
    if value is None and had_news:
        note(value_raw)
    return value, True


def map_link(inspected: int | None, pinned: list[float] | None, n: int, d: int) -> tuple[tuple, tuple]:
    """The map's inspected index (``i``) and pinned code (``z``) as :func:`linked_value` keeps them, given what the
    browser last reported (already validated) and the test set's size ``n`` and latent size ``d``; the values
    are written back to the URL. Returns ``((inspected, from_url), (pinned, from_url))``."""
    i = linked_value("i", inspected, "_url.map_inspected", lambda v: parse_index(v, n),
                     note=note_in(st, t("url.inspected")))
    z = linked_value("z", pinned, "_url.map_pinned", lambda v: parse_code(v, d), note=note_in(st, t("url.pinned")))
    publish({"i": None if i[0] is None else str(i[0]), "z": format_code(z[0])})
    return i, z


def note_in(box, what: str) -> Callable[[str], None]:
    """A function that shows, in ``box`` (a container, or ``st``), that the link's ``what`` (a translated name)
    could not be used and the default is shown instead."""
    return lambda value: box.warning(t("url.bad_param", what=what, value=escape_markdown(shown(value))),
                                     icon=":material/link_off:")


def shown(value_raw: str, limit: int = 40) -> str:
    """A URL value as a note quotes it: cut to ``limit`` characters (then escaped by :func:`note_in`)."""
    return value_raw[:limit] + ("…" if len(value_raw) > limit else "")


# ---------------------------------------------------------------------------------------------- model ids
def model_param(model_id: str) -> str:
    """A model id as the URL writes it: a shipped model by its name, another by its full id (``user/NAME``)."""
    return model_id.split("/", 1)[1] if model_id.startswith("pretrained/") else model_id


def model_from_param(value: str, ids: Iterable[str]) -> str | None:
    """The model id a URL value names among ``ids``, or None."""
    ids = list(ids)
    for candidate in (value, f"pretrained/{value}"):
        if candidate in ids:
            return candidate
    return None


# ---------------------------------------------------------------------------------------------- links
def base_url() -> str:
    """The app's address as the browser sees it (scheme, host and base path), without a page: links and QR
    codes built from it work behind a proxy that rewrites nothing but the host."""
    base = "/".join(p for p in str(st.get_option("server.baseUrlPath") or "").split("/") if p)
    try:
        url = st.context.url
    except Exception:  # noqa: BLE001 - no browser context (tests, a bare script run)
        url = None
    parts = urlsplit(url or "")
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "http://localhost:8501"
    return f"{origin}/{base + '/' if base else ''}"


def share_link(url_path: str, params: dict[str, str | None]) -> str:
    """An absolute link to page ``url_path`` with ``params`` (None values left out)."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base_url()}{url_path}" + (f"?{query}" if query else "")
