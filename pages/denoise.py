"""Denoise page (lecture §2): noisy inputs x̃ = x + ε through a denoising AE, a plain AE and a denoising VAE."""
import streamlit as st

from vae.denoising import add_noise, per_image_mse, pick_indices
from vae.errors import ExplorerError
from vae.kinds import get_kind
from vae.ui.cache import get_dataset, reconstruct
from vae.ui.i18n import t
from vae.ui.images import upscale
from vae.ui.sidebar import model_label, selection
from vae.ui.train_figures import error_bars

N_IMAGES = 8

st.title(t("denoise.title"))
st.caption(t("denoise.intro"))

sel = selection()
models = sel.all_models
denoisers = [m for m in models if m.noise > 0 and m.dataset == sel.dataset]
if not sel.dataset or not denoisers:
    st.info(t("denoise.no_model", dataset=sel.dataset or "—"))
    st.stop()
denoisers.sort(key=lambda m: (m.source != "pretrained", get_kind(m.kind).variational, m.latent_dim != (sel.latent_dim or 0), m.id))
by_id = {m.id: m for m in denoisers}
labels = {m.id: model_label(m) for m in denoisers}

c1, c2, c3 = st.columns([2, 2, 1])
main_id = c1.selectbox(t("denoise.model"), list(by_id), key="denoise.model", format_func=labels.__getitem__)
main = by_id[main_id]
c1.caption(t("denoise.trained_noise", noise=main.noise))


def best(candidates):
    candidates = sorted(candidates, key=lambda m: (m.source != "pretrained", m.id))
    return candidates[0] if candidates else None


plain = best([m for m in models if not get_kind(m.kind).variational and m.noise == 0 and m.dataset == main.dataset
              and m.latent_dim == main.latent_dim])
dvae = None
if not get_kind(main.kind).variational:
    dvae = best([m for m in models if get_kind(m.kind).variational and m.noise > 0 and m.dataset == main.dataset
                 and m.latent_dim == main.latent_dim])


@st.fragment
def panel() -> None:
    std = c2.slider(t("denoise.noise"), 0.0, 0.8, 0.4, 0.05, key="denoise.noise")
    seed = int(c3.number_input(t("common.seed"), value=0, step=1, key="denoise.seed"))
    show_dvae = dvae is not None and st.checkbox(t("denoise.show_dvae"), value=False, key="denoise.show_dvae")
    if plain is None:
        st.info(t("denoise.no_plain", dim=main.latent_dim))
    try:
        data = get_dataset(main.dataset)
        idx = pick_indices(len(data.x_test), N_IMAGES, seed)
        clean = data.x_test[idx].numpy()
        noisy = add_noise(clean, std, seed)
        rows = [("noisy", t("denoise.row.noisy"), noisy, None),
                ("denoised", t("denoise.row.denoised" if not get_kind(main.kind).variational else "denoise.row.dvae"),
                 reconstruct(main.path, noisy), main)]
        if show_dvae:
            rows.append(("dvae", t("denoise.row.dvae"), reconstruct(dvae.path, noisy), dvae))
        if plain is not None:
            rows.append(("plain", t("denoise.row.plain"), reconstruct(plain.path, noisy), plain))
    except ExplorerError as exc:
        st.error(t("common.error_model", detail=str(exc)))
        st.stop()
    errors = {}
    for key, label, images, model in rows + [("clean", t("denoise.row.clean"), clean, None)]:
        st.markdown(f"**{label}**" + (f" · {t('denoise.row.model', name=model_label(model))}" if model else ""))
        per = per_image_mse(images, clean) if key != "clean" else None
        if per is not None:
            errors[key] = float(per.mean())
        cols = st.columns(len(images))
        for i, col in enumerate(cols):
            col.image(upscale(images[i], 112), caption=None if per is None else t("denoise.mse", value=per[i]),
                      width="stretch")
    names = {k: lbl for k, lbl, _, _ in rows}
    st.plotly_chart(error_bars({names[k]: v for k, v in errors.items()}, t("denoise.errors"), t("denoise.error_axis")),
                    width="stretch")
    st.session_state["out.denoise.noisy"] = noisy
    st.session_state["out.denoise.denoised"] = rows[1][2]
    st.session_state["out.denoise.plain"] = next((r[2] for r in rows if r[0] == "plain"), None)
    st.session_state["out.denoise.errors"] = errors


panel()
