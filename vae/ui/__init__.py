"""Streamlit helpers shared by the pages: translations, cached loaders, sidebar, images, figures.

Only this sub-package (and its entry script ``app.py`` and ``pages/``) imports Streamlit; the rest of ``vae`` does not.
"""
