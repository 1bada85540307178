"""Latent map: the test set's μ on a 2-D map (native, PCA, t-SNE, UMAP; a user's model's t-SNE or UMAP is fitted in
the projection worker, the default map and a progress bar shown meanwhile), live in the browser: hover decodes the code
under the cursor, a click on a dot inspects it, a click on an empty place pins that code; AE | VAE | β-VAE linked.
A second control picks how many test images are shown (1,000, 5,000 or the whole split, where the split has them)."""
import streamlit as st

from vae.errors import DatasetError, ExplorerError
from vae.projection import projection_methods
from vae.ui.explorer.views import count_label, latent_map, map_counts, map_projection, projection_to_show
from vae.ui.i18n import t
from vae.ui import url_state
from vae.ui.sidebar import selection_with_models

st.title(t("map.title"))
st.caption(t("map.intro"))
sel = selection_with_models()
focus = sel.focus
methods = projection_methods(focus.latent_dim)
url_state.adopt("map_projection", "proj", lambda v: url_state.parse_choice(v, methods),
                note=url_state.note_in(st, t("map.projection")))
if st.session_state.get("map_projection") not in methods:
    st.session_state.pop("map_projection", None)
counts, n_test = map_counts(focus)
url_state.adopt("map_points", "points", lambda v: url_state.parse_int(v, counts),
                note=url_state.note_in(st, t("url.points")))
if st.session_state.get("map_points") not in counts:
    st.session_state.pop("map_points", None)
proj_col, points_col = st.columns([3, 2]) if len(counts) > 1 else (st.container(), None)
with proj_col:
    method = st.segmented_control(t("map.projection"), methods, default=methods[0], required=True, key="map_projection",
                                  format_func={m: t(f"map.proj.{m}") for m in methods}.__getitem__, help=t("map.proj_help"))
count = counts[0]
if points_col is not None:  # a test split of at most 1,000 images (MNIST's) is always shown whole: no choice
    with points_col:
        count = st.segmented_control(t("map.points"), counts, default=counts[0], required=True, key="map_points",
                                     format_func=lambda n: count_label(n, n_test), help=t("map.points_help"))
url_state.publish({"proj": None if method == methods[0] else method,
                   "points": None if count == counts[0] else str(count)})
shown = projection_to_show(focus.path, method, count)  # a t-SNE / UMAP being fitted: PCA (or native) meanwhile


@st.fragment
def live_map() -> None:
    """The component; its clicks (inspected index, pinned code) rerun this fragment only."""
    try:
        latent_map(sel, map_projection(focus.path, shown, count), count)
    except DatasetError as e:
        st.error(t("common.error_dataset", detail=e))
    except ExplorerError as e:
        st.error(t("common.error_model", detail=e))


live_map()
