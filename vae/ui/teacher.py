"""The teacher in the browser (Streamlit): typing the teacher key once per browser, and knowing later that this
session is the teacher's.

The key itself (where it comes from, how it is checked) is :mod:`vae.teacher_key`. Here: a small "I teach
this class" form; once the key is right, this session is the teacher's (:data:`OWNER`, the key's owner id)
and the browser keeps a token in a cookie (an HMAC of the key, not the key), so a reload or a new tab of the
same browser is the teacher's too without typing it again. "Forget" removes both.
"""
from __future__ import annotations

import streamlit as st

from .. import teacher_key
from ..errors import ExplorerError
from . import cookies
from .i18n import t

OWNER = "teacher.owner"          # the owner id of the key this session holds
KEY_INPUT = "teacher.key"        # the password field (emptied once read)
COOKIE = "vae_teacher"
_ERROR = "_teacher.error"
_FORGOTTEN = "teacher.forgotten"   # this session forgot the key: the cookie it connected with no longer counts


def teacher_owner() -> str | None:
    """The owner id of this session's teacher key: typed in this session, or remembered by this browser's
    cookie; None for a student or a visitor."""
    owner = st.session_state.get(OWNER)
    if owner:
        return owner
    if st.session_state.get(_FORGOTTEN):
        return None
    try:
        owner = teacher_key.owner_of_token(cookies.read(COOKIE))
    except ExplorerError:
        return None
    if owner:
        st.session_state[OWNER] = owner
    return owner


def _unlock() -> None:
    typed = st.session_state.get(KEY_INPUT)
    st.session_state[KEY_INPUT] = ""  # the key is not kept in the session
    try:
        owner = teacher_key.check_key(typed)
    except ExplorerError as exc:
        owner, st.session_state[_ERROR] = None, t("teacher.err.server", detail=str(exc))
    if owner is None:
        st.session_state.setdefault(_ERROR, t("teacher.err.key"))
        return
    st.session_state[OWNER] = owner
    st.session_state.pop(_FORGOTTEN, None)
    cookies.queue(COOKIE, teacher_key.browser_token(owner) or "")


def _forget() -> None:
    st.session_state.pop(OWNER, None)
    st.session_state[_FORGOTTEN] = True
    cookies.queue(COOKIE, "")


def unlock_form() -> None:
    """For a visitor: a folded "I am the teacher" form asking for the teacher key (once per browser)."""
    with st.expander(t("teacher.unlock.title"), icon=":material/key:"):
        st.caption(t("teacher.unlock.help"))
        c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
        c1.text_input(t("teacher.key"), type="password", key=KEY_INPUT, max_chars=teacher_key.MAX_KEY_CHARS)
        c2.button(t("teacher.unlock"), key="teacher.unlock", on_click=_unlock)
        if st.session_state.get(_ERROR):
            st.error(st.session_state.pop(_ERROR))


def forget_button() -> None:
    """For the teacher: forget the key in this browser (a shared computer)."""
    st.button(t("teacher.forget"), key="teacher.forget", on_click=_forget, icon=":material/logout:")
