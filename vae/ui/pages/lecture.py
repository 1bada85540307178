"""Lecture (Cours): the chapter on auto-encoders and VAEs in the course's order, one idea per step: the slide's
formula, a few sentences, the live widget, the number that proves it, a link to the full page. French by
default; presenter mode for a projector; students follow the teacher's steps and answer the micro-quiz; the whole
lecture downloads as one offline file."""
from vae.ui.i18n import current_lang, page_default_language
from vae.ui.lecture.render import lecture

page_default_language("fr")
lecture(current_lang())
