"""Denoise page (lecture §2): noisy inputs x̃ = x + ε through a denoising AE, a plain AE and a denoising VAE."""
import streamlit as st

from vae.denoising import denoisers, partners
from vae.errors import ExplorerError
from vae.kinds import get_kind
from vae.ui.denoise_view import shown_panel
from vae.ui.export import file_name, grid_download, plotly_chart, stack_rows
from vae.ui.i18n import t
from vae.ui.sidebar import model_label, selection
from vae.ui.train_figures import error_bars

N_IMAGES = 8

st.title(t("denoise.title"))
st.caption(t("denoise.intro"))

sel = selection()
found = denoisers(sel.all_models, sel.dataset, sel.latent_dim)
if not sel.dataset or not found:
    st.info(t("denoise.no_model", dataset=sel.dataset or "—"))
    st.stop()
by_id = {m.id: m for m in found}
labels = {m.id: model_label(m) for m in found}

c1, c2, c3 = st.columns([2, 2, 1])
main = by_id[c1.selectbox(t("denoise.model"), list(by_id), key="denoise.model", format_func=labels.__getitem__)]
c1.caption(t("denoise.trained_noise", noise=main.noise))
plain, dvae = partners(main, sel.all_models)
titles = {"noisy": t("denoise.row.noisy"), "dvae": t("denoise.row.dvae"), "plain": t("denoise.row.plain"),
          "denoised": t("denoise.row.dvae" if get_kind(main.kind).variational else "denoise.row.denoised"),
          "clean": t("denoise.row.clean")}


@st.fragment
def panel() -> None:
    """The images and errors: the noise, the seed and the DVAE checkbox rerun this panel only."""
    std = c2.slider(t("denoise.noise"), 0.0, 0.8, 0.4, 0.05, key="denoise.noise")
    seed = int(c3.number_input(t("common.seed"), value=0, step=1, key="denoise.seed"))
    show_dvae = dvae is not None and st.checkbox(t("denoise.show_dvae"), value=False, key="denoise.show_dvae")
    if plain is None:
        st.info(t("denoise.no_plain", dim=main.latent_dim))
    rows = {"denoised": main, "dvae": dvae if show_dvae else None, "plain": plain}
    rows = {row: m for row, m in rows.items() if m is not None}
    try:
        shown = shown_panel(rows, main.dataset, N_IMAGES, std, seed)
    except ExplorerError as exc:
        st.error(t("common.error_model", detail=str(exc)))
        st.stop()
    for row in ("noisy", *rows, "clean"):
        model = rows.get(row)
        st.markdown(f"**{titles[row]}**" + (f" · {t('denoise.row.model', name=model_label(model))}" if model else ""))
        errors = shown.panel.mse.get(row)
        for i, col in enumerate(st.columns(N_IMAGES)):
            col.image(shown.pictures[row][i], caption=None if errors is None else t("denoise.mse", value=errors[i]),
                      width="stretch", output_format="PNG")
    order = ("noisy", *rows, "clean")
    grid_download(lambda: stack_rows([shown.pictures[row] for row in order]), key="denoise.png",
                  name=file_name("denoising", model=main.id, dataset=main.dataset, extra=[f"noise{std:g}", f"seed{seed}"]),
                  title=t("export.denoise_title", std=std), row_labels=[titles[row] for row in order])
    plotly_chart(error_bars({titles[row]: float(shown.panel.mse[row].mean()) for row in ("noisy", *rows)},
                            t("denoise.errors"), t("denoise.error_axis")), key="denoise.errors",
                 name=file_name("denoising-errors", model=main.id, dataset=main.dataset, extra=[f"noise{std:g}", f"seed{seed}"]))


panel()
