"""Train page: a form over the CLI's options; the training runs in a worker process of the server's pool, or of
the course's distributed queue when Redis is configured (a visible queue when it is busy), shown live with a Stop
button; then a model import section."""
import streamlit as st

from vae.jobs.service import get_service
from vae.ui.i18n import t
from vae.ui.import_panel import import_section
from vae.ui.job_view import job_section, queue_table, refresh_once_finished, teacher_section
from vae.ui.training_job import JOB_KEY, limits_line, submit_form, train_form

st.title(t("train.title"))
st.caption(t("train.intro"))

pool = get_service()  # the local pool (its workers boot while the student fills the form) or the Redis queue
job = pool.job(st.session_state.get(JOB_KEY))
refresh_once_finished(job)

status = st.container()  # the session's training, above the form: what a student watches once submitted
values, upload, submitted = train_form()
st.caption(limits_line(pool.limits))
if submitted:  # a refusal shows under the form, where the student clicked
    submit_form(values, upload)
    job = pool.job(st.session_state.get(JOB_KEY))
with status:
    job_section(pool, job, asked=bool(st.session_state.get(JOB_KEY)))
    if job is None or not job.active:
        queue_table(pool)  # the class's trainings (a student who closed the tab finds theirs here)

st.divider()
import_section()
teacher_section()
