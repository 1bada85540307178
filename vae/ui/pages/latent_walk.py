"""Latent walk: one live slider per latent dimension and a 2-D pad, traversal of each dimension, interpolation
between two test images: all decoded in the browser (the server decodes only for conv decoders)."""
import streamlit as st

from vae.errors import ExplorerError
from vae.ui.explorer.views import latent_walk
from vae.ui.i18n import t
from vae.ui.sidebar import model_label, selection_with_models

st.title(t("walk.title"))
sel = selection_with_models()
focus = sel.focus
st.markdown(t("walk.intro", model=model_label(focus)))


@st.fragment
def live_walk() -> None:
    """The component; a released control reruns this fragment only (and asks the server for images only
    when the browser cannot decode)."""
    try:
        latent_walk(focus)
    except ExplorerError as exc:
        st.error(t("common.error_model", detail=exc))


live_walk()
st.markdown(t("walk.interp.explain"))
