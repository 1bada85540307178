"""A user's model's t-SNE map in a real headless Chromium against the real app: while the projection worker fits it,
the page is idle (no script run blocked on the fit), shows the PCA map, a progress bar and a note, and the map
switches to t-SNE by itself (the progress fragment polls), with no page error."""
from __future__ import annotations

import time

import pytest
import torch

from browser_utils import choose_option, wait_idle
from vae.checkpoint import save_model
from vae.config import ModelConfig
from vae.devtools.explorer import evaluate_view, wait_map
from vae.models import build_model

pytestmark = pytest.mark.browser
MAP = "map.explorer"


@pytest.fixture
def page(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 1600})
    yield ctx.new_page()
    ctx.close()


def test_a_user_models_tsne_is_fitted_in_the_background_and_the_map_switches_by_itself(page, app_server):
    torch.manual_seed(0)
    save_model(build_model(ModelConfig(kind="vae", latent_dim=7, hidden=[32])), app_server.store / "tiny-proj-7d")
    time.sleep(3.5)  # the sidebar's model list is cached for 3 s
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{app_server.url}?lang=en")  # the map is the default page
    wait_idle(page)
    choose_option(page, page.locator(".st-key-sel_latent"), "7", exact=True)
    wait_idle(page)
    page.wait_for_function(f"() => (window.__vaeExplorer.views['{MAP}'].main || {{}}).d === 7", timeout=60_000)
    wait_map(page)

    page.locator(".st-key-map_projection").get_by_text("t-SNE", exact=True).click()
    bar = page.get_by_test_id("stProgress")
    bar.wait_for(timeout=60_000)
    assert "Computing the t-SNE map of this model" in bar.inner_text() or "waiting for" in bar.inner_text()
    note = page.get_by_text("t-SNE is being computed on the server")
    assert note.is_visible() and "shows PCA meanwhile" in note.inner_text()
    # the page is usable meanwhile: its script run has ended, the map is PCA's
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=30_000)
    wait_map(page)
    assert bar.is_visible(), "the fit ended before the page could be checked while it ran"
    assert evaluate_view(page, MAP, "v.data.main.method") == "pca"
    assert "principal component 1" in evaluate_view(page, MAP, "v.data.main.axis[0]")

    # nobody touches the page: the progress fragment polls and the map switches to t-SNE once it is fitted
    page.wait_for_function(f"() => {{ const v = window.__vaeExplorer.views['{MAP}'];"  # remounted by the rerun
                           f" return !!v && !!v.data && v.data.main.method === 'tsne'; }}", timeout=180_000)
    wait_map(page)
    assert evaluate_view(page, MAP, "v.data.main.axis") == ["t-SNE 1", "t-SNE 2"]
    assert bar.count() == 0 and note.count() == 0
    assert not page.get_by_test_id("stException").count() and not errors, errors
