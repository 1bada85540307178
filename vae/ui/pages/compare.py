"""Compare: AE | VAE | β-VAE side by side (maps, generator samples, key numbers), the regularity metrics table and
the lecture's claims (checked over training seeds), the β sweep, and disentanglement on sprites over seeds."""
import streamlit as st

from vae.projection import default_projection
from vae.ui import compare_view as cv
from vae.ui.compare_figures import KEY_NUMBERS, format_value
from vae.ui.compare_render import (N_PRIOR, PRIOR_SEED, kl_dims_figure, map_figures, metrics_view, progress_text,
                                   sprite_view, sweep_view)
from vae.ui import cache
from vae.ui.explorer.film_view import film_section
from vae.ui.export import file_name, grid_download, plotly_chart
from vae.ui.i18n import current_lang, t
from vae.ui.prepared_table import show_table
from vae.ui.samples import generated_grid
from vae.ui.sidebar import kind_header, model_label, selection_with_models


def show_errors(errors: dict, ids) -> None:
    for mid in ids:
        if mid in errors:
            st.error(t("compare.error_report", name=mid.split("/", 1)[-1], detail=errors[mid]))


st.title(t("compare.title"))
st.caption(t("compare.intro"))
sel = selection_with_models(need_focus=False)
trio = sel.lineup()
lang = current_lang()

# ---- 1. side by side -----------------------------------------------------------------------------------------
st.header(t("compare.trio.header"))
trio_reports, trio_errors = cv.reports_with_progress([m for _, m in trio], progress_text)
method = default_projection(sel.latent_dim)
st.caption(t("compare.trio.caption", proj=t(f"compare.proj.{method}"), seed=PRIOR_SEED)
           + (" " + t("compare.trio.circle") if method == "native" else ""))
same_axes = st.checkbox(t("compare.same_axes"), value=True, key="compare.same_axes", help=t("compare.same_axes_help"))
maps = map_figures(tuple((k, m.path) for k, m in trio if m is not None), sel.dataset, method, same_axes, lang)
for col, (kind, info) in zip(st.columns(len(trio), gap="medium"), trio):
    with col:
        st.markdown(kind_header(kind, info))
        if info is None:
            st.info(t("compare.missing", kind=t(f"kind.{kind}")))
            continue
        st.caption(model_label(info))
        if isinstance(maps.get(kind), str):
            st.error(t("common.error_model", detail=maps[kind]))
            continue
        plotly_chart(maps[kind], key=f"compare.map.{kind}",
                     name=file_name("latent-map", model=info.id, dataset=info.dataset, projection=method))
        st.markdown(f"*{t('compare.prior_samples')}*")
        cell = 2 * max(cache.get_model(info.path).cfg.image_shape)
        picture = generated_grid(info.path, N_PRIOR, PRIOR_SEED, 1.0, ncols=6, cell=cell)
        st.image(picture, output_format="PNG", width="stretch")  # sent as it is (vae.ui.images.png)
        grid_download(picture, key=f"compare.samples.png.{kind}",
                      name=file_name("samples", model=info.id, dataset=info.dataset, extra=[f"seed{PRIOR_SEED}"]),
                      title=t("export.prior_title", kind=t(f"kind.{kind}"), model=model_label(info)),
                      caption=t(f"kind.{kind}.generator"))
        st.caption(t(f"kind.{kind}.generator"))
        report = trio_reports.get(info.id)
        if report is None:
            show_errors(trio_errors, [info.id])
            continue
        st.markdown(f"*{t('compare.key_numbers')}*")
        st.markdown("\n".join("- " + t("compare.key_fmt", name=t(f"compare.m.{k}"),
                                              value=format_value(k, report.get(k), report.get("latent_dim")))
                               for k in KEY_NUMBERS))

film_section(sel)  # the AE | VAE | β-VAE training films, played in the browser (vae/ui/explorer/film_view.py)

# ---- 2. the metrics table and the lecture's claims --------------------------------------------------------------
st.header(t("compare.table.header"))
metrics = metrics_view(trio, trio_reports, sel.latent_dim, lang)  # computed once per models and language
show_table(metrics.table)
st.caption(metrics.caption)
st.info(t("compare.table.reading"), icon=":material/school:")
st.markdown(metrics.claims)
for note in metrics.notes:
    st.caption(note)


# ---- 3. the β sweep -------------------------------------------------------------------------------------------------
@st.fragment
def sweep_section() -> None:
    st.header(t("compare.sweep.header"))
    chosen = [m.id for k, m in trio if m is not None and m.beta is not None]
    models = cv.sweep_models(sel.all_models, sel.dataset, sel.latent_dim, prefer=chosen)
    st.caption(t("compare.sweep.intro", dataset=sel.dataset, dim=sel.latent_dim))
    if len(models) < 2:
        st.info(t("compare.sweep.too_few"))
        return
    reports, errors = cv.reports_with_progress(models, progress_text)
    show_errors(errors, [m.id for m in models])
    splits = {"test": t("compare.split.test"), "train": t("compare.split.train")}
    split = st.radio(t("compare.split"), list(splits), key="compare.split", horizontal=True, format_func=splits.__getitem__)
    sweep = sweep_view(models, reports, chosen, split, sel.latent_dim, lang)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        plotly_chart(sweep.rate_distortion, key="compare.rd",
                     name=file_name("beta-sweep", dataset=sel.dataset, extra=[f"{sel.latent_dim}d", split]))
        st.markdown(sweep.claims)
        for note in sweep.notes:
            st.caption(note)
    with right:
        kl_dims = kl_dims_figure(trio, trio_reports, lang)
        if kl_dims is not None:
            plotly_chart(kl_dims, key="compare.kl_dims",
                         name=file_name("kl-per-dimension", dataset=sel.dataset, extra=[f"{sel.latent_dim}d"]))
            st.caption(t("compare.kl_dims.caption"))
        plotly_chart(sweep.active_units, key="compare.au",
                     name=file_name("active-units", dataset=sel.dataset, extra=[f"{sel.latent_dim}d", split]))


sweep_section()

# ---- 4. disentanglement on sprites, over seeds ------------------------------------------------------------------------
st.header(t("compare.sprites.header"))
st.caption(t("compare.sprites.intro"))
sprite_models = cv.sprite_models(sel.all_models)
if not sprite_models:
    st.info(t("compare.sprites.none"))
else:
    s_reports, s_errors = cv.reports_with_progress(sprite_models, progress_text)
    show_errors(s_errors, [m.id for m in sprite_models])
    sprites = sprite_view(sprite_models, s_reports, lang)
    left, right = st.columns([4, 3], gap="medium")
    with left:
        st.dataframe(list(sprites.rows), hide_index=True, width="stretch")
    with right:
        if sprites.seeds is not None:
            plotly_chart(sprites.seeds, key="compare.seeds", name=file_name("disentanglement-seeds", dataset="sprites"))
    for verdict, msg in sprites.verdicts:
        (st.success if verdict == "agree" else st.warning if verdict == "disagree" else st.info)(msg)
