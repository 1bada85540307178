"""``streamlit run app.py`` from a checkout, for those used to it: runs the app's entry script, ``vae/ui/app.py``.

The real way to start the app is the launcher (``make run``, ``latent-explorer serve``, ``python -m vae.ui.serve``):
it also installs the server fixes of ``vae.ui.serve`` (the deep-link fix, assets gzipped once, bounded messages) and
serves the explorer's derived files from the cache folder. Without it, those files are written beside the
component's own files (``vae/ui/explorer/assets/{data,vendor}/``, ignored by git), which Streamlit serves.
"""
import runpy
from pathlib import Path

from vae.ui.explorer.assets_store import use_component_folder

use_component_folder()
runpy.run_path(str(Path(__file__).resolve().parent / "vae" / "ui" / "app.py"), run_name="__main__")
