"""Start the app: ``python -m vae.ui.serve [streamlit options]`` = ``streamlit run app.py [options]``, minus a bug.

Streamlit decides whether an app uses the old automatic ``pages/`` discovery from the mere
existence of the folder, and only forgets it once ``st.navigation`` has run. So the first
session after a server start that opens a deep link (``/walk``) is resolved against the
auto-discovered pages, misses, and shows a "Page not found" notice before ``app.py``'s own
navigation renders the right page. This launcher tells Streamlit up front that the app uses
``st.navigation`` only, then hands over to Streamlit's own command line.
"""
from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def main(argv: list[str] | None = None) -> None:
    """Run ``streamlit run app.py`` with ``argv`` as extra options, in this process."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
