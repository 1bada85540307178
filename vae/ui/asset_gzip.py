"""Compress each of the explorer's content-named assets once per server, not once per student.

Streamlit's Starlette server gzips every HTTP response that is not under ``/static/`` on every request
(``SelectiveGZipMiddleware``: Starlette's ``GZipMiddleware`` never caches its output). The explorer's
browser side fetches plotly.js (4.6 MB then; 1.5 MB since its partial build) and its model bundles (several MB per page) from
``/_stcore/bidi-components/vae.explorer/{vendor,data}/``, so when a class opens the app at once, the
server spent about half of its CPU recompressing the same bytes (measured with py-spy under
``bench/load.py``, see the #10 note), while students waited for their scripts to run.

:class:`AssetGzipCache` is an ASGI middleware for those two folders only. Their files never change once
written (``data/<content hash>.bin``, ``vendor/plotly-explorer-<version>-<hash>.min.js``: see
``vae.ui.explorer.assets_store``), so the first request of a file is answered by the app, compressed once,
and kept (up to :data:`MAX_CACHE_BYTES` of compressed bytes, least recently used out first); later
requests get the kept bytes. Streamlit's own build (``/static/``: content-hashed names, the ~60 scripts a cold
browser fetches before the app runs, 2.3 MB that Streamlit sends uncompressed) is kept the same way: 0.69 MB
per student instead, and a fifth less server CPU per cold page load (measured over kept-alive connections).
Anything else (other paths, non-GET, range requests, clients that do not
accept gzip) goes to ``passthrough`` (Streamlit's own gzip layer once installed), and an error response for an
asset is answered by the wrapped app itself, uncompressed. ``vae.ui.serve`` installs it in front of
Streamlit's own gzip layer (:func:`install`). Behind nginx (``deploy/``) the proxy caches these responses
as well; this keeps a single server fast on its own.
"""
from __future__ import annotations

import asyncio
import gzip
import re
import threading
from collections import OrderedDict

#: Where the explorer's immutable assets are served (the component is ``vae.explorer``), and Streamlit's own
#: build (``/static/{js,css,media}/<name>.<content hash>.<ext>``: ~60 files a cold browser fetches before the
#: app runs, which Streamlit sends uncompressed; not ``/app/static/``, the app's own static folder).
ASSET_PATHS = ("/_stcore/bidi-components/vae.explorer/data/", "/_stcore/bidi-components/vae.explorer/vendor/")
BUILD_PATH = re.compile(r"^(/[^/]+)*/static/(js|css|media)/[^/]+\.[A-Za-z0-9_-]{8}\.[a-z0-9]+\Z")
MAX_CACHE_BYTES = 96 << 20   # compressed bytes kept per server process
MIN_BYTES = 1000             # as Streamlit's GZIP_MINIMUM_SIZE: smaller bodies are sent as they are
LEVEL = 6
#: These names change whenever their bytes do, so a browser may keep them for a year without asking again
#: (Streamlit sends a bare ``public``, which makes a reload revalidate plotly.js; nginx sends the same as this).
IMMUTABLE = b"public, max-age=31536000, immutable"


def is_immutable_asset(path: str) -> bool:
    """Whether a request path (any base URL or mount prefix before it) names a content-named explorer asset or a
    file of Streamlit's build."""
    if ".." in path:
        return False
    return any(marker in path for marker in ASSET_PATHS) or (BUILD_PATH.match(path) is not None
                                                            and "/app/static/" not in path)


def _accepts_gzip(headers: list[tuple[bytes, bytes]]) -> bool:
    for name, value in headers:
        if name.lower() == b"accept-encoding" and b"gzip" in value.lower():
            return True
    return False


def _has(headers: list[tuple[bytes, bytes]], wanted: bytes) -> bool:
    return any(name.lower() == wanted for name, _ in headers)


class AssetGzipCache:
    """ASGI middleware: the explorer's immutable assets gzipped once and served from memory after."""

    def __init__(self, app, max_bytes: int = MAX_CACHE_BYTES, passthrough=None):
        self.app = app
        self.passthrough = passthrough or app  # what answers the requests this cache does not handle
        self.max_bytes = max_bytes
        self._cache: OrderedDict[str, tuple[int, list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def handles(self, scope) -> bool:
        """A GET (or HEAD) of an immutable asset by a client that accepts gzip, not a range request."""
        if scope.get("type") != "http" or scope.get("method") not in ("GET", "HEAD"):
            return False
        headers = scope.get("headers") or []
        return (is_immutable_asset(scope.get("path", "")) and _accepts_gzip(headers)
                and not _has(headers, b"range"))

    async def __call__(self, scope, receive, send):
        if not self.handles(scope):
            await self.passthrough(scope, receive, send)
            return
        key = scope.get("path", "")
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                self.hits += 1
        if hit is None:
            hit = await self._fetch_and_compress(key, scope, receive)
            if hit is None:  # not cacheable: the app answers this request itself
                await self.app(scope, receive, send)
                return
        status, headers, body = hit
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body})

    async def _fetch_and_compress(self, key: str, scope, receive):
        """Ask the app for the whole file (as a GET), gzip it off the event loop, keep it; None when the
        response is not a plain 200 worth compressing (then nothing is kept)."""
        start: dict = {}
        chunks: list[bytes] = []
        inner = dict(scope, method="GET",
                     headers=[(n, v) for n, v in scope.get("headers") or [] if n.lower() != b"accept-encoding"])

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        body = b"".join(chunks)
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() not in (b"content-length", b"content-encoding",
                                                                                    b"vary", b"cache-control")]
        if start.get("status") != 200 or len(body) < MIN_BYTES or _has(start.get("headers", []), b"content-encoding"):
            return None
        packed = await asyncio.to_thread(gzip.compress, body, LEVEL, mtime=0)
        headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"), (b"cache-control", IMMUTABLE),
                    (b"content-length", str(len(packed)).encode())]
        entry = (200, headers, packed)
        with self._lock:
            self.misses += 1
            if len(packed) <= self.max_bytes and key not in self._cache:
                self._cache[key] = entry
                self._bytes += len(packed)
                while self._bytes > self.max_bytes and self._cache:
                    _, (_, _, old) = self._cache.popitem(last=False)
                    self._bytes -= len(old)
        return entry


def install() -> bool:
    """Put :class:`AssetGzipCache` in front of Streamlit's gzip middleware (in this process, before the server
    starts). Returns False, and changes nothing, when this Streamlit has no such middleware to wrap."""
    from .cache_assets import CacheAssets
    from .class_poll import ClassPoll
    from .early_plotly import EarlyPlotly

    try:
        from streamlit.web.server.starlette import starlette_app
        from streamlit.web.server.starlette.starlette_gzip_middleware import SelectiveGZipMiddleware
    except ImportError:
        return False
    if getattr(starlette_app.SelectiveGZipMiddleware, "_vae_asset_cache", False):
        return True

    class CachedAssetsThenSelectiveGZip(SelectiveGZipMiddleware):
        """Streamlit's gzip layer, with the explorer's immutable assets compressed once (AssetGzipCache)."""
        _vae_asset_cache = True

        def __init__(self, app, **kwargs):
            # the explorer's derived files come from the cache folder (vae.ui.cache_assets); the map pages' HTML
            # starts plotly.js early (vae.ui.early_plotly); students' browsers poll their class (vae.ui.class_poll)
            app = EarlyPlotly(ClassPoll(CacheAssets(app)))
            super().__init__(app, **kwargs)
            self._assets = AssetGzipCache(app, passthrough=super().__call__)  # the rest: Streamlit's own gzip

        async def __call__(self, scope, receive, send):
            await self._assets(scope, receive, send)

    starlette_app.SelectiveGZipMiddleware = CachedAssetsThenSelectiveGZip
    return True
