"""Files the explorer's browser side fetches over HTTP: bundles by content hash, and plotly.js.

Streamlit serves a component's ``asset_dir`` under ``/_stcore/bidi-components/vae.explorer/``, only
files that really lie inside it (no symlinks out). So the files the browser needs are written there:

* ``data/<hash>.bin``: a bundle (:mod:`vae.browser_bundle`); the name is its content hash, so a file
  never changes once written, replicas on one machine share it, and the browser may keep it forever;
* ``vendor/plotly-explorer-<version>-<hash>.min.js``: a copy of the explorer's partial plotly.js (the release
  the ``plotly`` Python package pins, only the trace types the explorer draws; committed in ``plotly/``), made
  on first use. Nothing is downloaded: it works offline, and behind nginx it is one more proxied URL of the
  replica that serves the session.

Writes are atomic (temp file + rename); the data folder is pruned, oldest first, beyond
:data:`MAX_DATA_BYTES`.
"""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from ...atomic_file import write_file_atomically
from ...browser_bundle import Bundle
from ...cache_dir import cache_dir

MAX_DATA_BYTES = 400 << 20


#: The component's own folder (served by Streamlit from ``asset_dir``)
ASSETS = Path(__file__).resolve().with_name("assets")
_beside_component = False


def use_component_folder() -> None:
    """Write derived files beside the component's own files instead of the cache folder: only for a server
    started by a bare ``streamlit run app.py`` from a checkout (the root ``app.py`` calls this), where the
    launcher's route (:mod:`vae.ui.cache_assets`) is not installed and Streamlit serves ``asset_dir`` only."""
    global _beside_component
    _beside_component = True


def _folder(name: str) -> Path:
    if _beside_component:
        path = ASSETS / name
        path.mkdir(exist_ok=True)
        return path
    return cache_dir("explorer", name)


def data_dir() -> Path:
    """The bundles' folder (``<cache>/explorer/data``)."""
    return _folder("data")


def vendor_dir() -> Path:
    """plotly.js's folder (``<cache>/explorer/vendor``)."""
    return _folder("vendor")


#: URL folder (under the component's URL) → where its files are (read by vae.ui.cache_assets)
FOLDERS = {"data": data_dir, "vendor": vendor_dir}


def file_of(url: str) -> Path:
    """The cache file that a URL returned by :func:`publish` or :func:`plotly_js` (``data/<hash>.bin``,
    ``vendor/<name>``) names."""
    folder, name = url.split("/", 1)
    return FOLDERS[folder]() / name


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file_atomically(path, data)


def _prune(folder: Path, keep: Path) -> None:
    """Delete the oldest bundles while the folder holds more than MAX_DATA_BYTES (never ``keep``)."""
    try:
        files = sorted((p for p in folder.glob("*.bin") if p != keep), key=lambda p: p.stat().st_mtime)
        total = sum(p.stat().st_size for p in files) + keep.stat().st_size
    except OSError:
        return
    for p in files:
        if total <= MAX_DATA_BYTES:
            break
        try:
            total -= p.stat().st_size
            p.unlink()
        except OSError:
            pass


def publish(bundle: Bundle) -> dict:
    """Make ``bundle`` fetchable by the browser; returns ``{"url", "hash", "bytes"}`` (URL relative to the assets)."""
    folder = data_dir()
    path = folder / f"{bundle.hash}.bin"
    if not path.is_file() or path.stat().st_size != bundle.n_bytes:
        _write_atomically(path, bundle.data)
        _prune(folder, path)
    return {"url": f"data/{bundle.hash}.bin", "hash": bundle.hash, "bytes": bundle.n_bytes}


def plotly_source() -> Path:
    """plotly.min.js as the installed ``plotly`` package ships it, every trace type (4.8 MB): the offline lecture
    file inlines it, since its still figures (the Python builders' bar charts) need more than the
    explorer's two trace types."""
    import plotly

    return Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"


#: the committed partial bundle (see :func:`explorer_plotly_source`)
EXPLORER_PLOTLY = Path(__file__).resolve().parent / "plotly" / "plotly-explorer.min.js"


def explorer_plotly_source() -> Path:
    """The explorer's own plotly.js: a partial bundle of the same plotly.js release (core + ``scattergl``, 1.5 MB
    against 4.8 MB), built from the npm registry by ``scripts/plotly_bundle/build.sh`` and committed with its MIT
    licence. The map's first paint waits for the browser to fetch and compile plotly.js (issue #24,
    ``bench/first_paint_ab.py``); the other trace types would only make that wait longer."""
    return EXPLORER_PLOTLY


_PLOTLY_BANNER = re.compile(rb"plotly\.js v([0-9][0-9A-Za-z.+-]{0,20})")


def bundle_version(source: bytes) -> str:
    """The plotly.js release named in a bundle's licence banner (``plotly.js v4.1.1``), or ``unknown``."""
    m = _PLOTLY_BANNER.search(source[:400])
    return m.group(1).decode() if m else "unknown"


@lru_cache(maxsize=1)
def _copy_name(source: Path) -> str:
    """``plotly-explorer-<version>-<content hash>`` of the bundle at ``source`` (read once per process)."""
    data = source.read_bytes()
    return f"plotly-explorer-{bundle_version(data)}-{hashlib.sha256(data).hexdigest()[:12]}"


def plotly_js() -> dict:
    """The explorer's plotly.js (:func:`explorer_plotly_source`) copied into the cache as
    ``vendor/plotly-explorer-<version>-<content hash>.min.js``; ``{"url", "hash"}``. The name changes with the
    content, so the file may be served as immutable (a rebuilt bundle of the same release gets a new URL)."""
    source = explorer_plotly_source()
    name = _copy_name(source)
    target = vendor_dir() / f"{name}.min.js"
    if not target.is_file():
        _write_atomically(target, source.read_bytes())
    return {"url": f"vendor/{target.name}", "hash": name}
