"""The class in the browser: a teacher (who typed the teacher key, :mod:`vae.ui.teacher`) opens a class code,
students join it (a link, a QR code or the code typed), vote on the micro-quiz, and follow the teacher's
lecture steps.

Everything shared goes through :mod:`vae.classroom`, which keeps a class in the shared user store: a vote cast
on replica 1 shows in the tally that replica 2 serves to the teacher. The teacher's screen polls the tally and
the attendance, and a student's screen polls the teacher's step and the reveal flag (no vote counted), with
``@st.fragment(run_every=POLL_SECONDS)`` for the teacher, and for a student the browser's own poll of
:mod:`vae.ui.class_poll` (no script run until something changed). A session teaches a class when it holds the key that opened it (typed
once per browser); a student holds a participant token from :func:`vae.classroom.join`, kept by the browser
(:mod:`vae.ui.cookies`) so that a reload or another page does not take a second place in the class.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import streamlit as st

from ... import classroom
from ...classroom import ClassroomError
from ...jobs.limits import env_number
from .. import class_poll, cookies, teacher, url_state
from ..i18n import STRINGS, current_lang, t
from ..sidebar import Selection, selection_params
from .share import qr_png

CHOICES = {1: "plausible", 2: "poor"}   # the micro-quiz's answers (1) and (2), as the class stores them
POLL_SECONDS = 2.0
# a student's screen shows the teacher's new step a random 0..this many seconds after its poll saw it: the
# amphitheatre's reruns are spread instead of queueing together on the server (200 at once took 3 s of its CPU;
# bench/load.py --profile lecture). ``VAE_FOLLOW_SPREAD_SECONDS`` (0 to 10) sets it: a seminar of ten can follow at
# once, and the bench's tiny end-to-end test needs the report to beat its students' next action.
FOLLOW_SPREAD_SECONDS = min(10.0, env_number("VAE_FOLLOW_SPREAD_SECONDS", 3.0, 0.0, float))
TEACHER = "class.teacher"               # the code of the class this session opened
PLACES = "class.places"                 # {class code: this session's participant token}
PLACE_COOKIE = "vae_class"              # "CODE:token": the browser's place in its last class
JOIN = "class.join"                     # the code a student typed (or the link's ?class=)
FOLLOW = "class.follow"                 # a student follows the teacher's steps (the toggle)
FOLLOW_KEPT = "class.follow.kept"       # the toggle's choice, kept while the class panel is shut
PANEL = "class.panel"                   # a student's class panel (a lazy expander): True while open
SIZE = "class.size"                     # the size of the class the teacher is about to open
GOTO = "lecture.goto"                   # a step to show at the next run (set by the follow poll)
_CAST = "class.cast"                    # (code, choice) of the last vote this session cast
_PUBLISHED = "class.published"          # (code, step) the teacher last published


@dataclass(frozen=True)
class Role:
    """This session's place in a class: the code (None: no class), whether it teaches it, the teacher key's
    owner id when the session holds one, the participant token of a student, and when a taught class ended."""

    code: str | None = None
    teacher: bool = False
    owner: str | None = None
    participant: str | None = None
    ended_at: float | None = None

    @property
    def student(self) -> bool:
        return self.code is not None and not self.teacher and self.participant is not None

    @property
    def ended(self) -> bool:
        return self.teacher and self.ended_at is not None


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
        size = int(st.session_state.get(SIZE) or classroom.DEFAULT_SIZE)
        st.session_state[TEACHER] = classroom.open_class(list(CHOICES.values()), owner=teacher.teacher_owner(),
                                                         size=size)
        st.session_state.pop("_class.error", None)
    except (ClassroomError, TypeError, ValueError) as exc:
        st.session_state["_class.error"] = error_text(exc) if isinstance(exc, ClassroomError) else str(exc)


def _close(code: str) -> None:
    try:
        classroom.close_class(code, teacher.teacher_owner())
    except ClassroomError as exc:
        st.session_state["_class.error"] = error_text(exc)
    st.session_state.pop(TEACHER, None)
    st.session_state[JOIN] = ""


def _place(code: str) -> str | None:
    """This session's participant token in class ``code``: the one it has, or the browser's (cookie), or a new
    place; None (with a message) when the class is full."""
    places = st.session_state.setdefault(PLACES, {})
    token = places.get(code)
    if token is not None:  # joined in this session: the class is open (role() just read it), the place is kept
        return token
    kept = (cookies.read(PLACE_COOKIE) or "").partition(":")
    token = kept[2] if kept[0] == code else None
    try:
        joined = classroom.join(code, token)
    except ClassroomError as exc:
        st.error(error_text(exc))
        return None
    if joined != places.get(code):
        places[code] = joined
        cookies.queue(PLACE_COOKIE, f"{code}:{joined}", days=1)
    return joined


def role() -> Role:
    """This session's role: the teacher of the class it opened (or of the class in the link, when the browser
    holds the key that opened it), a student of the class in the link (``?class=``) or typed, or no class. A
    code that names no open class (expired, mistyped) is dropped, with a message; a taught class that ended is
    kept, so its teacher sees when it ended and can open a new one."""
    url_state.adopt(JOIN, "class", _normalised, note=url_state.note_in(st, t("lecture.class.code")))
    owner = teacher.teacher_owner()
    code = st.session_state.get(TEACHER) or _normalised(st.session_state.get(JOIN) or "")
    if not code:
        return Role(owner=owner)
    try:
        state = classroom.state(code, max_age=classroom.STATE_SECONDS)  # one read serves every rerun for a moment
    except ClassroomError as exc:
        if code == st.session_state.get(TEACHER) and exc.code in ("expired", "unknown_code"):
            return Role(code, True, owner, ended_at=classroom.expired_at(code) or time.time())
        st.error(error_text(exc))
        return Role(owner=owner)
    if owner is not None and state.owner == owner:  # the teacher's own class (this session opened it, or a reload)
        st.session_state[TEACHER] = code
        return Role(code, True, owner)
    token = _place(code)
    return Role(code, False, owner, participant=token) if token else Role(owner=owner)


def participant() -> tuple[str, str] | None:
    """(class code, token) of this session's place in an open class, if it joined one (in this session, or the
    browser did); the Train page's fair queue counts a student by it."""
    candidates = list(st.session_state.get(PLACES, {}).items())
    kept = (cookies.read(PLACE_COOKIE) or "").partition(":")
    if kept[2]:
        candidates.append((kept[0], kept[2]))
    for code, token in candidates:
        if classroom.is_participant(code, token):
            return code, token
    return None


def publish(r: Role) -> None:
    """Keep the class code in the URL (``class``), so the address bar links into the same class."""
    url_state.publish({"class": r.code})


def section(r: Role, sel: Selection, url_path: str, follow: bool = False) -> None:
    """The class panel (:func:`panel`) in its expander: open for the teacher, shut for everyone else. A student of
    a class rarely opens it, and an amphitheatre of them reruns the page at every step of the teacher: for them it
    is a lazy expander, its widgets (two text fields and the follow toggle) built only while it is open."""
    if not r.student:
        with st.expander(t("lecture.class.header"), expanded=r.teacher):
            panel(r, sel, url_path, follow)
        return
    with st.expander(t("lecture.class.header"), key=PANEL, on_change="rerun") as box:
        if box.open:
            panel(r, sel, url_path, follow)


def panel(r: Role, sel: Selection, url_path: str, follow: bool = False) -> None:
    """The class panel: for the teacher, the code shown large with the students' link, its QR code and who
    joined (or, once the class ended, when and a button to open a new one); for a teacher without a class, the
    size and a button that opens one; for everyone else the field where a student types a code (with, on the
    Lecture, the "follow the teacher" toggle) and a folded form for the teacher key."""
    if r.teacher and not r.ended:
        url = url_state.share_link(url_path, {**selection_params(sel), "lang": current_lang(), "class": r.code})
        left, right = st.columns([3, 2], vertical_alignment="center")
        with left:
            st.caption(t("lecture.class.code"))
            with st.container(key="class-code"):
                st.markdown(f"# {r.code}")
            st.caption(t("lecture.class.teacher", code=r.code))
            st.code(url, language=None, wrap_lines=True)
            _attendance(r.code)
            c1, c2 = st.columns(2)
            c1.button(t("lecture.class.close"), key="class.close", on_click=_close, args=(r.code,),
                      icon=":material/close:")
            with c2:
                teacher.forget_button()
        right.image(qr_png(url), caption=t("lecture.class.qr"), width=220)
        _errors()
        return
    if r.ended:
        st.warning(t("lecture.class.ended", code=r.code, time=time.strftime("%H:%M", time.localtime(r.ended_at))))
    st.caption(t("lecture.class.intro"))
    if r.owner is not None:
        c1, c2, c3 = st.columns([1, 1, 1], vertical_alignment="bottom")
        c1.number_input(t("lecture.class.size"), min_value=1, max_value=classroom.MAX_SIZE,
                        value=classroom.DEFAULT_SIZE, step=5, key=SIZE, help=t("lecture.class.size_help"))
        c2.button(t("lecture.class.open_new" if r.ended else "lecture.class.open"), key="class.open", on_click=_open,
                  icon=":material/groups:", type="primary")
        with c3:
            teacher.forget_button()
    if not r.teacher:
        st.text_input(t("lecture.class.join"), key=JOIN, max_chars=12)
        typed = st.session_state.get(JOIN)
        if typed and _normalised(typed) is None:
            st.error(t("lecture.class.err.bad_code"))
        if r.student and follow:
            st.toggle(t("lecture.class.follow"), key=FOLLOW, value=following(), on_change=_keep_follow)
        if r.owner is None:
            teacher.unlock_form()
    _errors()


def _errors() -> None:
    if st.session_state.get("_class.error"):
        st.error(st.session_state.pop("_class.error"))


@st.fragment(run_every=POLL_SECONDS * 5)
def _attendance(code: str) -> None:
    """Who joined the teacher's class: the count, how many in the last minute (a burst shows), and the size."""
    try:
        a = classroom.attendance(code)
    except ClassroomError:
        st.rerun(scope="app")  # ended meanwhile: the panel says so and offers a new class
        return
    st.caption(t("lecture.class.attendance", joined=a.joined, size=a.size, recent=a.last_minute))


def arrival_step(r: Role) -> str | None:
    """The step a student who follows the teacher starts at: the teacher's current one (None for anyone else, or
    when the class cannot be read). The page shows it in its first run, without waiting for the follow poll."""
    if not r.student or not following():
        return None
    try:
        return classroom.state(r.code, max_age=classroom.STATE_SECONDS).step
    except ClassroomError:
        return None


def following() -> bool:
    """True when this session, a student, follows the teacher's steps (the default once a class is joined)."""
    return bool(st.session_state.get(FOLLOW_KEPT, True))


def _keep_follow() -> None:
    """The follow toggle changed: keep the choice beyond the toggle (gone from the session while the panel is shut)."""
    st.session_state[FOLLOW_KEPT] = bool(st.session_state[FOLLOW])


def publish_step(r: Role, step: str) -> None:
    """The teacher's session publishes its lecture step to the class (only when it changed)."""
    if not r.teacher or r.ended or st.session_state.get(_PUBLISHED) == (r.code, step):
        return
    try:
        classroom.publish_step(r.code, step, r.owner)
        st.session_state[_PUBLISHED] = (r.code, step)
    except ClassroomError as exc:
        st.warning(error_text(exc))


def vote(r: Role, answer: int | None) -> None:
    """A student's answer to the micro-quiz goes to the class (again only when it changed)."""
    if not r.student or answer not in CHOICES:
        return
    cast = (r.code, CHOICES[answer])
    try:
        if st.session_state.get(_CAST) != cast:
            classroom.vote(r.code, r.participant, CHOICES[answer])
            st.session_state[_CAST] = cast
        st.success(t("lecture.quiz.voted"))
    except ClassroomError as exc:
        st.error(error_text(exc))


def revealed(r: Role) -> bool:
    """True when the class's teacher revealed the samples (False without a class, or when it cannot be read)."""
    if r.code is None or r.ended:
        return False
    try:
        return classroom.state(r.code, max_age=classroom.STATE_SECONDS).revealed
    except ClassroomError:
        return False


def _reveal(code: str) -> None:
    try:
        classroom.reveal(code, teacher.teacher_owner())
    except ClassroomError as exc:
        st.session_state["_class.error"] = error_text(exc)


def tally_panel(r: Role, labels: dict[int, str]) -> None:
    """The teacher's live tally (polled) and the button that reveals the samples to the whole class."""
    if not r.teacher or r.ended:
        return
    _tally(r.code, labels)
    st.button(t("lecture.quiz.reveal"), key="class.reveal", on_click=_reveal, args=(r.code,), type="primary",
              icon=":material/visibility:", disabled=revealed(r))


@st.fragment(run_every=POLL_SECONDS)
def _tally(code: str, labels: dict[int, str]) -> None:
    try:
        tally = classroom.tally(code)  # counted once per poll interval for every reader of this class
    except ClassroomError as exc:
        if exc.code in ("expired", "unknown_code"):
            st.rerun(scope="app")  # the panel then says when the class ended and offers a new one
        st.warning(error_text(exc))
        return
    with st.container(key="class-tally"):
        st.markdown(f"**{t('lecture.quiz.tally', total=tally.total)}**")
        for answer, choice in CHOICES.items():
            count = tally.counts.get(choice, 0)
            st.progress(count / tally.total if tally.total else 0.0, text=f"{labels[answer]} — **{count}**")


def follow_data(r: Role, step: str, shown_revealed: bool) -> dict | None:
    """What a student's browser needs to watch the class without the server running a script (the presenter view
    polls ``vae.ui.class_poll``): the poll's URL and interval, the step shown when the student follows (else None)
    and whether this run showed the samples. None for anyone else, or when this server has no such route."""
    if not r.student or not class_poll.served():
        return None
    return {"url": class_poll.path(r.code), "step": step if following() else None, "revealed": bool(shown_revealed),
            "every_ms": int(POLL_SECONDS * 1000), "spread_ms": int(FOLLOW_SPREAD_SECONDS * 1000)}


def poll(r: Role, step: str | None, shown_revealed: bool) -> None:
    """A student's screen watches the class: when the teacher moves to another step (and the student follows,
    ``step`` is the step shown) or reveals the samples (``shown_revealed`` is what this run showed), the page
    reruns to show it. The browser polls (``follow_data``); a server started without the launcher has no poll
    route, and there a fragment asks every ``POLL_SECONDS`` instead."""
    if not r.student:
        return
    if following():
        st.caption(t("lecture.class.following", code=r.code))
    if not class_poll.served():
        _poll(r.code, step if following() else None, shown_revealed)


@st.fragment(run_every=POLL_SECONDS)
def _poll(code: str, step: str | None, shown_revealed: bool) -> None:
    try:
        state = classroom.state(code)  # the reveal flag and the teacher's step: two small reads, no tally
    except ClassroomError as exc:
        st.caption(error_text(exc))
        return
    teacher_step = state.step if step is not None else None
    if teacher_step is not None and teacher_step != step:
        st.session_state[GOTO] = teacher_step
        st.rerun(scope="app")
    if state.revealed and not shown_revealed:
        st.rerun(scope="app")
