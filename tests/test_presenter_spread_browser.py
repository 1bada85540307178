"""The presenter view's follow report, in Chromium (vae/ui/explorer/assets/view_presenter.js): when the teacher
moves on, every student's screen sees it within one poll, and each reports it once, after a random wait of up to
``spread_ms`` (vae.ui.lecture.classroom_ui.FOLLOW_SPREAD_SECONDS), so that an amphitheatre's reruns reach the
server spread out instead of all at once.

The view's module is loaded as it ships, from a fake origin that Playwright serves from the assets folder; the poll
route answers from the page (a stub ``fetch``), so no server runs."""
from __future__ import annotations

import pytest

from vae.ui.explorer.assets_store import ASSETS
from vae.ui.lecture.classroom_ui import FOLLOW_SPREAD_SECONDS

pytestmark = pytest.mark.browser

ORIGIN = "http://vx.test"
VIEWS = 20

PAGE = f"""<!doctype html><html><body><script type="module">
const {{ PresenterView }} = await import("{ORIGIN}/view_presenter.js");
window.reports = [];
window.fetch = async () => ({{ ok: true, json: async () => ({{ step: "beta", revealed: false }}) }});
window.views = [];
window.start = (spread) => {{
  window.views.forEach((v) => v.destroy());   // the last round's screens are gone
  window.views = [];
  window.reports = [];
  window.t0 = performance.now();
  for (let i = 0; i < {VIEWS}; i++) {{
    const v = new PresenterView(document.body);
    window.views.push(v);
    v.setStateValue = (name, value) => window.reports.push({{ view: i, name, step: value.step,
                                                             at: performance.now() - window.t0 }});
    v.update({{ step: 0, count: 9, presenting: false,
               follow: {{ url: "/_vae/class/ABCDE", step: "kl", revealed: false, every_ms: 500, spread_ms: spread }} }});
  }}
}};
window.ready = true;
</script></body></html>"""


def _serve(route):
    name = route.request.url[len(ORIGIN) + 1:].split("?")[0]
    path = ASSETS / name
    if name == "index.html":
        route.fulfill(status=200, content_type="text/html", body=PAGE)
    elif path.is_file() and path.parent == ASSETS:
        route.fulfill(status=200, content_type="text/javascript", body=path.read_text())
    else:
        route.fulfill(status=404, body="")


def _reports(page, spread_ms: int, wait_ms: int) -> list[dict]:
    page.evaluate(f"window.start({spread_ms})")
    page.wait_for_timeout(wait_ms)
    return page.evaluate("window.reports")


def test_an_amphitheatre_reports_the_teachers_step_once_each_spread_over_spread_ms():
    from vae.devtools.browser import headless_chromium, require_browser

    require_browser()
    spread = int(FOLLOW_SPREAD_SECONDS * 1000)
    assert 1000 <= spread <= 5000   # a student sees the step within a few seconds
    with headless_chromium() as browser:
        page = browser.new_page()
        page.route(f"{ORIGIN}/**", _serve)
        page.goto(f"{ORIGIN}/index.html")
        page.wait_for_function("window.ready === true", timeout=30_000)

        spread_out = _reports(page, spread, 500 + spread + 1500)
        assert sorted(r["view"] for r in spread_out) == list(range(VIEWS))     # each view reports once
        assert all(r["name"] == "follow" and r["step"] == "beta" for r in spread_out)
        times = sorted(r["at"] for r in spread_out)
        assert times[-1] - times[0] > spread / 3, times                     # spread out, not all at the poll
        assert times[-1] < 500 + spread + 1000, times                        # and none later than a poll + spread

        at_once = _reports(page, 0, 1500)                                    # spread_ms 0: all at the first poll
        times = sorted(r["at"] for r in at_once)
        assert len(at_once) == VIEWS and times[-1] - times[0] < 300, times
