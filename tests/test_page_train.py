"""Train page (AppTest): the form, a short training run saved to the user store, validation errors."""
import time

import pytest

from apptest_utils import open_page, output
from vae.ui.cache import available_models

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    available_models.clear()  # the model list is cached for 3 s across sessions
    return tmp_path


def fill(at, **values):
    for key, value in values.items():
        widget = {"name": at.text_input, "hidden": at.text_input, "dataset": at.selectbox, "kind": at.selectbox}.get(key, at.number_input)
        widget(key=f"train.{key}").set_value(value)
    at.button(key="train.submit").click().run()
    return at


@pytest.mark.parametrize("lang,submit", [("en", "Start training"), ("fr", "Lancer l'entraînement")])
def test_form_widgets_exist(store, lang, submit):
    at = open_page("train", lang)
    assert not at.exception
    for key in ("kind", "dataset", "arch", "recon"):
        assert at.selectbox(key=f"train.{key}")
    for key in ("beta", "latent_dim", "noise", "epochs", "lr", "batch_size", "seed"):
        assert at.number_input(key=f"train.{key}")
    assert at.text_input(key="train.name").value == "my-vae-2d"
    assert at.button(key="train.submit").label == submit
    assert not at.error


def test_short_training_run_produces_a_model(store):
    at = open_page("train", "en")
    fill(at, dataset="digits", hidden="32", latent_dim=2, epochs=2, name="tiny-digits")
    assert not at.exception and not at.error, [e.value for e in at.error]
    deadline = time.time() + 60
    while time.time() < deadline:
        status = at.session_state["out.train.status"] if "out.train.status" in at.session_state else None
        if status in ("done", "failed", "stopped"):
            break
        time.sleep(0.5)
        at.run()
    assert output(at, "train.status") == "done", [e.value for e in at.error]
    assert not at.exception
    assert (store / "tiny-digits" / "model.safetensors").is_file()
    assert len(output(at, "train.history")) == 2
    assert "user/tiny-digits" in at.success[0].value
    assert len(at.metric) == 4
    # the page cleared the cached model list, so the sidebar offers the new model at once
    at.selectbox(key="sel_dataset").set_value("digits").run()
    assert not at.exception
    assert at.selectbox(key="sel_vae_digits_2").value == "user/tiny-digits"


@pytest.mark.parametrize("values,needle", [
    ({"epochs": 0}, "at least 1"),
    ({"name": "../x"}, "Invalid model name"),
    ({"lr": 0.0}, "learning rate"),
    ({"kind": "beta-vae", "beta": -1.0}, "β must be"),
    ({"kind": "vae", "beta": 4.0}, "has β = 1 by definition; use kind 'beta-vae'"),  # the CLI's message
    ({"hidden": "256 abc"}, "Hidden sizes"),
])
def test_invalid_input_shows_an_error_and_writes_nothing(store, values, needle):
    at = open_page("train", "en")
    fill(at, dataset="digits", **values)
    assert not at.exception
    assert at.error and needle in at.error[0].value
    assert list(store.iterdir()) == []
    assert not (store.parent / "x").exists()


def test_existing_name_is_refused(store):
    (store / "taken").mkdir()
    at = fill(open_page("train", "fr"), dataset="digits", name="taken")
    assert not at.exception
    assert at.error and "existe déjà" in at.error[0].value


def test_stop_button_stops_and_saves_nothing(store):
    at = fill(open_page("train", "en"), dataset="digits", hidden="32", epochs=5000, name="never-saved")
    assert not at.exception and not at.error
    assert at.button(key="train.stop")
    at.button(key="train.stop").click().run()
    deadline = time.time() + 30
    while output(at, "train.status") in ("queued", "running") and time.time() < deadline:
        time.sleep(0.3)
        at.run()
    assert output(at, "train.status") == "stopped"
    assert at.warning and "Nothing was saved" in at.warning[0].value
    assert list(store.iterdir()) == []
