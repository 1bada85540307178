"""Latent-space explorer: auto-encoders (AE, VAE, β-VAE) you can train, load and inspect.

The package knows nothing of Streamlit; the app in ``app.py``/``pages/`` is a thin layer over it.
"""
__version__ = "0.1.0"
