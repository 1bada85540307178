"""Start loading plotly.js with the HTML of the map pages, in parallel with Streamlit's own start-up.

The latent map draws with the explorer component's copy of plotly.js (``vae.ui.explorer.assets_store.plotly_js``),
which ``core.js`` loads only once the component has mounted: after Streamlit's scripts, the websocket, the page's
script run and the component's own modules, one after the other. A bare ``st.plotly_chart`` page waits only for
Streamlit's bundled plotly chunk. :class:`EarlyPlotly` is an ASGI layer that adds
``<script async data-vae-plotly src=".../vendor/plotly-<version>.min.js">`` to the HTML of the map pages (``/``,
``/map``, ``/drawing``, under any base URL path), so the browser fetches and compiles plotly.js off the main thread
while Streamlit boots; ``core.js::loadPlotly`` then waits for that script instead of adding its own. Other pages
(the Lecture that 200 students open, the Train page) are served unchanged: they never load this copy. The file's
name carries plotly's version and it is served as immutable, so a second visit takes it from the browser's cache.
``vae.ui.asset_gzip.install`` puts this layer under the gzip cache (the HTML is rewritten uncompressed).
"""
from __future__ import annotations

import re

#: the map pages' HTML paths (the app's default page is the map): ``/``, ``/map``, ``/drawing``, after a base path
MAP_PATH = re.compile(r"^(?:/[^/_][^/]*)*?/(?:map|drawing)?\Z")
_HEAD_END = b"</head>"
_tag: bytes | None = None


def script_tag() -> bytes:
    """The ``<script>`` that starts plotly.js (its URL relative to the page, like Streamlit's own ``./static/``);
    made once per process, which also copies plotly.js into the cache folder the URL is served from."""
    global _tag
    if _tag is None:
        from .explorer.assets_store import plotly_js

        url = "./_stcore/bidi-components/vae.explorer/" + plotly_js()["url"]
        _tag = (f'<script async data-vae-plotly fetchpriority="high" src="{url}" '
                f'onerror="this.dataset.failed=1"></script>').encode()
    return _tag


def with_plotly(html: bytes) -> bytes:
    """``html`` with the plotly.js script added at the end of its head (unchanged when it has no head, or has it)."""
    if b"data-vae-plotly" in html or _HEAD_END not in html:
        return html
    return html.replace(_HEAD_END, script_tag() + _HEAD_END, 1)


class EarlyPlotly:
    """ASGI middleware: a GET of a map page whose answer is an uncompressed ``200 text/html`` gets
    :func:`with_plotly` (and a corrected ``content-length``); everything else passes through untouched."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("method") != "GET" or not MAP_PATH.match(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []

        async def capture(message):
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            await _send_page(send, start, b"".join(chunks))

        await self.app(scope, receive, capture)


async def _send_page(send, start: dict, body: bytes) -> None:
    headers = [(k.lower(), v) for k, v in start.get("headers", [])]
    kind = dict(headers).get(b"content-type", b"")
    if start.get("status") == 200 and kind.startswith(b"text/html") and b"content-encoding" not in dict(headers):
        body = with_plotly(body)
        headers = [(k, str(len(body)).encode() if k == b"content-length" else v) for k, v in headers]
        start = {**start, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})
