"""vae/ui/cache_assets.py: the explorer's derived files are served from the cache folder, and only they."""
from __future__ import annotations

import asyncio
import os

import pytest

from vae.ui.cache_assets import CacheAssets, cache_file

BASE = "/_stcore/bidi-components/vae.explorer"


class Streamlit:
    """Stands for Streamlit's app: records what reaches it."""

    def __init__(self):
        self.paths = []

    async def __call__(self, scope, receive, send):
        self.paths.append(scope["path"])
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b"streamlit"})


def get(app, path, method="GET"):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    asyncio.run(app({"type": "http", "method": method, "path": path, "headers": []}, receive, send))
    return sent[0]["status"], dict(sent[0]["headers"]), b"".join(m.get("body", b"") for m in sent[1:])


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_CACHE_DIR", str(tmp_path))
    (tmp_path / "explorer" / "data").mkdir(parents=True)
    (tmp_path / "explorer" / "vendor").mkdir(parents=True)
    return tmp_path / "explorer"


def test_bundles_and_plotly_come_from_the_cache_folder(cache):
    (cache / "data" / "0123abcd.bin").write_bytes(b"bundle")
    (cache / "vendor" / "plotly-4.1.1.min.js").write_bytes(b"plotly")
    inner = Streamlit()
    app = CacheAssets(inner)
    status, headers, body = get(app, f"{BASE}/data/0123abcd.bin")
    assert (status, body) == (200, b"bundle")
    assert headers[b"cache-control"] == b"public, max-age=31536000, immutable"
    assert get(app, f"/course{BASE}/vendor/plotly-4.1.1.min.js")[::2] == (200, b"plotly")  # behind a base URL
    assert get(app, f"{BASE}/data/0123abcd.bin", method="HEAD")[::2] == (200, b"")
    assert inner.paths == []


def test_missing_or_unsafe_names_are_404_and_other_paths_reach_streamlit(cache, tmp_path):
    secret = tmp_path / "secret.bin"
    secret.write_bytes(b"secret")
    os.symlink(secret, cache / "data" / "feedbeef.bin")
    os.mkfifo(cache / "data" / "00000000.bin")
    inner = Streamlit()
    app = CacheAssets(inner)
    assert get(app, f"{BASE}/data/abcdef12.bin")[0] == 404           # absent
    assert get(app, f"{BASE}/data/feedbeef.bin")[0] == 404           # a link out of the cache is not followed
    assert get(app, f"{BASE}/data/00000000.bin")[0] == 404           # a FIFO is refused, never waited on
    for path in (f"{BASE}/data/..%2fsecret.bin", f"{BASE}/data/../explorer.js", f"{BASE}/data/x.bin",
                 f"{BASE}/vendor/evil.js", f"{BASE}/explorer.js", "/_stcore/health", f"{BASE}/data/a/b.bin"):
        assert cache_file(path) is None, path
        assert get(app, path)[0] == 299, path                         # Streamlit answers (or refuses) those
    assert len(inner.paths) == 7
