"""What the Train page shows of trainings (Streamlit): the pool's line, the queue, a job live, a job's outcome.

A queued or running job is drawn by a fragment that reruns every second and only reads the job's snapshot
(``vae.jobs.pool.Job.snapshot``, or the distributed queue's ``vae.jobs.queue_client.RemoteJob.snapshot``: the
training service of ``vae.jobs.service``), curves and latent map forming (the training film so far) included; when the job ends it reruns the whole page once, which then shows the
outcome and refreshes the model pickers. All texts are translated; a failure shows a short reason, never a
traceback.
"""
from __future__ import annotations

import math

import streamlit as st

from ..jobs.pool import Job, JobPool  # the types of the local pool; the queue's service has the same methods
from ..uploads import dataset_label
from .cache import store_listing
from .explorer.film_view import live_film
from .i18n import grouped, t
from .plain_text import escape_markdown
from .teacher import forget_button, teacher_owner, unlock_form
from .export import file_name, plotly_chart
from .train_figures import history_figure

ACKED_KEY = "train.acked"


def curves(history: list[dict], name: str | None = None, dataset: str | None = None) -> None:
    """The per-epoch loss curves (train and test) of a job; ``name``: the model's name (for the exported file)."""
    titles = {k: t(f"train.curve.{k}") for k in ("recon", "kl", "total")}
    plotly_chart(history_figure(history, titles, t("train.curve.train"), t("train.curve.test"), t("train.curve.epoch")),
                 name=file_name("training-curves", model=name, dataset=dataset))


def eta_text(seconds: float) -> str:
    """"in about 3 min" / "in about 40 s" / "in a few seconds" for an estimated start."""
    if seconds < 10:
        return t("train.eta.soon")
    if seconds < 90:
        return t("train.eta.seconds", s=int(math.ceil(seconds / 10) * 10))
    return t("train.eta.minutes", m=int(math.ceil(seconds / 60)))


def pool_line(pool: JobPool) -> str:
    """"Trainings on this server: 1 running, 2 waiting (1 worker processes)."; with the distributed queue, the
    course's trainings and its live workers."""
    active = pool.active_jobs()
    key = "train.pool.queue" if pool.distributed else "train.pool"
    return t(key, running=sum(j.status == "running" for j in active),
             queued=sum(j.status == "queued" for j in active), workers=pool.worker_count())


def pool_caption(pool: JobPool) -> None:
    """The pool's line and where models are saved, as a caption. Drawn inside the polling fragment while the
    session's job is active (so the counts follow the class's trainings), above the form otherwise. On the
    distributed queue with its Redis away, a notice says so (the page keeps working)."""
    line = pool_line(pool)
    if pool.problem:
        st.warning(t("train.queue_unreachable"), icon=":material/cloud_off:")
    st.caption(line + " · " + t("train.store"))


def queue_table(pool: JobPool) -> None:
    """Every queued and running job of this server (of the course, on the distributed queue), in queue order: name,
    state, progress, estimated start."""
    rows = []
    for job in pool.active_jobs():
        snap = job.summary()
        rows.append({t("train.col.name"): snap["name"], t("train.col.status"): t(f"train.status.{snap['status']}"),
                     t("train.col.progress"): f"{snap['epoch']}/{snap['epochs']} · {100 * snap['progress']:.0f}%",
                     t("train.col.start"): eta_text(snap["start_in"]) if snap["status"] == "queued" else "—",
                     "#": snap["position"] or 0})
    if rows:
        rows.sort(key=lambda r: (r["#"] != 0, r["#"]))
        st.caption(t("train.queue_title.queue" if pool.distributed else "train.queue_title"))
        st.dataframe([{k: v for k, v in r.items() if k != "#"} for r in rows], hide_index=True, width="stretch")
        if teacher_owner():
            remove_controls(pool)


def remove_controls(pool: JobPool) -> None:
    """The teacher's control over the queue: pick any waiting or running training of this server and remove it
    (a queued one is cancelled, a running one stopped: nothing is saved)."""
    jobs = {j.id: j for j in pool.active_jobs()}
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = c1.selectbox(t("train.teacher.pick"), list(jobs), key="train.teacher.pick",
                          format_func=lambda i: f"{jobs[i].name} · {t('train.status.' + jobs[i].status)}")
    c2.button(t("train.teacher.remove"), key="train.teacher.remove", on_click=pool.stop, args=(chosen,),
              icon=":material/delete:", disabled=chosen is None)


def outcome_text(snap: dict, max_minutes: float) -> tuple[str, str]:
    """(kind of message: success, warning or error; its translated text) for a finished job."""
    status, code, detail = snap["status"], snap["error_code"], escape_markdown(snap["error"])
    if status == "done":
        return "success", t("train.done", model_id=escape_markdown(f"user/{snap['name']}"), seconds=snap["seconds"],
                            dataset=escape_markdown(dataset_label(snap["dataset"])), dim=snap["latent_dim"])
    if status == "cancelled":
        return "warning", t("train.abandoned" if code == "abandoned" else "train.cancelled")
    if status == "stopped":
        if code in ("budget", "server"):
            return "warning", t(f"train.stopped.{code}", minutes=f"{max_minutes:g}")
        return "warning", t("train.stopped", detail=detail)
    reason = t(f"train.fail.{code}", detail=detail) if code in ("nan", "disk", "store", "killed", "error", "bug") else detail
    return "error", t("train.failed", detail=reason or "?")


def show_outcome(snap: dict, max_minutes: float) -> None:
    """A finished job: its message, its test metrics once saved, its curves."""
    kind, text = outcome_text(snap, max_minutes)
    getattr(st, kind)(text)
    m = snap["metrics"] or {}
    if snap["status"] == "done" and all(k in m for k in ("recon", "loss", "mse")):
        cols = st.columns(4)
        cols[0].metric(t("train.metric.recon"), f"{m['recon']:.2f}")
        cols[1].metric(t("train.metric.kl"), "—" if m.get("kl") is None else f"{m['kl']:.2f}")
        cols[2].metric(t("train.metric.loss"), f"{m['loss']:.2f}")
        cols[3].metric(t("train.metric.mse"), f"{m['mse']:.4f}")
    if snap["history"]:
        st.subheader(t("train.curves"))
        curves(snap["history"], snap.get("name"), snap.get("dataset"))


def live_map(snap: dict) -> None:
    """The running job's latent map, forming: its training film so far (the snapshot events that reached the
    web process), drawn by the explorer's film view. Each poll only re-mounts it with bundle references: a
    bundle is fetched once per new snapshot, the frames between are kept by the browser."""
    st.subheader(t("film.live_header"))
    live_film(snap["snapshots"], title=t(f"kind.{snap['kind']}"), label=snap["name"], dataset=snap["dataset"])


@st.fragment(run_every=1.0)
def live_panel(pool: JobPool, job_id: str) -> None:
    """A queued job (position, estimated start, Cancel) or a running one (progress, Stop, live curves); polls
    the job every second and reruns the page once it ends."""
    job = pool.job(job_id)
    pool_caption(pool)
    pool.seen(job_id)  # the submitter is still here: a queued job is kept
    if job is None:
        if not pool.problem:  # Redis away: the caption's notice said so, the job may well be running
            st.warning(t("train.lost"))
        return
    snap = job.snapshot()
    if snap["status"] not in ("queued", "running"):
        st.rerun()
    name = escape_markdown(snap["name"])
    if snap["status"] == "queued":
        st.info(t("train.queued", name=name, position=snap["position"], eta=eta_text(snap["start_in"])))
        st.button(t("train.cancel"), key="train.cancel", on_click=job.stop)
    else:
        started = snap["progress"] > 0
        text = (t("train.progress", name=name, epoch=max(1, snap["epoch"]), epochs=snap["epochs"])
                if started else t("train.starting", name=name))
        if snap["images_per_s"]:
            text += " · " + t("train.speed", ips=grouped(snap["images_per_s"]))
        st.progress(snap["progress"], text=text)
        st.button(t("train.stop"), key="train.stop", on_click=job.stop, disabled=snap["stop_requested"])
        if snap["stop_requested"]:
            st.info(t("train.stopping"))
        curves(snap["history"], snap.get("name"), snap.get("dataset"))
        live_map(snap)
    queue_table(pool)


def job_section(pool: JobPool, job: Job | None, asked: bool) -> None:
    """The pool's caption and the session's job: live while active, its outcome once finished (``asked``: the
    session had one)."""
    if job is None or not job.active:
        pool_caption(pool)
    if job is None:
        if asked and not pool.problem:
            st.warning(t("train.lost"))
    elif job.active:
        live_panel(pool, job.id)
    else:
        show_outcome(job.snapshot(), pool.limits.max_seconds / 60)


def refresh_once_finished(job: Job | None) -> None:
    """A job that just ended: clear the cached model list once and rerun, so the pickers offer the new model."""
    if job is not None and not job.active and st.session_state.get(ACKED_KEY) != job.id:
        st.session_state[ACKED_KEY] = job.id
        store_listing.clear()
        st.rerun()


def teacher_section() -> None:
    """At the bottom of the Train page: a visitor can type the teacher key (the queue then shows the teacher's
    remove control); a teacher can forget it here."""
    with st.expander(t("train.teacher.title"), icon=":material/admin_panel_settings:"):
        if teacher_owner():
            forget_button()
        else:
            unlock_form()
