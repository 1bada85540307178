"""Build hook: a wheel carries the shipped models.

Everything else is declared in ``pyproject.toml``. The shipped models live in the checkout's ``pretrained/``
(trained by ``make pretrained``, committed); a non-editable build copies them into the package as
``vae/pretrained/``, where ``vae.checkpoint.shipped_models_dir`` finds them in an installed wheel. An editable
install reads the checkout's folder directly and copies nothing.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithShippedModels(build_py):
    """``build_py`` that also copies ``pretrained/`` into the built package (not for editable installs)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        source = ROOT / "pretrained"
        if source.is_dir():
            target = Path(self.build_lib) / "vae" / "pretrained"
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__", ".*"))


setup(cmdclass={"build_py": BuildWithShippedModels})
