"""Lecture (Cours): the chapter on auto-encoders and VAEs in the course's order, one idea per step: the slide's
formula, a few sentences, the live widget, the number that proves it, a link to the full page. French by
default; presenter mode for a projector; students follow the teacher's steps and answer the micro-quiz; the whole
lecture downloads as one offline file."""
import streamlit as st

from vae.ui.handout_button import handout_button
from vae.ui.i18n import current_lang, page_default_language, t
from vae.ui.lecture import classroom_ui
from vae.ui.lecture.render import current_step, slide, step_bar
from vae.ui.sidebar import selection

page_default_language("fr")
lang = current_lang()
role = classroom_ui.role()
step = current_step(classroom_ui.arrival_step(role))  # a student arriving in a class starts at the teacher's step
with st.container(key="lecture-title"):
    st.title(t(f"lecture.{step.slug}.title"))
shown_revealed = classroom_ui.revealed(role)
presenting = step_bar(step, classroom_ui.follow_data(role, step.slug, shown_revealed))
if not presenting:
    with st.container(horizontal=True, vertical_alignment="center", wrap=False):  # one block, not three (step_bar)
        st.caption(t("lecture.intro"), width="stretch")
        handout_button(lang)
slide(step.slug, role, lang)

classroom_ui.publish(role)
classroom_ui.publish_step(role, step.slug)
classroom_ui.poll(role, step.slug, shown_revealed)
classroom_ui.section(role, selection(), "lecture", follow=True)
