"""Serve the explorer's derived files (bundles, plotly.js) from the cache folder, under the component's URL.

Streamlit serves a components-v2 component's ``asset_dir`` (inside the installed package) and nothing else.
The explorer's browser side also fetches files the app derives at run time: its model bundles
(``data/<content hash>.bin``, :mod:`vae.ui.explorer.assets_store`) and a copy of the explorer's
plotly.js (``vendor/plotly-explorer-<version>-<hash>.min.js``). Those live in the cache folder
(:mod:`vae.cache_dir`), never in the package, so that the app runs from a read-only install. :class:`CacheAssets` is an ASGI layer that
answers exactly those two URL families from the cache folder, under the component's own URL
(``/_stcore/bidi-components/vae.explorer/{data,vendor}/``), so the browser side and nginx (``deploy/``) see
one URL space; any other request goes to Streamlit unchanged. Names are checked against strict patterns
(no ``..``, no sub-folder, no symbolic link is followed out), and a missing file is a plain 404.
``vae.ui.asset_gzip.install`` puts it under the gzip cache, so these files are also compressed once.
"""
from __future__ import annotations

import asyncio
import re

from ..bounded_io import read_bytes
from ..errors import ExplorerError
from .explorer.assets_store import FOLDERS

#: ``<anything>/_stcore/bidi-components/vae.explorer/<folder>/<name>`` (a base URL may come first)
_ROUTE = re.compile(r"^(?:/[^/]+)*/_stcore/bidi-components/vae\.explorer/(data|vendor)/([^/]+)\Z")
#: the only names each folder holds (see assets_store): content hashes and plotly's version
_NAMES = {"data": re.compile(r"[0-9a-f]{8,64}\.bin\Z"), "vendor": re.compile(r"plotly-[0-9A-Za-z.+-]{1,40}\.min\.js\Z")}
_TYPES = {"data": b"application/octet-stream", "vendor": b"text/javascript"}
IMMUTABLE = b"public, max-age=31536000, immutable"
MAX_FILE_BYTES = 256 << 20


def cache_file(path: str):
    """``(folder, file path)`` of the cache file a request path names, or None when it names none."""
    m = _ROUTE.match(path)
    if m is None or ".." in path:
        return None
    folder, name = m.groups()
    if not _NAMES[folder].match(name):
        return None
    return folder, FOLDERS[folder]() / name


class CacheAssets:
    """ASGI layer: GET/HEAD of ``…/vae.explorer/{data,vendor}/<name>`` answered from the cache folder."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        hit = None
        if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
            hit = cache_file(scope.get("path", ""))
        if hit is None:
            await self.app(scope, receive, send)
            return
        folder, path = hit
        body = await asyncio.to_thread(_read, path)
        if body is None:
            await send({"type": "http.response.start", "status": 404,
                        "headers": [(b"content-type", b"text/plain"), (b"content-length", b"9")]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else b"not found"})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", _TYPES[folder]), (b"content-length", str(len(body)).encode()),
                                (b"cache-control", IMMUTABLE)]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _read(path) -> bytes | None:
    """The file's bytes, or None when it is absent, not a regular file (a link, a FIFO) or too large."""
    try:
        return read_bytes(path, MAX_FILE_BYTES)
    except (ExplorerError, OSError):
        return None
