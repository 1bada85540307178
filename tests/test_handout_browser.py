"""The offline lecture file in a real headless Chromium (#25 item 3): downloaded from the Lecture page of the real
app, then, the server stopped, opened from ``file://`` with the network off and every request refused and
counted. → steps through the nine steps in order (the counter and the shown section follow; → on the last step
stays, ← goes back); the AE's map is drawn on the first step; on step 4 a stroke on the drawing pad is encoded by
the three models as PyTorch encodes it; on step 5 hovering the VAE's map decodes, in the page, the code under the
cursor as PyTorch does (to 1/255), a click on a dot inspects that test image (its pixels from the file) across
the linked maps, and the VAE's walk decodes a slider's code as PyTorch does. No request is made and no error is logged. The file is the French one (the Lecture's default)."""
from __future__ import annotations

import numpy as np
import pytest

from conftest import require_shipped
from vae.devtools.browser import require_browser
from vae.devtools.explorer import data_position, dot_position, evaluate_view, wait_map, wait_view
from vae.devtools.handout import hover_gray, open_offline, shown_slug, wait_step
from vae.handout.data import LECTURE_MODELS
from vae.ui.i18n import speaking, t
from vae.ui.lecture.steps import SLUGS

pytestmark = pytest.mark.browser
TOL = 1.0 / 255 + 1e-6


@pytest.fixture(scope="module")
def browser():
    require_shipped(*LECTURE_MODELS.values())
    require_browser()
    from vae.devtools.browser import headless_chromium

    with headless_chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def lecture_file(browser, tmp_path_factory):
    """The file a user downloads from the Lecture page (French, its default): « Télécharger ce cours » clicked in the
    real app, saved; the server is stopped before the file is opened."""
    from vae.devtools.browser import serving, wait_idle

    out = tmp_path_factory.mktemp("handout") / "cours.html"
    with serving(tmp_path_factory.mktemp("store")) as server:
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.goto(f"{server.url}lecture")
        wait_idle(page)
        with speaking("fr"):
            label = t("handout.button")
        with page.expect_download(timeout=240_000) as download:
            page.locator(".st-key-lecture-handout-fr button").filter(has_text=label).first.click()
        assert download.value.suggested_filename.endswith("_fr.html")
        download.value.save_as(out)
        context.close()
    return out


def _counter(page) -> str:
    return page.get_by_test_id("vx-h-counter").inner_text()


def _draw_and_check(page) -> None:
    """A stroke on the drawing pad (a "1"): the three models encode the pad's 28×28 input in the page as PyTorch
    does (1e-4), and each column shows its reconstruction."""
    import torch

    from vae.checkpoint import PRETRAINED_DIR, load_model

    wait_view(page, "handout.draw")
    box = page.locator("[data-view-key='handout.draw'] [data-testid='vx-draw-pad']").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.2)
    page.mouse.down()
    for k in range(1, 13):
        page.mouse.move(box["x"] + box["width"] * (0.5 - 0.01 * k), box["y"] + box["height"] * (0.2 + 0.05 * k), steps=2)
    page.mouse.up()
    x = np.asarray(evaluate_view(page, "handout.draw", "Array.from(v.x)"), np.float32)
    assert 0.02 < x.mean() < 0.3
    codes = evaluate_view(page, "handout.draw", "v.codes")
    for col, kind in enumerate(LECTURE_MODELS):
        model = load_model(PRETRAINED_DIR / LECTURE_MODELS[kind])
        with torch.inference_mode():
            mu, _ = model.encode(torch.as_tensor(x)[None])
        assert np.abs(np.asarray(codes[col]["mu"]) - mu.numpy()[0]).max() <= 1e-4, kind


def _click_and_check(page, index: int = 7) -> None:
    """A click on test image ``index``'s dot inspects it: the inspector shows that image (from the file's image
    sprite) and the linked AE | VAE | β-VAE columns show their reconstructions of it."""
    from vae.data import load_dataset
    from vae.explorer_data import flat_uint8, shown_indices

    page.mouse.click(*dot_position(page, index, key="handout.kl"))
    assert evaluate_view(page, "handout.kl", "v.inspected") == index
    gray = evaluate_view(page, "handout.kl", """(() => { const c = v.origCanvas;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return Array.from({length: d.length / 4}, (_, i) => d[4 * i]); })()""")
    mnist = load_dataset("mnist")
    np.testing.assert_array_equal(np.asarray(gray), flat_uint8(mnist.x_test.numpy()[shown_indices(mnist)])[index])
    page.mouse.move(5, 5)  # off the maps: the trio follows the inspected image
    infos = [page.locator(f"[data-view-key='handout.kl'] [data-testid='vx-trio-info-{k}']").inner_text() for k in range(3)]
    assert all(str(index) in info for info in infos), infos


def _walk_and_check(page, model) -> None:
    """The VAE's walk (step 5): moving a slider decodes the new code in the page as PyTorch does (1/255)."""
    from vae import latent

    wait_view(page, "handout.walk")
    z = evaluate_view(page, "handout.walk", """(() => { const s = v.sliders[v.order[0]]; s.value = 1.75;
        s.dispatchEvent(new Event('input', {bubbles: true})); return v.z.slice(); })()""")
    assert z[evaluate_view(page, "handout.walk", "v.order[0]")] == pytest.approx(1.75)
    gray = evaluate_view(page, "handout.walk", """(() => { const c = v.outCanvas;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        return Array.from({length: d.length / 4}, (_, i) => d[4 * i]); })()""")
    expected = latent.decode(model, np.asarray([z], np.float32)).reshape(-1)
    assert np.abs(np.asarray(gray) / 255 - expected).max() <= TOL


def test_offline_file_steps_with_the_keys_and_decodes_like_pytorch_without_any_request(lecture_file, browser):
    from vae import latent
    from vae.checkpoint import PRETRAINED_DIR, load_model

    context, page, requests, errors = open_offline(browser, lecture_file)
    try:
        wait_step(page, 0)
        wait_map(page, "handout.ae")
        assert shown_slug(page) == SLUGS[0]
        with speaking("fr"):
            counter = t("lecture.counter", k="{k}", n=len(SLUGS))
        assert _counter(page) == counter.format(k=1)
        kl = SLUGS.index("kl")
        for i in range(1, len(SLUGS)):
            page.keyboard.press("ArrowRight")
            wait_step(page, i)
            assert shown_slug(page) == SLUGS[i] and _counter(page) == counter.format(k=i + 1)
            if i == SLUGS.index("posterior"):
                _draw_and_check(page)
            if i == kl:
                wait_map(page, "handout.kl")
                model = load_model(PRETRAINED_DIR / LECTURE_MODELS["vae"])
                for x, y in [(0.3, -0.8), (-1.7, 1.1), (1.2, 1.9)]:
                    page.mouse.move(*data_position(page, x, y, key="handout.kl"))
                    xy = evaluate_view(page, "handout.kl", "v.cursor.xy")
                    assert xy == pytest.approx([x, y], abs=0.05)
                    expected = latent.decode(model, np.asarray([xy], np.float32)).reshape(-1)
                    assert np.abs(hover_gray(page, "handout.kl") / 255 - expected).max() <= TOL
                _click_and_check(page)
                _walk_and_check(page, model)
        page.keyboard.press("ArrowRight")  # the last step stays
        page.wait_for_timeout(200)
        assert shown_slug(page) == SLUGS[-1]
        page.keyboard.press("ArrowLeft")
        wait_step(page, len(SLUGS) - 2)
        assert page.evaluate("location.hash") == "#" + SLUGS[-2]
        assert page.evaluate("window.__vxHandout.errors") == []
    finally:
        context.close()
    assert requests.others == [] and requests.refused == [], (requests.others, requests.refused)
    assert errors == [], errors
