"""The offline lecture as ONE HTML file: the nine steps of the Lecture page in order (``vae.ui.lecture.steps``),
each with its formula (KaTeX, inlined with its fonts), its sentences, its number frozen with the models and the
day, its still figures, and its live parts (the explorer's views, running on the embedded bundles).

Nothing in the file names another file: styles, fonts, scripts, plotly.js and the data are inside it, the
explorer's ES modules inlined into one module script (:mod:`vae.handout.jsmodules`). Binary data (plotly.js, the
bundles, the image sprite) is gzip-compressed and base64-encoded in ``<script type="application/octet-stream">``
elements, which the boot module (``static/handout.js``) decompresses in the browser (``DecompressionStream``); a
bundle's bytes are first grouped by their place in each 4-byte word (:func:`shuffled`), which halves the
networks' weights after gzip.
A Content-Security-Policy in the file forbids any connection, so a request that slipped in would fail loudly
instead of leaking.
"""
from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import re
from dataclasses import dataclass

import numpy as np

from .. import __version__
from ..ui.i18n import speaking, t
from ..ui.lecture.steps import STEPS, Step
from . import assets
from .data import FILM_STEPS, Embedded, embed, lecture_infos, lecture_selection, view_data
from .figures import Chart, Note, Picture, StepFigures, step_figures
from .numbers import Frozen, frozen_numbers, today
from .jsmodules import inline_modules

#: Live parts of each step (instance keys of :func:`vae.handout.data.view_data`), in the order shown.
STEP_VIEWS = {"ae": ("handout.ae",), "posterior": ("handout.draw",), "kl": ("handout.kl", "handout.walk"),
              **{step: (f"handout.film.{step}",) for step in FILM_STEPS}}
#: Titles above the views that have none of their own.
VIEW_TITLES = {"handout.walk": "walk.title", "handout.draw": "draw.title",
               **{f"handout.film.{step}": "film.header" for step in FILM_STEPS}}
CSP = ("default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; "
       "font-src data:; img-src data: blob:; connect-src 'none'; form-action 'none'; base-uri 'none'")

_MATH = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$")
_STRONG = re.compile(r"\*\*(.+?)\*\*")
_EM = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")


def _plain(text: str) -> str:
    """Escaped text with the strings' light Markdown (``**strong**``, ``*emphasis*``) as HTML."""
    return _EM.sub(r"<em>\1</em>", _STRONG.sub(r"<strong>\1</strong>", html.escape(text, quote=False)))


def rich_text(text: str) -> str:
    """A step's sentences as HTML: inline ``$…$`` formulas become spans KaTeX typesets, the rest is escaped."""
    out, pos = [], 0
    for m in _MATH.finditer(text):
        out += [_plain(text[pos:m.start()]), f'<span class="vx-tex" data-tex="{html.escape(m.group(1))}"></span>']
        pos = m.end()
    return "".join(out + [_plain(text[pos:])])


def _b64gz(data: bytes, level: int = 6) -> str:
    """gzip (level 6: level 9 takes six times longer on the shuffled weights for 0.6% less) then base64."""
    return base64.b64encode(gzip.compress(data, level, mtime=0)).decode("ascii")


def shuffled(data: bytes) -> bytes:
    """The bytes of ``data`` (zero-padded to a multiple of 4) grouped by their position in each 4-byte word: every
    first byte, then every second, … A bundle is mostly float32 arrays, whose low mantissa bytes are zero for the
    shipped models' weights (stored as float16): grouped, they gzip to almost nothing. ``handout.js`` undoes it."""
    words = np.frombuffer(data + b"\0" * (-len(data) % 4), np.uint8).reshape(-1, 4)
    return words.T.tobytes()


@functools.lru_cache(maxsize=2)
def _plotly_b64gz(source: bytes) -> str:
    return _b64gz(source, 9)  # text: level 9 is cheap here, and it is made once per process


def _script_safe(text: str, what: str) -> str:
    """``text`` to sit inside a ``<script>`` element: it must not close it or open an HTML comment there."""
    low = text.lower()
    if "</script" in low or "<!--" in low:
        raise ValueError(f"{what} holds '</script' or '<!--' and cannot be inlined")
    return text


def _json_for_script(value) -> str:
    """JSON inside a ``<script type="application/json">``: every ``<`` escaped (only strings can hold one)."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).replace("<", "\\u003c")


@dataclass
class _Page:
    lang: str
    date: str
    embedded: Embedded
    numbers: dict[str, Frozen]
    figures: dict[str, StepFigures]
    models: list[str]


def _number_box(frozen: Frozen, date: str) -> str:
    number = frozen.number
    names = [m.split("/", 1)[-1] for m in frozen.models]
    stamp = t("handout.frozen", date=date, models=", ".join(names)) if names else t("handout.frozen_plain", date=date)
    if number is None:
        body = f'<div class="vx-h-caption">{html.escape(t("lecture.no_number"))}</div>'
    else:
        body = (f'<div class="vx-h-label">{html.escape(number.label)}</div>'
                f'<div class="vx-h-value" data-testid="vx-h-value">{html.escape(number.value)}</div>'
                + (f'<div class="vx-h-caption">{html.escape(number.caption)}</div>' if number.caption else ""))
    return f'<aside class="vx-h-number">{body}<div class="vx-h-frozen">{html.escape(stamp)}</div></aside>'


def _figures(figs: StepFigures | None, charts: dict[str, dict]) -> str:
    if figs is None or not figs.items:
        return ""
    parts = []
    for item in figs.items:
        if isinstance(item, Picture):
            src = "data:image/png;base64," + base64.b64encode(item.png).decode("ascii")
            parts.append(f'<figure><img src="{src}" alt="{html.escape(item.caption)}">'
                         f'<figcaption>{html.escape(item.caption)}</figcaption></figure>')
        elif isinstance(item, Chart):
            key = f"c{len(charts)}"
            charts[key] = item.spec
            parts.append(f'<div class="vx-h-chart" data-chart="{key}"></div>')
        elif isinstance(item, Note):
            parts.append(f'<div class="vx-h-note">{html.escape(item.text)}</div>')
    caption = f'<div class="vx-h-figcaption">{html.escape(figs.caption)}</div>' if figs.caption else ""
    return f'<div class="vx-h-figures">{"".join(parts)}</div>{caption}'


def _quiz(figs: StepFigures | None, charts: dict[str, dict]) -> str:
    """Step 3's micro-quiz: the question, two answers, then the samples and the explanation behind a fold."""
    options = "".join(f'<button type="button" data-quiz="{k}">{html.escape(t(f"generate.quiz.opt{k}"))}</button>'
                      for k in (1, 2))
    return (f'<div class="vx-h-quiz"><div>{rich_text(t("generate.quiz.question"))}</div><div>{options}</div>'
            f'<div id="vx-h-quiz-result" aria-live="polite"></div>'
            f'<details id="vx-h-quiz-samples"><summary>{html.escape(t("lecture.quiz.reveal"))}</summary>'
            f'{_figures(figs, charts)}<p>{rich_text(t("generate.quiz.explain"))}</p></details></div>')


def _section(i: int, step: Step, page: _Page, charts: dict[str, dict]) -> str:
    slug = step.slug
    figs = page.figures.get(slug)
    live = ""
    for key in STEP_VIEWS.get(slug, ()):
        if key not in page.embedded.views:
            continue
        title = f'<div class="vx-h-subtitle">{html.escape(t(VIEW_TITLES[key]))}</div>' if key in VIEW_TITLES else ""
        live += f'{title}<div class="vx-h-view" data-view-key="{key}" data-testid="{key}"></div>'
    body = _quiz(figs, charts) if step.quiz else _figures(figs, charts)
    return (f'<section class="vx-step" id="step-{slug}" data-slug="{slug}" data-index="{i}" hidden>'
            f'<h2>{html.escape(t(f"lecture.{slug}.title"))}</h2>'
            f'<div class="vx-h-formula vx-tex vx-display" data-tex="{html.escape(step.formula)}"></div>'
            f'<div class="vx-h-cols"><div class="vx-h-text"><p>{rich_text(t(f"lecture.{slug}.text"))}</p></div>'
            f'{_number_box(page.numbers[slug], page.date)}</div>{body}{live}</section>')


def _katex_version() -> str:
    m = re.search(r'version:"([0-9.]+)"', assets.katex_js())
    return m.group(1) if m else "?"


def _document(page: _Page) -> str:
    from plotly.offline import get_plotlyjs_version

    charts: dict[str, dict] = {}
    sections = "".join(_section(i, step, page, charts) for i, step in enumerate(STEPS))
    emb = page.embedded
    data = {"lang": page.lang, "slugs": [s.slug for s in STEPS], "views": emb.views, "charts": charts,
            "blobs": {h: {"images": h in emb.without_images, "bytes": len(b)} for h, b in emb.blobs.items()},
            "sprite": None if emb.sprite is None else {"shape": list(emb.sprite.shape)},
            "text": {"counter": t("lecture.counter", k="{k}", n="{n}"), "quiz_right": t("generate.quiz.right"),
                     "quiz_wrong": t("generate.quiz.wrong")}}
    blobs = [f'<script type="application/octet-stream" id="vx-blob-{h}">{_b64gz(shuffled(b))}</script>'
             for h, b in emb.blobs.items()]
    if emb.sprite is not None:
        blobs.append(f'<script type="application/octet-stream" id="vx-sprite">{_b64gz(emb.sprite.tobytes())}</script>')
    steps_bar = "".join(f'<button type="button" data-goto="{i}" title="{html.escape(t(f"lecture.{s.slug}.title"))}">'
                        f"{i + 1}</button>" for i, s in enumerate(STEPS))
    footer = t("handout.footer", date=page.date, version=__version__, models=", ".join(page.models),
               katex=_katex_version(), plotly=get_plotlyjs_version())
    modules = _script_safe(inline_modules(assets.module_sources(), assets.ENTRY), "the explorer's modules")
    return f"""<!DOCTYPE html>
<html lang="{page.lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="generator" content="latent-explorer {html.escape(__version__)}">
<title>{html.escape(t("lecture.title"))} — {html.escape(t("app.title"))}</title>
<style>{_script_safe(assets.katex_css(), "KaTeX's CSS")}</style>
<style>{_script_safe(assets.styles(), "the styles")}</style>
</head>
<body>
<header class="vx-h-top">
<div class="vx-h-brand">{html.escape(t("handout.brand"))}</div>
<nav class="vx-h-bar" aria-label="{html.escape(t("lecture.jump"))}">
<button type="button" data-move="-1" title="{html.escape(t("handout.prev"))}">←</button>{steps_bar}<button type="button" data-move="1" title="{html.escape(t("handout.next"))}">→</button>
<span class="vx-h-counter" id="vx-h-counter" data-testid="vx-h-counter"></span>
</nav>
<p class="vx-h-intro">{html.escape(t("handout.intro"))}</p>
<div id="vx-h-keys" hidden></div>
</header>
<main>
{sections}
<footer class="vx-h-foot">{html.escape(footer)}</footer>
</main>
<script type="application/json" id="vx-handout-data">{_json_for_script(data)}</script>
<script type="application/octet-stream" id="vx-plotly">{_plotly_b64gz(assets.plotly_js())}</script>
{"".join(blobs)}
<script>{_script_safe(assets.katex_js(), "katex.min.js")}</script>
<script type="module">{modules}</script>
</body>
</html>
"""


def build_handout(lang: str, *, date: str | None = None) -> bytes:
    """The offline lecture file in ``lang`` (``en`` or ``fr``) as UTF-8 HTML bytes, from the shipped 2-D MNIST AE,
    VAE and β-VAE; ``date`` (default: today, UTC) stamps its frozen numbers. Raises ``ValueError`` for another
    language and :class:`vae.errors.ExplorerError` when the shipped models are missing."""
    with speaking(lang):
        sel = lecture_selection()
        views = view_data(sel)
        page = _Page(lang=lang, date=date or today(), embedded=embed(views), numbers=frozen_numbers(sel),
                     figures=step_figures(sel), models=[m.id.split("/", 1)[-1] for m in lecture_infos(sel)])
        return _document(page).encode("utf-8")
