"""Replace one file atomically: the project's single write-then-rename for files.

Readers on any replica (class votes, job records, caches, films, browser bundles) must see the old file or
the whole new one, never half of it, and a crash must not leave a half-written file under the real name.
So every file the app rewrites goes through :func:`write_file_atomically`: the bytes go to a hidden,
uniquely named temp file beside the target (same folder, so same filesystem; a leading dot, so folder
listings that skip hidden names never count it), which is then renamed over the target with ``os.replace``
(atomic on POSIX). The temp file is removed on any failure. Whole model folders have their own atomic
rename with a no-replace guard (``vae.checkpoint.write_folder_atomically``).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import BinaryIO, Callable

Content = bytes | str | Callable[[BinaryIO], None]


def write_file_atomically(path: str | os.PathLike, content: Content, *, durable: bool = False) -> Path:
    """Write ``content`` (bytes, UTF-8 text, or a function that writes into the open binary file, e.g.
    ``lambda f: np.savez(f, **arrays)``) to ``path`` through a temp file and one rename; with ``durable`` the
    data is fsynced before the rename (for files that must survive a power cut, such as a model's film).
    Returns ``path``. Raises what the write raised (``OSError`` on a full or read-only disk), leaving the old
    file, if any, untouched."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        with open(tmp, "xb") as f:
            if callable(content):
                content(f)
            else:
                f.write(content.encode("utf-8") if isinstance(content, str) else content)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
