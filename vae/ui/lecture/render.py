"""How the Lecture page draws: which step is shown (the URL's ``?step=``, the step bar, the keyboard, the
teacher's step for a student who follows), presenter mode, and one step's slide.

The keyboard belongs to the explorer component's ``presenter`` view (``assets/view_presenter.js``): it listens
to ``keydown`` on the page's document (components v2 render in the page's DOM), ignores keys typed into
inputs, sliders and menus (in the capture phase: the step bar's radio buttons, focused once clicked, would
take the arrows), and reports ``move`` = {"to": step index, "seq": n} once per key press: one rerun
per step change. It also folds the sidebar away and enlarges type and images in presenter mode (a class on
the page's body, styled in ``assets/explorer.css``).
"""
from __future__ import annotations

import streamlit as st

from ...errors import ExplorerError
from .. import UI_DIR, cookies, url_state
from ..explorer import messages, mount
from ..handout_button import handout_button
from ..i18n import t
from ..navigation import session_page
from ..sidebar import SIDEBAR_PARAMS, Selection, selection
from . import classroom_ui, widgets
from .steps import SLUGS, STEPS, Step, step_of

NAV = "lecture.nav"                   # the step shown (its slug): the step bar's widget
PRESENT = "lecture.present"           # presenter mode (toggle)
PRESENTER_KEY = "lecture.presenter"   # the explorer's presenter view: keys, presenter styles
QUIZ = "lecture.quiz.answer"


def _go(slug: str) -> None:
    st.session_state[NAV] = slug


def _move(delta: int) -> None:
    i = SLUGS.index(st.session_state.get(NAV, SLUGS[0]))
    _go(SLUGS[max(0, min(len(SLUGS) - 1, i + delta))])


def _on_key() -> None:
    """The presenter view reported a key press: ``move.to`` is the index of the step to show (validated)."""
    move = messages.mapping(messages.state_value(st.session_state.get(PRESENTER_KEY), "move"))
    to = messages.index(move.get("to"), len(SLUGS))
    if to is not None:
        _go(SLUGS[to])


def current_step(start: str | None = None) -> Step:
    """The step to show this run: a step the follow poll brought, else the URL's ``?step=`` when it is news (a
    link, Back/Forward; an unknown step falls back to the first, with a note), else the session's, else ``start``
    (a student arriving in a class: the teacher's step, shown at once), else the first."""
    goto = st.session_state.pop(classroom_ui.GOTO, None)
    if goto in SLUGS:
        _go(goto)
    url_state.adopt(NAV, "step", lambda v: url_state.parse_choice(v, SLUGS), note=url_state.note_in(st, t("lecture.step")))
    url_state.adopt(PRESENT, "present", lambda v: {"1": True, "0": False}.get(v), note=url_state.note_in(st, t("lecture.present")))
    if st.session_state.get(NAV) not in SLUGS:
        _go(start if start in SLUGS else SLUGS[0])
    return step_of(st.session_state[NAV])


def _on_follow() -> None:
    """The presenter view saw the class change (``vae.ui.class_poll``): show the teacher's step when this student
    follows (a revealed quiz needs nothing more: this rerun reads the flag)."""
    follow = messages.mapping(messages.state_value(st.session_state.get(PRESENTER_KEY), "follow"))
    if follow.get("step") in SLUGS and classroom_ui.following():
        _go(follow["step"])


def step_bar(step: Step, follow: dict | None = None) -> bool:
    """Previous / the nine steps / next, the step counter and the presenter toggle; the keyboard (presenter
    view). Returns whether presenter mode is on. The step and the mode are written to the URL."""
    i = SLUGS.index(step.slug)
    # one row that wraps on a narrow screen: a horizontal container is one block, where five columns were six, and
    # every block is a message per rerun for each of an amphitheatre's students (issue #24)
    with st.container(horizontal=True, vertical_alignment="center", key="lecture-bar"):
        st.button("←", key="lecture.prev", on_click=_move, args=(-1,), disabled=i == 0, help=t("lecture.prev"))
        st.segmented_control(t("lecture.jump"), SLUGS, key=NAV, required=True, label_visibility="collapsed",
                             format_func=lambda s: str(SLUGS.index(s) + 1), width="stretch")
        st.button("→", key="lecture.next", on_click=_move, args=(1,), disabled=i == len(SLUGS) - 1,
                  help=t("lecture.next"))
        with st.container(key="lecture-counter", width="content"):
            st.markdown(f"**{t('lecture.counter', k=i + 1, n=len(SLUGS))}**")
        presenting = st.toggle(t("lecture.present"), key=PRESENT, help=t("lecture.present_help"), width="content")
    mount("presenter", key=PRESENTER_KEY,
          data={"step": i, "count": len(SLUGS), "presenting": bool(presenting), "follow": follow},
          state={"move": _on_key, "follow": _on_follow})
    url_state.publish({"step": None if i == 0 else step.slug, "present": "1" if presenting else None})
    return bool(presenting)


@st.fragment
def lecture(lang: str) -> None:
    """The Lecture page below the sidebar: the title, the step bar, the slide, the class.

    A fragment, so that a step change reruns this and not the sidebar and navigation: the presenter view's key
    press, its report of the teacher's new step (an amphitheatre's students all rerun at each step, issue #24), the
    step bar and the slide's and class panel's widgets are inside it. Measured unprofiled, the sidebar is a small
    part of a follow (``rerun_cpu-fragment-*-2026-12-07*.json``: the follow about a millisecond cheaper, within the
    noise). A sidebar change or a language switch reruns the whole app, this with it."""
    role = classroom_ui.role()
    step = current_step(classroom_ui.arrival_step(role))  # a student arriving in a class starts at the teacher's step
    with st.container(key="lecture-title"):
        st.title(t(f"lecture.{step.slug}.title"))
    shown_revealed = classroom_ui.revealed(role)
    presenting = step_bar(step, classroom_ui.follow_data(role, step.slug, shown_revealed))
    if not presenting:
        with st.container(horizontal=True, vertical_alignment="center", wrap=False):  # one block, not three
            st.caption(t("lecture.intro"), width="stretch")
            handout_button(lang)
    slide(step.slug, role, lang)
    classroom_ui.publish(role)
    classroom_ui.publish_step(role, step.slug)
    classroom_ui.poll(role, step.slug, shown_revealed)
    classroom_ui.section(role, selection(), "lecture", follow=True)
    cookies.flush()  # a key unlocked or a place taken in this fragment's own rerun: app.py's flush does not run then


def link_params(step: Step, lang: str) -> dict[str, str]:
    """The query of the link from ``step`` to its full page: the sidebar's choice and the map's inspected index
    and pinned code as the URL holds them (defaults left out, as the pages write them), the language, and the
    step's own page state (the model to explore)."""
    params = {k: v for k in (*SIDEBAR_PARAMS, "i", "z") if (v := url_state.raw(k)) is not None}
    params.update(lang=lang, **step.link_params)
    return params


@st.fragment
def slide(slug: str, role: classroom_ui.Role, lang: str) -> None:
    """One step: the formula, the sentences, the number and the link beside them, then the live widget. The
    widget's own controls rerun this fragment only."""
    step, sel = step_of(slug), selection()
    with st.container(key="lecture-formula"):
        st.latex(step.formula)
    text, side = st.columns([3, 2], gap="large")
    text.markdown(t(f"lecture.{slug}.text"))
    number_box = side.container(key="lecture-number")
    side.page_link(session_page(step.page, UI_DIR), label=t(f"lecture.{slug}.link"), icon=":material/open_in_new:",
                   query_params=link_params(step, lang))
    with st.container(key=f"lecture-widget-{slug}"):
        if step.quiz:
            quiz(role, sel)
        try:
            number = step.widget(sel)
        except ExplorerError as exc:
            st.error(t("common.error_model", detail=exc))
            number = None
    with number_box:
        if number is None:
            st.caption(t("lecture.no_number"))
        else:
            st.metric(number.label, number.value)
            st.caption(number.caption)


def quiz(role: classroom_ui.Role, sel: Selection) -> None:
    """The micro-quiz of step 3: the question; a student's answer goes to the class, the teacher sees the live
    tally and reveals; without a class, answering reveals. Then the same prior codes decoded by every model."""
    opts = {1: t("generate.quiz.opt1"), 2: t("generate.quiz.opt2")}
    answer = st.radio(t("generate.quiz.question"), list(opts), index=None, key=QUIZ, format_func=opts.__getitem__)
    if role.student:
        st.caption(t("lecture.quiz.vote_class", code=role.code))
    classroom_ui.vote(role, answer)
    classroom_ui.tally_panel(role, opts)
    shown = classroom_ui.revealed(role) if role.code else answer is not None
    if not shown:
        st.info(t("lecture.quiz.wait_reveal") if role.code else t("generate.quiz.waiting"))
        return
    if answer is not None:
        (st.success if answer == 2 else st.warning)(t(f"generate.quiz.{'right' if answer == 2 else 'wrong'}"))
    widgets.prior_samples(sel)
    st.markdown(t("generate.quiz.explain"))
