"""Streamlit helpers shared by the pages: translations, cached loaders, sidebar, images, figures.

Only this sub-package (and its entry script ``app.py`` and ``pages/``) imports Streamlit; the rest of ``vae`` does not.
"""
from pathlib import Path

#: The folder of the entry script ``app.py``; pages are ``UI_DIR / "pages/<name>.py"``, named by absolute path so
#: that navigation and page links work whichever script Streamlit started (the launcher's, or a checkout's root
#: ``app.py``)
UI_DIR = Path(__file__).resolve().parent
