"""vae/ui/asset_gzip.py: the explorer's immutable assets are compressed once, everything else passes through."""
from __future__ import annotations

import asyncio
import gzip

import pytest

from vae.ui.asset_gzip import AssetGzipCache, install, is_immutable_asset

PLOTLY = "/_stcore/bidi-components/vae.explorer/vendor/plotly-explorer-4.1.1-0123456789ab.min.js"
BUNDLE = "/_stcore/bidi-components/vae.explorer/data/13ddbb45d28aa69f9a47.bin"
BODY = b"var plotly = 1;\n" * 5000


class FileApp:
    """A stand-in for Streamlit's router: serves BODY (or a 404 / a small body), counts the calls."""

    def __init__(self, status: int = 200, body: bytes = BODY):
        self.calls, self.status, self.body = [], status, body

    async def __call__(self, scope, receive, send):
        self.calls.append((scope["method"], dict(scope["headers"]).get(b"accept-encoding")))
        await send({"type": "http.response.start", "status": self.status,
                    "headers": [(b"content-type", b"text/javascript"), (b"content-length", str(len(self.body)).encode()),
                                (b"cache-control", b"public")]})  # what Streamlit's component route sends
        await send({"type": "http.response.body", "body": self.body})


def get(app, path: str, encoding: str = "gzip", method: str = "GET", extra=()):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path,
             "headers": [(b"accept-encoding", encoding.encode()), *extra]}
    asyncio.run(app(scope, receive, send))
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, body


def test_an_asset_is_compressed_once_and_served_from_memory_after():
    inner = FileApp()
    app = AssetGzipCache(inner)
    for _ in range(3):
        status, headers, body = get(app, PLOTLY)
        assert status == 200 and headers["content-encoding"] == "gzip" and gzip.decompress(body) == BODY
        assert int(headers["content-length"]) == len(body) and headers["vary"] == "Accept-Encoding"
        assert headers["cache-control"] == "public, max-age=31536000, immutable"  # a reload never asks again
        assert headers["content-type"] == "text/javascript"
    assert inner.calls == [("GET", None)]  # asked once, without accept-encoding (no double compression)
    assert (app.hits, app.misses) == (2, 1)
    status, headers, body = get(app, BUNDLE)
    assert gzip.decompress(body) == BODY and len(inner.calls) == 2
    status, headers, body = get(app, PLOTLY, method="HEAD")
    assert status == 200 and body == b"" and headers["content-encoding"] == "gzip" and len(inner.calls) == 2


@pytest.mark.parametrize("path,encoding,extra", [
    ("/_stcore/bidi-components/vae.explorer/explorer.js", "gzip", ()),   # plainly named: may change on deploy
    ("/_stcore/stream", "gzip", ()),
    (PLOTLY, "identity", ()),                                               # the client wants it plain
    (PLOTLY, "gzip", ((b"range", b"bytes=0-99"),)),                         # a range: the app answers it
])
def test_everything_else_passes_through_unchanged(path, encoding, extra):
    inner = FileApp()
    app = AssetGzipCache(inner)
    for _ in range(2):
        status, headers, body = get(app, path, encoding, extra=extra)
        assert status == 200 and body == BODY and "content-encoding" not in headers
    assert len(inner.calls) == 2 and app.hits == app.misses == 0


@pytest.mark.parametrize("inner", [FileApp(status=404, body=b"not found" * 200), FileApp(body=b"tiny")])
def test_errors_and_small_bodies_are_not_kept(inner):
    app = AssetGzipCache(inner)
    status, headers, body = get(app, BUNDLE)
    assert (status, body) == (inner.status, inner.body) and "content-encoding" not in headers
    get(app, BUNDLE)
    assert app.hits == 0 and len(inner.calls) == 4  # asked again each time: nothing was kept


def test_the_cache_is_bounded():
    inner = FileApp()
    size = len(gzip.compress(BODY, 6, mtime=0))
    app = AssetGzipCache(inner, max_bytes=2 * size)
    for i in range(3):
        get(app, BUNDLE.replace("13dd", f"{i:04d}"))
    assert app._bytes <= 2 * size and len(app._cache) == 2
    get(app, BUNDLE.replace("13dd", "0000"))  # the oldest went out: fetched again
    assert len(inner.calls) == 4


def test_paths_and_installation():
    assert is_immutable_asset("/base/_stcore/bidi-components/vae.explorer/data/abc.bin")  # behind a base URL
    assert not is_immutable_asset("/_stcore/bidi-components/vae.explorer/data/../explorer.js")
    assert not is_immutable_asset("/_stcore/bidi-components/other.component/data/abc.bin")
    # Streamlit's build: content-hashed names only, never the app's own /app/static/ folder
    assert is_immutable_asset("/static/js/index.DormvYxC.js") and is_immutable_asset("/base/static/css/index.C1JORDN2.css")
    assert is_immutable_asset("/static/media/SourceSansVF-Upright.ttf.BsWL4Kly.woff2")
    assert not is_immutable_asset("/app/static/js/mine.DormvYxC.js")
    assert not is_immutable_asset("/static/js/plain.js") and not is_immutable_asset("/static/index.html")
    assert not is_immutable_asset("/static/js/../../secret.DormvYxC.js")
    assert install() and install()  # idempotent
    from streamlit.web.server.starlette import starlette_app

    assert starlette_app.SelectiveGZipMiddleware._vae_asset_cache


def test_a_real_server_sends_streamlits_build_gzipped_and_immutable(app_server):
    """What a cold browser fetches first (Streamlit's ~60 scripts, which Streamlit itself sends uncompressed)
    comes gzipped, from the cache after the first student, and may be kept for a year."""
    import re
    import urllib.request

    def get(rel):
        req = urllib.request.Request(app_server.url + rel, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.headers, r.read()

    _, html = get("")
    scripts = re.findall(r'src="\./(static/js/index\.[^"]+\.js)"', html.decode())
    assert scripts, html[:300]
    for _ in range(2):
        headers, body = get(scripts[0])
        assert headers["Content-Encoding"] == "gzip" and headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert gzip.decompress(body).lstrip().startswith((b"import", b"const", b"var", b"(", b"!", b"function", b"/*"))
