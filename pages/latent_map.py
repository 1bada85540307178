"""Latent map: the test set's μ on a 2-D map (native, PCA, t-SNE); click a dot to inspect it, click an
empty place to decode that code; overlays (prior circles, σ ellipses, decoded grid); AE | VAE | β-VAE side by side."""
import numpy as np
import pandas as pd
import streamlit as st

from vae import latent
from vae.errors import DatasetError, ExplorerError
from vae.ui import cache
from vae.ui.i18n import t
from vae.ui.images import grid, upscale
from vae.ui.live_decoder import live_decoder
from vae.ui.map_figures import (click_target, data_range, grid_points, latent_map_figure, map_covariances,
                                trio_figure)
from vae.ui.sidebar import model_label, selection_with_models

CHART_KEY = "map_chart"
N_ELLIPSES = 100
MANIFOLD_N = 15


def _on_select() -> None:
    """A click on the map: a data point becomes the inspected image, a grid point the code to decode."""
    event = st.session_state.get(CHART_KEY)
    points = (event or {}).get("selection", {}).get("points", [])
    target = click_target(points)
    if target is None:
        return
    kind, value = target
    if kind == "point":
        st.session_state["map_index"] = value
    else:
        st.session_state["map_x"], st.session_state["map_y"] = round(value[0], 3), round(value[1], 3)


def _figure_text() -> dict:
    return dict(image=t("map.hover_index"), label=t("common.label"), decode_here=t("map.decode_here"),
                prior=t("map.prior_circle"), sigma=t("map.sigma_legend"), inspected=t("map.inspected_marker"),
                decoded=t("map.decoded_marker"), point_sigma=t("map.sigma_of_point"), legend=t("common.label"))


def _axis_titles(method: str, proj) -> tuple[str, str]:
    if method == "pca" and proj.explained is not None:
        return tuple(f"{t('map.axis.pca', i=i + 1)} ({100 * proj.explained[i]:.0f}%)" for i in range(2))
    return t(f"map.axis.{method}", i=1), t(f"map.axis.{method}", i=2)


def _load(path: str):
    """Model, dataset and encoded test set, or a translated error and stop."""
    try:
        model = cache.get_model(path)
        data = cache.get_dataset(model.cfg.dataset)
        enc = cache.encoded_test_set(path)
    except DatasetError as e:
        st.error(t("common.error_dataset", detail=e))
        st.stop()
    except ExplorerError as e:
        st.error(t("common.error_model", detail=e))
        st.stop()
    return model, data, enc


def _projection(path: str, method: str):
    """The cached projection; a fresh t-SNE shows a spinner; too large for t-SNE -> PCA with a message."""
    try:
        if method == "tsne":
            with st.spinner(t("map.tsne_running")):
                return cache.projection(path, method), method
        return cache.projection(path, method), method
    except ValueError as e:
        if method != "tsne":
            st.error(t("map.error_projection", detail=e))
            st.stop()
        st.warning(t("map.tsne_too_large", detail=e))
        return cache.projection(path, "pca"), "pca"


def _images(*pairs: tuple[np.ndarray, str], size: int = 150) -> None:
    cols = st.columns(len(pairs))
    for col, (img, caption) in zip(cols, pairs):
        col.image(upscale(img, size), caption=caption)


st.title(t("map.title"))
st.caption(t("map.intro"))
sel = selection_with_models()
focus = sel.focus

model, data, enc = _load(focus.path)
mu, logvar, labels = enc["mu"], enc["logvar"], enc["labels"]
n_test, dim = len(mu), mu.shape[1]
names = list(data.label_names)
is_vae = logvar is not None

# ---- controls -------------------------------------------------------------------------------
methods = (["native"] if dim == 2 else []) + ["pca", "tsne"]
if st.session_state.get("map_projection") not in methods:
    st.session_state.pop("map_projection", None)
c1, c2, c3, c4 = st.columns([2, 2, 2, 2], vertical_alignment="bottom")
with c1:
    method = st.segmented_control(t("map.projection"), methods, default=methods[0], required=True, key="map_projection",
                                  format_func={m: t(f"map.proj.{m}") for m in methods}.__getitem__,
                                  help=t("map.proj_help"))
show_prior = c2.checkbox(t("map.overlay.prior"), key="map_prior", value=True, disabled=method != "native")
show_ellipses = c3.checkbox(t("map.overlay.ellipses"), key="map_ellipses", value=False,
                            disabled=not is_vae or method == "tsne")
show_manifold = c4.checkbox(t("map.overlay.manifold"), key="map_manifold", value=False, disabled=method == "tsne")

proj, method = _projection(focus.path, method)
coords = proj.coords
st.session_state["out.map.coords"] = coords
x_range, y_range = data_range([coords] + ([np.array([[-3.2, -3.2], [3.2, 3.2]])] if method == "native" and show_prior else []))

# ---- state: inspected image and decoded point (set by clicks through _on_select, or by the inputs)
if not 0 <= int(st.session_state.get("map_index", -1)) < n_test:
    st.session_state["map_index"] = 0
st.session_state.setdefault("map_x", 0.0)
st.session_state.setdefault("map_y", 0.0)
idx = int(st.session_state["map_index"])
xy = np.array([float(st.session_state["map_x"]), float(st.session_state["map_y"])], np.float32)

has_cov = is_vae and method in ("native", "pca")
ellipses = None
if show_ellipses and has_cov:
    sample = np.random.default_rng(0).choice(n_test, min(N_ELLIPSES, n_test), replace=False)
    covs = map_covariances(method, logvar[sample], proj.components)
    ellipses = [(coords[i], c) for i, c in zip(sample, covs)]
inspected_cov = map_covariances(method, logvar[idx:idx + 1], proj.components)[0] if has_cov else None

# ---- the map and the inspector ----------------------------------------------------------------
left, right = st.columns([3, 2], gap="medium")
with left:
    if method == "pca":
        st.caption(t("map.pca_explained", pct=100 * float(np.sum(proj.explained))))
    fig = latent_map_figure(coords, labels, names, text=_figure_text(), x_range=x_range, y_range=y_range,
                            axis_titles=_axis_titles(method, proj), prior_circles=show_prior and method == "native",
                            ellipses=ellipses, inspected=coords[idx], inspected_cov=inspected_cov, decoded=xy,
                            revision=f"{focus.id}-{method}")
    st.plotly_chart(fig, key=CHART_KEY, on_select=_on_select, selection_mode="points",
                    config={"displaylogo": False})


def _on_live_code(z: np.ndarray) -> None:
    """The live pad was released: its code becomes the map's decoded point (one app rerun)."""
    st.session_state["map_x"], st.session_state["map_y"] = round(float(z[0]), 3), round(float(z[1]), 3)
    st.session_state["map._live_moved"] = True


@st.fragment
def live_pad() -> None:
    st.subheader(t("live.header"))
    st.caption(t("live.intro"))
    names = {i: t("map.axis.native", i=i + 1) for i in range(2)}
    live_decoder(key="map.live", path=focus.path, model_id=focus.id, z0=xy, order=[0, 1], labels=names,
                 names=names, pad_dims=(0, 1), pad_only=True, on_code=_on_live_code)
    if st.session_state.pop("map._live_moved", False):
        st.rerun(scope="app")  # the map's marker and decoded image follow the released code


if dim == 2:
    with left:
        live_pad()

with right:
    st.subheader(t("map.inspect.title"))
    st.number_input(t("map.inspect.index"), min_value=0, max_value=n_test - 1, step=1, key="map_index")
    x = data.x_test[idx:idx + 1]
    recon = cache.reconstruct(focus.path, x)[0]
    _images((x[0].numpy(), t("common.original")), (recon, t("common.reconstruction")))
    st.markdown(t("map.inspect.label", label=names[int(labels[idx])] if int(labels[idx]) < len(names) else labels[idx]))
    cols = [f"z{i + 1}" for i in range(dim)]
    if is_vae:
        table = pd.DataFrame([mu[idx], np.exp(0.5 * logvar[idx])], columns=cols,
                             index=[t("map.inspect.mu"), t("map.inspect.sigma")])
        st.dataframe(table.style.format("{:.3f}"), width="stretch")
        kl_all = latent.kl_per_point(mu, logvar)
        st.markdown(t("map.inspect.kl", kl=float(kl_all[idx]), mean=float(kl_all.mean())))
    else:
        st.dataframe(pd.DataFrame([mu[idx]], columns=cols, index=[t("map.inspect.code")]).style.format("{:.3f}"),
                     width="stretch")
        st.info(t("map.inspect.ae_no_sigma"))
    st.session_state["out.map.inspected"] = idx

    st.subheader(t("map.decode.title"))
    st.caption(t("map.decode.click_hint"))
    with st.form("map_decode_form", border=False):
        fx, fy = st.columns(2)
        fx.number_input(t("map.decode.x"), key="map_x", format="%.3f", step=0.1)
        fy.number_input(t("map.decode.y"), key="map_y", format="%.3f", step=0.1)
        st.form_submit_button(t("map.decode.button"), key="map_decode_btn")
    z = proj.inverse(xy[None])
    decoded = cache.decode(focus.path, z)[0]
    st.session_state["out.map.decoded"] = decoded
    if proj.exact_inverse:
        _images((decoded, t("common.decoded")))
        st.caption(t("map.decode.exact", z=np.array2string(z[0], precision=2, separator=", ", max_line_width=200)))
        if method == "pca":
            st.caption(t("map.decode.pca_note"))
    else:
        st.warning(t("map.decode.tsne_warning"))
        near = proj.nearest(xy)
        lab = int(labels[near])
        _images((decoded, t("map.decode.tsne_image")),
                (data.x_test[near].numpy(), t("map.decode.nearest", index=near, label=names[lab] if lab < len(names) else lab)))

with left:
    if show_manifold:
        st.subheader(t("map.manifold.title"))
        if method == "tsne":
            st.info(t("map.manifold.no_tsne"))
        else:
            h, w = data.image_shape
            if method == "native":
                tiles = latent.manifold_grid(model, x_range, y_range, MANIFOLD_N).reshape(-1, h, w)
            else:
                tiles = cache.decode(focus.path, proj.inverse(grid_points(x_range, y_range, MANIFOLD_N)))
            st.session_state["out.map.manifold"] = tiles
            st.image(grid(tiles, MANIFOLD_N, cell=2 * max(h, w)), width="stretch")
            st.caption(t("map.manifold.caption", n=MANIFOLD_N))

# ---- AE | VAE | β-VAE side by side, same axes -----------------------------------------------------
st.divider()
st.subheader(t("map.trio.title"))
trio_method = "native" if sel.latent_dim == 2 else "pca"
st.caption(t("map.trio.caption", proj=t(f"map.proj.{trio_method}")))
maps = {}
for kind, info in sel.trio():
    if info is None:
        continue
    try:
        e = cache.encoded_test_set(info.path)
        maps[kind] = (info, cache.projection(info.path, trio_method), e["labels"])
    except (ExplorerError, ValueError) as err:
        maps[kind] = (info, err, None)
valid = [m[1].coords for m in maps.values() if not isinstance(m[1], Exception)]
if valid:
    trio_x, trio_y = data_range(valid)
for col, (kind, info) in zip(st.columns(3), sel.trio()):
    with col:
        if kind not in maps:
            st.info(t("map.trio.missing", kind=t(f"kind.{kind}")))
            continue
        info, p, labs = maps[kind]
        if isinstance(p, Exception):
            st.error(t("common.error_model", detail=p))
            continue
        star = p.coords[idx] if idx < len(p.coords) else None
        tfig = trio_figure(p.coords, labs, names, x_range=trio_x, y_range=trio_y, axis_titles=_axis_titles(trio_method, p),
                           star=star, title=t(f"kind.{kind}"), text=_figure_text())
        st.caption(model_label(info))
        st.plotly_chart(tfig, key=f"map_trio_{kind}", config={"displaylogo": False, "displayModeBar": False})
