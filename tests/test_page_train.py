"""Train page (AppTest): the form, a short training run in the pool's worker saved to the user store, the queue
with its Cancel button, Stop, validation errors and the budget. Assertions read the rendered elements."""
import time

import pytest

from apptest_utils import open_page
from conftest import small_dataset
from vae.jobs.form import make_configs
from vae.jobs.pool import get_pool, start_job
from vae.ui.cache import store_listing

pytestmark = pytest.mark.slow


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    store_listing.clear()  # the model list is cached for 3 s across sessions
    yield tmp_path
    for job in get_pool().active_jobs():  # nothing of a test keeps a worker busy for the next one
        job.stop()
        job.wait(30)


def fill(at, **values):
    for key, value in values.items():
        widget = {"name": at.text_input, "hidden": at.text_input, "dataset": at.selectbox, "kind": at.selectbox,
                  "store_dtype": at.selectbox}.get(key, at.number_input)
        widget(key=f"train.{key}").set_value(value)
    at.button(key="train.submit").click().run()
    return at


def poll(at, done, timeout: float = 120):
    """Rerun the page (as the live fragment does every second) until ``done(at)``."""
    deadline = time.time() + timeout
    while not done(at):
        assert time.time() < deadline, ([e.value for e in at.error], [i.value for i in at.info])
        time.sleep(0.5)
        at.run()
    return at


@pytest.mark.parametrize("lang,submit,limits,dtypes", [
    ("en", "Start training", "images × epochs per training", ["float32 (exact)", "float16 (half the file)"]),
    ("fr", "Lancer l'entraînement", "images × époques par entraînement",
     ["float32 (exacte)", "float16 (fichier deux fois plus petit)"])])
def test_form_widgets_exist(store, lang, submit, limits, dtypes):
    at = open_page("train", lang)
    assert not at.exception
    for key in ("kind", "dataset", "arch", "recon", "store_dtype"):
        assert at.selectbox(key=f"train.{key}")
    for key in ("beta", "latent_dim", "noise", "epochs", "lr", "batch_size", "seed", "early_stop", "val_fraction"):
        assert at.number_input(key=f"train.{key}")
    assert at.selectbox(key="train.store_dtype").options == dtypes  # each language's labels, in order
    assert at.text_input(key="train.name").value == "my-vae-2d"
    assert at.button(key="train.submit").label == submit
    million = "1\u202f000\u202f000" if lang == "fr" else "1,000,000"  # each language's thousands separator
    assert any(limits in c.value and million in c.value for c in at.caption)
    assert not at.error
    shown = [e.value for e in [*at.caption, *at.markdown, *at.info]]
    assert not any(str(store) in v for v in shown), shown  # the store by name, never the server's path
    assert any("user/" in v for v in shown)


def test_short_training_run_produces_a_model(store):
    at = fill(open_page("train", "en"), dataset="digits", hidden="32", latent_dim=2, epochs=2, name="tiny-digits",
              store_dtype="float16")
    assert not at.exception and not at.error, [e.value for e in at.error]
    poll(at, lambda a: a.success or a.error)
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert "user/tiny-digits" in at.success[0].value
    assert [m.label for m in at.metric] == ["Test reconstruction", "Test KL", "Test loss", "Pixel MSE"]
    chart = at.get("plotly_chart")[0].proto.spec
    assert chart.count('"epoch"') >= 1 and '"x":[1,2]' in chart.replace(" ", "")  # two epochs on the curves
    assert (store / "tiny-digits" / "model.safetensors").is_file()
    assert b"F16" in (store / "tiny-digits" / "model.safetensors").read_bytes()[:4096]
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
    ({"early_stop": 3, "val_fraction": 0.9}, "val_fraction must be"),
    ({"epochs": 5000}, "this server allows 1,000,000 per training (at most 668 epochs on this dataset)"),
])
def test_invalid_input_shows_an_error_and_writes_nothing(store, values, needle):
    at = fill(open_page("train", "en"), dataset="digits", **values)
    assert not at.exception
    assert at.error and needle in at.error[0].value, [e.value for e in at.error]
    assert list(store.iterdir()) == []
    assert not (store.parent / "x").exists()


@pytest.mark.parametrize("lang, sentence", [("en", "Fashion-MNIST is not installed on this server"),
                                            ("fr", "Fashion-MNIST n'est pas installé sur ce serveur")])
def test_fashion_mnist_without_its_files_is_one_sentence_and_nothing_queued(store, monkeypatch, tmp_path, lang,
                                                                            sentence):
    monkeypatch.setenv("VAE_FASHION_MNIST_DIR", str(tmp_path / "nowhere"))
    at = open_page("train", lang)
    assert any(o.startswith("Fashion-MNIST (70") for o in at.selectbox(key="train.dataset").options)
    at = fill(at, dataset="fashion-mnist", name="clothes")
    assert not at.exception
    assert at.error and at.error[0].value.startswith(sentence), [e.value for e in at.error]
    assert "apt-get install dataset-fashion-mnist" in at.error[0].value
    assert not get_pool().active_jobs() and list(store.iterdir()) == []


def test_existing_name_is_refused(store):
    (store / "taken").mkdir()
    at = fill(open_page("train", "fr"), dataset="digits", name="taken")
    assert not at.exception
    assert at.error and "existe déjà" in at.error[0].value


def test_stop_button_stops_and_saves_nothing(store):
    at = fill(open_page("train", "en"), dataset="digits", hidden="32", epochs=600, name="never-saved")
    assert not at.exception and not at.error
    poll(at, lambda a: any(b.key == "train.stop" for b in a.button))  # queued until the worker is free
    at.button(key="train.stop").click().run()
    poll(at, lambda a: a.warning)
    assert "Nothing was saved" in at.warning[0].value and not at.exception
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith(".")) == []


def test_a_busy_pool_shows_the_queue_and_cancel_works(store, digits):
    pool = get_pool()
    mcfg, tcfg = make_configs(kind="vae", beta=None, latent_dim=2, arch="mlp", hidden="8", recon="bce", noise=0.0,
                              epochs=10_000, lr=1e-3, batch_size=32, seed=0, dataset="digits", image_shape=(8, 8))
    busy = [start_job(f"busy-{i}", mcfg, tcfg, small_dataset(digits, 64, 16), store=store, session=f"other-{i}")
            for i in range(pool.limits.workers)]
    at = fill(open_page("train", "fr"), dataset="digits", epochs=2, name="patient")
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert at.info and "**patient** attend dans la file : position 1" in at.info[0].value, [i.value for i in at.info]
    assert "Démarrage estimé" in at.info[0].value
    table = at.dataframe[0].value
    assert list(table["modèle"]) == [j.name for j in busy] + ["patient"]
    assert list(table["état"])[-1] == "en attente"
    at = fill(at, name="second-try")  # one training per session: the queued one counts
    assert at.error and "un à la fois par étudiant" in at.error[0].value
    at.button(key="train.cancel").click().run()
    poll(at, lambda a: a.warning)
    assert "annulé avant son démarrage" in at.warning[0].value
    for job in busy:
        job.stop()
        assert job.wait(30) and job.snapshot()["status"] == "stopped"
    assert sorted(p.name for p in store.iterdir() if not p.name.startswith(".")) == []


def test_a_teacher_removes_a_training_from_the_queue(store, digits, monkeypatch):
    monkeypatch.setenv("VAE_TEACHER_KEY", "train-page-teacher-key")
    pool = get_pool()
    mcfg, tcfg = make_configs(kind="vae", beta=None, latent_dim=2, arch="mlp", hidden="8", recon="bce", noise=0.0,
                              epochs=10_000, lr=1e-3, batch_size=32, seed=0, dataset="digits", image_shape=(8, 8))
    data = small_dataset(digits, 64, 16)
    busy = [start_job(f"busy-{i}", mcfg, tcfg, data, store=store, session=f"b{i}") for i in range(pool.limits.workers)]
    queued = start_job("queued-one", mcfg, tcfg, data, store=store, session="q")
    at = open_page("train", "en")
    assert not any(s.key == "train.teacher.pick" for s in at.selectbox)  # a student sees the queue, not the control
    at.text_input(key="teacher.key").input("train-page-teacher-key").run()
    at.button(key="teacher.unlock").click().run()
    assert not at.exception
    at.selectbox(key="train.teacher.pick").set_value(queued.id).run()
    at.button(key="train.teacher.remove").click().run()
    assert queued.wait(30) and queued.snapshot()["status"] == "cancelled"
    for job in busy:
        assert job.status == "running" or job.status == "queued"
