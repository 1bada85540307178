"""The one folder where the app keeps what it derives at run time.

Parsed data sets, projection caches of codes, evaluation reports, the explorer's browser bundles and its
copy of plotly.js are all derived: they can be rebuilt from the package and the model files, so they never
go into the installed package or a model folder (a wheel in a read-only site-packages, a container image,
a shared lab machine). They go here:

* ``$VAE_CACHE_DIR`` when it is set (a server's operator chooses it; the test suite points it at a
  temporary folder);
* otherwise the platform's user cache folder for ``latent-explorer`` (``platformdirs``: on Linux
  ``$XDG_CACHE_HOME/latent-explorer`` or ``~/.cache/latent-explorer``).

Replicas on one machine share it: every file in it is named by its content or its inputs' hash and
written atomically (``vae.atomic_file``), so two processes writing the same name write the same bytes.
"""
from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "latent-explorer"


def cache_root() -> Path:
    """The cache folder (not created): ``$VAE_CACHE_DIR`` or the user cache folder of ``latent-explorer``."""
    configured = os.environ.get("VAE_CACHE_DIR", "").strip()
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False)


def cache_dir(*parts: str) -> Path:
    """The cache folder, or its sub-folder ``parts``, created on first use."""
    path = cache_root().joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
