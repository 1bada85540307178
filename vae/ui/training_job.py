"""The Train page's form and its submission (Streamlit): widgets → ``vae.jobs`` → a queued job, or a message.

What decides lives in ``vae/``: the form's rules and the budget (``vae.jobs.form``), the pool and its queue
(``vae.jobs.pool``, or the distributed queue: ``vae.jobs.service`` picks), uploaded datasets (``vae.uploads``).
This module draws the widgets, calls those, and turns
their errors into translated messages. The page keeps only the job's id in its session state.
"""
from __future__ import annotations

import time

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..checkpoint import user_store
from ..config import ARCHS, RECON_LOSSES
from ..data import fashion_mnist_available
from ..errors import DatasetError, ExplorerError
from ..jobs.form import FormError, check_name, make_configs
from ..jobs.limits import Limits
from ..jobs.pool import ANONYMOUS, Job, JobSpec
from ..jobs.service import get_service
from ..kinds import DEFAULT_KIND, KINDS, BetaError
from ..uploads import UploadError, discard_unused, save_upload
from .cache import get_dataset
from .i18n import grouped, t
from .lecture import classroom_ui
from .plain_text import escape_markdown
from .teacher import teacher_owner

JOB_KEY = "train.job_id"
DATASETS = ("mnist", "fashion-mnist", "digits", "sprites", "upload")
DTYPES = ("float32", "float16")


def session_id() -> str:
    """The Streamlit session running this script (one active training per session)."""
    ctx = get_script_run_ctx()
    return ctx.session_id if ctx is not None else ""


def _beta_rules() -> str:
    return "; ".join(
        f"{t(f'kind.{k.name}')}: " + t("train.beta_rule." + ("none" if not k.beta.weighs_kl else "free" if k.beta.free
                                                             else "fixed"), beta=f"{k.beta.default:g}")
        for k in KINDS.values())


def train_form() -> tuple[dict, object, bool]:
    """Draw the form (every CLI option but the device, ``--force`` and ``--out``); return (values, upload, submitted)."""
    labels = lambda prefix, keys: {k: t(f"{prefix}.{k}") for k in keys}  # noqa: E731
    kinds, archs = labels("kind", KINDS), labels("train.arch", ARCHS)
    recons, datasets, dtypes = labels("train.recon", RECON_LOSSES), labels("train.dataset", DATASETS), labels("train.store_dtype", DTYPES)
    v: dict = {}
    with st.form("train.form"):
        st.subheader(t("train.form"))
        c1, c2, c3 = st.columns(3)
        v["kind"] = c1.selectbox(t("train.kind"), list(KINDS), index=list(KINDS).index(DEFAULT_KIND), key="train.kind",
                                 format_func=kinds.__getitem__)
        v["beta"] = c1.number_input(t("train.beta"), value=None, step=0.5, key="train.beta",
                                    help=t("train.beta_help", rules=_beta_rules()))
        v["latent_dim"] = c1.number_input(t("train.latent_dim"), value=2, step=1, key="train.latent_dim")
        v["dataset"] = c1.selectbox(t("train.dataset"), DATASETS, key="train.dataset", format_func=datasets.__getitem__)
        v["seed"] = c1.number_input(t("common.seed"), value=0, step=1, key="train.seed")
        v["arch"] = c2.selectbox(t("train.arch"), ARCHS, key="train.arch", format_func=archs.__getitem__)
        v["hidden"] = c2.text_input(t("train.hidden"), value="256 128", key="train.hidden", help=t("train.hidden_help"))
        v["recon"] = c2.selectbox(t("train.recon"), RECON_LOSSES, key="train.recon", format_func=recons.__getitem__)
        v["noise"] = c2.number_input(t("train.noise"), value=0.0, step=0.05, format="%.2f", key="train.noise")
        v["store_dtype"] = c2.selectbox(t("train.store_dtype"), DTYPES, key="train.store_dtype", format_func=dtypes.__getitem__)
        v["epochs"] = c3.number_input(t("train.epochs"), value=10, step=1, key="train.epochs")
        v["lr"] = c3.number_input(t("train.lr"), value=0.001, step=0.0005, format="%g", key="train.lr")
        v["batch_size"] = c3.number_input(t("train.batch_size"), value=128, step=16, key="train.batch_size")
        v["early_stop"] = c3.number_input(t("train.early_stop"), value=0, step=1, key="train.early_stop",
                                          help=t("train.early_stop_help"))
        v["val_fraction"] = c3.number_input(t("train.val_fraction"), value=None, step=0.05, format="%.2f",
                                            key="train.val_fraction", help=t("train.val_fraction_help"))
        upload = st.file_uploader(t("train.upload"), type=["npz"], key="train.upload")
        v["name"] = st.text_input(t("train.name"), value="my-vae-2d", key="train.name", help=t("train.name_help"))
        submitted = st.form_submit_button(t("train.submit"), type="primary", key="train.submit")
    return v, upload, submitted


def limits_line(limits: Limits) -> str:
    """The server's limits in one sentence, with the epochs they allow on MNIST as an example."""
    return t("train.limits", limit=grouped(limits.max_image_epochs), mnist=limits.max_epochs(len(get_dataset("mnist").x_train)),
             minutes=f"{limits.max_seconds / 60:g}")


def _training_data(choice: str, upload) -> tuple[str, int, tuple[int, int]]:
    """(dataset name for the config, training images, image shape); an upload is validated and kept in the store."""
    if choice == "fashion-mnist" and not fashion_mnist_available():
        raise FormError("fashion_missing")  # one sentence on how to install it, before anything is queued
    if choice != "upload":
        data = get_dataset(choice)
        return choice, len(data.x_train), tuple(data.image_shape)
    if upload is None:
        raise FormError("upload")
    name, data = save_upload(upload.getvalue(), filename=getattr(upload, "name", None))
    return name, len(data.x_train), tuple(data.image_shape)


def submitter() -> str:
    """Who submits, for the pool's fair queue: the teacher (by key), a class member (by their place in the class,
    ``classroom_ui.participant``), or an anonymous visitor (all of whom share a small allowance)."""
    owner = teacher_owner()
    if owner:
        return f"teacher:{owner}"
    place = classroom_ui.participant()
    return f"class:{place[0]}:{place[1]}" if place else ANONYMOUS


def submit(values: dict, upload) -> Job:
    """Validate the form and queue its training; raises the errors :func:`error_text` translates.

    An upload written for a form that is then refused (budget, name, queue) is removed again."""
    check_name(values["name"])  # before any upload is written
    dataset, n_train, shape = _training_data(values["dataset"], upload)
    kept_at = time.time()  # a re-upload of the same bytes by another session after this keeps the file
    try:
        form = {k: values[k] for k in ("kind", "beta", "latent_dim", "arch", "hidden", "recon", "noise", "epochs", "lr",
                                       "batch_size", "seed", "early_stop", "val_fraction")}
        mcfg, tcfg = make_configs(**form, dataset=dataset, image_shape=shape)
        return get_service().submit(JobSpec(name=str(values["name"]).strip(), model_cfg=mcfg, train_cfg=tcfg,
                                         dataset=dataset, n_train=n_train, store=user_store(), session=session_id(),
                                         store_dtype=values["store_dtype"], submitter=submitter()))
    except BaseException:
        discard_unused(user_store(), dataset, since=kept_at)
        raise


def _literal(fmt: dict) -> dict:
    """A message's fields: text shown literally, whole numbers grouped (1,000,000), other numbers as they are."""
    return {k: escape_markdown(v) if isinstance(v, str) else grouped(v) if isinstance(v, int) and abs(v) >= 10_000
            else v for k, v in fmt.items()}


def error_text(exc: Exception) -> str:
    """The translated message for an error of :func:`submit`; values from outside are shown literally."""
    if isinstance(exc, FormError) and exc.code == "fashion_missing":
        return t("data.fashion_missing")  # the sidebar's sentence
    if isinstance(exc, FormError):
        return t(f"train.err.{exc.code}", **_literal(exc.fmt))
    if isinstance(exc, BetaError):  # the kind's β rule, the CLI's message
        return t(f"kind.err.{exc.code}", **_literal(exc.fmt))
    if isinstance(exc, UploadError):
        return t(f"train.err.upload_{exc.code}", **_literal(exc.fmt))
    if isinstance(exc, DatasetError):  # may quote the file (its array names): shown literally
        return t("common.error_dataset", detail=escape_markdown(exc))
    return t("train.err.config", detail=escape_markdown(exc))


def submit_form(values: dict, upload) -> None:
    """Submit and remember the job in the session, or show why not (never a traceback)."""
    try:
        job = submit(values, upload)
    except ExplorerError as exc:
        st.error(error_text(exc))
        return
    st.session_state[JOB_KEY] = job.id
