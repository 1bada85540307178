"""Train page: a form over the CLI's options, a worker-thread training with live curves, a Stop button."""
import hashlib
from pathlib import Path

import streamlit as st

from vae.checkpoint import read_config, user_store
from vae.config import ARCHS, RECON_LOSSES
from vae.kinds import DEFAULT_KIND, KINDS, BetaError
from vae.errors import DatasetError, ExplorerError
from vae.model_import import PICKLE_SUFFIXES, ModelImportError, import_model
from vae.ui.cache import available_models, get_dataset
from vae.ui.i18n import t
from vae.ui.train_figures import history_figure
from vae.ui.training_job import MAX_CONCURRENT, FormError, active_jobs, check_name, get_job, make_configs, start_job

JOB_KEY = "train.job_id"
DATASETS = ("mnist", "digits", "sprites", "upload")

st.title(t("train.title"))
st.caption(t("train.intro"))


def curves(history: list[dict]) -> None:
    titles = {k: t(f"train.curve.{k}") for k in ("recon", "kl", "total")}
    fig = history_figure(history, titles, t("train.curve.train"), t("train.curve.test"), t("train.curve.epoch"))
    st.plotly_chart(fig, width="stretch")


def load_training_data(choice: str, upload):
    """(dataset name for the config, Dataset); an upload is kept in the store's hidden .uploads folder
    so the trained model can reload its data later (``npz:PATH``)."""
    if choice != "upload":
        return choice, get_dataset(choice)
    if upload is None:
        raise FormError("upload")
    raw = upload.getvalue()
    folder = user_store() / ".uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(raw).hexdigest()[:16]}.npz"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(raw)
        tmp.replace(path)
    name = f"npz:{path}"
    try:
        return name, get_dataset(name)
    except DatasetError:
        path.unlink(missing_ok=True)  # an invalid upload is not kept in the store
        if not any(folder.iterdir()):
            folder.rmdir()
        raise


job = get_job(st.session_state.get(JOB_KEY))

# A job that just finished: refresh the model list once, then rerun so the sidebar shows the new model.
if job is not None and not job.active and st.session_state.get("train.acked") != job.id:
    st.session_state["train.acked"] = job.id
    available_models.clear()
    st.rerun()

kind_labels = {k: t(f"kind.{k}") for k in KINDS}
beta_rules = "; ".join(
    f"{t(f'kind.{k.name}')}: " + t("train.beta_rule." + ("none" if not k.beta.weighs_kl else "free" if k.beta.free else "fixed"),
                                   beta=f"{k.beta.default:g}")
    for k in KINDS.values())
arch_labels = {a: t(f"train.arch.{a}") for a in ARCHS}
recon_labels = {r: t(f"train.recon.{r}") for r in RECON_LOSSES}
data_labels = {d: t(f"train.dataset.{d}") for d in DATASETS}

with st.form("train.form"):
    st.subheader(t("train.form"))
    c1, c2, c3 = st.columns(3)
    kind = c1.selectbox(t("train.kind"), list(KINDS), index=list(KINDS).index(DEFAULT_KIND), key="train.kind",
                        format_func=kind_labels.__getitem__)
    beta = c1.number_input(t("train.beta"), value=None, min_value=None, step=0.5, key="train.beta",
                           help=t("train.beta_help", rules=beta_rules))
    latent_dim = c1.number_input(t("train.latent_dim"), value=2, step=1, key="train.latent_dim")
    dataset = c1.selectbox(t("train.dataset"), DATASETS, key="train.dataset", format_func=data_labels.__getitem__)
    arch = c2.selectbox(t("train.arch"), ARCHS, key="train.arch", format_func=arch_labels.__getitem__)
    hidden = c2.text_input(t("train.hidden"), value="256 128", key="train.hidden", help=t("train.hidden_help"))
    recon = c2.selectbox(t("train.recon"), RECON_LOSSES, key="train.recon", format_func=recon_labels.__getitem__)
    noise = c2.number_input(t("train.noise"), value=0.0, step=0.05, format="%.2f", key="train.noise")
    epochs = c3.number_input(t("train.epochs"), value=10, step=1, key="train.epochs")
    lr = c3.number_input(t("train.lr"), value=0.001, step=0.0005, format="%g", key="train.lr")
    batch_size = c3.number_input(t("train.batch_size"), value=128, step=16, key="train.batch_size")
    seed = c3.number_input(t("common.seed"), value=0, step=1, key="train.seed")
    upload = st.file_uploader(t("train.upload"), type=["npz"], key="train.upload")
    name = st.text_input(t("train.name"), value="my-vae-2d", key="train.name", help=t("train.name_help"))
    submitted = st.form_submit_button(t("train.submit"), type="primary", key="train.submit")

if submitted:
    try:
        if job is not None and job.active:
            raise FormError("mine")
        check_name(name)
        dataset_name, data = load_training_data(dataset, upload)
        mcfg, tcfg = make_configs(kind=kind, beta=beta, latent_dim=latent_dim, arch=arch, hidden=hidden, recon=recon,
                                  noise=noise, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                                  dataset=dataset_name, image_shape=data.image_shape)
        job = start_job(name, mcfg, tcfg, data)
        st.session_state[JOB_KEY] = job.id
    except FormError as exc:
        st.error(t(f"train.err.{exc.code}", **exc.fmt))
    except BetaError as exc:  # the kind's β rule, the CLI's message
        st.error(t(f"kind.err.{exc.code}", **exc.fmt))
    except DatasetError as exc:
        st.error(t("common.error_dataset", detail=str(exc)))
    except ExplorerError as exc:
        st.error(t("train.err.config", detail=str(exc)))

st.caption(t("train.running_elsewhere", n=len(active_jobs()), max=MAX_CONCURRENT) + " · "
           + t("train.store", path=str(user_store())))


@st.fragment(run_every=1.0)
def live_panel(job_id: str) -> None:
    """Polls the job (reads only): progress bar, Stop button, live curves; full rerun when it ends."""
    job = get_job(job_id)
    if job is None:
        st.warning(t("train.lost"))
        return
    snap = job.snapshot()
    if snap["status"] not in ("queued", "running"):
        st.rerun()
    st.progress(snap["progress"], text=t("train.progress", name=snap["name"], epoch=max(1, snap["epoch"]), epochs=snap["epochs"]))
    st.button(t("train.stop"), key="train.stop", on_click=job.stop, disabled=snap["stop_requested"])
    if snap["stop_requested"]:
        st.info(t("train.stopping"))
    st.session_state["out.train.history"] = snap["history"]
    st.session_state["out.train.status"] = snap["status"]
    curves(snap["history"])


if job is None:
    if st.session_state.get(JOB_KEY):
        st.warning(t("train.lost"))
elif job.active:
    live_panel(job.id)
else:
    snap = job.snapshot()
    st.session_state["out.train.history"] = snap["history"]
    st.session_state["out.train.status"] = snap["status"]
    if snap["status"] == "done":
        m = snap["metrics"]
        st.success(t("train.done", model_id=f"user/{snap['name']}", seconds=snap["seconds"],
                     dataset=job.model_cfg.dataset, dim=job.model_cfg.latent_dim))
        cols = st.columns(4)
        cols[0].metric(t("train.metric.recon"), f"{m['recon']:.2f}")
        cols[1].metric(t("train.metric.kl"), "—" if m["kl"] is None else f"{m['kl']:.2f}")
        cols[2].metric(t("train.metric.loss"), f"{m['loss']:.2f}")
        cols[3].metric(t("train.metric.mse"), f"{m['mse']:.4f}")
        st.session_state["out.train.model_path"] = snap["result_path"]
    elif snap["status"] == "stopped":
        st.warning(t("train.stopped", detail=snap["error"] or ""))
    else:
        st.error(t("train.failed", detail=snap["error"] or "?"))
    if snap["history"]:
        st.subheader(t("train.curves"))
        curves(snap["history"])


# -- Import a model: uploaded files are validated by vae.model_import (never unpickled) --------------
st.divider()
st.subheader(t("importer.title"))
st.caption(t("importer.intro"))
IMPORT_TYPES = ["safetensors", "json", "zip", *(s.lstrip(".") for s in PICKLE_SUFFIXES)]  # pickles: refused with a message
with st.form("importer.form"):
    import_files = st.file_uploader(t("importer.files"), type=IMPORT_TYPES, accept_multiple_files=True, key="importer.files")
    import_name = st.text_input(t("importer.name"), value="imported-model", key="importer.name", help=t("train.name_help"))
    import_submitted = st.form_submit_button(t("importer.submit"), key="importer.submit")

if import_submitted:
    st.session_state["out.importer.path"] = None
    try:
        if not import_files:
            raise ModelImportError("no_files", "no file was uploaded")
        names = [f.name for f in import_files]
        if dup := next((n for n in names if names.count(n) > 1), None):
            raise ModelImportError("duplicate", f"{dup} was uploaded twice", name=dup)
        path = import_model({f.name: f.getvalue() for f in import_files}, import_name)
    except ModelImportError as exc:
        st.session_state["out.importer.error"] = exc.code
        st.error(t("importer.refused", detail=t(f"importer.err.{exc.code}", **exc.fmt)))
    except OSError as exc:  # e.g. the store's disk is full: nothing was kept (import_model cleans up)
        st.session_state["out.importer.error"] = "os"
        st.error(t("importer.refused", detail=f"{exc.strerror or exc}."))
    else:
        st.session_state["out.importer.error"] = None
        st.session_state["out.importer.path"] = str(path)
        available_models.clear()
        st.session_state["importer.just_done"] = str(path)
        st.rerun()  # so the sidebar lists the new model at once

if done_path := st.session_state.pop("importer.just_done", None):
    cfg, _ = read_config(done_path)
    st.success(t("importer.done", model_id=f"user/{Path(done_path).name}", kind=t(f"kind.{cfg.kind}"),
                 dim=cfg.latent_dim, dataset=cfg.dataset))
