"""The Lecture, links and Back/Forward in a real headless Chromium against the real app (one server for the
module, shipped MNIST models):

* a teacher goes through the nine steps in French (the Lecture's default) and in English with nothing but
  the → key, in presenter mode at 1280×720 (sidebar folded away, large type): the step counter follows, each
  step's widget is on the page, one rerun per key press, no exception element and no console error; each
  step's widget then works (hover decodes on the maps, sliders move the numbers, the quiz reveals samples);
* a link copied from the map (models, projection, inspected index, pinned code, language), from the Lecture
  (its step) and from another page reopens the same view in a fresh browser context; bad parameters fall
  back with a note; Back and Forward restore the previous views;
* three students' browser contexts vote on the micro-quiz and follow the teacher's steps; the teacher's live
  tally counts the three votes, then the teacher reveals the samples on every screen.

Set ``LECTURE_SCREENSHOTS=<folder>`` to keep a PNG of every step in both languages (docs/lecture/ holds them).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from browser_utils import wait_idle
from vae.devtools.explorer import BackMessages, canvas_gray, data_position, dot_position, empty_spot, evaluate_view, wait_map, wait_view
from vae.ui.i18n import STRINGS
from vae.ui.lecture.steps import SLUGS

pytestmark = pytest.mark.browser
MAP = "map.explorer"
VIEWPORT = {"width": 1280, "height": 720}
# The map is the app's default page: Streamlit serves it at the app's root (st.navigation's default page has no
# path of its own; "/map" opens a "Page not found" dialog), so links and the address bar read "/?…" for it.
MAP_PATH = ""
# Streamlit's own probes of <page path>/_stcore/health and /host-config answer 404 before it finds its base
# URL (any page but the root): not ours, and every other console error fails a test.
STREAMLIT_PROBES = re.compile(r"/[a-z-]+/_stcore/(health|host-config)$")


class Watch:
    """Uncaught page errors and console errors of one page (Streamlit's base-URL probes left out)."""

    def __init__(self, page):
        self.errors: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("console", self._console)

    def _console(self, msg) -> None:
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "Failed to load resource" in msg.text and STREAMLIT_PROBES.search(url.split("?")[0]):
            return
        self.errors.append(f"console: {msg.text} ({url})")


def settle(page, timeout: float = 120_000) -> None:
    """The page ran to the end (its title is drawn, the script stopped) and the presenter view is ready."""
    page.wait_for_selector("[data-testid='stMain'] h1", timeout=timeout)
    page.wait_for_selector("[data-testid='vx-presenter'][data-ready='1']", state="attached", timeout=timeout)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=timeout)
    page.wait_for_timeout(400)


def unfold(page, title: str, shows) -> None:
    """Open the expander titled ``title`` until ``shows`` (a locator inside it) is visible. A click on a summary
    toggles it, and on a loaded machine a click can land while the page is still re-rendering: this checks, then
    clicks only while the content is hidden, at most 5 times."""
    summary = page.locator("[data-testid='stExpander'] summary").filter(has_text=title).first
    for _ in range(5):
        if shows.is_visible():
            return
        summary.click()
        try:
            shows.wait_for(state="visible", timeout=10_000)
            return
        except Exception:  # playwright's TimeoutError: settle and look again
            settle(page)
    raise AssertionError(f"the expander {title!r} would not show its content")


def counter(page) -> str:
    return page.locator(".st-key-lecture-counter").inner_text().strip()


def wait_counter(page, k: int) -> None:
    page.wait_for_function("n => (document.querySelector('.st-key-lecture-counter') || {}).innerText?.includes(n)",
                           arg=f"{k} / 9", timeout=60_000)
    settle(page)


def text(key: str, lang: str, **fmt) -> str:
    return STRINGS[key][lang].format(**fmt)


def widget(page, slug: str):
    return page.locator(f".st-key-lecture-widget-{slug}")


def metric_value(page) -> str:
    return page.locator(".st-key-lecture-number [data-testid='stMetricValue']").inner_text().strip()


WIDGETS = {  # what each step's live widget shows once drawn
    "ae": "[data-testid='vx-hover-image']", "kl": "[data-testid='vx-hover-image']",
    "denoise": "[data-testid='stImage']", "quiz": "[data-testid='stRadio']", "posterior": ".vx-draw",
    "elbo": ".js-plotly-plot", "iwae": ".js-plotly-plot", "reparam": ".js-plotly-plot", "beta": "[data-testid='vx-film-scrub']",
}


@pytest.fixture(scope="module")
def context(chromium):
    ctx = chromium.new_context(viewport=VIEWPORT)
    yield ctx
    ctx.close()


def _walk(context, app_server, lang: str | None, shots: Path | None):
    """→ through the nine steps in presenter mode; returns the page (on the last step) and its watcher."""
    page = context.new_page()
    watch = Watch(page)
    sent = BackMessages(page)
    page.goto(f"{app_server.url}lecture?present=1" + (f"&lang={lang}" if lang else ""))
    settle(page)
    lang = lang or "fr"
    assert not page.locator("[data-testid='stSidebar']").is_visible()  # folded away for the projector
    assert float(page.evaluate("parseFloat(getComputedStyle(document.querySelector("
                               "\"[data-testid='stMain'] p\")).fontSize)")) >= 19
    for k, slug in enumerate(SLUGS, start=1):
        if k > 1:
            runs = sent.reruns
            page.keyboard.press("ArrowRight")
            wait_counter(page, k)
            assert sent.reruns - runs == 1, (slug, sent.kinds[-6:])  # one rerun per step change
        assert counter(page) == text("lecture.counter", lang, k=k, n=9)
        assert page.locator("[data-testid='stMain'] h1").inner_text() == text(f"lecture.{slug}.title", lang)
        widget(page, slug).locator(WIDGETS[slug]).first.wait_for(state="attached", timeout=60_000)
        if slug in ("ae", "kl"):
            wait_map(page)
        if slug in ("reparam", "beta"):  # the AE | VAE | β-VAE training film, one scrubber for the three
            wait_view(page, "lecture.film")
            assert widget(page, slug).locator("[data-testid='vx-film-scrub']").count() == 1
        assert page.locator("[data-testid='stException']").count() == 0, slug
        assert page.locator(".st-key-lecture-formula .katex").count() == 1
        if shots is not None:
            page.wait_for_timeout(800)
            page.screenshot(path=str(shots / f"{lang}-{k}-{slug}.png"))
    assert f"step={SLUGS[-1]}" in page.url
    assert not watch.errors, watch.errors
    return page, watch


def _shots() -> Path | None:
    folder = os.environ.get("LECTURE_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder)


def test_teacher_walks_the_nine_steps_with_the_arrow_key_in_french(context, app_server):
    page, _ = _walk(context, app_server, None, _shots())  # no ?lang=: the Lecture speaks French
    assert "lang=fr" in page.url
    page.keyboard.press("ArrowRight")  # past the last step: nothing happens
    page.wait_for_timeout(600)
    assert counter(page) == text("lecture.counter", "fr", k=9, n=9)
    for key, k in (("ArrowLeft", 8), ("PageUp", 7), ("PageDown", 8), (" ", 9), ("Shift+ ", 8)):
        page.keyboard.press(key.replace(" ", "Space"))
        wait_counter(page, k)
    page.close()


def test_teacher_walks_the_nine_steps_in_english_and_each_widget_works(context, app_server):
    page, watch = _walk(context, app_server, "en", _shots())
    # keys typed into a control stay with it: the toy model's sliders (step 6) take the arrows
    page.keyboard.press("Home")  # (not a step key)
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    wait_counter(page, 6)
    before = metric_value(page)
    slider = page.locator(".st-key-lecture-toy-r input[type='range']")
    slider.focus()
    for _ in range(5):
        slider.press("ArrowRight")
    page.wait_for_function("v => document.querySelector(\".st-key-lecture-number [data-testid='stMetricValue']\")"
                           ".innerText.trim() !== v", arg=before, timeout=30_000)
    settle(page)
    assert counter(page) == text("lecture.counter", "en", k=6, n=9)  # still step 6
    page.evaluate("document.activeElement.blur()")  # focus back on the page, not the slider

    # step 1: the AE's map decodes under the cursor, in the browser
    page.locator(".st-key-lecture-nav button").first.click()
    wait_counter(page, 1)
    wait_map(page)
    assert evaluate_view(page, MAP, "v.data.main.kind") == "ae"
    page.locator(".st-key-lecture-widget-ae").scroll_into_view_if_needed()
    x, y = dot_position(page, 3)
    page.mouse.move(x + 30, y + 30)
    page.wait_for_timeout(300)
    assert canvas_gray(page, "vx-hover-image").max() > 0

    # step 2: the noise slider changes the denoising error
    page.keyboard.press("ArrowRight")
    wait_counter(page, 2)
    before = metric_value(page)
    slider = page.locator(".st-key-lecture-denoise-std input[type='range']")
    slider.focus()
    slider.press("ArrowRight")
    page.wait_for_function("v => document.querySelector(\".st-key-lecture-number [data-testid='stMetricValue']\")"
                           ".innerText.trim() !== v", arg=before, timeout=30_000)
    settle(page)
    page.evaluate("document.activeElement.blur()")

    # step 3: answering the quiz reveals the samples of every model
    page.keyboard.press("ArrowRight")
    wait_counter(page, 3)
    assert widget(page, "quiz").locator("[data-testid='stImage']").count() == 0
    widget(page, "quiz").get_by_text(text("generate.quiz.opt2", "en")).click()
    widget(page, "quiz").locator("[data-testid='stImage']").nth(2).wait_for(timeout=30_000)
    settle(page)
    page.evaluate("document.activeElement.blur()")

    # step 4: the drawing pad is built; step 5: the VAE's map
    page.keyboard.press("ArrowRight")
    wait_counter(page, 4)
    wait_view(page, "draw.explorer")
    page.keyboard.press("ArrowRight")
    wait_counter(page, 5)
    wait_map(page)
    assert evaluate_view(page, MAP, "v.data.main.kind") == "vae"
    assert page.locator("[data-testid='stException']").count() == 0
    assert not watch.errors, watch.errors
    page.close()


# ---- links ---------------------------------------------------------------------------------------------------------
def _fresh(chromium, url: str):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    watch = Watch(page)
    page.goto(url)
    return ctx, page, watch


def test_a_link_copied_from_the_map_reopens_the_same_view(context, chromium, app_server):
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{app_server.url}{MAP_PATH}?lang=fr")
    wait_idle(page)
    wait_map(page)
    page.locator(".st-key-sel_focus").get_by_text("AE", exact=True).click()
    page.wait_for_function("() => window.__vaeExplorer.views['map.explorer'].data.main.kind === 'ae'", timeout=60_000)
    wait_idle(page)
    page.locator(".st-key-map_projection button").filter(has_text="ACP").click()
    page.wait_for_function("() => window.__vaeExplorer.views['map.explorer'].main.method === 'pca' && "
                           "window.__vaeExplorer.views['map.explorer'].root.getAttribute('data-plotted') === '1'",
                           timeout=60_000)
    wait_idle(page)
    page.mouse.click(*dot_position(page, 42))
    page.wait_for_function("() => location.search.includes('i=')", timeout=30_000)
    wait_idle(page)
    spot = empty_spot(page)
    page.mouse.click(*data_position(page, *spot))
    page.wait_for_function("() => location.search.includes('z=')", timeout=30_000)
    wait_idle(page)
    url = page.url
    pinned = evaluate_view(page, MAP, "v.pinned.z")
    inspected = evaluate_view(page, MAP, "v.inspected")
    assert "focus=ae" in url and "proj=pca" in url and "lang=fr" in url and f"i={inspected}" in url

    ctx, fresh, watch = _fresh(chromium, url)
    try:
        wait_idle(fresh)
        wait_map(fresh)
        fresh.wait_for_timeout(500)
        assert evaluate_view(fresh, MAP, "v.data.main.kind") == "ae" and evaluate_view(fresh, MAP, "v.main.method") == "pca"
        assert evaluate_view(fresh, MAP, "v.inspected") == inspected
        np.testing.assert_allclose(evaluate_view(fresh, MAP, "v.pinned.z"), pinned, atol=2e-4)
        assert fresh.locator("[data-testid='stMain'] h1").inner_text() == "Carte de l'espace latent"
        assert fresh.url == url  # the link is kept as it is: it already names the whole view
        assert not watch.errors, watch.errors
    finally:
        ctx.close()

    # Back and Forward: the pin, then the inspected image, then the projection go; Forward brings them back
    page.go_back()
    page.wait_for_function("() => !location.search.includes('z=')", timeout=30_000)
    wait_idle(page)
    page.go_back()
    page.wait_for_function("() => !location.search.includes('i=')", timeout=30_000)
    wait_idle(page)
    page.go_back()
    page.wait_for_function("() => !location.search.includes('proj=')", timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => window.__vaeExplorer.views['map.explorer'].main.method === 'native'", timeout=60_000)
    page.go_forward()
    page.wait_for_function("() => location.search.includes('proj=pca')", timeout=30_000)
    wait_idle(page)
    page.wait_for_function("() => window.__vaeExplorer.views['map.explorer'].main.method === 'pca'", timeout=60_000)
    page.go_forward()
    page.wait_for_function("() => location.search.includes('i=')", timeout=30_000)
    wait_idle(page)
    assert evaluate_view(page, MAP, "v.inspected") == inspected
    page.close()


def test_links_from_the_lecture_and_another_page_and_back_forward_on_steps(context, chromium, app_server):
    page = context.new_page()
    Watch(page)
    page.goto(f"{app_server.url}lecture?lang=en")
    settle(page)
    for k in (2, 3):
        page.keyboard.press("ArrowRight")
        wait_counter(page, k)
    page.go_back()
    wait_counter(page, 2)
    assert "step=denoise" in page.url
    page.go_forward()
    wait_counter(page, 3)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    wait_counter(page, 5)
    url = page.url
    ctx, fresh, watch = _fresh(chromium, url)
    try:
        settle(fresh)
        assert counter(fresh) == text("lecture.counter", "en", k=5, n=9)
        assert fresh.locator("[data-testid='stMain'] h1").inner_text() == text("lecture.kl.title", "en")
        # the step's link opens the full page in the same state (the VAE's map, the same language)
        fresh.get_by_text(text("lecture.kl.link", "en")).click()
        fresh.wait_for_function("p => location.pathname === '/' + p", arg=MAP_PATH, timeout=60_000)
        wait_idle(fresh)
        wait_map(fresh)
        assert fresh.locator("[data-testid='stMain'] h1").inner_text() == text("map.title", "en")
        assert evaluate_view(fresh, MAP, "v.data.main.kind") == "vae" and "lang=en" in fresh.url
        # another page: the sidebar's latent size 16 travels with the link
        fresh.goto(f"{app_server.url}generation?lang=en&d=16&focus=ae")
        wait_idle(fresh)
        link = fresh.url
        assert "d=16" in link
    finally:
        ctx.close()
    ctx, again, watch = _fresh(chromium, link)
    try:
        wait_idle(again)
        latent = again.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']").nth(2).locator("input")
        assert latent.input_value() == "16"
        assert again.locator(".st-key-sel_focus input:checked").evaluate(
            "e => e.closest('label').innerText") == "AE"
        assert not watch.errors, watch.errors
    finally:
        ctx.close()
    page.close()


def test_bad_parameters_fall_back_with_a_note(chromium, app_server):
    ctx, page, watch = _fresh(chromium, f"{app_server.url}{MAP_PATH}?lang=en&vae=gone-model&proj=isomap&i=-3&z=NaN,1")
    try:
        wait_idle(page)
        wait_map(page)
        notes = page.locator("[data-testid='stAlertContentWarning']").all_inner_texts()
        assert len(notes) == 4 and all("cannot be used here" in n for n in notes), notes
        assert page.url == f"{app_server.url}{MAP_PATH}?lang=en"  # the URL names the view shown
        assert evaluate_view(page, MAP, "v.main.method") == "native" and evaluate_view(page, MAP, "v.inspected") is None
        page.goto(f"{app_server.url}lecture?lang=en&step=nope&class=XYZ")
        settle(page)
        assert counter(page) == text("lecture.counter", "en", k=1, n=9)
        assert page.locator("[data-testid='stAlertContentWarning']").count() == 2
        assert not watch.errors, watch.errors
    finally:
        ctx.close()
    # without ?lang= the Lecture speaks French, and a bad sidebar parameter still gets its note (#21)
    ctx, page, watch = _fresh(chromium, f"{app_server.url}lecture?data=bogus&d=77")
    try:
        settle(page)
        notes = page.locator("[data-testid='stAlertContentWarning']").all_inner_texts()
        assert len(notes) == 2 and all("est inutilisable ici" in n for n in notes), notes
        assert not watch.errors, watch.errors
    finally:
        ctx.close()


def test_on_a_phone_the_nine_steps_fit_the_screen(chromium, app_server):
    """The step bar is one wrapping row (a horizontal container, cheaper per rerun than columns): on a 420 px wide
    screen the nine steps take a line of their own, every one on screen and clickable."""
    ctx = chromium.new_context(viewport={"width": 420, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{app_server.url}lecture?lang=en")
        settle(page)
        steps = page.locator(".st-key-lecture-nav button")
        assert steps.count() == 9
        boxes = [steps.nth(k).bounding_box() for k in range(9)]
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 420 for b in boxes), boxes
        assert len({round(b["y"]) for b in boxes}) == 1  # one line
        steps.nth(8).click()
        wait_counter(page, 9)
    finally:
        ctx.close()


# ---- the class ---------------------------------------------------------------------------------------------------
def test_three_students_vote_and_follow_the_teacher(chromium, app_server):
    teacher_ctx = chromium.new_context(viewport=VIEWPORT)
    student_ctxs = [chromium.new_context(viewport={"width": 1000, "height": 900}) for _ in range(3)]
    try:
        teacher = teacher_ctx.new_page()
        watch = Watch(teacher)
        teacher.goto(f"{app_server.url}lecture?lang=en&step=quiz")
        settle(teacher)
        # the class panel sits folded under the slide (a student never needs it open): the teacher unfolds it
        unlock_summary = teacher.locator("[data-testid='stExpander'] summary").filter(
            has_text=text("teacher.unlock.title", "en")).first
        unfold(teacher, text("lecture.class.header", "en"), unlock_summary)
        assert teacher.get_by_role("button", name=text("lecture.class.open", "en")).count() == 0  # no key, no class
        # the key the launcher printed (kept in the store): typed once in this browser
        key_input = teacher.locator(".st-key-teacher-key input")
        unfold(teacher, text("teacher.unlock.title", "en"), key_input)
        key_input.fill((app_server.store / ".teacher_key").read_text())
        key_input.press("Enter")  # the value reaches the server before the button asks for it
        settle(teacher)
        unlock = teacher.get_by_role("button", name=text("teacher.unlock", "en"))
        unfold(teacher, text("teacher.unlock.title", "en"), unlock)
        unlock.click()
        settle(teacher)  # a loaded machine (another test file compiling numba, building a wheel) can take > 30 s
        teacher.get_by_role("button", name=text("lecture.class.open", "en")).click(timeout=120_000)
        teacher.locator(".st-key-class-code h1").wait_for(timeout=30_000)
        settle(teacher)
        code = teacher.locator(".st-key-class-code h1").inner_text().strip()
        link = teacher.locator("[data-testid='stCode'] code").first.inner_text().strip()
        assert re.fullmatch(r"[A-Z2-9]{5}", code) and f"class={code}" in link and "lang=en" in link
        assert teacher.locator("[data-testid='stImage'] img").count() == 1  # the QR code; samples wait

        students, sent = [], None
        for ctx in student_ctxs:
            s = ctx.new_page()
            sent = sent or BackMessages(s)   # what the first student's page asks of the server
            s.goto(link)
            settle(s)
            wait_counter(s, 3)  # following the teacher: the quiz step, within a poll or two
            students.append(s)
        for s, answer in zip(students, ("generate.quiz.opt2", "generate.quiz.opt2", "generate.quiz.opt1")):
            widget(s, "quiz").get_by_text(text(answer, "en")).click()
            s.get_by_text(text("lecture.quiz.voted", "en")).wait_for(timeout=30_000)
        # the tally's lines arrive one delta at a time (the total first, then each answer's line), so wait for a
        # whole render: 3 votes, two for the second answer and one for the first
        tally = teacher.locator(".st-key-class-tally")
        want = ["3 vote", f"{text('generate.quiz.opt1', 'en')} — 1", f"{text('generate.quiz.opt2', 'en')} — 2"]
        try:
            teacher.wait_for_function("(want) => { const el = document.querySelector('.st-key-class-tally');"
                                      " return !!el && want.every(w => el.innerText.includes(w)); }",
                                      arg=want, timeout=30_000)
        except Exception:
            pytest.fail(f"the teacher's tally never read {want}: {tally.inner_text()!r}")
        assert all(widget(s, "quiz").locator("[data-testid='stImage']").count() == 0 for s in students)

        teacher.get_by_role("button", name=text("lecture.quiz.reveal", "en")).click()
        widget(teacher, "quiz").locator("[data-testid='stImage']").nth(2).wait_for(timeout=30_000)
        for s in students:
            widget(s, "quiz").locator("[data-testid='stImage']").nth(2).wait_for(timeout=30_000)

        # a reload (a new session) is still the teacher's: the browser kept the key's token, the URL the class
        teacher.reload()
        settle(teacher)
        teacher.locator(".st-key-class-code h1").filter(has_text=code).wait_for(state="attached", timeout=30_000)
        before = len(sent.fragments)
        teacher.keyboard.press("ArrowRight")  # the students follow to step 4
        wait_counter(teacher, 4)
        for s in students:
            wait_counter(s, 4)
        # the presenter view's report reran the Lecture's fragment, not the whole app (no sidebar, no navigation:
        # an amphitheatre reruns at every step of the teacher, issue #24)
        follows = sent.fragments[before:]
        assert follows and all(follows), follows
        assert not watch.errors, watch.errors
    finally:
        teacher_ctx.close()
        for ctx in student_ctxs:
            ctx.close()
