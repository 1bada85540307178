"""How a VAE trains (lecture §8): the six steps on one test image, and the reparameterisation trick's gradient."""
import streamlit as st

from vae.errors import ExplorerError
from vae.ui.cache import get_dataset, get_model
from vae.ui.export import file_name, plotly_chart
from vae.ui.i18n import t
from vae.ui.images import png, upscale
from vae.ui.sidebar import model_label, selection
from vae.ui.train_figures import latent_sample_figure, per_dim_bars
from vae.ui.training_step import fmt_norm, training_step, variational_model

st.title(t("howto.title"))
st.caption(t("howto.intro"))

info, stands_in = variational_model(selection())
if info is None:
    st.info(t("howto.no_vae"))
    st.stop()
if stands_in:
    st.info(t("howto.ae_note", name=model_label(info)))
try:
    cfg = get_model(info.path).cfg
    n_test = len(get_dataset(cfg.dataset).x_test)
except ExplorerError as exc:
    st.error(t("common.error_model", detail=str(exc)))
    st.stop()
d = cfg.latent_dim
st.caption(t("howto.model", name=model_label(info), beta=cfg.beta, dim=d))


def _resample() -> None:
    st.session_state["howto.seed"] = int(st.session_state.get("howto.seed", 0)) + 1


def _name(figure: str, index: int, seed: int | None = None) -> str:
    """File name of one of the page's exported charts (the model, the test image, ε's seed)."""
    return file_name(figure, model=info.id, dataset=info.dataset,
                     extra=[f"image{index}", *([f"eps-seed{seed}"] if seed is not None else [])])


def _norms(column, g, suffix: str = "") -> None:
    """Two metrics side by side: the gradient's norm w.r.t. μ and w.r.t. σ."""
    a, b = column.columns(2)
    a.metric(t("howto.grad_norm", param="μ") + suffix, fmt_norm(g.norm(g.recon_mu)))
    b.metric(t("howto.grad_norm", param="σ") + suffix, fmt_norm(g.norm(g.recon_sigma)))


@st.fragment
def steps_panel() -> None:
    """The six steps; the image index, ε's seed and the resample button rerun this panel only."""
    # 1. the batch
    st.subheader(t("howto.step1"))
    c1, c2 = st.columns([1, 3])
    index = int(c1.number_input(t("howto.index"), min_value=0, max_value=n_test - 1, value=0, step=1, key="howto.index"))
    # 3's ε is needed to compute everything at once; its widgets are drawn in step 3 below.
    st.session_state.setdefault("howto.seed", 0)
    seed = int(st.session_state["howto.seed"])
    step = training_step(info.path, index, seed)
    s = step.steps
    c1.image(png(upscale(step.x, 140)), caption=t("howto.step1.text", label=step.label), output_format="PNG")

    # 2. encoder
    with c2:
        st.subheader(t("howto.step2"))
        st.caption(t("howto.step2.text"))
        plotly_chart(per_dim_bars({"μ": s.mu, "σ": s.sigma}, t("howto.bars.mu_sigma"), t("howto.dim")),
                     key="howto.fig.mu_sigma", name=_name("encoder-mu-sigma", index))

    # 3. sampling
    st.subheader(t("howto.step3"))
    st.caption(t("howto.step3.text"))
    c1, c2 = st.columns([1, 2])
    c1.number_input(t("howto.eps_seed"), min_value=0, step=1, key="howto.seed")
    c1.button(t("howto.resample"), key="howto.resample", on_click=_resample, icon=":material/casino:")
    c1.dataframe({t("howto.table.dim"): [f"z{i + 1}" for i in range(d)], "μ": s.mu, "σ": s.sigma, "ε": s.eps, "z": s.z},
                 hide_index=True, width="stretch")
    with c2:
        if d == 2:
            labels = {k: t(f"howto.pic.{k}") for k in ("prior", "ellipse", "mu", "z", "eps", "zoom")}
            plotly_chart(latent_sample_figure(s.mu, s.sigma, s.z, labels), key="howto.fig.latent",
                         name=_name("reparam-sample", index, seed))
        else:
            plotly_chart(per_dim_bars({"μ": s.mu, "ε": s.eps, "z": s.z}, t("howto.bars.z"), t("howto.dim")),
                         key="howto.fig.z", name=_name("reparam-bars", index, seed))

    # 4. decoder
    st.subheader(t("howto.step4"))
    st.caption(t("howto.step4.text"))
    cols = st.columns(4)
    for col, picture, caption in zip(cols, (step.x, s.x_hat, step.x_hat_mu),
                                     ("common.original", "howto.decoded_z", "howto.decoded_mu")):
        col.image(png(upscale(picture, 140)), caption=t(caption), output_format="PNG")

    # 5. loss
    st.subheader(t("howto.step5"))
    st.caption(t("howto.step5.text", recon=cfg.recon.upper()))
    cols = st.columns(4)
    cols[0].metric(t("howto.loss.recon"), f"{s.recon:.2f}")
    cols[1].metric(t("howto.loss.kl"), f"{s.kl:.2f}")
    cols[2].metric(t("howto.loss.beta_kl"), f"{s.beta_kl:.2f}", help=f"β = {s.beta:g}")
    cols[3].metric(t("howto.loss.total"), f"{s.total:.2f}")

    # 6. gradients, computed both ways
    st.subheader(t("howto.step6"))
    st.caption(t("howto.step6.text"))
    g_with, g_sample = step.with_trick, step.sampled
    left, right = st.columns(2, border=True)
    with left:
        st.markdown(f"**{t('howto.with')}**")
        st.code(t("howto.requires_grad", value=g_with.z_requires_grad), language=None)
        _norms(left, g_with)
        plotly_chart(per_dim_bars({"∂/∂μ": g_with.recon_mu, "∂/∂σ": g_with.recon_sigma}, t("howto.grad_table"),
                                  t("howto.dim"), height=240), key="howto.fig.grad", name=_name("gradients", index, seed))
    with right:
        st.markdown(f"**{t('howto.without')}**")
        st.markdown(t("howto.sample_code"))
        st.code(t("howto.requires_grad", value=g_sample.z_requires_grad), language=None)
        _norms(right, g_sample)
        if g_sample.recon_mu is None:
            st.caption(t("howto.grad_none"))
        st.markdown(t("howto.normal_code"))
        _norms(right, step.normal, " ")
    st.info(t("howto.kl_only", without=fmt_norm(g_sample.norm(g_sample.total_mu)), with_=fmt_norm(g_with.norm(g_with.total_mu))))
    st.caption(t("howto.refs"))


steps_panel()
