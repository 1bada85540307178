"""Driving the explorer component in a real browser (Playwright pages): wait for a view, find a dot's pixel,
read a canvas, count the messages the page sends to the server. Used by browser tests and benchmarks."""
from __future__ import annotations

import numpy as np

VIEWS = "window.__vaeExplorer && window.__vaeExplorer.views"


def wait_view(page, key: str, attribute: str = "data-ready", timeout: float = 120_000) -> None:
    """Wait until the explorer instance ``key`` (the component key: ``map.explorer``, ``walk.explorer``) is built
    and holds the latest data Python sent (no update still waiting: ``data-pending``, ``core.js`` serialUpdate)."""
    page.wait_for_function(
        f"k => {{ const v = {VIEWS} && {VIEWS}[k];"
        f" return !!v && v.root.getAttribute('{attribute}') === '1' && !v.root.hasAttribute('data-pending'); }}",
        arg=key, timeout=timeout)


def wait_map(page, key: str = "map.explorer", timeout: float = 120_000) -> None:
    """Wait until the map view has drawn its Plotly maps and wired its pointer handlers."""
    wait_view(page, key, "data-plotted", timeout)


def evaluate_view(page, key: str, body: str, arg=None):
    """Evaluate ``body`` (a JS expression using ``v``, the view instance, and ``a``, the argument)."""
    return page.evaluate(f"([k, a]) => {{ const v = {VIEWS}[k]; return ({body}); }}", [key, arg])


def dot_position(page, index: int, panel: int = -1, key: str = "map.explorer") -> tuple[float, float]:
    """Client pixel of test image ``index`` on the main map (panel −1) or trio map ``panel``."""
    return tuple(evaluate_view(page, key, """(() => {
        const p = a[1] < 0 ? v.panel : v.trioPanels[a[1]];
        const r = p.gd.getBoundingClientRect(); const [x, y] = p.toPixel(p.model.xs[a[0]], p.model.ys[a[0]]);
        return [r.left + x, r.top + y]; })()""", [index, panel]))


def data_position(page, x: float, y: float, key: str = "map.explorer") -> tuple[float, float]:
    """Client pixel of map coordinates (x, y) on the main map."""
    return tuple(evaluate_view(page, key, """(() => {
        const r = v.panel.gd.getBoundingClientRect(); const [x, y] = v.panel.toPixel(a[0], a[1]);
        return [r.left + x, r.top + y]; })()""", [x, y]))


def empty_spot(page, key: str = "map.explorer", min_px: float = 30) -> tuple[float, float]:
    """Map coordinates of a visible place at least ``min_px`` pixels from every dot (a hole to pin)."""
    return tuple(evaluate_view(page, key, """(() => {
        const p = v.panel, [xa, ya] = p.axes();
        for (let fy = 0.06; fy < 0.95; fy += 0.04) for (let fx = 0.06; fx < 0.95; fx += 0.04) {
          const px = xa._length * fx, py = ya._length * fy; let ok = true;
          for (let i = 0; i < p.model.n && ok; i++) {
            const dx = xa.d2p(p.model.xs[i]) - px, dy = ya.d2p(p.model.ys[i]) - py;
            if (dx * dx + dy * dy < a * a) ok = false;
          }
          if (ok) return [xa.p2d(px), ya.p2d(py)];
        }
        return null; })()""", min_px))


def canvas_gray(page, testid: str) -> np.ndarray:
    """Grey levels (0-255) of the canvas with ``data-testid=testid`` (its own pixels, not the CSS scale)."""
    values = page.evaluate("""t => {
        const c = document.querySelector(`[data-testid='${t}']`);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        const out = new Array(d.length / 4); for (let i = 0; i < out.length; i++) out[i] = d[4 * i]; return out; }""", testid)
    return np.asarray(values, np.float64)


class BackMessages:
    """Counts the messages a page sends to the Streamlit server over its websocket, by type
    (``rerun_script`` = a script or fragment rerun), and keeps each rerun's fragment id (``fragments``: "" for a
    rerun of the whole app). Attach before ``page.goto``."""

    def __init__(self, page):
        self.kinds: list[str] = []
        self.fragments: list[str] = []
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framesent", self._on_frame)

    def _on_frame(self, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if isinstance(payload, str):
            payload = payload.encode("latin-1")
        msg = BackMsg()
        try:
            msg.ParseFromString(payload)
            self.kinds.append(msg.WhichOneof("type") or "?")
            if self.kinds[-1] == "rerun_script":
                self.fragments.append(msg.rerun_script.fragment_id)
        except Exception:  # noqa: BLE001 - not a BackMsg
            self.kinds.append("?")

    @property
    def reruns(self) -> int:
        return self.kinds.count("rerun_script")


def open_view(context, url: str, key: str) -> tuple:
    """Open ``url`` in a new page of ``context`` and wait until the app has run and the explorer view ``key`` is
    built; returns (page, its ``BackMessages``, the list its uncaught page errors go to)."""
    from .browser import wait_idle

    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sent = BackMessages(page)
    page.goto(url)
    wait_idle(page)
    wait_view(page, key)
    return page, sent, errors
