"""Driving the offline lecture file in a real browser (Playwright), for its test and its bench: open it from
``file://`` with every request refused and counted, wait for a step, read a view's canvas."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Requests:
    """What the page asked for beside the file itself: every URL seen (``page.on("request")``) and every URL the
    route refused. A self-contained file makes none."""

    file_url: str
    seen: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def others(self) -> list[str]:
        """The requests for anything but the file."""
        return [u for u in self.seen if u != self.file_url]


def open_offline(browser, path: Path, viewport: dict | None = None):
    """A new context (offline, every request but the file's own refused) and page showing the lecture file at
    ``path``, booted; returns ``(context, page, Requests, errors)`` (errors: uncaught page errors and console
    errors, appended as they come)."""
    url = Path(path).resolve().as_uri()
    requests = Requests(url)
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000})

    def route(r) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            requests.refused.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    context.set_offline(True)
    page = context.new_page()
    errors: list[str] = []
    page.on("request", lambda r: requests.seen.append(r.url))
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.goto(url)
    page.wait_for_function("() => document.body && document.body.getAttribute('data-booted') === '1'", timeout=60_000)
    return context, page, requests, errors


def wait_step(page, index: int, timeout: float = 60_000) -> None:
    """Wait until step ``index`` (0-based) is the one shown and its figures and views are mounted."""
    page.wait_for_function(
        """i => window.__vxHandout && window.__vxHandout.shown === i
              && document.querySelectorAll('section.vx-step')[i].getAttribute('data-ready') === '1'""",
        arg=index, timeout=timeout)


def shown_slug(page) -> str:
    """The slug of the one step section not hidden."""
    return page.evaluate("""() => { const s = [...document.querySelectorAll('section.vx-step')].filter((e) => !e.hidden);
                                    return s.length === 1 ? s[0].getAttribute('data-slug') : null; }""")


def hover_gray(page, key: str) -> np.ndarray:
    """Grey levels (0-255) of the map view ``key``'s decoded-under-the-cursor canvas (its own pixels)."""
    values = page.evaluate("""k => { const c = window.__vaeExplorer.views[k].hoverCanvas;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const out = new Array(d.length / 4); for (let i = 0; i < out.length; i++) out[i] = d[4 * i]; return out; }""", key)
    return np.asarray(values, np.float64)
