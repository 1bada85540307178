"""The shipped trio's training films in a real headless Chromium (Compare page): the scrubber moves the frame and
the dots drawn on each map are the stored frame's coordinates (pixels read back from the canvas, in the label's
colour), the prior samples are the stored ones, the play button and the keyboard (space, arrows) advance
the film without any message to the server; English and French."""
from __future__ import annotations

import numpy as np
import pytest

from test_film_view import TRIO, require_films
from vae.checkpoint import PRETRAINED_DIR
from vae.devtools.explorer import canvas_gray, evaluate_view, open_view
from vae.film import read_film

pytestmark = pytest.mark.browser
KEY = "film.explorer"


@pytest.fixture(scope="module")
def films():
    require_films(*TRIO)
    return [read_film(PRETRAINED_DIR / n) for n in TRIO]


@pytest.fixture(scope="module")
def ctx(chromium):
    c = chromium.new_context(viewport={"width": 1400, "height": 1600})
    yield c
    c.close()


def _open(ctx, app_server, lang):
    pg, sent, errors = open_view(ctx, f"{app_server.url}comparison?lang={lang}", KEY)
    pg.get_by_test_id("vx-film-scrub").scroll_into_view_if_needed()
    return pg, sent, errors


# For panel k at the view's current frame: the overlay pixels at the map positions of `points` (x, y, label): a
# probe per point inside the axes (up to 20 `alone`: no dot of another label within 6 px, so the pixel shows that
# label's colour; and up to 20 others).
PROBE = """(() => {
  const p = v.panels[a.k], [xa, ya] = p.map.axes(), dpr = p.map.dpr || 1, ctx = p.map.overlay.getContext('2d');
  const px = a.points.map(([x, y]) => [xa._offset + xa.d2p(x), ya._offset + ya.d2p(y)]);
  const inside = (i) => px[i][0] >= xa._offset + 4 && px[i][0] <= xa._offset + xa._length - 4
    && px[i][1] >= ya._offset + 4 && px[i][1] <= ya._offset + ya._length - 4;
  const lonely = (i) => px.every((q, j) => a.points[j][2] === a.points[i][2] || Math.hypot(q[0] - px[i][0], q[1] - px[i][1]) >= 6);
  const out = [];
  const probe = (i, alone) => {
    const d = ctx.getImageData(Math.round(px[i][0] * dpr), Math.round(px[i][1] * dpr), 1, 1).data;
    out.push([i, a.points[i][2], Array.from(d), alone]);
  };
  const ids = px.map((_, i) => i).filter(inside);
  const alone = ids.filter(lonely);
  alone.slice(0, 20).forEach((i) => probe(i, true));
  ids.filter((i) => !alone.includes(i)).slice(0, 20).forEach((i) => probe(i, false));
  return out;
})()"""

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]


def _rgb(hex_colour):
    return [int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]


def _check_frame(pg, films, index, spread=True):
    """Every panel shows the frame the timeline maps ``index`` to: a dot at the stored coordinates of every probed
    code, in its label's colour where no other label's dot covers it (``spread``: the frame has such codes)."""
    frames = evaluate_view(pg, KEY, "v.panels.map((p, k) => [v.frames[k][a], p.drawn.frame])", index)
    for k, (film, (expected, drawn)) in enumerate(zip(films, frames)):
        assert drawn == expected
        pts = [[float(x), float(y), int(lab)] for (x, y), lab in zip(film.coords[drawn], film.labels)]
        probes = evaluate_view(pg, KEY, PROBE, {"k": k, "points": pts})
        assert len(probes) >= 20
        assert not spread or sum(alone for *_, alone in probes) >= 5, f"panel {k}: too few separate dots to probe"
        for i, lab, rgba, alone in probes:
            assert rgba[3] > 150, f"panel {k} frame {drawn}: no dot drawn at the stored position of code {i}"
            if alone:
                assert np.abs(np.asarray(rgba[:3]) - _rgb(COLORS[lab % 10])).max() <= 40, (k, i, lab, rgba)
        for s in range(film.samples.shape[1]):
            shown = canvas_gray(pg, f"vx-film-sample-{k}-{s}")
            np.testing.assert_array_equal(shown, film.samples[drawn, s].ravel())
    return frames


def _overlay_hash(pg):
    return evaluate_view(pg, KEY, """v.panels.map((p) => { const c = p.map.overlay, d = c.getContext('2d')
        .getImageData(0, 0, c.width, c.height).data; let h = 0; for (let i = 0; i < d.length; i += 7) h = (h * 31 + d[i]) | 0;
        return h; })""")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_trio_films_play_in_chromium(ctx, app_server, films, lang):
    pg, sent, errors = _open(ctx, app_server, lang)
    runs = len(sent.kinds)
    n = evaluate_view(pg, KEY, "v.times.length")
    assert n >= max(f.n_frames for f in films) and evaluate_view(pg, KEY, "v.panels.length") == 3
    _check_frame(pg, films, 0, spread=False)  # untrained: every code sits near the origin
    before = _overlay_hash(pg)
    label0 = pg.get_by_test_id("vx-film-label").inner_text()
    assert ("untrained" if lang == "en" else "non entraîné") in label0

    # the scrubber (a range input: the browser's own input events)
    scrub = pg.get_by_test_id("vx-film-scrub")
    scrub.fill(str(n // 2))
    _check_frame(pg, films, n // 2)
    assert _overlay_hash(pg) != before, "the drawn points change with the frame"
    assert ("epoch" if lang == "en" else "époque") in pg.get_by_test_id("vx-film-label").inner_text()
    scrub.focus()
    pg.keyboard.press("ArrowRight")
    assert evaluate_view(pg, KEY, "v.index") == n // 2 + 1
    _check_frame(pg, films, n // 2 + 1)
    scrub.fill(str(n - 1))
    last = _check_frame(pg, films, n - 1)
    assert [f for f, _ in last] == [f.n_frames - 1 for f in films]

    # play from the start; pause; space on the scrubber toggles
    scrub.fill("0")
    play = pg.get_by_test_id("vx-film-play")
    play.click()
    assert play.inner_text() == ("❚❚ Pause")
    pg.wait_for_function(f"() => window.__vaeExplorer.views['{KEY}'].index >= 3", timeout=10_000)
    play.click()
    stopped = evaluate_view(pg, KEY, "v.index")
    pg.wait_for_timeout(600)
    assert evaluate_view(pg, KEY, "v.index") == stopped and play.inner_text() == ("▶ Play" if lang == "en" else "▶ Lecture")
    _check_frame(pg, films, stopped, spread=False)  # an early frame: codes still bunched
    scrub.focus()
    pg.keyboard.press("Space")
    pg.wait_for_function(f"(s) => window.__vaeExplorer.views['{KEY}'].index > s", arg=stopped, timeout=10_000)
    pg.keyboard.press("Space")
    assert evaluate_view(pg, KEY, "v.timer") is None

    assert len(sent.kinds) == runs, sent.kinds  # scrubbing and playing send nothing to the server
    assert not errors
    pg.close()


def test_updates_arriving_while_the_view_builds_leave_one_player(ctx, app_server, films):
    """Data from Python that arrives while the view is still building (a live training's next snapshot, a model
    switch on a loaded machine) waits for that build and only the latest applies: one scrubber, one set of maps."""
    pg, _, errors = _open(ctx, app_server, "en")
    count = evaluate_view(pg, KEY, """(async () => {
        const d = v.data, other = {...d, compact: !d.compact};  // another layout: the view rebuilds
        v.update(other); v.update(d); v.update(other); v.update(d);
        await v.ready;
        return [v.root.querySelectorAll("[data-testid='vx-film-label']").length, v.panels.length,
                v.root.querySelectorAll(".vx-film-cols").length, !!v.data.compact];
    })()""")
    assert count == [1, 3, 1, False], count
    assert len(pg.get_by_test_id("vx-film-label").all()) == 1
    _check_frame(pg, films, 0, spread=False)
    assert not errors
    pg.close()
