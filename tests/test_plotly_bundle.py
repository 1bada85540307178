"""The explorer's partial plotly.js (vae/ui/explorer/plotly/, built by scripts/plotly_bundle/build.sh): the release
the Python package pins, and every trace type the explorer's modules draw."""
from __future__ import annotations

import re

import pytest

from vae.ui.explorer import assets_store
from vae.ui.explorer.assets_store import ASSETS, bundle_version, explorer_plotly_source, plotly_source

#: a trace's ``type:`` in the explorer's modules, up to the next comma or brace (``this.webgl ? "scattergl" : …``)
_TYPE_EXPR = re.compile(r"\btype:\s*([^,}\n]+)")
_STRING = re.compile(r"\"([a-z0-9]+)\"")


def named_types() -> set[str]:
    """Every string the explorer's modules give a ``type:`` key (trace types among input and axis types)."""
    found = set()
    for path in ASSETS.glob("*.js"):
        for expr in _TYPE_EXPR.findall(path.read_text(encoding="utf-8")):
            found.update(_STRING.findall(expr))
    return found


def test_the_bundle_is_the_release_the_python_package_pins():
    from plotly.offline import get_plotlyjs_version

    source = explorer_plotly_source().read_bytes()
    assert bundle_version(source) == get_plotlyjs_version(), (
        "the plotly package moved to another plotly.js: set it in scripts/plotly_bundle/package.json, run build.sh")
    assert bundle_version(plotly_source().read_bytes()) == get_plotlyjs_version()
    assert bundle_version(b"/* no banner */") == "unknown"
    assert len(source) < len(plotly_source().read_bytes()) / 2  # the point of it: a fraction of the full build
    assert (explorer_plotly_source().parent / "LICENSE").read_text().startswith("MIT License")


def test_the_copy_is_named_by_release_and_content(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path / "cache"))
    ref = assets_store.plotly_js()
    served = tmp_path / "cache" / "explorer" / ref["url"]
    assert served.read_bytes() == explorer_plotly_source().read_bytes()
    assert re.fullmatch(r"vendor/plotly-explorer-4\.1\.1-[0-9a-f]{12}\.min\.js", ref["url"])
    served.unlink()  # a cache folder emptied while the server runs: written again
    assert assets_store.plotly_js() == ref and served.is_file()

    rebuilt = tmp_path / "plotly-explorer.min.js"  # a rebuilt bundle of the same release: a new URL
    rebuilt.write_bytes(explorer_plotly_source().read_bytes() + b"\n;")
    monkeypatch.setattr(assets_store, "EXPLORER_PLOTLY", rebuilt)
    other = assets_store.plotly_js()
    assert other["url"] != ref["url"] and other["url"].startswith("vendor/plotly-explorer-4.1.1-")


@pytest.fixture(scope="module")
def trace_types():
    """The trace types each build registers, read in headless Chromium: ``{"full": [...], "explorer": [...]}``."""
    from vae.devtools.browser import headless_chromium

    out = {}
    with headless_chromium() as browser:
        for name, path in (("full", plotly_source()), ("explorer", explorer_plotly_source())):
            page = browser.new_page()
            page.set_content("<html><body><div id='g' style='width:400px;height:300px'></div></body></html>")
            page.add_script_tag(path=str(path))
            out[name] = page.evaluate("Object.keys(Plotly.PlotSchema.get().traces)")
            if name == "explorer":  # and it draws: SVG dots, WebGL dots, a log axis, an image export
                out["drawn"] = page.evaluate("""async () => {
                    const g = document.getElementById('g');
                    await Plotly.newPlot(g, [{type: 'scatter', mode: 'lines', x: [0, 1], y: [1, 10]},
                        {type: 'scattergl', mode: 'markers', x: [...Array(3000).keys()], y: [...Array(3000).keys()]}],
                        {yaxis: {type: 'log'}, showlegend: true});
                    const png = await Plotly.toImage(g, {format: 'png', width: 200, height: 150});
                    return {types: g._fullData.map((t) => t.type), legend: !!g.querySelector('.legend'),
                            gl: !!g.querySelector('canvas'), png: png.startsWith('data:image/png;base64,')};
                }""")
            page.close()
    return out


def test_the_bundle_has_every_trace_type_the_explorer_draws(trace_types):
    drawn = named_types() & set(trace_types["full"])
    assert {"scatter", "scattergl"} <= drawn  # the scan finds the map's two trace types
    missing = drawn - set(trace_types["explorer"])
    assert not missing, f"add {sorted(missing)} to scripts/plotly_bundle/entry.js and rebuild"
    assert len(trace_types["explorer"]) < len(trace_types["full"])


def test_the_bundle_draws_and_exports(trace_types):
    assert trace_types["drawn"] == {"types": ["scatter", "scattergl"], "legend": True, "gl": True, "png": True}
