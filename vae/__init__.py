"""Latent-space explorer: auto-encoders (AE, VAE, β-VAE) you can train, load and inspect.

The package's numerical part knows nothing of Streamlit; the app (``vae/ui/app.py`` and ``vae/ui/pages/``) is a
thin layer over it. The version has one source, the distribution's metadata (``pyproject.toml``).
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("vae")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
