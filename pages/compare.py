"""Compare: AE | VAE | β-VAE side by side (maps, prior samples, key numbers), the regularity metrics table,
the β sweep (rate–distortion, KL per dimension, active units) and disentanglement on sprites over seeds."""
import numpy as np
import streamlit as st

from vae import latent
from vae.errors import ExplorerError
from vae.kinds import KINDS, get_kind
from vae.ui import cache
from vae.ui.compare_figures import (KEY_NUMBERS, METRIC_KEYS, active_units_figure, check_claims, compare_seeds,
                                    format_value, group_stats, metric_table, one_per_beta, rate_distortion_figure, seeds_figure,
                                    style_winners, sweep_point)
from vae.ui.i18n import t
from vae.ui.images import grid
from vae.ui.map_figures import data_range, ellipse, trio_figure
from vae.ui.sidebar import model_label, selection_with_models
from vae.ui.train_figures import per_dim_bars

PRIOR_SEED = 0
N_PRIOR = 36
SPRITE_METRICS = ("mig", "beta_vae_score")


def _name(info) -> str:
    return info.id.split("/", 1)[-1]


def _reports(infos) -> tuple[dict, dict]:
    """Reports of ``infos`` by model id (progress bar while computing), and error messages by model id."""
    infos = list({i.id: i for i in infos if i is not None}.values())
    reports, errors = {}, {}
    if not infos:
        return reports, errors
    bar = st.progress(0.0)
    for i, info in enumerate(infos):
        bar.progress(i / len(infos), text=t("compare.computing", name=_name(info), i=i + 1, n=len(infos)))
        try:
            reports[info.id] = cache.model_report(info.path)
        except (ExplorerError, OSError, ValueError, RuntimeError) as exc:
            errors[info.id] = str(exc)
    bar.empty()
    return reports, errors


def _show_errors(errors: dict, ids) -> None:
    for mid in ids:
        if mid in errors:
            st.error(t("compare.error_report", name=mid.split("/", 1)[-1], detail=errors[mid]))


def _kind_header(kind: str, info) -> str:
    short, long = t(f"kind.{kind}"), t(f"kind.{kind}.long")
    head = f"**{short}**" + (f" — {long}" if long != short else "")
    if info is not None and get_kind(kind).beta.free and info.beta is not None:
        head += f" (β = {info.beta:g})"
    return head


def _map_text() -> dict:
    return dict(image=t("compare.map.image"), label=t("common.label"), decode_here="", prior=t("compare.map.prior"),
                sigma="", inspected="", decoded="", point_sigma="", legend=t("compare.map.legend"))


st.title(t("compare.title"))
st.caption(t("compare.intro"))
sel = selection_with_models(need_focus=False)
trio = sel.lineup()

# ---- 1. side by side -----------------------------------------------------------------------------------------
st.header(t("compare.trio.header"))
trio_reports, trio_errors = _reports([m for _, m in trio])
method = "native" if sel.latent_dim == 2 else "pca"
st.caption(t("compare.trio.caption", proj=t(f"compare.proj.{method}"), seed=PRIOR_SEED)
           + (" " + t("compare.trio.circle") if method == "native" else ""))
same_axes = st.checkbox(t("compare.same_axes"), value=True, key="compare.same_axes", help=t("compare.same_axes_help"))
maps = {}
for kind, info in trio:
    if info is None:
        continue
    try:
        maps[kind] = (cache.projection(info.path, method), cache.encoded_test_set(info.path)["labels"],
                      cache.get_model(info.path).cfg.latent_dim)
    except (ExplorerError, ValueError) as exc:
        maps[kind] = exc
valid = [m[0].coords for m in maps.values() if not isinstance(m, Exception)]
try:
    label_names = list(cache.get_dataset(sel.dataset).label_names)
except ExplorerError:
    label_names = []
if valid:
    x_range, y_range = data_range(valid + ([np.array([[-2.2, -2.2], [2.2, 2.2]])] if method == "native" else []))
axes = (t(f"compare.axis.{method}", i=1), t(f"compare.axis.{method}", i=2))
prior_circle = ellipse(np.zeros(2), np.eye(2), 2.0, 96)
samples = {}
for col, (kind, info) in zip(st.columns(len(trio), gap="medium"), trio):
    with col:
        st.markdown(_kind_header(kind, info))
        if info is None:
            st.info(t("compare.missing", kind=t(f"kind.{kind}")))
            continue
        st.caption(model_label(info))
        entry = maps.get(kind)
        if isinstance(entry, Exception):
            st.error(t("common.error_model", detail=entry))
            continue
        proj, labels, dim = entry
        xr, yr = (x_range, y_range) if same_axes else data_range(
            [proj.coords] + ([np.array([[-2.2, -2.2], [2.2, 2.2]])] if method == "native" else []))
        fig = trio_figure(proj.coords, labels, label_names, x_range=xr, y_range=yr, axis_titles=axes,
                          star=None, title=t(f"kind.{kind}"), text=_map_text(), height=320)
        fig.update_layout(title=None, margin=dict(l=5, r=5, t=10, b=5))
        if method == "native":
            fig.add_scatter(x=prior_circle[:, 0], y=prior_circle[:, 1], mode="lines", hoverinfo="skip", showlegend=False,
                            line=dict(color="rgba(40,40,40,0.8)", width=1.5, dash="dash"))
        st.plotly_chart(fig, key=f"compare.map.{kind}", config={"displaylogo": False, "displayModeBar": False})
        st.markdown(f"*{t('compare.prior_samples')}*")
        images = cache.decode(info.path, latent.generator_codes(cache.get_model(info.path), N_PRIOR, seed=PRIOR_SEED))
        samples[kind] = images
        st.image(grid(images, ncols=6, cell=2 * max(images.shape[1:])), width="stretch")
        st.caption(t(f"kind.{kind}.generator"))
        report = trio_reports.get(info.id)
        if report is None:
            _show_errors(trio_errors, [info.id])
            continue
        st.markdown(f"*{t('compare.key_numbers')}*")
        st.markdown("\n".join("- " + t("compare.key_fmt", name=t(f"compare.m.{k}"),
                                              value=format_value(k, report.get(k), report.get("latent_dim")))
                               for k in KEY_NUMBERS))
st.session_state["out.compare.samples"] = samples

# ---- 2. the metrics table ------------------------------------------------------------------------------------------
st.header(t("compare.table.header"))
columns = {info.id: t(f"kind.{kind}") + (f" (β={info.beta:g})" if get_kind(kind).beta.free and info.beta is not None else "")
           for kind, info in trio if info is not None}
table, marks, raw = metric_table(
    trio_reports, columns, names={k: t(f"compare.m.{k}") for k in METRIC_KEYS},
    meanings={k: t(f"compare.d.{k}") for k in METRIC_KEYS}, metric_col=t("compare.table.metric"),
    meaning_col=t("compare.table.meaning"))
kind_of = {info.id: kind for kind, info in trio if info is not None}
st.session_state["out.compare.table"] = {m: {kind_of[c]: v for c, v in vals.items()} for m, vals in raw.items()}
st.table(style_winners(table, marks))
st.caption(t("compare.table.caption"))
st.info(t("compare.table.reading"), icon=":material/school:")
claims = check_claims(st.session_state["out.compare.table"])
lines = []
for c in claims:
    who = ", ".join(t(f"kind.{k}") for k in KINDS if k in c.winners)
    mark, verdict = {True: (":green[:material/check_circle:]", "compare.claim.holds"),
                     False: (":red[:material/cancel:]", "compare.claim.fails"),
                     None: (":gray[:material/remove:]", "compare.claim.na")}[c.holds]
    lines.append(f"- {mark} {t(f'compare.claim.{c.metric}')} — {t(verdict, winners=who)}")
st.markdown(t("compare.claims.header") + "\n" + "\n".join(lines))
st.session_state["out.compare.claims"] = {c.metric: c.holds for c in claims}
if any(c.holds is False for c in claims):
    st.caption(t("compare.claims.note"))


# ---- 3. the β sweep -------------------------------------------------------------------------------------------------
@st.fragment
def sweep_section() -> None:
    st.header(t("compare.sweep.header"))
    sweep_models = one_per_beta(
        [m for m in sel.all_models if m.dataset == sel.dataset and m.latent_dim == sel.latent_dim and not m.noise
         and get_kind(m.kind).beta.weighs_kl],
        prefer=[m.id for k, m in trio if m is not None and get_kind(k).beta.weighs_kl])
    st.caption(t("compare.sweep.intro", dataset=sel.dataset, dim=sel.latent_dim))
    if len(sweep_models) < 2:
        st.info(t("compare.sweep.too_few"))
        st.session_state["out.compare.sweep"] = []
        return
    reports, errors = _reports(sweep_models)
    _show_errors(errors, [m.id for m in sweep_models])
    splits = {"test": t("compare.split.test"), "train": t("compare.split.train")}
    split = st.radio(t("compare.split"), list(splits), key="compare.split", horizontal=True,
                     format_func=splits.__getitem__)
    points = []
    for m in sweep_models:
        if m.id not in reports:
            continue
        history = None
        if split == "train":
            try:
                history = cache.stored_metrics(m.path).get("history")
            except ExplorerError:
                history = None
        p = sweep_point(m.id, m.beta, reports[m.id], history, split)
        if p is not None:
            points.append(p)
    st.session_state["out.compare.sweep"] = [(p.beta, p.kl, p.recon) for p in points]
    chosen = [m.id for k, m in trio if m is not None and get_kind(k).beta.weighs_kl]
    left, right = st.columns([3, 2], gap="medium")
    with left:
        st.plotly_chart(rate_distortion_figure(
            points, selected=chosen, title=t("compare.rd.title", split=splits[split]), x_title=t("compare.rd.x"),
            y_title=t("compare.rd.y"), models_name=t("compare.rd.models"), selected_name=t("compare.rd.selected")),
            key="compare.rd", config={"displaylogo": False})
        if sel.dataset == "mnist":
            st.caption(t("compare.sweep.caption"))
    with right:
        kl_dims = {}
        for kind, info in trio:
            r = trio_reports.get(info.id) if info is not None else None
            if r and r.get("kl_per_dim"):
                kl_dims[columns[info.id]] = r["kl_per_dim"]
        if kl_dims:
            st.plotly_chart(per_dim_bars(kl_dims, t("compare.kl_dims.title"), t("compare.kl_dims.axis"),
                                         colors={v: c for v, c in zip(kl_dims, ("#1f77b4", "#9467bd"))}),
                            key="compare.kl_dims", config={"displaylogo": False, "displayModeBar": False})
            st.caption(t("compare.kl_dims.caption"))
        st.plotly_chart(active_units_figure(points, sel.latent_dim, title=t("compare.au.title"), y_title=t("compare.au.y")),
                        key="compare.au", config={"displaylogo": False, "displayModeBar": False})


sweep_section()

# ---- 4. disentanglement on sprites, over seeds ------------------------------------------------------------------------
st.header(t("compare.sprites.header"))
st.caption(t("compare.sprites.intro"))
sprite_models = sorted([m for m in sel.all_models if m.dataset == "sprites" and not m.noise and get_kind(m.kind).beta.weighs_kl],
                       key=lambda m: (m.beta or 0, m.latent_dim, m.id))
if not sprite_models:
    st.info(t("compare.sprites.none"))
else:
    s_reports, s_errors = _reports(sprite_models)
    _show_errors(s_errors, [m.id for m in sprite_models])
    groups: dict[str, dict[str, list]] = {}
    rows = []
    for m in sprite_models:
        label = f"{t(f'kind.{m.kind}')} β={m.beta:g}, {m.latent_dim}-d"
        r = s_reports.get(m.id)
        if r is None:
            continue
        g = groups.setdefault(label, {k: [] for k in SPRITE_METRICS})
        for k in SPRITE_METRICS:
            g[k].append((m.id, r.get(k)))
        rows.append({t("compare.sprites.group"): label, t("compare.sprites.model"): _name(m),
                     **{t(f"compare.m.{k}"): format_value(k, r.get(k)) for k in SPRITE_METRICS}})
    for label, g in groups.items():
        stats = {k: group_stats([v for _, v in g[k]]) for k in SPRITE_METRICS}
        n = max(s[2] for s in stats.values())
        rows.append({t("compare.sprites.group"): label, t("compare.sprites.model"): t("compare.sprites.mean", n=n),
                     **{t(f"compare.m.{k}"): f"{s[0]:.3f} ± {s[1]:.3f}" if s[2] else "—" for k, s in stats.items()}})
    st.session_state["out.compare.sprites"] = {label: {k: [v for _, v in g[k]] for k in SPRITE_METRICS}
                                               for label, g in groups.items()}
    left, right = st.columns([4, 3], gap="medium")
    with left:
        st.dataframe(rows, hide_index=True, width="stretch")
    with right:
        if groups:
            st.plotly_chart(seeds_figure(groups, {k: t(f"compare.m.{k}") for k in SPRITE_METRICS},
                                         title=t("compare.sprites.seeds_fig")),
                            key="compare.seeds", config={"displaylogo": False, "displayModeBar": False})
    labels = list(groups)
    if len(labels) >= 2:
        lo_g, hi_g = labels[0], labels[-1]  # smallest β vs largest β
        for k in SPRITE_METRICS:
            s = compare_seeds(t(f"compare.m.{k}"), lo_g, [v for _, v in groups[lo_g][k]],
                              hi_g, [v for _, v in groups[hi_g][k]])
            if s is not None:
                msg = t(f"compare.sprites.{s.verdict}", metric=s.metric, hi=s.hi, lo=s.lo, hi_mean=s.hi_mean,
                        lo_mean=s.lo_mean)
                (st.success if s.verdict == "agree" else st.warning if s.verdict == "disagree" else st.info)(msg)
