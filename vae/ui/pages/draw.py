"""Draw a digit: the AE, the VAE and the β-VAE encode the drawing in the browser at every move of the pen, and
show its code on their latent maps (σ ellipses for the VAEs) and their reconstructions; noise added to the
drawing goes through the denoising AE."""
import streamlit as st

from vae.ui.explorer.views import drawing_pad
from vae.ui.i18n import t
from vae.ui.sidebar import selection_with_models

DIGIT_DATASETS = {"mnist", "mnist-full", "digits"}

st.title(t("draw.title"))
st.caption(t("draw.intro"))
sel = selection_with_models(need_focus=False)
if sel.dataset not in DIGIT_DATASETS:
    st.info(t("draw.not_digits", dataset=sel.dataset))
drawing_pad(sel)
st.markdown(t("draw.explain"))
