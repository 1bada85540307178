"""Text from files shown as plain text inside Streamlit markdown: the one escaping helper.

Streamlit renders ``st.markdown``, ``st.caption``, ``st.info``/``st.warning``/``st.error``/``st.success`` and
widget labels as GitHub-flavoured markdown (plus its own directives: ``:red[…]``, ``:material/icon:``,
``$…$`` LaTeX). A value that comes from a model folder (a name, a dataset, an error message quoting a
config) and is interpolated into such text could otherwise show an image fetched from another server (it
leaks every viewer's address and Referer), a clickable link, or just break the layout. ``escape_markdown``
makes such a value render literally: markdown punctuation is backslash-escaped, and the autolinks GFM finds
in the text itself (``http://``, ``www.``, ``a@b.c``) are broken by an invisible word joiner.

It escapes only what markdown could interpret, so ordinary names (``mnist-vae-2d``, ``my_vae``,
``betavae0.5``) come out unchanged and read the same where a label is shown without markdown (select-box
options, the explorer component).
"""
from __future__ import annotations

import re

#: ASCII punctuation that is active anywhere in a line (CommonMark/GFM, Streamlit directives and LaTeX).
_ALWAYS = re.compile(r"([\\`*~\[\]<>!|$:&#{}])")
#: An underscore next to anything but a letter or digit can open or close emphasis (intraword ones cannot).
_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
#: A line start that makes a list: "- x", "+ x", "1. x", "1) x" (the marker needs a space or the end after it).
_BULLET = re.compile(r"^([-+])(?=\s|$)")
_NUMBERED = re.compile(r"^(\d{1,9})(?=[.)](?:\s|$))")
#: GFM turns "http://…", "www.…" and "a@b.c" into links after parsing, on the text itself, so backslashes cannot
#: stop it: an invisible WORD JOINER (U+2060) inside "http", "www" and after "@" does.
_AUTOLINK = re.compile(r"(?i)(?<=h)(?=ttps?:)|(?<=w)(?=ww\.)|(?<=@)")
WORD_JOINER = "\u2060"


def escape_markdown(value: object) -> str:
    """``value`` as text that Streamlit markdown shows literally, on one line (no block structure)."""
    text = " ".join(str(value).split())  # newlines, tabs and runs of spaces: one space (no code blocks, no tables)
    text = "".join(c for c in text if c.isprintable())
    text = _AUTOLINK.sub(WORD_JOINER, text)
    text = _ALWAYS.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _BULLET.sub(r"\\\1", text)
    return _NUMBERED.sub(r"\1\\", text)


def plain_fields(**fields: object) -> dict[str, str]:
    """``escape_markdown`` applied to every field of a translated message (``t(key, **plain_fields(...))``)."""
    return {k: escape_markdown(v) for k, v in fields.items()}
