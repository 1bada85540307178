"""The film view's data (vae/ui/explorer/film_view.py) and the Compare page's film section (AppTest, no browser):
the shipped trio's films are sent as bundles whose frames are the stored ones, with fixed axes and the prior;
a model without a film or with a broken one gets a message and the page still works; a live training's
snapshot events become a film. The browser side is tested in tests/test_film_browser.py."""
from __future__ import annotations

import shutil

import numpy as np
import pytest

from apptest_utils import explorer_data, open_page
from conftest import small_dataset, tiny_config
from vae.devtools.ci import missing_prerequisite
from vae.browser_bundle import unpack
from vae.checkpoint import PRETRAINED_DIR, list_models
from vae.config import TrainConfig
from vae.film import FILM, FilmRecorder, film_from_snapshots, read_film
from vae.models import build_model
from vae.train import fit
from vae.ui.explorer.assets_store import file_of
from vae.ui.explorer.film_view import film_entry, fixed_range, live_data, prior_center

TRIO = ("mnist-ae-2d", "mnist-vae-2d", "mnist-betavae4-2d")


def require_films(*names: str) -> None:
    """Skip when a shipped film is missing, locally only: under CI a missing film FAILS (as require_shipped)."""
    missing = [n for n in names if not (PRETRAINED_DIR / n / FILM).is_file()]
    if missing:
        reason = f"shipped film(s) missing: {', '.join(missing)} (run scripts/train_pretrained.sh)"
        missing_prerequisite(reason, reason + ": the film tests cannot be skipped in CI")


def _bundle(ref):
    return unpack(file_of(ref["url"]).read_bytes())


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    from vae.ui.cache import store_listing

    store_listing.clear()
    return tmp_path


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_compare_sends_the_trio_films(store, lang):
    require_films(*TRIO)
    at = open_page("compare", lang)
    assert not at.exception
    data = explorer_data(at, "film")
    assert [f["kind"] for f in data["films"]] == ["ae", "vae", "beta-vae"]
    for entry, name in zip(data["films"], TRIO):
        film = read_film(PRETRAINED_DIR / name)
        meta, arrays = _bundle(entry["film"])
        assert meta["kind"] == "film" and meta["n_frames"] == film.n_frames and meta["projection"] == "native"
        np.testing.assert_array_equal(arrays["coords"], film.coords)
        np.testing.assert_array_equal(arrays["samples"], film.samples)
        np.testing.assert_array_equal(arrays["epoch"], film.epoch.astype(np.float32))
        assert entry["prior"] == [0.0, 0.0] and entry["range"] == fixed_range(film, [0.0, 0.0])
        assert ("kl" in arrays) == (name != "mnist-ae-2d")
    headers = [h.value for h in at.header]
    assert ("Watch the latent space form" if lang == "en" else "Regardez l'espace latent se former") in headers
    assert data["text"]["film_play"] == ("▶ Play" if lang == "en" else "▶ Lecture")


def _events(data, d=2, epochs=2):
    film = FilmRecorder(data.x_test, data.y_test, n_points=60)
    fit(build_model(tiny_config(latent_dim=d)), data, TrainConfig(epochs=epochs, batch_size=64, seed=0, device="cpu"),
        film=film)
    return film.events


def test_fixed_range_holds_every_frame_and_the_prior(digits):
    film = film_from_snapshots(_events(small_dataset(digits, 256, 128)))
    r = fixed_range(film, [0.0, 0.0])
    x, y = film.coords[..., 0], film.coords[..., 1]
    inside = (x >= r["x"][0]) & (x <= r["x"][1]) & (y >= r["y"][0]) & (y <= r["y"][1])
    assert inside.mean(axis=1).min() >= 0.99, "at most ~1% of a frame's codes are drawn on the edge"
    assert r["x"][0] <= -3.2 and r["x"][1] >= 3.2 and r["y"][0] <= -3.2 and r["y"][1] >= 3.2
    far = film_from_snapshots(_events(small_dataset(digits, 256, 128)))
    far.coords = far.coords * 50
    assert fixed_range(far, None)["x"][1] > 3 * r["x"][1], "the range follows the codes, not a fixed box"


def test_prior_center_of_a_pca_film_is_the_projected_origin(digits):
    film = film_from_snapshots(_events(small_dataset(digits, 256, 128), d=5))
    assert film.projection == "pca"
    c = np.asarray(prior_center(film))
    np.testing.assert_allclose(c, (np.zeros(5) - film.mean) @ film.components.T, atol=1e-6)
    assert np.linalg.norm(c) > 0


def test_live_data_follows_the_snapshots(digits):
    assert live_data([]) is None and live_data(None) is None
    events = _events(small_dataset(digits, 256, 128), d=3)
    first = live_data(events[:3], title="VAE", dataset="digits")
    later = live_data(events, title="VAE")
    assert first["live"] and first["films"][0]["title"] == "VAE" and first["films"][0]["label_names"][3] == "3"
    m1, a1 = _bundle(first["films"][0]["film"])
    m2, a2 = _bundle(later["films"][0]["film"])
    assert m1["n_frames"] == 3 and m2["n_frames"] == len(events)
    # one basis for all frames shown: the latest snapshot's principal plane, turned in that plane (align_basis)
    shown, plane = a2["coords"].reshape(len(events), -1, 2).astype(np.float64), film_from_snapshots(events).coords
    q, *_ = np.linalg.lstsq(plane.reshape(-1, 2), shown.reshape(-1, 2), rcond=None)
    np.testing.assert_allclose(q.T @ q, np.eye(2), atol=1e-4)
    np.testing.assert_allclose(plane @ q, shown, atol=1e-3)
    assert first["films"][0]["points"] == len(events[-1]["mu"]) < 1000  # the captions count these, not a fixed 1,000
    assert first["films"][0]["note"] and first["films"][0]["film"]["hash"] != later["films"][0]["film"]["hash"]


def test_missing_and_broken_films_get_a_message(store):
    require_films("mnist-vae-2d")
    for name, content in (("no-film", None), ("bad-film", b"not a film")):
        shutil.copytree(PRETRAINED_DIR / "mnist-vae-2d", store / name, ignore=shutil.ignore_patterns("projections"))
        if content is None:
            (store / name / FILM).unlink()
        else:
            (store / name / FILM).write_bytes(content)
    infos = {m.id: m for m in list_models(store=store)}
    missing = film_entry("vae", infos["user/no-film"])
    broken = film_entry("vae", infos["user/bad-film"])
    assert "film" not in missing and "no training film" in missing["missing"]
    assert "film" not in broken and "cannot be read" in broken["missing"] and FILM in broken["missing"]
    assert "The model itself works" in broken["missing"]
    assert "film" in film_entry("vae", infos["pretrained/mnist-vae-2d"])
    assert "missing" in film_entry("vae", None)


def test_a_live_pca_map_does_not_flip_or_spin_between_snapshots(digits):
    """Latent 3: each new snapshot's principal plane is turned to match the previous one (align_basis), so the
    frames already shown keep their place when the next snapshot arrives."""
    events = _events(small_dataset(digits, 256, 128), d=3)
    n = len(events)
    assert n >= 4
    shown = [live_data(events[:k], title="VAE")["films"][0] for k in range(2, n + 1)]
    coords = [_bundle(e["film"])[1]["coords"].reshape(k, -1, 2) for k, e in zip(range(2, n + 1), shown)]
    for before, after in zip(coords, coords[1:]):
        # the frames already shown move far less than their own spread (no swap, flip or turn of the axes)
        drift = np.abs(after[: len(before)] - before).mean()
        assert drift < 0.25 * before.std(), (drift, before.std())
    # without the alignment a flipped basis would be allowed: an axis sign change moves every point
    film = film_from_snapshots(events)
    flipped = film.components * np.array([[-1.0], [1.0]], np.float32)
    from vae.ui.explorer.film_view import align_basis
    turned = align_basis(film, flipped)
    np.testing.assert_allclose(turned.components, flipped, atol=1e-5)
    np.testing.assert_allclose(turned.coords[..., 0], -film.coords[..., 0], atol=1e-4)
    assert abs(sum(turned.explained) - sum(film.explained)) < 1e-6
