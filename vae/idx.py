"""Read the IDX files of the MNIST family (LeCun et al. 1998), gzip-compressed, with bounds.

An IDX file is a 4-byte magic number (two zero bytes, the element type, the number of dimensions), one
big-endian uint32 per dimension, then the values in C order. Fashion-MNIST (Xiao, Rasul & Vollgraf 2017)
ships in this format, and Debian's ``dataset-fashion-mnist`` installs its four ``*-ubyte.gz`` files.

Only unsigned bytes (type 0x08) are accepted, the declared size is checked against ``max_values`` before
anything is inflated, the file is opened with ``vae.bounded_io.open_regular`` (a FIFO never blocks), and a
truncated or padded file is refused with a message that names it.
"""
from __future__ import annotations

import gzip
import struct
import zlib
from pathlib import Path

import numpy as np

from .bounded_io import open_regular
from .errors import DatasetError

UBYTE = 0x08
MAX_FILE_BYTES = 128 << 20   # the largest compressed file read (Fashion-MNIST's training images: 26 MB)


def read_idx(path: str | Path, *, max_values: int, ndim: int) -> np.ndarray:
    """The uint8 array of the gzip-compressed IDX file ``path``, of ``ndim`` dimensions and at most
    ``max_values`` values; ``DatasetError`` naming the file when it is anything else."""
    path = Path(path)
    what = path.name
    with open_regular(path, what=what, error=DatasetError, follow_symlinks=True) as raw:
        if raw.seek(0, 2) > MAX_FILE_BYTES:
            raise DatasetError(f"{what} is larger than {MAX_FILE_BYTES >> 20} MB: not an IDX file of this data set")
        raw.seek(0)
        try:
            with gzip.GzipFile(fileobj=raw) as f:
                head = f.read(4)
                if len(head) < 4 or head[:2] != b"\0\0" or head[2] != UBYTE or head[3] != ndim:
                    raise DatasetError(f"{what} is not an IDX file of {ndim}-D unsigned bytes")
                dims = struct.unpack(f">{ndim}I", _exactly(f, 4 * ndim, what))
                n = int(np.prod(dims, dtype=np.int64))
                if n > max_values:
                    raise DatasetError(f"{what} declares {n:,} values; at most {max_values:,} are expected")
                values = np.frombuffer(_exactly(f, n, what), dtype=np.uint8).reshape(dims)
                if f.read(1):
                    raise DatasetError(f"{what} holds more bytes than its header declares")
        except (OSError, EOFError, zlib.error) as exc:  # not gzip, or a damaged stream
            raise DatasetError(f"{what} cannot be decompressed ({exc})") from None
    return values


def _exactly(f, n: int, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise DatasetError(f"{what} is truncated: {len(data):,} of {n:,} bytes")
    return data
