"""Latent walk: move a code with one slider per dimension, traverse dimensions, interpolate two images."""
import numpy as np
import streamlit as st

from vae import latent
from vae.errors import ExplorerError
from vae.ui import cache
from vae.ui.i18n import t
from vae.ui.images import upscale
from vae.ui.live_decoder import live_decoder
from vae.ui.sidebar import model_label, selection_with_models
from vae.ui.walk_figures import dim_label, labeled_grid_figure

LIMIT = 4.0          # slider range −LIMIT … LIMIT
TRAVERSAL_ROWS = 10  # at most this many dimensions in the traversal grid
TRAVERSAL_VALUES = np.linspace(-3.0, 3.0, 11)

st.title(t("walk.title"))
sel = selection_with_models()
focus = sel.focus
try:
    model = cache.get_model(focus.path)
    data = cache.get_dataset(focus.dataset)
    enc = cache.encoded_test_set(focus.path)
except ExplorerError as exc:
    st.error(t("common.error_model", detail=exc))
    st.stop()

st.markdown(t("walk.intro", model=model_label(focus)))
d = model.cfg.latent_dim
mu, logvar, labels = enc["mu"], enc["logvar"], enc["labels"]
n_test = len(mu)
x_test = data.x_test.numpy()
order, score, score_name = latent.dimension_order(mu, logvar)
score_label = t(f"walk.score.{score_name}")
slider_dims = [int(i) for i in order] if d > 2 else list(range(d))
labels_by_dim = {i: dim_label(i, float(score[i]), score_label) for i in range(d)}

# ---- 1. start point ---------------------------------------------------------------------------------
st.subheader(t("walk.start.header"))
c_mode, c_index, c_img = st.columns([2, 2, 1])
with c_mode:
    start_opts = {"test": t("walk.start.test"), "origin": t("walk.start.origin")}
    mode = st.radio(t("walk.start"), list(start_opts), key="walk.start", format_func=start_opts.__getitem__)
with c_index:
    st.session_state.setdefault("walk.index", 0)
    if st.session_state["walk.index"] >= n_test:
        st.session_state["walk.index"] = 0
    index = int(st.number_input(t("walk.index"), min_value=0, max_value=n_test - 1, step=1, key="walk.index",
                                disabled=(mode != "test")))
if mode == "test":
    z_start = mu[index].astype(np.float32)
    with c_img:
        st.image(upscale(x_test[index], 112), caption=t("walk.start_image", index=index, label=int(labels[index])))
else:
    z_start = np.zeros(d, np.float32)
    with c_img:
        st.caption(t("walk.origin_caption"))


def _set_sliders(z: np.ndarray) -> None:
    for i in range(d):
        st.session_state[f"walk.z.{i}"] = float(np.clip(round(float(z[i]), 2), -LIMIT, LIMIT))


# When the start point (or the model) changes, the sliders jump to the new code.
signature = (focus.path, mode, index if mode == "test" else None)
if st.session_state.get("walk._start") != signature or any(f"walk.z.{i}" not in st.session_state for i in range(d)):
    _set_sliders(z_start)
    st.session_state["walk._start"] = signature


def _random_code() -> None:
    st.session_state["walk._rng"] = st.session_state.get("walk._rng", 0) + 1
    _set_sliders(latent.prior_samples(1, d, seed=st.session_state["walk._rng"])[0])


# ---- 2. sliders + decoded image (a fragment: moving a slider reruns only this part) -----------------
@st.fragment
def walk_fragment() -> None:
    st.subheader(t("walk.sliders.header"))
    if d > 2:
        st.caption(t(f"walk.sliders.help_{'kl' if score_name == 'kl' else 'var'}"))
    c_sliders, c_out = st.columns([3, 2])
    with c_sliders:
        b1, b2 = st.columns(2)
        b1.button(t("walk.reset"), key="walk.reset", on_click=_set_sliders, args=(z_start,), width="stretch")
        b2.button(t("walk.random"), key="walk.random", on_click=_random_code, width="stretch")
        ncols = 2 if d > 4 else 1
        cols = st.columns(ncols)
        per_col = -(-d // ncols)  # column-major: the most used dimensions first, top to bottom
        for j, dim in enumerate(slider_dims):
            with cols[j // per_col]:
                st.slider(labels_by_dim[dim], min_value=-LIMIT, max_value=LIMIT, step=0.05, key=f"walk.z.{dim}")
    z = np.array([st.session_state[f"walk.z.{i}"] for i in range(d)], np.float32)
    decoded = cache.decode(focus.path, z)[0]
    st.session_state["out.walk.decoded"] = decoded
    st.session_state["out.walk.code"] = z
    with c_out:
        st.image(upscale(decoded, 336), caption=t("walk.decoded"))
        st.caption(t("walk.code_norm", norm=float(np.linalg.norm(z)), typical=float(np.sqrt(d))))


walk_fragment()


# ---- 2b. live decoder: the same sliders (and a 2-D pad) decoded in the browser on every move ----------
@st.fragment
def live_fragment() -> None:
    st.subheader(t("live.header"))
    st.caption(t("live.intro"))
    code = live_decoder(key="walk.live", path=focus.path, model_id=focus.id, z0=z_start, order=slider_dims,
                        labels=labels_by_dim, pad_dims=(slider_dims[0], slider_dims[min(1, d - 1)]))
    st.session_state["out.walk.live_code"] = code
    if code is not None:
        st.caption(t("live.reported", z=np.array2string(code, precision=2, separator=", ", max_line_width=400)))
    else:
        st.caption(t("live.none_reported"))


live_fragment()

# ---- 3. traversal grid --------------------------------------------------------------------------------
st.subheader(t("walk.traversal.header"))
rows = slider_dims[:TRAVERSAL_ROWS]
codes = latent.traversal_codes(z_start, rows, TRAVERSAL_VALUES)
h, w = model.cfg.image_shape
traversal = cache.decode(focus.path, codes).reshape(len(rows), len(TRAVERSAL_VALUES), h, w)
st.session_state["out.walk.traversal"] = traversal
st.caption(t("walk.traversal.caption", k=len(rows)))
st.plotly_chart(
    labeled_grid_figure(traversal, [labels_by_dim[r] for r in rows], [f"{v:g}" for v in TRAVERSAL_VALUES],
                        cell=84 if len(rows) <= 4 else 56, xaxis_title=t("walk.traversal.xaxis")),
    key="walk.traversal_chart", config={"displayModeBar": False})

# ---- 4. interpolation -----------------------------------------------------------------------------------
st.subheader(t("walk.interp.header"))
other = np.flatnonzero(labels != labels[0])
st.session_state.setdefault("walk.interp.a", 0)
st.session_state.setdefault("walk.interp.b", int(other[0]) if len(other) else min(1, n_test - 1))
for key in ("walk.interp.a", "walk.interp.b"):
    if st.session_state[key] >= n_test:
        st.session_state[key] = 0
ca, cb, cs = st.columns([1, 1, 2])
a = int(ca.number_input(t("walk.interp.a"), min_value=0, max_value=n_test - 1, step=1, key="walk.interp.a"))
b = int(cb.number_input(t("walk.interp.b"), min_value=0, max_value=n_test - 1, step=1, key="walk.interp.b"))
steps = int(cs.slider(t("walk.interp.steps"), min_value=3, max_value=15, value=9, key="walk.interp.steps"))
ca.image(upscale(x_test[a], 84), caption=t("walk.start_image", index=a, label=int(labels[a])))
cb.image(upscale(x_test[b], 84), caption=t("walk.start_image", index=b, label=int(labels[b])))

z0, z1 = mu[a].astype(np.float32), mu[b].astype(np.float32)
lerp_imgs = cache.decode(focus.path, latent.lerp(z0, z1, steps))
slerp_imgs = cache.decode(focus.path, latent.slerp(z0, z1, steps))
pixel_imgs = latent.lerp(x_test[a].reshape(-1), x_test[b].reshape(-1), steps).reshape(steps, h, w)
st.session_state["out.walk.lerp"] = lerp_imgs
st.session_state["out.walk.slerp"] = slerp_imgs
st.session_state["out.walk.pixel"] = pixel_imgs
ts = np.linspace(0.0, 1.0, steps)
st.plotly_chart(
    labeled_grid_figure(np.stack([lerp_imgs, slerp_imgs, pixel_imgs]),
                        [t("walk.interp.lerp_short"), t("walk.interp.slerp_short"), t("walk.interp.pixel_short")],
                        [f"{v:.2f}" for v in ts], cell=84 if steps <= 10 else 56, xaxis_title=t("walk.interp.t")),
    key="walk.interp_chart", config={"displayModeBar": False})
st.caption(" · ".join(f"**{t(f'walk.interp.{k}_short')}**: {t(f'walk.interp.{k}')}" for k in ("lerp", "slerp", "pixel")))
st.markdown(t("walk.interp.explain"))
