"""The Train page with the worker pool in a real server and Chromium: a training runs while another session
waits in the queue (position, estimated start, Cancel); an operator stops the running one from another process;
a training whose tab was closed finishes and saves (the behaviour chosen for a class); a running training shows its
latent map forming, gaining frames as snapshots arrive, without a full-page rerun."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from browser_utils import ARTIFACTS, choose_option, wait_idle
from conftest import ROOT
from vae.devtools.browser import headless_chromium, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = ARTIFACTS / "jobs"
BUNDLE = re.compile(r".*/data/[0-9a-f]+\.bin")  # the explorer's content-named data bundles
LONG = 10_000  # epochs of Digits (the most a config allows): minutes of training, running whenever the test looks


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # one worker: a second training queues; budgets large enough that the long trainings below are still running
    # when the test stops them, however fast the machine (they never end by themselves within the test)
    with serving(tmp_path_factory.mktemp("store"), VAE_TRAIN_WORKERS="1", VAE_TRAIN_MAX_IMAGE_EPOCHS=str(10 ** 9),
                 VAE_TRAIN_MAX_SECONDS="1800") as srv:
        yield srv


@pytest.fixture(scope="module")
def browser(server):
    with headless_chromium() as b:
        yield b


def key(k: str) -> str:
    return ".st-key-" + re.sub(r"[^A-Za-z0-9_-]", "-", k)


def submit(page, url: str, lang: str, name: str, epochs: int) -> None:
    page.goto(f"{url}training?lang={lang}")
    wait_idle(page)
    choose_option(page, page.locator(key('train.dataset')), re.compile("Digits"))
    for k, v in (("train.epochs", str(epochs)), ("train.hidden", "32"), ("train.name", name)):
        field = page.locator(f"{key(k)} input")
        field.fill(v)
        field.press("Tab")
    page.locator(f"{key('train.submit')} button").click()


def records(store) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "vae", "jobs", "list", "--all", "--json", "--store", str(store)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_queue_cancel_operator_stop_and_a_closed_tab(server, browser):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1100})
    running, waiting = ctx.new_page(), ctx.new_page()
    submit(running, server.url, "en", "long-run", epochs=LONG)
    running.wait_for_selector("[data-testid='stProgress']:has-text('long-run: epoch')", timeout=120_000)
    shot(running, "running_en")

    submit(waiting, server.url, "fr", "patient", epochs=2)  # another session, while the only worker is busy
    info = waiting.wait_for_selector("[data-testid='stAlertContentInfo']:has-text('position 1')", timeout=60_000)
    assert "patient" in info.inner_text() and "Démarrage estimé" in info.inner_text()
    assert waiting.locator(f"{key('train.cancel')} button").is_visible()
    shot(waiting, "queued_fr")
    # the running student's page follows the class's queue (the pool's line is inside the polling fragment)
    running.wait_for_selector("[data-testid='stCaptionContainer']:has-text('1 running, 1 waiting')", timeout=60_000)
    waiting.locator(f"{key('train.cancel')} button").click()
    waiting.wait_for_selector("[data-testid='stAlertContentWarning']:has-text('annulé avant son démarrage')",
                              timeout=30_000)

    long_run = next(r for r in records(server.store) if r["name"] == "long-run")  # another process sees it
    assert long_run["status"] == "running" and long_run["worker_pid"]
    out = subprocess.run([sys.executable, "-m", "vae", "jobs", "stop", long_run["id"], "--store", str(server.store)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and "stopped" in out.stdout, out
    running.wait_for_selector("[data-testid='stAlertContentWarning']:has-text('Nothing was saved')", timeout=30_000)

    closing = ctx.new_page()  # a student starts a training and closes the tab at once
    submit(closing, server.url, "en", "closed-tab", epochs=3)
    closing.wait_for_selector("[data-testid='stAlertContentInfo'], [data-testid='stProgress']", timeout=60_000)
    closing.close()
    deadline = time.time() + 180
    while True:
        record = next((r for r in records(server.store) if r["name"] == "closed-tab"), None)
        if record and record["status"] not in ("queued", "running"):
            break
        assert time.time() < deadline, record
        time.sleep(1)
    assert record["status"] == "done", record  # finished and saved: the model is in the list later
    assert (server.store / "closed-tab" / "model.safetensors").is_file()
    assert not (server.store / "long-run").exists() and not (server.store / "patient").exists()
    ctx.close()


def test_a_running_training_shows_its_map_forming(server, browser):
    from vae.devtools.explorer import evaluate_view, wait_view

    ctx = browser.new_context(viewport={"width": 1400, "height": 1600})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # bundles arrive slowly, as on a loaded machine: the next snapshots reach the view while it is still loading
    # the first ones (two overlapping builds once drew two scrubbers side by side; CI saw it)
    page.route(BUNDLE, lambda route: (time.sleep(1.5), route.continue_()))
    submit(page, server.url, "en", "live-map", epochs=LONG)
    page.wait_for_selector("[data-testid='stProgress']:has-text('live-map: epoch')", timeout=120_000)
    wait_view(page, "train.film")
    page.evaluate("() => { window.__vaeMarker = 1; }")  # survives fragment reruns, not a page reload
    # each new snapshot swaps the view's bundle: between two reads the view may be mid-refresh (no frames yet)
    frames = lambda: evaluate_view(page, "train.film", "v && v.times && v.panels && v.panels[0] ? v.times.length : -1")  # noqa: E731
    first = frames()
    deadline = time.time() + 60
    while first < 1:
        assert time.time() < deadline, "the live map never showed a frame"
        time.sleep(0.25)
        first = frames()
    deadline = time.time() + 120
    while frames() <= first:
        assert time.time() < deadline, f"no new snapshot reached the map ({first} frames)"
        time.sleep(0.5)
    view = None
    while view is None:  # a read between two refreshes (a snapshot may land at any time)
        assert time.time() < deadline, "the live map never settled"
        view = evaluate_view(page, "train.film", """(v && v.times && v.panels && v.panels[0] && v.panels[0].clip) ?
            ({live: v.data.live, index: v.index, n: v.times.length,
              label: v.root.querySelector("[data-testid='vx-film-label']").textContent,
              frames: v.panels[0].clip.F, points: v.panels[0].clip.N}) : null""")
        if view is None or view["frames"] != view["n"]:
            view = None
            time.sleep(0.25)
    later = view["n"]
    assert view["live"] and view["n"] == later > first >= 1
    assert view["index"] == view["n"] - 1, "a live map follows the latest snapshot"
    assert view["label"] and view["frames"] == later and view["points"] > 0, view
    assert page.evaluate("() => window.__vaeMarker") == 1, "the map grew inside the job panel's fragment"
    # one live map, no stale copy beside it: never two scrubbers (a snapshot landing now may leave none for a moment,
    # while the view swaps its bundle; CI once read 0 here)
    labels, until = [], time.time() + 3
    while time.time() < until or 1 not in labels:
        labels.append(page.locator("[data-testid='vx-film-label']").count())
        assert max(labels) <= 1 and time.time() < deadline, f"one live map, no stale copy beside it: {labels}"
        time.sleep(0.25)
    caption = page.get_by_text(re.compile(r"^The codes μ of [\d,]+ test images")).first.inner_text()
    assert caption.startswith(f"The codes μ of {view['points']:,} test images"), caption  # Digits: not "1,000"
    shot(page, "live_map_en")
    # stopped as an operator would (the Stop button is tested above): the page says so
    live = next(r for r in records(server.store) if r["name"] == "live-map")
    out = subprocess.run([sys.executable, "-m", "vae", "jobs", "stop", live["id"], "--store", str(server.store)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out
    page.wait_for_selector("[data-testid='stAlertContentWarning']:has-text('Nothing was saved')", timeout=60_000)
    assert not errors, errors
    ctx.close()
