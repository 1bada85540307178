"""The offline lecture file (#25 items 2-3), without a browser: one file per language, at most 8 MB, the nine steps
in the Lecture's order with their formulas and texts, numbers frozen with their models and day, nothing that names
another file, bundles that are the models' own networks, and the CLI that writes it. The browser half is
tests/test_handout_browser.py. Both files of the module are made once (the cache folder's store)."""
from __future__ import annotations

import base64
import fnmatch
import gzip
import json
import re
import tomllib
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conftest import require_shipped
from vae.__main__ import main
from vae.browser_bundle import unpack
from vae.handout import jsmodules
from vae.handout.data import LECTURE_MODELS
from vae.handout.render import rich_text
from vae.ui.i18n import speaking, t
from vae.ui.lecture.steps import SLUGS, STEPS

ROOT = Path(__file__).resolve().parent.parent
MAX_BYTES = 8_000_000


@pytest.fixture(scope="module")
def files():
    """{lang: (path, HTML text)} of the two lecture files, made through the cache folder's store."""
    require_shipped(*LECTURE_MODELS.values())
    from vae.handout.store import handout_file

    out = {}
    for lang in ("fr", "en"):
        path = handout_file(lang)
        out[lang] = (path, path.read_text(encoding="utf-8"))
    return out


class _Sections(HTMLParser):
    """The steps of a lecture file: per ``section.vx-step`` its slug, h2 text, formula and number box's texts."""

    def __init__(self):
        super().__init__()
        self.steps: list[dict] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = (a.get("class") or "").split()
        if tag == "section" and "vx-step" in cls:
            self.steps.append({"slug": a.get("data-slug"), "title": "", "formula": None, "frozen": "", "value": None})
        elif self.steps and tag == "h2":
            self._in = "title"
        elif self.steps and "vx-h-formula" in cls:
            self.steps[-1]["formula"] = a.get("data-tex")
        elif self.steps and "vx-h-frozen" in cls:
            self._in = "frozen"
        elif self.steps and a.get("data-testid") == "vx-h-value":
            self._in = "value"
            self.steps[-1]["value"] = ""

    def handle_endtag(self, tag):
        if tag in ("h2", "div"):
            self._in = None

    def handle_data(self, data):
        if self._in and self.steps:
            self.steps[-1][self._in] += data


def _steps(text: str) -> list[dict]:
    parser = _Sections()
    parser.feed(text)
    return parser.steps


def _data(text: str) -> dict:
    m = re.search(r'<script type="application/json" id="vx-handout-data">(.*?)</script>', text, re.S)
    return json.loads(m.group(1))


def _blob(text: str, element_id: str, size: int | None = None) -> bytes:
    """An embedded blob's bytes; a bundle's (``size`` given) grouped back from its 4-byte words' places."""
    m = re.search(rf'<script type="application/octet-stream" id="{re.escape(element_id)}">([A-Za-z0-9+/=]+)</script>', text)
    assert m, element_id
    data = gzip.decompress(base64.b64decode(m.group(1)))
    if size is None:
        return data
    return np.frombuffer(data, np.uint8).reshape(4, -1).T.tobytes()[:size]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_one_file_of_at_most_8_mb_in_the_language_asked(files, lang):
    path, text = files[lang]
    assert path.stat().st_size <= MAX_BYTES, path.stat().st_size
    assert f'<html lang="{lang}">' in text
    with speaking(lang):
        assert f"<title>{escape(t('lecture.title'))} — {escape(t('app.title'))}</title>" in text
        assert escape(t("handout.intro")) in text
    assert text.rstrip().endswith("</html>")


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_the_nine_steps_in_the_lectures_order_with_formulas_texts_and_frozen_numbers(files, lang):
    from vae.handout.numbers import today

    steps = _steps(files[lang][1])
    assert [s["slug"] for s in steps] == list(SLUGS) and len(steps) == 9
    with speaking(lang):
        for s, step in zip(steps, STEPS):
            assert s["title"] == t(f"lecture.{step.slug}.title")
            assert s["formula"] == step.formula
            assert s["frozen"].startswith(t("handout.frozen_plain", date=today()).rstrip(".")), (s["slug"], s["frozen"])
    shown = [s for s in steps if s["value"] is not None]
    assert len(shown) >= 8, [s["slug"] for s in steps if s["value"] is None]


def test_the_frozen_numbers_are_the_lecture_pages_own(files):
    """The same values in both languages, and the values the Lecture page computes (its number builders)."""
    from vae.checkpoint import PRETRAINED_DIR
    from vae.ui.lecture import numbers

    values = {lang: {s["slug"]: s["value"] for s in _steps(files[lang][1])} for lang in files}
    assert values["fr"] == values["en"]
    vae = str(PRETRAINED_DIR / LECTURE_MODELS["vae"])
    ae = str(PRETRAINED_DIR / LECTURE_MODELS["ae"])
    with speaking("en"):
        assert values["en"]["kl"] == numbers.kl_number(vae).value
        assert values["en"]["ae"] == numbers.ae_number(ae).value
        assert values["en"]["posterior"] == numbers.posterior_number(vae).value
    assert "mnist-vae-2d" in _steps(files["en"][1])[SLUGS.index("kl")]["frozen"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_nothing_in_the_file_names_another_file(files, lang):
    text = files[lang][1]
    assert not re.search(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:|//|file:)""", text, re.I)
    assert not re.search(r"<link\b", text, re.I)
    assert not re.search(r"<script\b[^>]*\bsrc\s*=", text, re.I)
    markup = re.sub(r"<script\b.*?</script>", "", text, flags=re.S)  # the page's own elements and styles
    assert len(re.findall(r"<img\b", markup)) >= 6
    assert all(src.startswith("data:") for src in re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', markup))
    assert len(re.findall(r"url\(", markup)) >= 20  # KaTeX's fonts
    assert all(u.startswith("data:") for u in re.findall(r"url\(\s*['\"]?([^)'\"]*)", markup))
    assert "connect-src 'none'" in text and "default-src 'none'" in text  # the browser forbids any request too
    data = _data(text)
    refs = re.findall(r'"(?:decoder|encoder|test_set|projection|film)":\{[^{}]*\}', json.dumps(data["views"], separators=(",", ":")))
    assert refs and not any('"url"' in r for r in refs)
    for r in refs:
        assert json.loads(r.split(":", 1)[1])["hash"] in data["blobs"]


def test_the_embedded_bundles_are_the_models_own_networks_and_images(files):
    """The VAE map's decoder bundle holds the VAE's decoder as exported for the browser; its test set left its
    images to the sprite, which holds the images the app's bundle shows."""
    from vae.checkpoint import PRETRAINED_DIR, load_model
    from vae.data import load_dataset
    from vae.decoder_export import export_decoder
    from vae.explorer_data import flat_uint8, shown_indices

    text = files["fr"][1]
    data = _data(text)
    main_map = data["views"]["handout.kl"]["main"]
    dec = main_map["decoder"]["hash"]
    meta, arrays = unpack(_blob(text, "vx-blob-" + dec, data["blobs"][dec]["bytes"]))
    model = load_model(PRETRAINED_DIR / LECTURE_MODELS["vae"])
    np.testing.assert_array_equal(arrays["params"], export_decoder(model).flat())
    ts_hash = main_map["test_set"]["hash"]
    assert data["blobs"][ts_hash]["images"] is True
    _, ts = unpack(_blob(text, "vx-blob-" + ts_hash, data["blobs"][ts_hash]["bytes"]))
    assert "images" not in ts and ts["mu"].shape == (1000, 2)
    sprite = np.frombuffer(_blob(text, "vx-sprite"), np.uint8).reshape(data["sprite"]["shape"])
    mnist = load_dataset("mnist")
    np.testing.assert_array_equal(sprite, flat_uint8(mnist.x_test.numpy()[shown_indices(mnist)]))
    assert set(data["views"]) >= {"handout.ae", "handout.kl", "handout.walk", "handout.draw"}
    with speaking("fr"):  # the walk's note says where the weights are: in the file, not sent by a server
        assert data["views"]["handout.walk"]["text"]["browser_note"].endswith("dans ce fichier.")


def test_the_cli_writes_the_file(files, tmp_path, capsys):
    out = tmp_path / "lecture.html"
    assert main(["handout", "--lang", "en", "--out", str(out)]) == 0
    assert out.read_bytes() == files["en"][0].read_bytes()  # the store's file: the models did not change
    assert f"wrote {out}" in capsys.readouterr().out


def test_the_cli_refuses_an_unknown_language(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["handout", "--lang", "de", "--out", str(tmp_path / "x.html")])
    assert "invalid choice" in capsys.readouterr().err


def test_step_text_becomes_escaped_html_with_typeset_formulas():
    html_text = rich_text("β < 1: *where* $q_\\phi(z \\mid x)$ & **all**")
    assert html_text == ('β &lt; 1: <em>where</em> <span class="vx-tex" data-tex="q_\\phi(z \\mid x)"></span> &amp; '
                         "<strong>all</strong>")


def test_speaking_sets_the_language_of_a_block():
    with speaking("fr"):
        assert t("handout.button") == "Télécharger ce cours"
        with speaking("en"):
            assert t("handout.button") == "Download this lecture"
        assert t("handout.button") == "Télécharger ce cours"
    with pytest.raises(ValueError):
        with speaking("de"):
            pass


def test_modules_are_inlined_after_what_they_import():
    sources = {
        "a.js": 'import { b, c as see } from "./b.js";\nimport d from "./d.js";\nexport const A = b + see + d();\n',
        "b.js": 'export function b() { return 1; }\nexport const c = 2;\nconst o = {\n  export: 3 };\n',
        "d.js": "export default function () { return 4; }\n",
    }
    out = jsmodules.inline_modules(sources, "a.js")
    assert out.index('__vxModules["b.js"] =') < out.index('__vxModules["a.js"] =')
    assert out.index('__vxModules["d.js"] =') < out.index('__vxModules["a.js"] =')
    assert 'const { b, c: see } = __vxModules["b.js"];' in out and "return { b, c };" in out
    assert 'const d = __vxModules["d.js"].default;' in out and "return { default: __vxDefault };" in out
    assert "export " not in out.replace("export: 3", "")


@pytest.mark.parametrize("source, message", [
    ('import * as m from "./b.js";\n', "cannot rewrite"),
    ('export let x = 1;\n', "cannot rewrite"),
    ('export { y };\n', "cannot rewrite"),
])
def test_module_forms_the_inliner_does_not_know_are_refused(source, message):
    with pytest.raises(jsmodules.ModuleFormError, match=message):
        jsmodules.inline_modules({"a.js": source, "b.js": ""}, "a.js")


def test_an_import_cycle_or_a_missing_module_is_refused():
    with pytest.raises(jsmodules.ModuleFormError, match="cycle"):
        jsmodules.inline_modules({"a.js": 'import { b } from "./b.js";\n', "b.js": 'import { a } from "./a.js";\n'}, "a.js")
    with pytest.raises(jsmodules.ModuleFormError, match="not given"):
        jsmodules.inline_modules({"a.js": 'import { b } from "./b.js";\n'}, "a.js")


def test_a_wheel_carries_the_handouts_files():
    """Every file under vae/handout/static and vae/handout/vendor matches the package data that pyproject.toml
    declares for ``vae.handout`` (tests/test_wheel_install.py installs a real wheel)."""
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["vae.handout"]
    package = ROOT / "vae" / "handout"
    files = [p.relative_to(package).as_posix() for folder in ("static", "vendor") for p in (package / folder).rglob("*")
             if p.is_file()]
    assert len(files) >= 24
    assert all(any(fnmatch.fnmatchcase(f, g) for g in globs) for f in files), files
    assert (package / "vendor" / "katex" / "LICENSE").read_text().startswith("The MIT License")


def test_making_the_file_leaves_the_apps_cached_references_alone(files):
    """The views' builders return the app's cached bundle references (shared by every session): the file's copies
    lose their URLs, the app's keep them."""
    from vae.handout.data import embed, lecture_selection, view_data
    from vae.ui.explorer.payloads import model_refs

    with speaking("fr"):
        sel = lecture_selection()
        embedded = embed(view_data(sel))
        refs = model_refs(sel.models["vae"].path)
    assert embedded.views["handout.kl"]["main"]["decoder"]["hash"] == refs["decoder"]["hash"]
    assert "url" not in embedded.views["handout.kl"]["main"]["decoder"]
    assert refs["decoder"]["url"].startswith("data/") and refs["test_set"]["url"].startswith("data/")


def test_without_the_shipped_models_the_cli_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from vae import checkpoint
    from vae.handout.data import missing_models

    monkeypatch.setattr(checkpoint, "PRETRAINED_DIR", tmp_path)
    assert missing_models() == list(LECTURE_MODELS.values())
    assert main(["handout", "--lang", "fr", "--out", str(tmp_path / "cours.html")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: the lecture file needs the shipped models mnist-ae-2d, mnist-vae-2d, mnist-betavae4-2d "
                   "(make pretrained)"]
    assert not (tmp_path / "cours.html").exists()
