"""Figure export (issue #25, item 1): every figure of every page can be saved at slide resolution.

One place for it all:

- :func:`file_name`: the name of every exported file (``vae-2d_mnist_latent-map_pca.png``); the explorer's
  browser side receives the names' stems from Python (``export_stem``) and only appends the extension.
- :func:`settings` / :func:`settings_panel`: the session's export choices (PNG or SVG, 2× or a chosen width,
  white or transparent background, the "projector" style), chosen once in the sidebar.
- :func:`plotly_chart`: every ``st.plotly_chart`` of the app goes through it; its modebar camera saves the chart
  in the chosen format and size, under its :func:`file_name`, rendered by plotly.js in the browser (no server-side
  image renderer).
- :func:`labelled_png` and :func:`grid_download`: image grids (samples, reconstructions, denoising rows) as
  lossless PNG with their title and axis labels, built here with Pillow, offered by ``st.download_button``.

The explorer component's Plotly maps and canvas grids have their own export menu (``assets/export.js``).
"""
from __future__ import annotations

import copy
import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np
import streamlit as st

from .i18n import t
from .plotly_spec import Prepared, show

WIDTHS = (0, 1280, 1920, 2560, 3840)   # 0: twice the figure's size on screen
MAX_WIDTH = 3840
SCALE = 2                              # "PNG 2×"
CHART_WIDTH = 960                      # layout width of a chart exported at a chosen pixel width
PROJECTOR_FONT = 1.7                   # font sizes × this in the projector style
PROJECTOR_LINE = 2.0                   # line widths and marker sizes × this
_KEY = "export."
PANEL_KEY = _KEY + "panel"   # the sidebar's export panel (an expander): True while open


def _slug(part) -> str:
    text = str(part).strip().lower().replace("β", "beta").replace("σ", "sigma").replace("μ", "mu")
    text = re.sub(r"[^a-z0-9.+-]+", "-", text)
    return text.strip("-.")


def model_name(model_id: str | None, dataset: str | None = None) -> str:
    """A model's short name for file names: the store's folder name without its dataset prefix
    (``pretrained/mnist-vae-2d`` → ``vae-2d``), so the dataset is not said twice."""
    if not model_id:
        return ""
    name = str(model_id).rsplit("/", 1)[-1]
    if dataset and name.startswith(f"{dataset}-"):
        name = name[len(dataset) + 1:]
    return name


def file_name(figure: str, *, model: str | None = None, dataset: str | None = None, projection: str | None = None,
              extra: Sequence | None = None, ext: str | None = "png") -> str:
    """The name of an exported figure: ``<model>_<dataset>_<figure>[_<projection>][_<extra>…].<ext>``, each part
    lowercase ASCII (β → beta, spaces → -), empty parts left out; ``ext=None`` gives the stem (the explorer's
    browser side appends ``.png`` or ``.svg``). ``model`` is a model's id or name (:func:`model_name`)."""
    parts = [model_name(model, dataset), dataset, figure, projection, *(extra or ())]
    stem = "_".join(s for s in (_slug(p) for p in parts if p is not None) if s) or "figure"
    return f"{stem}.{ext}" if ext else stem


# ---- the session's choices --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """Export choices: ``fmt`` "png" or "svg"; ``width`` 0 for 2× the on-screen size, else the PNG's width in
    pixels; ``background`` "white" or "transparent"; ``projector``: larger fonts and thicker lines."""

    fmt: str = "png"
    width: int = 0
    background: str = "white"
    projector: bool = False


def settings() -> Settings:
    """The session's export choices (defaults until the sidebar's panel changed them)."""
    s = st.session_state
    fmt = s.get(_KEY + "fmt", "png")
    width = s.get(_KEY + "width", 0)
    bg = s.get(_KEY + "bg", "white")
    return Settings(fmt if fmt in ("png", "svg") else "png", width if width in WIDTHS else 0,
                    bg if bg in ("white", "transparent") else "white", bool(s.get(_KEY + "projector", False)))


def settings_panel() -> None:
    """The sidebar's "Export figures" panel: format, size, background and projector style for every figure's
    download on every page (Plotly cameras, grid downloads).

    Labels are looked up when the widgets are made (``dict.__getitem__``, as the sidebar's pickers), never later
    outside the script run. The widgets' keys carry the language (as the sidebar's model pickers, ``sidebar.picker_key``: Streamlit keeps
    a keyed widget's option labels when only ``format_func`` changes); the choice itself is kept under
    language-free keys, which :func:`settings` reads, so it survives a language switch."""
    from .i18n import current_lang

    lang = current_lang()

    def chosen(name: str, options: tuple, default):
        value = st.session_state.get(_KEY + name, default)
        return options.index(value) if value in options else options.index(default)

    def keep(name: str) -> None:
        st.session_state[_KEY + name] = st.session_state[f"{_KEY}{name}_{lang}"]

    # built only while open (a lazy expander: opening it reruns): shut, the panel costs one element instead of four
    # widgets on every rerun of every page, and the choice lives under the language-free keys meanwhile
    with st.expander(t("export.panel"), icon=":material/download:", key=PANEL_KEY, on_change="rerun") as panel:
        if not panel.open:
            return
        st.radio(t("export.format"), ("png", "svg"), key=f"{_KEY}fmt_{lang}", horizontal=True,
                 index=chosen("fmt", ("png", "svg"), "png"), on_change=keep, args=("fmt",),
                 format_func={f: t(f"export.format.{f}") for f in ("png", "svg")}.__getitem__, help=t("export.format_help"))
        st.selectbox(t("export.width"), WIDTHS, key=f"{_KEY}width_{lang}", index=chosen("width", WIDTHS, 0),
                     on_change=keep, args=("width",),
                     format_func={w: t("export.width.px", w=w) if w else t("export.width.2x") for w in WIDTHS}.__getitem__)
        st.radio(t("export.background"), ("white", "transparent"), key=f"{_KEY}bg_{lang}", horizontal=True,
                 index=chosen("bg", ("white", "transparent"), "white"), on_change=keep, args=("bg",),
                 format_func={b: t(f"export.bg.{b}") for b in ("white", "transparent")}.__getitem__)
        st.checkbox(t("export.projector"), key=f"{_KEY}projector_{lang}", value=bool(st.session_state.get(_KEY + "projector")),
                    on_change=keep, args=("projector",), help=t("export.projector_help"))
        st.caption(t("export.caption"))


# ---- Plotly charts ---------------------------------------------------------------------------------------------
def _scaled(value, k: float, default: float):
    return (value if isinstance(value, (int, float)) else default) * k


def projector_figure(fig):
    """A copy of the Plotly figure ``fig`` styled for a room screen: fonts × ``PROJECTOR_FONT``, line widths and
    marker sizes × ``PROJECTOR_LINE``; ``fig`` itself is left as it was."""
    out = copy.deepcopy(fig)
    lay = out.layout
    base = lay.font.size or 12
    lay.font.size = round(base * PROJECTOR_FONT)
    if lay.title and lay.title.text:
        lay.title.font.size = round((lay.title.font.size or base * 1.4) * PROJECTOR_FONT)
    for name in [k for k in lay.to_plotly_json() if re.fullmatch(r"[xy]axis\d*", k)]:
        axis = lay[name]
        axis.title.font.size = round((axis.title.font.size or base) * PROJECTOR_FONT)
        axis.tickfont.size = round((axis.tickfont.size or base) * PROJECTOR_FONT)
        axis.linewidth = _scaled(axis.linewidth, PROJECTOR_LINE, 1)
    for ann in lay.annotations or ():
        ann.font.size = round((ann.font.size or base) * PROJECTOR_FONT)
    for tr in out.data:
        line = getattr(tr, "line", None)
        if line is not None and "width" in line:
            line.width = _scaled(line.width, PROJECTOR_LINE, 2)
        marker = getattr(tr, "marker", None)
        if marker is not None and "size" in marker and not isinstance(marker.size, (list, tuple, np.ndarray)):
            marker.size = _scaled(marker.size, PROJECTOR_LINE / 1.3, 6)
        if marker is not None and getattr(marker, "line", None) is not None and "width" in marker.line:
            marker.line.width = _scaled(marker.line.width, PROJECTOR_LINE, 0.5)
    return out


def _height(fig) -> float | None:
    """The layout height of a ``go.Figure`` or a :class:`~vae.ui.plotly_spec.Prepared` figure (None when unset)."""
    if fig is None:
        return None
    return fig.height if isinstance(fig, Prepared) else fig.layout.height


def chart_config(name: str, fig=None, chosen: Settings | None = None, **config) -> dict:
    """The ``config`` of an ``st.plotly_chart``: its modebar (shown on hover) has the camera, which saves the
    chart as ``name`` in the session's format; PNG at 2× the chart's size, or a chosen pixel width (the chart is
    then laid out ``CHART_WIDTH`` px wide at its own height and scaled). ``config`` adds or overrides keys."""
    s = chosen or settings()
    opts: dict = {"format": s.fmt, "filename": name.rsplit(".", 1)[0] if "." in name else name}
    if s.fmt == "png":
        if s.width:
            height = _height(fig) or 450
            # +0.5 px: the canvas truncates width × scale, which must not fall a hair under the chosen width
            opts.update(width=CHART_WIDTH, height=height, scale=(min(s.width, MAX_WIDTH) + 0.5) / CHART_WIDTH)
        else:
            opts["scale"] = SCALE
    base = {"displaylogo": False, "displayModeBar": "hover", "toImageButtonOptions": opts,
            "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendDataToCloud"]}
    return {**base, **config}


def restyles(chosen: Settings) -> bool:
    """True when the export choices ``chosen`` change how charts look (projector style, transparent background)."""
    return chosen.projector or chosen.background != "white"


def styled(fig, chosen: Settings | None = None):
    """``fig`` as the session's export choices draw it: a copy in the projector style, and with a white or a
    transparent background, when chosen; ``fig`` itself otherwise."""
    s = chosen or settings()
    if not restyles(s):
        return fig
    out = projector_figure(fig) if s.projector else copy.deepcopy(fig)
    if s.background == "transparent":
        out.layout.paper_bgcolor = "rgba(0,0,0,0)"
        out.layout.plot_bgcolor = "rgba(0,0,0,0)"
    return out


def plotly_chart(fig, *, name: str, key: str | None = None, width="stretch", **config):
    """``st.plotly_chart(fig)`` with the export camera: every chart of the app is drawn through here. ``name``
    is its file name (:func:`file_name`); ``config`` adds Plotly config keys.

    ``fig`` is a ``go.Figure`` or a figure serialised once (:class:`~vae.ui.plotly_spec.Prepared`, cached with its
    data), which is sent as it is (:func:`~vae.ui.plotly_spec.show`) unless the session's export choices restyle it."""
    chosen = settings()
    cfg = chart_config(name, fig, chosen, **config)
    if isinstance(fig, Prepared):
        if not restyles(chosen):  # the default look: the prepared JSON is what the browser gets
            return show(fig, key=key, width=width, config=cfg)
        fig = fig.figure()
    return st.plotly_chart(styled(fig, chosen), key=key, width=width, config=cfg)


# ---- image grids ----------------------------------------------------------------------------------------------
_FONTS = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "Arial.ttf", "LiberationSans-Regular.ttf")


@lru_cache(maxsize=16)
def _font(size: int):
    from PIL import ImageFont

    for name in _FONTS:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _gray(picture) -> np.ndarray:
    if isinstance(picture, (bytes, bytearray)):
        from PIL import Image

        return np.asarray(Image.open(io.BytesIO(picture)).convert("L"))
    arr = np.asarray(picture)
    if arr.dtype != np.uint8:
        from .images import to_uint8

        arr = to_uint8(arr)
    return arr


def _text_size(draw, text: str, font) -> tuple[int, int]:
    x0, y0, x1, y1 = draw.textbbox((0, 0), text, font=font)
    return int(x1 - x0), int(y1 - y0)


def labelled_png(picture, *, title: str | None = None, row_labels: Sequence[str] | None = None,
                 col_labels: Sequence[str] | None = None, caption: str | None = None, scale: int = SCALE,
                 background: str = "white", projector: bool = False) -> bytes:
    """A lossless PNG of a grey grid ``picture`` (uint8 or [0, 1] array, or PNG bytes) enlarged ``scale`` times
    (nearest neighbour: pixels stay crisp), with ``title`` above, ``col_labels`` over its columns, ``row_labels``
    left of its rows (rows and columns split the picture evenly) and ``caption`` under it; on white, or on a
    transparent background (RGBA). ``projector`` makes the text larger."""
    from PIL import Image, ImageDraw

    gray = _gray(picture)
    k = max(1, int(scale))
    img = np.kron(gray, np.ones((k, k), np.uint8))
    h, w = img.shape
    size = round((15 if not projector else 15 * PROJECTOR_FONT) * max(1.0, k / 2))
    font, small = _font(size), _font(max(8, round(size * 0.85)))
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    gap = max(4, size // 2)
    left = max((_text_size(probe, r, small)[0] for r in row_labels or ()), default=0)
    left = left + 2 * gap if row_labels else gap
    top = gap + (_text_size(probe, title, font)[1] + gap if title else 0)
    col_h = max((_text_size(probe, c, small)[1] for c in col_labels or ()), default=0)
    top += col_h + gap if col_labels else 0
    bottom = gap + (_text_size(probe, caption, small)[1] + gap if caption else 0)
    W = max(left + w + gap, (_text_size(probe, title, font)[0] + 2 * gap) if title else 0,
            (_text_size(probe, caption, small)[0] + 2 * gap) if caption else 0)
    H = top + h + bottom
    transparent = background == "transparent"
    canvas = Image.new("RGBA" if transparent else "RGB", (W, H), (255, 255, 255, 0) if transparent else (255, 255, 255))
    canvas.paste(Image.fromarray(img).convert(canvas.mode), (left, top))
    draw = ImageDraw.Draw(canvas)
    ink = (30, 30, 40, 255) if transparent else (30, 30, 40)
    y = gap
    if title:
        draw.text((gap, y), title, font=font, fill=ink, anchor="la")
        y += _text_size(probe, title, font)[1] + gap
    if col_labels:
        cw = w / len(col_labels)
        for i, c in enumerate(col_labels):
            draw.text((left + (i + 0.5) * cw, top - gap), c, font=small, fill=ink, anchor="md")
    if row_labels:
        rh = h / len(row_labels)
        for i, r in enumerate(row_labels):
            draw.text((left - gap, top + (i + 0.5) * rh), r, font=small, fill=ink, anchor="rm")
    if caption:
        draw.text((gap, top + h + gap), caption, font=small, fill=ink, anchor="la")
    buf = io.BytesIO()
    canvas.save(buf, format="PNG", optimize=False, compress_level=6)
    return buf.getvalue()


def stack_rows(rows: Sequence[Sequence], pad: int = 2, pad_value: int = 255) -> np.ndarray:
    """One grey picture of rows of pictures (each a uint8 / [0, 1] array or PNG bytes, all the same size),
    with a ``pad`` px gutter: the Denoise page's rows (noisy, denoised, …, clean) as one grid."""
    tiles = [[_gray(p) for p in r] for r in rows]
    h, w = tiles[0][0].shape
    ncols = max(len(r) for r in tiles)
    out = np.full((len(tiles) * (h + pad) - pad, ncols * (w + pad) - pad), pad_value, np.uint8)
    for i, r in enumerate(tiles):
        for j, tile in enumerate(r):
            out[i * (h + pad):i * (h + pad) + h, j * (w + pad):j * (w + pad) + w] = tile
    return out


def grid_download(picture, *, name: str, key: str, title: str | None = None,
                  row_labels: Sequence[str] | None = None, col_labels: Sequence[str] | None = None,
                  caption: str | None = None, label: str | None = None):
    """A "Download PNG" button for a grid: its ``picture`` (array or PNG bytes, as the page shows it, or a function
    of no argument giving it, called on the click: no Streamlit calls in it) turned
    into :func:`labelled_png` with the session's background and projector choices (at 2×, or scaled up
    to the chosen width) when the button is clicked, saved as ``name``. Clicking it does not rerun the page."""
    chosen = settings()

    def data() -> bytes:
        nonlocal picture
        if callable(picture):
            picture = picture()
        width = _gray(picture).shape[1]
        scale = SCALE if not chosen.width else max(1, min(chosen.width, MAX_WIDTH) // max(1, width))
        return labelled_png(picture, title=title, row_labels=row_labels, col_labels=col_labels, caption=caption,
                            scale=scale, background=chosen.background, projector=chosen.projector)

    return st.download_button(label or t("export.grid_png"), data=data, file_name=name, mime="image/png", key=key,
                              on_click="ignore", icon=":material/download:", type="tertiary")
