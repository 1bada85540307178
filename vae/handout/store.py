"""The lecture files already made, kept in the cache folder (``<cache>/handout/``) and named by what they are
made of: the language, the three models' files (weights, film, report: the numbers and figures come from them),
the package's version and the JavaScript and CSS the file inlines. Making one takes tens of seconds of a shared
server's CPU; the same file is then served to every student who asks, and a retrained model or an upgrade makes
a new one."""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from .. import __version__
from ..atomic_file import write_file_atomically
from ..cache_dir import cache_dir
from ..ui.explorer.assets_store import ASSETS
from . import assets

#: The model files a lecture file depends on (beside the code).
MODEL_FILES = ("model.safetensors", "film.npz", "report.json", "config.json")
_BUILDING = threading.Lock()  # one file made at a time per process: a class clicking at once waits for the first


def _file_digest(h, path: Path) -> None:
    h.update(path.name.encode() + b"\0")
    try:
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except FileNotFoundError:
        h.update(b"missing")
    h.update(b"\0")


def handout_key(lang: str, model_dirs: list[str]) -> str:
    """A short hash of everything the file for ``lang`` is made of: the models' files, the version, the inlined
    code (the explorer's assets and the handout's own) and the handout's Python modules."""
    h = hashlib.sha256(f"{__version__}\0{lang}\0".encode())
    for folder in model_dirs:
        for name in MODEL_FILES:
            _file_digest(h, Path(folder) / name)
    for folder in (ASSETS, assets.STATIC, assets.HERE):
        for path in sorted(folder.glob("*.js")) + sorted(folder.glob("*.css")) + sorted(folder.glob("*.py")):
            _file_digest(h, path)
    return h.hexdigest()[:20]


def handout_file(lang: str) -> Path:
    """The lecture file in ``lang``, made now when the cache folder has none for the current models and code.
    Raises what :func:`vae.handout.render.build_handout` raises."""
    from .data import lecture_infos, lecture_selection
    from .render import build_handout

    key = handout_key(lang, [m.path for m in lecture_infos(lecture_selection())])
    path = cache_dir("handout") / f"lecture-{lang}-{key}.html"
    with _BUILDING:
        if not path.is_file():
            write_file_atomically(path, build_handout(lang))
            for old in path.parent.glob(f"lecture-{lang}-*.html"):  # older models' or code's files: never asked again
                if old != path:
                    old.unlink(missing_ok=True)
    return path
