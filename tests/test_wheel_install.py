"""The explorer as a user installs it: a wheel in a fresh venv, started from another folder, read-only.

``pip install .`` builds a wheel of a copy of the checkout (the app, its pages, the component's assets and
the shipped models). It goes into a new venv whose dependencies come from the test venv (a ``.pth`` line, so
nothing is downloaded; the checkout's editable install is not seen). The venv is made read-only and the server
runs as an unprivileged user when the suite runs as root (root ignores permission bits), from an empty
folder, with ``latent-explorer serve``. Every one of the nine pages opens in Chromium without an exception,
the map draws from the cache folder (bundles and plotly.js), and nothing in the installed tree changed.
"""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import sys
import sysconfig
from pathlib import Path

import pytest

from browser_utils import wait_idle
from vae.devtools.browser import headless_chromium, require_browser
from vae.devtools.explorer import wait_map
from vae.devtools.server_process import AppServer

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["", "lecture", "walk", "generation", "training", "denoising", "how-a-vae-trains", "comparison", "drawing"]
NOBODY = 65534
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "artifacts", "*.egg-info", "__pycache__", ".pytest_cache",
                              "tests", "bench", "docs")


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: (size, mtime) by relative path."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def _read_only(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _writable_by_all(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o777)
    return folder


def _writable_again(folder: Path) -> None:
    for p in [folder, *folder.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.fixture(scope="module")
def installed():
    """A venv holding the project's wheel (and only it), read-only: ``(venv, site-packages)``. In a folder of its
    own under the system's temporary folder, which the unprivileged server user can reach (pytest's are 0700)."""
    require_browser()
    tmp = Path(tempfile.mkdtemp(prefix="vae-wheel-"))
    tmp.chmod(0o755)
    try:
        yield _install(tmp)
    finally:
        _writable_again(tmp)
        shutil.rmtree(tmp, ignore_errors=True)


def _install(tmp: Path) -> tuple[Path, Path]:
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=SKIP)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", str(source),
                    "-w", str(tmp / "dist")], check=True, cwd=tmp)
    wheel, = (tmp / "dist").glob("vae-*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)], check=True)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # the dependencies (torch, streamlit, ...) from the test venv, appended after the venv's own packages
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _read_only(venv)
    return venv, site


def test_the_wheel_serves_all_nine_pages_read_only_from_anywhere(installed):
    venv, site = installed
    tmp_path = venv.parent / "run"
    package = site / "vae"
    assert (package / "pretrained" / "mnist-vae-2d" / "model.safetensors").is_file()  # the shipped models
    assert (package / "pyproject.toml").is_file() and (package / "ui" / "app.py").is_file()
    katex = package / "handout" / "vendor" / "katex"  # the offline lecture's vendored KaTeX and its own files
    assert (katex / "katex.min.js").is_file() and len(list((katex / "fonts").glob("*.woff2"))) == 20
    assert (package / "handout" / "static" / "handout.js").is_file()
    before = _tree(venv)
    home, cache, store = (_writable_by_all(tmp_path / n) for n in ("home", "cache-home", "store"))
    elsewhere = _writable_by_all(tmp_path / "elsewhere")
    as_user = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--"] if os.getuid() == 0 else []
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(cache), "VAE_MODEL_STORE": str(store), "VAE_CACHE_DIR": "",
           "PYTHONPATH": "", "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    server = AppServer(env=env, command=[*as_user, str(venv / "bin" / "latent-explorer"), "serve"], cwd=elsewhere)
    try:
        server.wait_ready()
        with headless_chromium() as chromium:
            page = chromium.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            for path in PAGES:
                page.goto(f"{server.url}{path}?lang=en")
                wait_idle(page)
                exceptions = page.locator("[data-testid='stException']")
                assert exceptions.count() == 0, (path, exceptions.first.inner_text())
                assert page.get_by_text("Page not found").count() == 0, path
                if path == "":
                    wait_map(page)  # its bundles and plotly.js come from the cache folder
        log = server.log_text()
    finally:
        server.stop()
    assert "Traceback" not in log, log[-3000:]
    derived = cache / "latent-explorer" / "explorer"
    assert list((derived / "data").glob("*.bin")) and list((derived / "vendor").glob("plotly-*.min.js"))
    assert _tree(venv) == before  # nothing written into the installed tree
