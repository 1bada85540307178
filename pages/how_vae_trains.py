"""How a VAE trains (lecture §8): the six steps on one test image, and the reparameterisation trick's gradient."""
import numpy as np
import streamlit as st

from vae.errors import ExplorerError
from vae.kinds import get_kind
from vae.reparam import draw_eps, forward_steps, gradients
from vae.ui.cache import get_dataset, get_model
from vae.ui.i18n import t
from vae.ui.images import upscale
from vae.ui.sidebar import model_label, selection
from vae.ui.train_figures import latent_sample_figure, per_dim_bars

st.title(t("howto.title"))
st.caption(t("howto.intro"))

sel = selection()
info = sel.focus
if info is None or not get_kind(info.kind).variational:
    fallback = next((m for k, m in sel.lineup() if m is not None and get_kind(k).variational), None)
    if fallback is None:
        st.info(t("howto.no_vae"))
        st.stop()
    if info is not None:
        st.info(t("howto.ae_note", name=model_label(fallback)))
    info = fallback

try:
    model = get_model(info.path)
    data = get_dataset(model.cfg.dataset)
except ExplorerError as exc:
    st.error(t("common.error_model", detail=str(exc)))
    st.stop()

d = model.cfg.latent_dim
st.caption(t("howto.model", name=model_label(info), beta=model.cfg.beta, dim=d))


def _resample() -> None:
    st.session_state["howto.seed"] = int(st.session_state.get("howto.seed", 0)) + 1


def fmt_norm(v) -> str:
    return "None" if v is None else f"{v:.4g}"


@st.fragment
def steps_panel() -> None:
    n = len(data.x_test)
    # 1. the batch
    st.subheader(t("howto.step1"))
    c1, c2 = st.columns([1, 3])
    index = int(c1.number_input(t("howto.index"), min_value=0, max_value=n - 1, value=0, step=1, key="howto.index"))
    x = data.x_test[index].numpy()
    label = data.label_names[int(data.y_test[index])] if data.label_names else int(data.y_test[index])
    c1.image(upscale(x, 140), caption=t("howto.step1.text", label=label))

    # 3's ε is needed to compute everything at once; its widgets are drawn in step 3 below.
    st.session_state.setdefault("howto.seed", 0)
    seed = int(st.session_state["howto.seed"])
    eps = draw_eps(d, seed)
    s = forward_steps(model, x, eps)

    # 2. encoder
    with c2:
        st.subheader(t("howto.step2"))
        st.caption(t("howto.step2.text"))
        st.plotly_chart(per_dim_bars({"μ": s.mu, "σ": s.sigma}, t("howto.bars.mu_sigma"), t("howto.dim")),
                        width="stretch", key="howto.fig.mu_sigma")

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
            st.plotly_chart(latent_sample_figure(s.mu, s.sigma, s.z, labels), width="stretch", key="howto.fig.latent")
        else:
            st.plotly_chart(per_dim_bars({"μ": s.mu, "ε": s.eps, "z": s.z}, t("howto.bars.z"), t("howto.dim")),
                            width="stretch", key="howto.fig.z")

    # 4. decoder
    st.subheader(t("howto.step4"))
    st.caption(t("howto.step4.text"))
    x_mu = forward_steps(model, x, np.zeros(d, np.float32)).x_hat
    cols = st.columns(4)
    cols[0].image(upscale(x, 140), caption=t("common.original"))
    cols[1].image(upscale(s.x_hat, 140), caption=t("howto.decoded_z"))
    cols[2].image(upscale(x_mu, 140), caption=t("howto.decoded_mu"))

    # 5. loss
    st.subheader(t("howto.step5"))
    st.caption(t("howto.step5.text", recon=model.cfg.recon.upper()))
    cols = st.columns(4)
    cols[0].metric(t("howto.loss.recon"), f"{s.recon:.2f}")
    cols[1].metric(t("howto.loss.kl"), f"{s.kl:.2f}")
    cols[2].metric(t("howto.loss.beta_kl"), f"{s.beta_kl:.2f}", help=f"β = {s.beta:g}")
    cols[3].metric(t("howto.loss.total"), f"{s.total:.2f}")

    # 6. gradients, computed both ways
    st.subheader(t("howto.step6"))
    st.caption(t("howto.step6.text"))
    g_with = gradients(model, x, eps, "reparam")
    g_sample = gradients(model, x, eps, "sample", seed=seed)
    g_normal = gradients(model, x, eps, "normal", seed=seed)
    left, right = st.columns(2, border=True)
    with left:
        st.markdown(f"**{t('howto.with')}**")
        st.code(t("howto.requires_grad", value=g_with.z_requires_grad), language=None)
        a, b = st.columns(2)
        a.metric(t("howto.grad_norm", param="μ"), fmt_norm(g_with.norm(g_with.recon_mu)))
        b.metric(t("howto.grad_norm", param="σ"), fmt_norm(g_with.norm(g_with.recon_sigma)))
        st.plotly_chart(per_dim_bars({"∂/∂μ": g_with.recon_mu, "∂/∂σ": g_with.recon_sigma}, t("howto.grad_table"),
                                     t("howto.dim"), height=240), width="stretch", key="howto.fig.grad")
    with right:
        st.markdown(f"**{t('howto.without')}**")
        st.markdown(t("howto.sample_code"))
        st.code(t("howto.requires_grad", value=g_sample.z_requires_grad), language=None)
        a, b = st.columns(2)
        a.metric(t("howto.grad_norm", param="μ"), fmt_norm(g_sample.norm(g_sample.recon_mu)))
        b.metric(t("howto.grad_norm", param="σ"), fmt_norm(g_sample.norm(g_sample.recon_sigma)))
        if g_sample.recon_mu is None:
            st.caption(t("howto.grad_none"))
        st.markdown(t("howto.normal_code"))
        a, b = st.columns(2)
        a.metric(t("howto.grad_norm", param="μ") + " ", fmt_norm(g_normal.norm(g_normal.recon_mu)))
        b.metric(t("howto.grad_norm", param="σ") + " ", fmt_norm(g_normal.norm(g_normal.recon_sigma)))
    st.info(t("howto.kl_only", without=fmt_norm(g_sample.norm(g_sample.total_mu)), with_=fmt_norm(g_with.norm(g_with.total_mu))))
    st.caption(t("howto.refs"))

    st.session_state["out.howto.mu"] = s.mu
    st.session_state["out.howto.sigma"] = s.sigma
    st.session_state["out.howto.z"] = s.z
    st.session_state["out.howto.x_hat"] = s.x_hat
    st.session_state["out.howto.loss"] = {"recon": s.recon, "kl": s.kl, "beta_kl": s.beta_kl, "total": s.total}
    st.session_state["out.howto.grad_with"] = {"mu": g_with.recon_mu, "sigma": g_with.recon_sigma}
    st.session_state["out.howto.grad_without"] = {"mu": g_sample.recon_mu, "sigma": g_sample.recon_sigma,
                                                  "normal_mu": g_normal.recon_mu, "normal_sigma": g_normal.recon_sigma}


steps_panel()
