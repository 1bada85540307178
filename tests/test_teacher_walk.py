"""A teacher's walk through every page, in English then (after switching the sidebar's language) in French,
in a real headless Chromium.

Open the latent map, click a point and an empty place, switch projection; move a slider and
interpolate; sample the prior; train a short model to the end and open it; denoise; resample ε;
compare; open the Lecture and Draw pages. Every step asserts on what the page shows, fails on any Streamlit
exception element and on any browser console error, and saves a screenshot under ``artifacts/teacher/``.

At the end the server's log must hold no "missing ScriptRunContext" line: Streamlit writes it when its API is
called outside a script run. A walk used to leave ~280 of them: each ``spawn`` training worker ran app.py again
(Streamlit installs the script as ``__main__``) before its first job (fixed in ``vae.jobs.pool``; the cause is
tested without a browser in ``tests/test_quiet_log.py``). The check waits until the workers have settled, so a
worker still running the app is seen.
"""
from __future__ import annotations

import re

import numpy as np

import pytest

from browser_utils import ARTIFACTS, choose_option, wait_idle
from vae.devtools.explorer import canvas_gray, data_position, dot_position, empty_spot, wait_map, wait_view
from vae.devtools.memory import spawned_children, wait_settled

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "teacher"

# Streamlit's frontend, opened on a deep link such as /walk, first probes <path>/_stcore/health
# and <path>/_stcore/host-config to discover a base URL path, gets 404s, then uses the root.
# These two probes are the only console errors tolerated, matched exactly.
STREAMLIT_BASE_PATH_PROBE = re.compile(r"^https?://[^/]+/[a-z-]+/_stcore/(health|host-config)$")
OUTSIDE_A_RUN = "missing ScriptRunContext"


class Teacher:
    """One browser tab, with console-error capture and step helpers."""

    def __init__(self, chromium, app_server, lang: str):
        self.ctx = chromium.new_context(viewport={"width": 1400, "height": 1100})
        self.page = self.ctx.new_page()
        self.app_server, self.lang, self.errors, self.step = app_server, lang, [], 0
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "Failed to load resource" in msg.text and STREAMLIT_BASE_PATH_PROBE.match(url):
            return
        self.errors.append(f"console error: {msg.text} ({url})")

    def open(self, path: str) -> None:
        self.page.goto(f"{self.app_server.url}{path}?lang={self.lang}")
        self.idle()

    def idle(self) -> None:
        wait_idle(self.page)

    def check(self, name: str) -> None:
        """No exception element, no console error; screenshot the step."""
        exceptions = self.page.locator("[data-testid='stException']")
        assert exceptions.count() == 0, exceptions.first.inner_text()
        assert self.page.locator("[data-testid='stDialog']").count() == 0, self.page.locator("[data-testid='stDialog']").inner_text()
        assert not self.errors, self.errors
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.step += 1
        self.page.screenshot(path=str(SHOTS / f"{self.lang}_{self.step:02d}_{name}.png"))

    def key(self, key: str) -> str:
        """CSS selector of the element Streamlit renders for widget ``key`` (dots become dashes)."""
        return ".st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", key)

    def images(self) -> list[str]:
        self.page.wait_for_selector("[data-testid='stMain'] [data-testid='stImage'] img", timeout=60_000)
        return self.page.eval_on_selector_all("[data-testid='stMain'] [data-testid='stImage'] img", "els => els.map(e => e.src)")

    def wait_images_change(self, before: list[str], timeout_s: float = 60) -> list[str]:
        for _ in range(int(timeout_s / 0.5)):
            self.idle()
            now = self.images()
            if now != before:
                return now
            self.page.wait_for_timeout(500)
        raise AssertionError("the images did not change")

    def click_plot(self, chart_selector: str, x: float, y: float) -> None:
        """Click the Plotly chart at data coordinates (x, y)."""
        chart = self.page.locator(chart_selector).first
        chart.scroll_into_view_if_needed()
        self.page.wait_for_function(
            "sel => { const g = document.querySelector(sel + ' .js-plotly-plot'); return g && g._fullLayout; }",
            arg=chart_selector)
        pos = self.page.evaluate("""([sel, x, y]) => {
            const gd = document.querySelector(sel + ' .js-plotly-plot'), L = gd._fullLayout, r = gd.getBoundingClientRect();
            return {x: r.left + L.xaxis._offset + L.xaxis.l2p(x), y: r.top + L.yaxis._offset + L.yaxis.l2p(y)};
        }""", [chart_selector, x, y])
        self.page.mouse.click(pos["x"], pos["y"])

    def wait_input(self, key: str, condition: str) -> None:
        """Wait until the text input of widget ``key`` satisfies the JS expression ``condition`` on ``v``.

        The element is looked up afresh on every poll: Streamlit may replace it on a rerun.
        """
        self.page.wait_for_function(
            f"sel => {{ const e = document.querySelector(sel + ' input'); if (!e) return false; const v = e.value; return {condition}; }}",
            arg=self.key(key), timeout=60_000)

    def close(self) -> None:
        self.ctx.close()


def test_teacher_walk(app_server, chromium):
    """One walk through every page: the first half in English, then the teacher switches the sidebar's
    language and walks the rest in French (every page also loads in both languages in tests/test_browser.py;
    walking the whole app twice cost a minute of the suite)."""
    t = Teacher(chromium, app_server, "en")
    try:
        _latent_map(t)
        _latent_walk(t)
        _generate(t)
        _train_and_open(t)
        _switch_to_french(t)
        _denoise(t)
        _how_a_vae_trains(t)
        _compare(t)
        _lecture_and_draw(t)
    finally:
        t.close()
    workers = spawned_children(app_server.pid)
    assert workers, "the Train page should have started the training pool's workers"
    wait_settled(workers)
    lines = [line for line in app_server.log_text().splitlines() if OUTSIDE_A_RUN in line]
    assert not lines, f"{len(lines)} '{OUTSIDE_A_RUN}' lines in {app_server.log}, the first: {lines[0]}"


def _switch_to_french(t: Teacher) -> None:
    sidebar = t.page.locator("[data-testid='stSidebar']")
    # a β-VAE other than the default first: the choice must survive the switch, its label must follow it
    choose_option(t.page, t.page.locator(t.key('sel_beta-vae_mnist_2')), re.compile(r"^mnist-betavae8-2d "))
    t.idle()
    assert t.page.locator(f"{t.key('sel_beta-vae_mnist_2')} input").input_value() == "mnist-betavae8-2d (β=8, shipped)"
    choose_option(t.page, t.page.locator(t.key('lang')), "Français", exact=True)
    sidebar.get_by_text("Langue", exact=True).wait_for(timeout=60_000)
    t.idle()
    t.page.wait_for_selector("[data-testid='stMain'] h1:has-text(\"Carte de l'espace latent\")", timeout=60_000)
    picker = t.page.locator(f"{t.key('sel_beta-vae_mnist_2_fr')} input")
    picker.wait_for(timeout=60_000)
    assert picker.input_value() == "mnist-betavae8-2d (β=8, fourni)", "the picker keeps the choice, in French"
    t.check("language_switched_to_french")
    t.lang = "fr"  # the next pages are opened as a French link would


def _latent_map(t: Teacher) -> None:
    t.open("")
    wait_map(t.page)
    t.check("map")
    # Hover: the code under the cursor is decoded in the browser.
    t.page.mouse.move(*data_position(t.page, 0.5, -0.5))
    assert "z = (" in t.page.get_by_test_id("vx-hover-info").inner_text()
    # A data point: its test index becomes the inspected image.
    t.page.mouse.click(*dot_position(t.page, 300))
    assert "300" in t.page.get_by_test_id("vx-inspect-text").inner_text()
    t.idle()
    t.check("map_point_clicked")
    # An empty place: its exact code is pinned and decoded.
    t.page.mouse.click(*data_position(t.page, *empty_spot(t.page)))
    assert "z = (" in t.page.get_by_test_id("vx-pinned-info").inner_text()
    t.idle()
    t.check("map_empty_place_clicked")
    # Switch projection to PCA: the axis titles change.
    t.page.locator(f"{t.key('map_projection')} button").filter(has_text=re.compile(r"\S")).nth(1).click()
    t.idle()
    t.page.wait_for_function("() => { const v = window.__vaeExplorer.views['map.explorer'];"
                             " return v.main && v.main.method === 'pca' && v.root.getAttribute('data-plotted') === '1'; }",
                             timeout=60_000)
    t.check("map_pca")


def _latent_walk(t: Teacher) -> None:
    t.open("walk")
    wait_view(t.page, "walk.explorer")
    t.check("walk")
    before = canvas_gray(t.page, "vx-walk-image")
    slider = t.page.locator("[data-testid='vx-sliders'] input[type='range']").first
    slider.focus()
    t.page.keyboard.press("End")
    assert not np.array_equal(canvas_gray(t.page, "vx-walk-image"), before)
    t.idle()
    t.check("walk_slider_moved")
    # Interpolation: another end image re-draws the lerp / slerp / pixel rows (in the browser).
    old = canvas_gray(t.page, "vx-interpolation")
    box = t.page.get_by_test_id("vx-interp-b")
    box.fill("250")
    box.press("Enter")
    assert not np.array_equal(canvas_gray(t.page, "vx-interpolation"), old)
    t.idle()
    t.check("walk_interpolated")


def _generate(t: Teacher) -> None:
    t.open("generation")
    t.check("generate_quiz")
    t.page.locator(f"{t.key('generate.show')} button").click()
    t.idle()
    before = t.images()
    assert len(before) >= 3, "AE, VAE and β-VAE samples are shown"
    t.page.locator(f"{t.key('generate.new')} button").click()
    t.wait_images_change(before)
    t.check("generate_new_samples")


def _train_and_open(t: Teacher) -> None:
    t.open("training")
    t.check("train_form")
    name = f"teacher-{t.lang}"
    choose_option(t.page, t.page.locator(t.key('train.dataset')), re.compile("Digits"))
    for key, value in (("train.epochs", "2"), ("train.hidden", "32"), ("train.name", name)):
        field = t.page.locator(f"{t.key(key)} input")
        field.fill(value)
        field.press("Tab")
    t.page.locator(f"{t.key('train.submit')} button").click()
    # The worker trains; the live panel polls; the page ends on a success message naming the model.
    t.page.wait_for_selector(f"[data-testid='stAlertContentSuccess']:has-text('user/{name}')", timeout=180_000)
    t.idle()
    t.check("train_done")
    # Open it: it is offered by the sidebar for its dataset, and the map page renders it.
    choose_option(t.page, t.page.locator(t.key('sel_dataset')), "digits", exact=True)
    t.idle()
    t.open("")
    choose_option(t.page, t.page.locator(t.key('sel_dataset')), "digits", exact=True)
    t.idle()
    t.page.locator(f"{t.key('sel_vae_digits_2')} [role='combobox']").click()
    offered = t.page.eval_on_selector_all("[role='option']", "els => els.map(e => e.innerText)")
    t.page.keyboard.press("Escape")
    assert any(name in o for o in offered), ("the new model is offered by the sidebar's VAE picker", offered)
    # the map page draws a model trained here (the picker's first user model on digits)
    t.page.wait_for_function("() => { const v = window.__vaeExplorer && window.__vaeExplorer.views['map.explorer'];"
                             " return v && v.main && v.main.spec.id.startsWith('user/teacher-')"
                             " && v.root.getAttribute('data-ready') === '1'; }", timeout=60_000)
    t.check("trained_model_map")
    choose_option(t.page, t.page.locator(t.key('sel_dataset')), "mnist", exact=True)
    t.idle()


def _denoise(t: Teacher) -> None:
    t.open("denoising")
    t.check("denoise")
    before = t.images()
    slider = t.page.locator(f"{t.key('denoise.noise')} input[type='range']")
    slider.focus()
    t.page.keyboard.press("End")
    t.wait_images_change(before)
    t.check("denoise_more_noise")


def _how_a_vae_trains(t: Teacher) -> None:
    t.open("how-a-vae-trains")
    t.check("howto")
    before = t.images()
    t.page.locator(f"{t.key('howto.resample')} button").click()
    t.wait_images_change(before)
    t.check("howto_resampled")


def _compare(t: Teacher) -> None:
    t.open("comparison")
    t.page.wait_for_selector("[data-testid='stMain'] [data-testid='stPlotlyChart']", timeout=120_000)
    assert t.page.locator("[data-testid='stMain'] [data-testid='stPlotlyChart']").count() >= 3
    assert t.page.locator("[data-testid='stMain'] [data-testid='stTable'], [data-testid='stMain'] [data-testid='stDataFrame']").count() >= 1
    t.check("compare")


def _lecture_and_draw(t: Teacher) -> None:
    """The two pages the walk has not used yet open cleanly (their widgets are tested in their own modules)."""
    t.open("lecture")
    t.page.get_by_test_id("stMain").locator("h1").first.wait_for(timeout=60_000)
    t.check("lecture")
    t.open("drawing")
    t.page.get_by_test_id("stMain").locator("h1").first.wait_for(timeout=60_000)
    t.check("draw")
