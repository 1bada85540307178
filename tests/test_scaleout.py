"""Scale-out: two Streamlit replicas behind nginx (deploy/nginx.conf, deploy/replicas.py) on loopback.

Skipped locally when nginx is missing; under CI=true a missing nginx is a failure.
"""
from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.request

import pytest

from bench.ws_client import StreamlitSession, first_get
from deploy.replicas import Replicas, nginx_binary

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    if nginx_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed: the scale-out test cannot run in CI (apt-get install -y nginx)")
        pytest.skip("nginx is not installed (apt-get install -y nginx)")
    store = tmp_path_factory.mktemp("shared-store")
    r = Replicas(2, store=store, prefix=tmp_path_factory.mktemp("nginx"))
    r.start()
    yield r
    r.stop()


def _get(url: str, cookie: str = "") -> tuple[bytes, dict]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read(), {k.lower(): v for k, v in resp.headers.items()}


def test_health_through_nginx(replicas):
    body, headers = _get(replicas.url + "_stcore/health")
    assert body == b"ok"
    assert headers["x-upstream"] in {u.removeprefix("http://").rstrip("/") for u in replicas.replica_urls}


def test_sticky_cookie_spreads_and_sticks(replicas):
    """nginx sets a stickyid cookie on the first request; the same cookie always reaches the same
    replica, and different browsers are spread over both replicas."""
    seen = set()
    for _ in range(12):
        cookie, headers = first_get(replicas.url)
        assert cookie.startswith("stickyid="), headers
        first = headers["x-upstream"]
        seen.add(first)
        for path in ("_stcore/health", "", "_stcore/host-config"):
            assert _get(replicas.url + path, cookie)[1]["x-upstream"] == first
        # a request carrying the cookie is not given a new one
        assert "set-cookie" not in _get(replicas.url + "_stcore/health", cookie)[1] or \
            "stickyid" not in _get(replicas.url + "_stcore/health", cookie)[1].get("set-cookie", "")
    assert len(seen) == 2, f"12 browsers all went to {seen}"


def test_websocket_session_through_nginx(replicas):
    """A full script run of the latent map through nginx's websocket proxying, then a click on a dot (the
    explorer component reports the inspected index: one fragment rerun)."""
    async def go():
        cookie, _ = first_get(replicas.url)
        async with StreamlitSession(replicas.url, "", cookie=cookie, timeout=90) as s:
            first = await s.run()
            assert first.ok, (first.status, first.exceptions)
            assert s.session_id
            click = await s.set("map.explorer", {"inspected": 7})
            assert click.ok, (click.status, click.exceptions)
    asyncio.run(go())


def test_shared_model_store(replicas):
    """Both replicas read one model store: a model saved there (with the same atomic save_model a
    Train-page job uses on either replica) appears in the sidebar of each replica."""
    import torch

    from vae.checkpoint import save_model
    from vae.config import ModelConfig, TrainConfig
    from vae.models import build_model

    async def vae_options(url: str) -> list[str]:
        cookie, _ = first_get(url)
        async with StreamlitSession(url, "", cookie=cookie, timeout=90) as s:
            r = await s.run()
            assert r.ok, (r.status, r.exceptions)
            return list(s.elements[s.widget("sel_vae_mnist_2").id].options)

    assert not any("scaleout-shared" in o for o in asyncio.run(vae_options(replicas.replica_urls[0])))
    cfg = ModelConfig(kind="vae", latent_dim=2, image_shape=(28, 28), hidden=[8], dataset="mnist").validate()
    torch.manual_seed(0)
    save_model(build_model(cfg), replicas.store / "scaleout-shared",
               metrics={"recon": 1.0, "kl": 1.0, "loss": 2.0, "mse": 0.1}, train_cfg=TrainConfig(epochs=1).validate())
    time.sleep(3.5)  # the app's model list is cached for 3 s
    for url in replicas.replica_urls:
        options = asyncio.run(vae_options(url))
        assert any("scaleout-shared" in o for o in options), (url, options)


def test_short_load_through_nginx(replicas):
    """6 sessions × 10 s through nginx, no training phase: every click answered, no error."""
    import bench.load as load

    class Args:
        sessions, seconds, think, timeout, epochs, no_training = 6, 10.0, 0.5, 60.0, 10, True

    t0 = time.time()
    out = asyncio.run(load.run(Args, replicas.url, replicas.pids))
    assert time.time() - t0 < 90
    assert out["errors"] == 0, json.dumps(out)
    assert out["clicks"] >= 12
    assert len(out["sessions_per_upstream"]) == 2, out["sessions_per_upstream"]
    assert out["rss_mb"] > 0
