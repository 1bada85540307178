"""The files the offline lecture inlines besides its data: KaTeX (vendored, with its fonts as ``data:`` URIs),
plotly.js (the ``plotly`` package's own copy), the explorer component's CSS and ES modules, and the handout's own
boot module and styles (``static/``).

KaTeX 0.16.11 is vendored from the npm registry (``npm pack katex@0.16.11``: ``katex.min.js``,
``katex.min.css``, the ``woff2`` fonts and its MIT ``LICENSE``, in ``vendor/katex``). The CSS names each font
three times (woff2, woff, ttf); every browser that runs the file reads woff2, so only those are kept and each
``src`` becomes the one woff2 font inlined.
"""
from __future__ import annotations

import base64
import re
from pathlib import Path

from ..ui.explorer.assets_store import ASSETS, plotly_source
from .jsmodules import read_sources

HERE = Path(__file__).resolve().parent
KATEX = HERE / "vendor" / "katex"
STATIC = HERE / "static"
ENTRY = "handout.js"   # the boot module (static/handout.js); the explorer's modules are imported from it

_FONT_SRC = re.compile(r'src:url\(fonts/([\w-]+)\.woff2\) format\("woff2"\)(?:,url\([^)]*\) format\("[^"]*"\))*')


class MissingAsset(FileNotFoundError):
    """A vendored file is missing from the installed package."""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise MissingAsset(f"{path} is missing: the package was installed without its handout assets") from None


def katex_css() -> str:
    """KaTeX's stylesheet with every font inlined (woff2 as a ``data:`` URI): nothing to fetch."""
    css = _read(KATEX / "katex.min.css").decode("utf-8")

    def inline(m: re.Match) -> str:
        font = base64.b64encode(_read(KATEX / "fonts" / f"{m.group(1)}.woff2")).decode("ascii")
        return f'src:url(data:font/woff2;base64,{font}) format("woff2")'

    css = _FONT_SRC.sub(inline, css)
    if "url(fonts/" in css:
        raise MissingAsset("katex.min.css names a font this package does not inline")
    return css


def katex_js() -> str:
    """katex.min.js (a classic script: it defines ``window.katex``)."""
    return _read(KATEX / "katex.min.js").decode("utf-8")


def plotly_js() -> bytes:
    """plotly.min.js of the installed ``plotly`` package (the app's own copy)."""
    return _read(plotly_source())


def styles() -> str:
    """The explorer component's CSS, then the handout's own."""
    return _read(ASSETS / "explorer.css").decode("utf-8") + "\n" + _read(STATIC / "handout.css").decode("utf-8")


def module_sources() -> dict[str, str]:
    """The explorer's ES modules and the handout's boot module, by file name."""
    return read_sources(ASSETS, STATIC)
