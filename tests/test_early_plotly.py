"""vae/ui/early_plotly.py: the map pages' HTML starts plotly.js while Streamlit boots, and the explorer waits for
that script instead of loading a second copy."""
from __future__ import annotations

import asyncio
import time
import urllib.request

import pytest

from browser_utils import wait_idle
from vae.devtools.explorer import wait_map
from vae.ui import early_plotly
from vae.ui.early_plotly import MAP_PATH, EarlyPlotly, with_plotly

HTML = b"<html><head><title>x</title></head><body></body></html>"


def test_only_the_map_pages_are_matched():
    for path in ("/", "/map", "/drawing", "/base/", "/base/drawing"):
        assert MAP_PATH.match(path), path
    for path in ("/walk", "/lecture", "/training", "/map/x", "/_stcore/health", "/static/js/main.abcdef12.js",
                 "/favicon.png", "/_stcore/bidi-components/vae.explorer/explorer.js"):
        assert not MAP_PATH.match(path), path


def test_the_script_goes_at_the_end_of_the_head_once():
    page = with_plotly(HTML)
    tag = early_plotly.script_tag()
    assert page == HTML.replace(b"</head>", tag + b"</head>")
    assert b'src="./_stcore/bidi-components/vae.explorer/vendor/plotly-' in tag and b"async" in tag
    assert with_plotly(page) == page                  # never twice
    assert with_plotly(b"<p>no head</p>") == b"<p>no head</p>"


def _serve(path: str, body: bytes, headers: list, status: int = 200) -> tuple[dict, bytes]:
    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": status, "headers": headers})
        half = len(body) // 2
        await send({"type": "http.response.body", "body": body[:half], "more_body": True})
        await send({"type": "http.response.body", "body": body[half:], "more_body": False})

    sent = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request"}

    asyncio.run(EarlyPlotly(app)({"type": "http", "method": "GET", "path": path}, receive, send))
    return sent[0], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_middleware_rewrites_map_html_only_with_a_right_length():
    html = [(b"content-type", b"text/html"), (b"content-length", str(len(HTML)).encode())]
    start, body = _serve("/drawing", HTML, html)
    assert body == with_plotly(HTML) and dict(start["headers"])[b"content-length"] == str(len(body)).encode()
    for path, body_in, headers, status in (("/walk", HTML, html, 200),                                   # other page
                                           ("/", b"{}", [(b"content-type", b"application/json")], 200),  # not HTML
                                           ("/", HTML, html + [(b"content-encoding", b"gzip")], 200),   # compressed
                                           ("/", HTML, html, 304)):
        start, body = _serve(path, body_in, headers, status)
        assert body == body_in and start["headers"] == headers, path


@pytest.mark.browser
def test_the_map_waits_for_the_early_plotly_and_other_pages_do_not_load_it(app_server, chromium):
    with urllib.request.urlopen(app_server.url + "lecture", timeout=30) as r:
        assert b"data-vae-plotly" not in r.read()          # the Lecture page's HTML is Streamlit's own
    with urllib.request.urlopen(app_server.url, timeout=30) as r:
        assert b"data-vae-plotly" in r.read()
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1200})
    try:
        page = ctx.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        # plotly.js held back for a few seconds (the page boots meanwhile): it is still arriving when the map is
        # built, so the explorer must wait for the HTML's script rather than find window.Plotly ready
        held = []

        def hold(route):
            held.append(route.request.url)
            time.sleep(8)
            route.continue_()
        page.route("**/vendor/plotly-*.min.js", hold)
        page.goto(app_server.url + "?lang=en", wait_until="commit")
        wait_idle(page)
        wait_map(page)
        marks = page.evaluate("() => window.__vaeExplorer.marks || null")
        loaded = page.evaluate("""() => ({
            scripts: [...document.querySelectorAll('script')].filter((s) => s.src.includes('/vendor/plotly-')).length,
            fetches: performance.getEntriesByType('resource').filter((e) => e.name.includes('/vendor/plotly-')).length,
            early: !!document.querySelector('script[data-vae-plotly]'),
            plotly: typeof window.Plotly })""")
        assert loaded == {"scripts": 1, "fetches": 1, "early": True, "plotly": "object"}, loaded
        # the map asked for plotly.js before it had arrived, and was given the HTML's script ("plotly" is marked by
        # loadPlotly's load handler only when it waited)
        assert marks.get("plotly", 0) > marks["map.build"], marks
        assert len(held) == 1 and not errors, (held, errors)
    finally:
        ctx.close()
