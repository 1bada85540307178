"""The class in the browser: a teacher's session opens a class code, students join it (a link, a QR code or the
code typed), vote on the micro-quiz, and follow the teacher's lecture steps.

Everything shared goes through :mod:`vae.classroom`, which keeps a class in the shared user store (one small
file per vote, the teacher's step in one file, written then renamed): a vote cast on replica 1 shows in the
tally that replica 2 serves to the teacher. The teacher's screen polls the tally, and a student's screen polls
the teacher's step and the reveal, with ``@st.fragment(run_every=POLL_SECONDS)``: a poll reads two small files
and reruns nothing else unless something changed. The teacher is the session that opened the class (kept in
that session only: a link never makes anyone a teacher); a voter is an anonymous random token per session.
"""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ... import classroom
from ...classroom import ClassroomError
from .. import url_state
from ..i18n import STRINGS, current_lang, t
from ..sidebar import Selection, selection_params
from .share import qr_png

CHOICES = {1: "plausible", 2: "poor"}   # the micro-quiz's answers (1) and (2), as the class stores them
POLL_SECONDS = 2.0
TEACHER = "class.teacher"               # the code of the class this session opened
VOTER = "class.voter"                   # this session's anonymous voter token
JOIN = "class.join"                     # the code a student typed (or the link's ?class=)
FOLLOW = "class.follow"                 # a student follows the teacher's steps
GOTO = "lecture.goto"                   # a step to show at the next run (set by the follow poll)
_CAST = "class.cast"                    # (code, choice) of the last vote this session cast
_PUBLISHED = "class.published"          # (code, step) the teacher last published


@dataclass(frozen=True)
class Role:
    """This session's place in a class: the code (None: no class) and whether it teaches it."""

    code: str | None = None
    teacher: bool = False

    @property
    def student(self) -> bool:
        return self.code is not None and not self.teacher


def error_text(exc: ClassroomError) -> str:
    """A class error as the user reads it (a translated message per error code)."""
    key = f"lecture.class.err.{exc.code}"
    return t(key) if key in STRINGS else t("lecture.class.err.other", detail=str(exc))


def _normalised(value: str) -> str | None:
    try:
        return classroom.normalise_code(value)
    except ClassroomError:
        return None


def _open() -> None:
    try:
        st.session_state[TEACHER] = classroom.open_class(list(CHOICES.values()))
        st.session_state.pop("_class.error", None)
    except ClassroomError as exc:
        st.session_state["_class.error"] = error_text(exc)


def role() -> Role:
    """This session's role: the teacher of the class it opened, a student of the class in the link (``?class=``)
    or typed, or no class. A code that names no open class (expired, mistyped) is dropped, with a message."""
    url_state.adopt(JOIN, "class", _normalised, note=url_state.note_in(st, t("lecture.class.code")))
    teaching = st.session_state.get(TEACHER)
    if teaching:
        return Role(teaching, True)
    code = _normalised(st.session_state.get(JOIN) or "")
    if not code:
        return Role()
    try:
        classroom.tally(code)  # the class exists and is open (two small reads)
    except ClassroomError as exc:
        st.error(error_text(exc))
        return Role()
    return Role(code, False)


def publish(r: Role) -> None:
    """Keep the class code in the URL (``class``), so the address bar links into the same class."""
    url_state.publish({"class": r.code})


def panel(r: Role, sel: Selection, url_path: str, follow: bool = False) -> None:
    """The class panel: for the teacher, the code shown large with the students' link and its QR code; for
    everyone else, a button that opens a class, and the field where a student types a code (with, on the
    Lecture, the "follow the teacher" toggle)."""
    if r.teacher:
        url = url_state.share_link(url_path, {**selection_params(sel), "lang": current_lang(), "class": r.code})
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            st.caption(t("lecture.class.code"))
            with st.container(key="class-code"):
                st.markdown(f"# {r.code}")
            st.caption(t("lecture.class.teacher", code=r.code))
            st.code(url, language=None, wrap_lines=True)
        right.image(qr_png(url), caption=t("lecture.class.qr"), width=220)
        return
    st.caption(t("lecture.class.intro"))
    c1, c2 = st.columns([1, 2], vertical_alignment="bottom")
    c1.button(t("lecture.class.open"), key="class.open", on_click=_open, icon=":material/groups:")
    c2.text_input(t("lecture.class.join"), key=JOIN, max_chars=12)
    if st.session_state.get("_class.error"):
        st.error(st.session_state.pop("_class.error"))
    typed = st.session_state.get(JOIN)
    if typed and _normalised(typed) is None:
        st.error(t("lecture.class.err.bad_code"))
    if r.student and follow:
        st.toggle(t("lecture.class.follow"), key=FOLLOW, value=True)


def following() -> bool:
    """True when this session, a student, follows the teacher's steps (the default once a class is joined)."""
    return bool(st.session_state.get(FOLLOW, True))


def publish_step(r: Role, step: str) -> None:
    """The teacher's session publishes its lecture step to the class (only when it changed)."""
    if not r.teacher or st.session_state.get(_PUBLISHED) == (r.code, step):
        return
    try:
        classroom.publish_step(r.code, step)
        st.session_state[_PUBLISHED] = (r.code, step)
    except ClassroomError as exc:
        st.warning(error_text(exc))


def vote(r: Role, answer: int | None) -> None:
    """A student's answer to the micro-quiz goes to the class (again only when it changed)."""
    if not r.student or answer not in CHOICES:
        return
    st.session_state.setdefault(VOTER, classroom.new_voter_token())
    cast = (r.code, CHOICES[answer])
    try:
        if st.session_state.get(_CAST) != cast:
            classroom.vote(r.code, st.session_state[VOTER], CHOICES[answer])
            st.session_state[_CAST] = cast
        st.success(t("lecture.quiz.voted"))
    except ClassroomError as exc:
        st.error(error_text(exc))


def revealed(r: Role) -> bool:
    """True when the class's teacher revealed the samples (False without a class, or when it cannot be read)."""
    if r.code is None:
        return False
    try:
        return classroom.tally(r.code).revealed
    except ClassroomError:
        return False


def _reveal(code: str) -> None:
    try:
        classroom.reveal(code)
    except ClassroomError as exc:
        st.session_state["_class.error"] = error_text(exc)


def tally_panel(r: Role, labels: dict[int, str]) -> None:
    """The teacher's live tally (polled) and the button that reveals the samples to the whole class."""
    if not r.teacher:
        return
    _tally(r.code, labels)
    st.button(t("lecture.quiz.reveal"), key="class.reveal", on_click=_reveal, args=(r.code,), type="primary",
              icon=":material/visibility:", disabled=revealed(r))


@st.fragment(run_every=POLL_SECONDS)
def _tally(code: str, labels: dict[int, str]) -> None:
    try:
        tally = classroom.tally(code)
    except ClassroomError as exc:
        st.warning(error_text(exc))
        return
    with st.container(key="class-tally"):
        st.markdown(f"**{t('lecture.quiz.tally', total=tally.total)}**")
        for answer, choice in CHOICES.items():
            count = tally.counts.get(choice, 0)
            st.progress(count / tally.total if tally.total else 0.0, text=f"{labels[answer]} — **{count}**")


def poll(r: Role, step: str | None, shown_revealed: bool) -> None:
    """A student's screen watches the class: when the teacher moves to another step (and the student follows,
    ``step`` is the step shown) or reveals the samples (``shown_revealed`` is what this run showed), the page
    reruns to show it."""
    if r.student:
        _poll(r.code, step if following() else None, shown_revealed)


@st.fragment(run_every=POLL_SECONDS)
def _poll(code: str, step: str | None, shown_revealed: bool) -> None:
    try:
        teacher = classroom.teacher_step(code) if step is not None else None
        is_revealed = classroom.tally(code).revealed
    except ClassroomError as exc:
        st.caption(error_text(exc))
        return
    if step is not None:
        st.caption(t("lecture.class.following", code=code))
    if teacher is not None and teacher != step:
        st.session_state[GOTO] = teacher
        st.rerun(scope="app")
    if is_revealed and not shown_revealed:
        st.rerun(scope="app")
