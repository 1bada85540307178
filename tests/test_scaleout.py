"""Scale-out: two Streamlit replicas behind nginx (deploy/nginx.conf, deploy/replicas.py) on loopback.

Skipped locally when nginx is missing; under CI=true a missing nginx is a failure.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import re
import time
import urllib.request

import pytest

from bench.load import ASSETS, HTML_REFS, component_urls
from bench.ws_client import StreamlitSession, first_get
from deploy.replicas import Replicas, nginx_binary
from vae.devtools.ci import missing_prerequisite

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def replicas(tmp_path_factory):
    if nginx_binary() is None:
        missing_prerequisite("nginx is not installed (apt-get install -y nginx)",
                             "nginx is not installed: the scale-out test cannot run in CI (apt-get install -y nginx)")
    store = tmp_path_factory.mktemp("shared-store")
    r = Replicas(2, store=store, prefix=tmp_path_factory.mktemp("nginx"))
    r.start()
    yield r
    r.stop()


def _get(url: str, cookie: str = "") -> tuple[bytes, dict]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.read(), {k.lower(): v for k, v in resp.headers.items()}


def _get_encoded(url: str, cookie: str, encoding: str) -> tuple[bytes, dict]:
    """GET with ``Accept-Encoding: encoding``; the body decoded, and the headers."""
    headers = {"Accept-Encoding": encoding, **({"Cookie": cookie} if cookie else {})}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as resp:
        body, h = resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    return (gzip.decompress(body) if h.get("content-encoding") == "gzip" else body), h


def test_component_assets_and_weights_through_nginx(replicas):
    """What a browser fetches for the map, through nginx, byte for byte what the replica serves directly: the
    explorer component's modules and CSS (st.components.v2 asset URLs), plotly.js, every bundle of the models
    (weights, test set, projection) and Streamlit's own build; gzip and identity both. Content-hashed files
    (bundles, plotly.js, /static/) come from nginx's cache the second time and may be kept for a year; the
    component's plainly named modules are never marked immutable."""
    async def map_component():
        cookie, headers = first_get(replicas.url)
        async with StreamlitSession(replicas.url, "", cookie=cookie, timeout=90) as s:
            r = await s.run()
            assert r.ok, (r.status, r.exceptions)
            return cookie, headers["x-upstream"], s.components["map.explorer"]

    cookie, upstream, data = asyncio.run(map_component())
    bundles = component_urls(data) + [data["main"]["encoder"]["url"]]
    assert sum(u.startswith("data/") for u in bundles) >= 8 and any(u.startswith("vendor/plotly-") for u in bundles)
    html = _get(replicas.url, cookie)[0].decode()
    static = [r for r in HTML_REFS.findall(html) if r.startswith("static/js/index.")][:1]
    assert static, "no Streamlit bundle named in the page"
    urls = [ASSETS + m for m in ("explorer.js", "core.js", "model.js", "geometry.js", "map_panel.js",
                                 "view_map.js", "view_walk.js", "explorer.css")]
    urls += [ASSETS + u for u in bundles] + static
    direct = f"http://{upstream}/"
    total = 0
    for rel in urls:
        hashed = rel.startswith(("static/", ASSETS + "data/", ASSETS + "vendor/"))
        for encoding in ("gzip", "identity"):
            via, h = _get_encoded(replicas.url + rel, cookie, encoding)
            ref, _ = _get_encoded(direct + rel, "", encoding)
            assert via == ref and len(via) > 0, (rel, encoding, len(via), len(ref))
            # the session's replica answers (bundles exist where they were published), unless nginx's cache does
            assert h.get("x-cache") == "HIT" or h["x-upstream"] == upstream, (rel, h)
            assert (h.get("content-encoding") == "gzip") == (encoding == "gzip"), (rel, encoding, h)
            assert ("immutable" in h.get("cache-control", "")) == hashed, (rel, h.get("cache-control"))
            if hashed:
                again, h2 = _get_encoded(replicas.url + rel, cookie, encoding)
                assert again == ref and h2.get("x-cache") == "HIT", (rel, encoding, h2.get("x-cache"))
            total += len(via)
    plotly = next(u for u in bundles if u.startswith("vendor/"))
    assert len(_get_encoded(replicas.url + ASSETS + plotly, cookie, "identity")[0]) > 1_000_000
    assert total > 5_000_000


def test_health_through_nginx(replicas):
    body, headers = _get(replicas.url + "_stcore/health")
    assert body == b"ok"
    assert headers["x-upstream"] in {u.removeprefix("http://").rstrip("/") for u in replicas.replica_urls}


def test_sticky_cookie_spreads_and_sticks(replicas):
    """nginx sets a stickyid cookie on the first request; the same cookie always reaches the same
    replica, and different browsers are spread over both replicas."""
    seen = set()
    for _ in range(24):  # all 24 on one replica: 1 run in 8 million
        cookie, headers = first_get(replicas.url)
        assert cookie.startswith("stickyid="), headers
        first = headers["x-upstream"]
        seen.add(first)
        for path in ("_stcore/health", "", "_stcore/host-config"):
            assert _get(replicas.url + path, cookie)[1]["x-upstream"] == first
        # a request carrying the cookie is not given a new one
        assert "set-cookie" not in _get(replicas.url + "_stcore/health", cookie)[1] or \
            "stickyid" not in _get(replicas.url + "_stcore/health", cookie)[1].get("set-cookie", "")
    assert len(seen) == 2, f"24 browsers all went to {seen}"


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
    """6 students × 10 s through nginx (bench/load.py without tabs or training): cold opens with every asset,
    page switches, sidebar changes, map and walk actions all answered, no error, both replicas used."""
    import bench.load as load

    class Args:
        sessions, seconds, think, timeout, epochs, no_training, tabs, replicas, idle_seconds = 6, 10.0, 0.7, 60.0, 10, True, 0, 2, 1.0

    t0 = time.time()
    out = asyncio.run(load.run(Args, replicas.url, replicas.pids, replicas.store))
    assert time.time() - t0 < 90
    assert out["errors"] == 0, json.dumps(out)
    assert out["actions"] >= 12
    # every student was answered by one of the two replicas (that fresh browsers spread over both is
    # test_sticky_cookie_spreads_and_sticks's job: with 6 random cookies, one replica takes all 6 in 1 run of 32)
    per_upstream = out["sessions_per_upstream"]
    assert sum(per_upstream.values()) == Args.sessions, per_upstream
    assert set(per_upstream) <= {u.removeprefix("http://").rstrip("/") for u in replicas.replica_urls}, per_upstream
    assert out["rss_mb"] > 0
