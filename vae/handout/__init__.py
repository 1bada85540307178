"""The lecture as ONE offline HTML file (issue #25, items 2 and 3): the nine steps of the Lecture page with their
formulas, their numbers frozen with the models and the day, their figures, and the live parts that need no server
(the AE | VAE | β-VAE maps with hover decoding, click-to-inspect and linked highlighting, the VAE's walk, the
drawing pad, the training films), running on the explorer's own JavaScript and bundles, all inside the file.

Modules: :mod:`.data` (the views' data and the bundles they name), :mod:`.numbers` (frozen numbers),
:mod:`.figures` (still figures), :mod:`.assets` (KaTeX, plotly.js, CSS, the modules), :mod:`.jsmodules` (the ES
modules inlined), :mod:`.render` (the HTML), :mod:`.store` (files already made, in the cache folder).
``python -m vae handout --lang fr --out lecture.html`` writes one; the Lecture page offers it for download.
"""
from __future__ import annotations

from pathlib import Path

from ..atomic_file import write_file_atomically


def write_handout(lang: str, out: str | Path) -> int:
    """Write the lecture file in ``lang`` to ``out`` (atomically), reusing the cached file when the models and the
    code have not changed; returns its size in bytes."""
    from .store import handout_file

    data = handout_file(lang).read_bytes()
    write_file_atomically(Path(out), data)
    return len(data)
