"""The Lecture page (AppTest, shipped MNIST models): every step renders in French (the default without a
language) and in English, with its formula, sentences, number, link and widget; the step lives in the URL (a
bad step falls back with a note); the class around the micro-quiz works across sessions (a teacher opens a
class, students vote, the tally counts them, the teacher reveals); and the numbers the steps show are right
(the toy model's exact identities, the closed-form KL against Monte Carlo, the IWAE bounds)."""
import json
import math
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from apptest_utils import APP, open_page
from vae import classroom, lecture_checks, teacher_key
from vae.ui.i18n import STRINGS
from vae.ui import class_poll
from vae.ui.lecture import classroom_ui
from vae.ui.lecture.steps import SLUGS, STEPS

NAV = "lecture.nav"


KEY = "test-teacher-key"


@pytest.fixture(autouse=True)
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    monkeypatch.setenv("VAE_TEACHER_KEY", KEY)
    from vae.ui.cache import store_listing

    store_listing.clear()
    return tmp_path


def _lecture(**params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.query_params.update(params)
    at.run()
    at.switch_page("pages/lecture.py")
    return at.run()


def _unlock(at: AppTest, key: str = KEY) -> AppTest:
    """The teacher types the teacher key in the class panel's folded form."""
    at.text_input(key="teacher.key").input(key).run()
    return at.button(key="teacher.unlock").click().run()


# blocks and elements of a class student's Lecture page (main area, the β step, its arrival run). 32 since the page
# is one fragment, which keeps the sidebar out of each follow's rerun: its block, and the script that writes the
# student's place cookie on arrival (this run only), which the fragment now writes itself (app.py's write after the
# page, which a fragment's own rerun skips, never showed in this AppTest run)
STUDENT_PAGE_BUDGET = 32


def _nodes(block) -> int:
    """The blocks and elements under ``block`` (AppTest's tree), each counted once."""
    return sum(1 + _nodes(child) for child in getattr(block, "children", {}).values())


def _text(key: str, lang: str) -> str:
    return STRINGS[key][lang]


def _check_step(at, slug: str, lang: str) -> None:
    assert not at.exception, (slug, [e.value for e in at.exception])
    assert at.title[0].value == _text(f"lecture.{slug}.title", lang)
    step = next(s for s in STEPS if s.slug == slug)
    assert [x.value for x in at.latex] == [f"$$\n{step.formula}\n$$"]
    assert any(m.value.startswith(_text(f"lecture.{slug}.text", lang)[:40]) for m in at.markdown)
    k = SLUGS.index(slug) + 1
    assert any(m.value == f"**{_text('lecture.counter', lang).format(k=k, n=9)}**" for m in at.markdown)
    metric = at.metric[0]  # the step's number: every step has one on the shipped models
    assert metric.label.startswith(_text(f"lecture.{slug}.number", lang).split("{")[0].strip()[:20]), metric.label
    assert any(ch.isdigit() for ch in metric.value)
    links = [el for el in at.get("page_link") if el.proto.label == _text(f"lecture.{slug}.link", lang)]
    # the link is the session's own page (vae.ui.navigation.session_page): the default page's URL is the root
    url_path = "" if step.page == "pages/latent_map.py" else step.url_path   # app.py: the map is the default page
    assert len(links) == 1 and links[0].proto.page in (url_path, Path(step.page).stem)  # (AppTest: the file's name)
    assert f"lang={lang}" in links[0].proto.query_string.split("&")
    for key, value in step.link_params.items():
        assert f"{key}={value}" in links[0].proto.query_string.split("&")


WIDGET = {  # what each step's live widget puts on the page (AppTest's view of it)
    "ae": lambda at: _views(at) == ["map"], "kl": lambda at: _views(at) == ["map"],
    "posterior": lambda at: _views(at) == ["draw"],
    "denoise": lambda at: len(at.image) == 4 and at.slider(key="lecture.denoise.std"),  # one strip per row
    "quiz": lambda at: at.radio(key="lecture.quiz.answer").value is None,
    "elbo": lambda at: len(at.get("plotly_chart")) == 1 and at.slider(key="lecture.toy.r"),
    "iwae": lambda at: len(at.get("plotly_chart")) == 1,
    "reparam": lambda at: len(at.image) >= 2 and len(at.get("plotly_chart")) >= 1 and _views(at) == ["film"],
    "beta": lambda at: len(at.get("plotly_chart")) == 1 and _views(at) == ["film"],  # the AE | VAE | β-VAE film
}


def _views(at) -> list[str]:
    import json

    return [v for el in at.get("bidi_component") if (v := json.loads(el.proto.json or "{}").get("view")) != "presenter"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_step_renders_with_its_formula_text_number_link_and_widget(lang):
    at = _lecture() if lang == "fr" else _lecture(lang="en")  # French is the Lecture's default
    _check_step(at, "ae", lang)
    # the offline lecture file, in the page's language (made only when clicked: tests/test_handout.py makes it)
    assert _text("handout.button", lang) in [b.proto.label for b in at.get("download_button")]
    for slug in SLUGS:
        at.segmented_control(key=NAV).set_value(slug).run()
        _check_step(at, slug, lang)
        assert WIDGET[slug](at), slug
        assert at.query_params.get("step") == (None if slug == "ae" else slug)


def test_previous_and_next_buttons_and_the_step_from_a_link():
    at = _lecture(lang="en", step="kl")
    assert at.title[0].value == _text("lecture.kl.title", "en")
    at.button(key="lecture.next").click().run()
    assert at.title[0].value == _text("lecture.elbo.title", "en") and at.query_params["step"] == "elbo"
    at.button(key="lecture.prev").click().run()
    at.button(key="lecture.prev").click().run()
    assert at.title[0].value == _text("lecture.posterior.title", "en")


def test_an_unknown_step_falls_back_to_the_first_with_a_note():
    at = _lecture(lang="fr", step="../../etc")
    assert not at.exception
    assert at.title[0].value == _text("lecture.ae.title", "fr")
    assert any("« ../../etc »" in w.value for w in at.warning)
    assert "step" not in at.query_params


def test_presenter_mode_lives_in_the_url():
    at = _lecture(lang="en", present="1")
    assert at.toggle(key="lecture.present").value is True
    at.toggle(key="lecture.present").set_value(False).run()
    assert "present" not in at.query_params


def test_other_pages_keep_english_as_their_default():
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert at.title[0].value == "Latent map"


# ---- the class: a teacher, students, the tally ------------------------------------------------------------------
def test_a_class_votes_on_the_micro_quiz_and_the_teacher_reveals(store):
    teacher = _unlock(_lecture(lang="en", step="quiz"))
    teacher.button(key="class.open").click().run()
    assert not teacher.exception
    code = teacher.query_params["class"]
    assert len(code) == 5 and classroom.tally(code, store=store).total == 0
    assert any(m.value == f"# {code}" for m in teacher.markdown)  # the code, large
    assert any(f"class={code}" in c.value for c in teacher.code)  # the students' link (and its QR code)
    assert len(teacher.image) == 1
    assert not teacher.get("plotly_chart") and len(teacher.image) == 1  # samples wait for the reveal

    students = [_lecture(lang="fr", **{"class": code.lower()}) for _ in range(3)]
    for student, answer in zip(students, (2, 2, 1)):
        student.segmented_control(key=NAV).set_value("quiz").run()
        student.radio(key="lecture.quiz.answer").set_value(answer).run()
        assert not student.exception and len(student.success) == 1
    students[2].radio(key="lecture.quiz.answer").set_value(2).run()  # changes their mind: still one vote
    assert classroom.tally(code, store=store).counts == {"plausible": 0, "poor": 3}

    teacher.run()
    assert any(p.text.endswith("— **3**") for p in teacher.get("progress"))
    teacher.button(key="class.reveal").click().run()
    assert classroom.tally(code, store=store).revealed
    assert len(teacher.image) == 1 + 3  # the QR code, then one grid of samples per model
    students[0].run()
    assert len(students[0].image) == 3


def test_the_teacher_publishes_the_step_the_students_follow(store, monkeypatch):
    teacher = _unlock(_lecture(lang="en"))
    teacher.button(key="class.open").click().run()
    code = teacher.query_params["class"]
    teacher.segmented_control(key=NAV).set_value("beta").run()
    assert classroom.teacher_step(code, store=store) == "beta"
    with monkeypatch.context() as served:   # as behind the launcher: the browser polls, no fragment poll reruns
        served.setattr(class_poll, "_installed", True)
        arriving = _lecture(lang="en", **{"class": code})
        assert arriving.segmented_control(key=NAV).value == "beta"   # starts at the teacher's step, before any poll
        # each block and element is a message per rerun for each of an amphitheatre's students (issue #24): the
        # step bar and the intro row are one block each (a horizontal container), not a row of columns
        assert _nodes(arriving.main) <= STUDENT_PAGE_BUDGET, _nodes(arriving.main)
    student = _lecture(lang="en", **{"class": code})
    following = _text("lecture.class.following", "en").format(code=code)
    assert any(c.value == following for c in student.caption)
    # a student's class panel is shut and builds no widget (an amphitheatre reruns it at every step)
    assert not student.text_input and [w.key for w in student.toggle] == ["lecture.present"]
    student.session_state[classroom_ui.PANEL] = True   # the student opens it
    student.run()
    assert student.toggle(key="class.follow").value is True
    student.toggle(key="class.follow").set_value(False).run()   # stops following
    assert not any(c.value == following for c in student.caption)
    student.session_state[classroom_ui.PANEL] = False   # and shuts the panel: the choice stays
    student.run()
    assert "class.follow" not in [w.key for w in student.toggle]
    assert not any(c.value == following for c in student.caption)
    student.session_state[classroom_ui.PANEL] = True
    student.run()
    assert student.toggle(key="class.follow").value is False


def test_opening_a_class_needs_the_teacher_key(store):
    at = _lecture(lang="en")
    assert not any(b.key == "class.open" for b in at.button)  # an anonymous visitor cannot open one
    _unlock(at, "not-the-key-at-all")
    assert [e.value for e in at.error] == [_text("teacher.err.key", "en")]
    assert not any(b.key == "class.open" for b in at.button) and at.text_input(key="teacher.key").value == ""
    _unlock(at)
    assert not at.exception and any(b.key == "class.open" for b in at.button)
    at.number_input(key="class.size").set_value(2).run()
    at.button(key="class.open").click().run()
    code = at.query_params["class"]
    assert classroom.state(code, store=store).owner == teacher_key.owner_id(KEY)

    students = [_lecture(lang="en", **{"class": code}) for _ in range(3)]  # a class of 2: the third is refused
    assert not students[0].error and not students[1].error
    assert [e.value for e in students[2].error] == [_text("lecture.class.err.class_full", "en")]
    at.run()
    assert any(c.value == _text("lecture.class.attendance", "en").format(joined=2, size=2, recent=2) for c in at.caption)

    at.button(key="class.close").click().run()  # the teacher ends it: gone for everyone
    assert not at.exception and "class" not in at.query_params
    with pytest.raises(classroom.ClassroomError):
        classroom.state(code, store=store)


def test_an_expired_class_says_so_and_offers_a_new_one(store):
    at = _unlock(_lecture(lang="en"))
    at.button(key="class.open").click().run()
    code = at.query_params["class"]
    meta = store / ".classroom" / code / classroom.META
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "expires_at": time.time() - 60}))  # two hours later
    at.run()
    assert not at.exception
    assert any(w.value.startswith(f"Class {code} ended at ") for w in at.warning)
    assert at.button(key="class.open").label == _text("lecture.class.open_new", "en")
    at.button(key="class.open").click().run()
    fresh = at.query_params["class"]
    assert fresh != code and classroom.state(fresh, store=store).owner == teacher_key.owner_id(KEY)


def test_a_bad_class_code_is_refused_with_a_message():
    at = _lecture(lang="en", **{"class": "0O1I"})
    assert not at.exception and any("cannot be used here" in w.value for w in at.warning)
    at.text_input(key="class.join").input("ZZZZZ").run()
    assert [e.value for e in at.error] == [_text("lecture.class.err.unknown_code", "en")]
    assert not at.get("toggle") or all(t.key != "class.follow" for t in at.toggle)


def test_generate_page_class_quiz(store):
    teacher = _unlock(open_page("generate", "en"))
    teacher.button(key="class.open").click().run()
    code = teacher.query_params["class"]
    student = AppTest.from_file(APP, default_timeout=120)
    student.query_params.update({"lang": "en", "class": code})
    student.run()
    student.switch_page("pages/generate.py").run()
    student.radio(key="generate.quiz").set_value(2).run()
    assert not student.exception and not student.image  # counted, but the samples wait for the teacher
    assert classroom.tally(code, store=store).counts["poor"] == 1
    teacher.run()
    assert any(p.text.endswith("— **1**") for p in teacher.get("progress"))
    teacher.button(key="class.reveal").click().run()
    student.run()
    assert len(student.image) == 3 + 2


# ---- the numbers -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("x, p, sigma", [(0.8, 0.3, 0.5), (-1.0, 0.9, 1.2), (2.0, 0.05, 0.3)])
def test_toy_model_identities_are_exact(x, p, sigma):
    post = lecture_checks.toy_posterior(x, p, sigma)
    joint0, joint1 = lecture_checks.toy_log_joint(x, p, sigma)
    assert math.isclose(post, math.exp(joint1) / (math.exp(joint0) + math.exp(joint1)), rel_tol=1e-12)
    evidence = lecture_checks.toy_log_evidence(x, p, sigma)
    for r in (0.01, 0.3, 0.5, 0.99, post):
        elbo = lecture_checks.toy_elbo(r, x, p, sigma)
        kl = lecture_checks.toy_kl_to_posterior(r, x, p, sigma)
        assert kl >= -1e-12 and math.isclose(evidence, elbo + kl, abs_tol=1e-12)  # log p(x) = ELBO + KL(q‖p(z|x))
    assert math.isclose(lecture_checks.toy_elbo(post, x, p, sigma), evidence, abs_tol=1e-12)
    assert lecture_checks.toy_elbo(min(0.99, post + 0.2), x, p, sigma) < evidence - 1e-6


def test_closed_form_kl_agrees_with_monte_carlo():
    rng = np.random.default_rng(0)
    mu, logvar = rng.normal(0, 1.5, (500, 3)), rng.normal(-1, 0.5, (500, 3))
    check = lecture_checks.kl_closed_and_monte_carlo(mu, logvar, n_samples=64)
    assert abs(check.closed - check.monte_carlo) < 4 * check.standard_error and check.standard_error < 0.05
    shifted = lecture_checks.kl_closed_and_monte_carlo(mu + 1, logvar, n_samples=64)
    assert shifted.closed > check.closed + 1  # μᵀμ grows: the check can tell two different sets apart
    assert lecture_checks.mean_sigma(None) == 0.0
    assert math.isclose(lecture_checks.mean_sigma(np.log(np.full((4, 2), 0.25))), 0.5)


def test_iwae_curve_starts_at_the_elbo_and_climbs(make_model, tiny_digits, mnist):
    from conftest import require_shipped
    from vae.checkpoint import PRETRAINED_DIR, load_model

    require_shipped("mnist-vae-2d")
    points = lecture_checks.iwae_curve(load_model(PRETRAINED_DIR / "mnist-vae-2d"), mnist.x_test[:100], ks=(1, 10, 100))
    assert [p.k for p in points] == [1, 10, 100]
    assert math.isclose(points[0].elbo, points[0].iwae, rel_tol=1e-9)  # K = 1: the same number
    assert points[0].iwae < points[1].iwae < points[2].iwae  # the bound tightens as K grows
    assert all(p.iwae > p.elbo for p in points[1:])  # Jensen, for every sample set
    assert points[2].iwae - points[2].elbo > 1.0  # the shipped VAE's gap is visible (about 3-4 nats)
    assert lecture_checks.iwae_curve(make_model(kind="ae"), tiny_digits.x_test[:5]) == []  # no bound for an AE
