"""Compare: AE | VAE | β-VAE side by side (maps, generator samples, key numbers), the regularity metrics table and
the lecture's claims (checked over training seeds), the β sweep, and disentanglement on sprites over seeds."""
import streamlit as st

from vae.projection import default_projection
from vae.ui import compare_view as cv
from vae.ui.compare_figures import KEY_NUMBERS, active_units_figure, format_value, rate_distortion_figure, seeds_figure, \
    style_winners
from vae.ui.compare_render import (N_PRIOR, PRIOR_SEED, claim_lines, claim_notes, column_label, map_figures, metric_view,
                                   progress_text, sprite_rows, stored, sweep_notes)
from vae.ui import cache
from vae.ui.explorer.film_view import film_section
from vae.ui.export import file_name, grid_download, plotly_chart
from vae.ui.i18n import current_lang, t
from vae.ui.samples import generated_grid
from vae.ui.sidebar import kind_header, model_label, selection_with_models
from vae.ui.train_figures import per_dim_bars


def show_errors(errors: dict, ids) -> None:
    for mid in ids:
        if mid in errors:
            st.error(t("compare.error_report", name=mid.split("/", 1)[-1], detail=errors[mid]))


st.title(t("compare.title"))
st.caption(t("compare.intro"))
sel = selection_with_models(need_focus=False)
trio = sel.lineup()

# ---- 1. side by side -----------------------------------------------------------------------------------------
st.header(t("compare.trio.header"))
trio_reports, trio_errors = cv.reports_with_progress([m for _, m in trio], progress_text)
method = default_projection(sel.latent_dim)
st.caption(t("compare.trio.caption", proj=t(f"compare.proj.{method}"), seed=PRIOR_SEED)
           + (" " + t("compare.trio.circle") if method == "native" else ""))
same_axes = st.checkbox(t("compare.same_axes"), value=True, key="compare.same_axes", help=t("compare.same_axes_help"))
maps = map_figures(tuple((k, m.path) for k, m in trio if m is not None), sel.dataset, method, same_axes, current_lang())
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
        st.image(picture, width="stretch")
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
table, marks, claims, n_seeds = metric_view(trio, trio_reports)
st.table(style_winners(table, marks))
st.caption(t("compare.table.caption") + (" " + t("compare.table.spread", n=n_seeds) if n_seeds > 1 else ""))
st.info(t("compare.table.reading"), icon=":material/school:")
st.markdown(t("compare.claims.header") + "\n" + "\n".join(claim_lines(claims, n_seeds)))
for note in claim_notes(claims, trio, trio_reports, sel.latent_dim):
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
    points = [p for m in models if m.id in reports
              and (p := cv.sweep_point(m.id, m.beta, reports[m.id], stored(m.path), split)) is not None]
    spread = cv.sweep_spread(models, reports, "recon") if split == "test" else []
    left, right = st.columns([3, 2], gap="medium")
    with left:
        plotly_chart(rate_distortion_figure(
            points, selected=chosen, title=t("compare.rd.title", split=splits[split]), x_title=t("compare.rd.x"),
            y_title=t("compare.rd.y"), models_name=t("compare.rd.models"), selected_name=t("compare.rd.selected"),
            spread=spread, spread_name=t("compare.rd.spread")), key="compare.rd",
            name=file_name("beta-sweep", dataset=sel.dataset, extra=[f"{sel.latent_dim}d", split]))
        sweep = cv.sweep_claims(models, reports)
        st.markdown(t("compare.sweep.claims") + "\n" + "\n".join(claim_lines(sweep)))
        for note in sweep_notes(sweep, models, reports, sel.latent_dim):
            st.caption(note)
    with right:
        kl_dims = {column_label(k, m): trio_reports[m.id]["kl_per_dim"]
                   for k, m in trio if m is not None and (trio_reports.get(m.id) or {}).get("kl_per_dim")}
        if kl_dims:
            plotly_chart(per_dim_bars(kl_dims, t("compare.kl_dims.title"), t("compare.kl_dims.axis"),
                                      colors=dict(zip(kl_dims, ("#1f77b4", "#9467bd")))), key="compare.kl_dims",
                         name=file_name("kl-per-dimension", dataset=sel.dataset, extra=[f"{sel.latent_dim}d"]))
            st.caption(t("compare.kl_dims.caption"))
        plotly_chart(active_units_figure(points, sel.latent_dim, title=t("compare.au.title"), y_title=t("compare.au.y")),
                     key="compare.au", name=file_name("active-units", dataset=sel.dataset, extra=[f"{sel.latent_dim}d", split]))


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
    groups = cv.sprite_groups(sprite_models, s_reports, lambda m: f"{t(f'kind.{m.kind}')} β={m.beta:g}, {m.latent_dim}-d")
    left, right = st.columns([4, 3], gap="medium")
    with left:
        st.dataframe(sprite_rows(groups), hide_index=True, width="stretch")
    with right:
        if groups:
            plotly_chart(seeds_figure(groups, {k: t(f"compare.m.{k}") for k in cv.SPRITE_METRICS},
                                      title=t("compare.sprites.seeds_fig")), key="compare.seeds",
                         name=file_name("disentanglement-seeds", dataset="sprites"))
    labels = list(groups)
    for k in cv.SPRITE_METRICS if len(labels) >= 2 else ():
        lo_g, hi_g = labels[0], labels[-1]  # smallest β vs largest β
        s = cv.compare_seeds(t(f"compare.m.{k}"), lo_g, [v for _, v in groups[lo_g][k]], hi_g, [v for _, v in groups[hi_g][k]])
        if s is not None:
            msg = t(f"compare.sprites.{s.verdict}", metric=s.metric, hi=s.hi, lo=s.lo, hi_mean=s.hi_mean, lo_mean=s.lo_mean)
            (st.success if s.verdict == "agree" else st.warning if s.verdict == "disagree" else st.info)(msg)
