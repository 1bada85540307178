"""Streamlit helpers shared by the pages: translations, cached loaders, sidebar, images, figures.

Only this sub-package (and ``app.py``/``pages/``) imports Streamlit; the rest of ``vae`` does not.
"""
