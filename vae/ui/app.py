"""The app's entry script, started by the launcher (``latent-explorer serve``, ``python -m vae.ui.serve``: see
``vae.ui.serve``). Sets up the page, the language, the sidebar and navigation; the pages are ``pages/*.py``
beside it, listed below with their URL paths."""
import streamlit as st

from vae.ui import UI_DIR
from vae.ui.cookies import flush as write_cookies
from vae.ui.explorer.views import preload
from vae.ui.i18n import init_language, t
from vae.ui.navigation import session_pages
from vae.ui.process import setup_process
from vae.ui.sidebar import sidebar

st.set_page_config(page_title="Latent-space explorer", page_icon="🧭", layout="wide")
init_language()
setup_process()  # once per process: one torch thread, and Streamlit's post-run collection skips the import heap

# (script, title key, icon, URL path); pages listed in MAP_PAGES draw Plotly maps in the explorer component
PAGES = [
    ("pages/latent_map.py", "nav.map", ":material/scatter_plot:", "map"),
    ("pages/lecture.py", "nav.lecture", ":material/co_present:", "lecture"),
    ("pages/latent_walk.py", "nav.walk", ":material/tune:", "walk"),
    ("pages/generate.py", "nav.generate", ":material/auto_awesome:", "generation"),
    ("pages/train.py", "nav.train", ":material/model_training:", "training"),
    ("pages/denoise.py", "nav.denoise", ":material/blur_off:", "denoising"),
    ("pages/how_vae_trains.py", "nav.howto", ":material/school:", "how-a-vae-trains"),
    ("pages/compare.py", "nav.compare", ":material/compare:", "comparison"),
    ("pages/draw.py", "nav.draw", ":material/draw:", "drawing"),
]
MAP_PAGES = {"map", "drawing"}
pages = session_pages(PAGES, UI_DIR)  # made once per session and language (vae/ui/navigation.py)
navigation = st.navigation(pages)
if PAGES[pages.index(navigation)][3] in MAP_PAGES:
    preload()  # first element of the page: plotly.js starts loading while the sidebar is built
st.sidebar.title(t("app.title"))
sidebar()
navigation.run()
write_cookies()  # a teacher's key token or a student's place in a class, kept by the browser (vae/ui/cookies.py)
