"""The one parser of safetensors headers (the weights of every model folder and every import).

A safetensors file is ``u64 little-endian n`` + ``n`` bytes of JSON + the tensors' bytes. The header is
outside input (an upload, or a file in the store), so it is parsed under limits (``vae.bounded_io.loads_json``:
size, depth, finite numbers) and checked completely before any tensor is read or allocated: every entry has a
known dtype, a shape of non-negative integers, offsets that agree with shape × dtype, and the tensors tile
the data section exactly (no gap, no overlap, nothing past the end) — the same rules as the safetensors
library's own ``validate``, so what passes here also loads there. Any failure is a ``CheckpointError`` with a
short message.
"""
from __future__ import annotations

import math
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from .bounded_io import loads_json, open_regular, short
from .errors import CheckpointError

MAX_HEADER_BYTES = 1 << 20   # a model folder's header is a few kB (≤ 40 tensors)
MAX_TENSORS = 1024
MAX_DIM = 1 << 40
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U64": 8, "U32": 4,
               "U16": 2, "U8": 1, "BOOL": 1, "F8_E4M3": 1, "F8_E5M2": 1}
FLOAT_DTYPES = ("F64", "F32", "F16", "BF16")


@dataclass(frozen=True)
class TensorEntry:
    """One tensor of a safetensors header: dtype name, shape, byte range in the data section."""

    dtype: str
    shape: tuple[int, ...]
    start: int
    end: int


def _fail(what: str, reason: str) -> CheckpointError:
    return CheckpointError(f"{what} {reason}")


def _entry(key: str, info: object, data_size: int, what: str) -> TensorEntry:
    bad = _fail(what, f"has an invalid header entry for tensor {short(key)}")
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise bad
    dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
    if not isinstance(dtype, str) or dtype not in DTYPE_BYTES:
        raise _fail(what, f"has an unknown dtype {short(dtype)} for tensor {short(key)}")
    if not isinstance(shape, list) or len(shape) > 8 or not all(type(s) is int and 0 <= s <= MAX_DIM for s in shape):
        raise _fail(what, f"has an invalid shape for tensor {short(key)}")
    if (not isinstance(offsets, list) or len(offsets) != 2
            or not all(type(o) is int and 0 <= o for o in offsets) or offsets[0] > offsets[1]):
        raise _fail(what, f"has invalid data offsets for tensor {short(key)}")
    if offsets[1] > data_size:
        raise _fail(what, f"is truncated or corrupt: its header claims {offsets[1]:,} bytes of data, the file "
                          f"holds {data_size:,}")
    if offsets[1] - offsets[0] != math.prod(shape) * DTYPE_BYTES[dtype]:
        raise _fail(what, f"is corrupt: the offsets of tensor {short(key)} do not match its shape")
    return TensorEntry(dtype, tuple(shape), offsets[0], offsets[1])


def parse_header(header_bytes: bytes, data_size: int, what: str = "model.safetensors") -> dict[str, TensorEntry]:
    """Validate a header's JSON (``header_bytes``) against a data section of ``data_size`` bytes; return
    its tensors by name (``__metadata__`` is checked and dropped)."""
    header = loads_json(header_bytes, what="header", limit=MAX_HEADER_BYTES, max_depth=3,
                        error=lambda m: _fail(what, f"is not a safetensors file ({m})"))
    if not isinstance(header, dict):
        raise _fail(what, "has an invalid safetensors header")
    meta = header.pop("__metadata__", {})
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise _fail(what, "has invalid metadata in its header")
    if len(header) > MAX_TENSORS:
        raise _fail(what, f"declares {len(header):,} tensors; the limit is {MAX_TENSORS}")
    tensors = {key: _entry(key, info, data_size, what) for key, info in header.items()}
    end = 0
    for entry in sorted(tensors.values(), key=lambda e: (e.start, e.end)):
        if entry.start != end:
            raise _fail(what, "is corrupt: its tensors overlap or leave gaps")
        end = entry.end
    if end != data_size:
        claimed = "more" if end > data_size else "fewer"
        raise _fail(what, f"is truncated or corrupt: its header claims {claimed} bytes of data ({end:,}) than "
                          f"the file holds ({data_size:,})")
    return tensors


def _split(head: bytes, size: int, what: str) -> int:
    if len(head) < 8:
        raise _fail(what, f"is truncated (only {size} bytes)")
    (n,) = struct.unpack("<Q", head[:8])
    if n > size - 8 or n > MAX_HEADER_BYTES or n < 2:
        raise _fail(what, "is not a safetensors file (its header length does not fit the file; a pickle-based "
                          ".pt/.pth checkpoint is never loaded)")
    return n


def header_from_bytes(data: bytes, what: str = "model.safetensors") -> dict[str, TensorEntry]:
    """The validated header of a safetensors file held in memory (an upload)."""
    n = _split(data[:8], len(data), what)
    return parse_header(data[8:8 + n], len(data) - 8 - n, what)


def read_header(path: str | os.PathLike, max_file: int) -> dict[str, TensorEntry]:
    """The validated header of a safetensors file on disk (regular file only, at most ``max_file`` bytes),
    read with two bounded reads."""
    path = Path(path)
    with open_regular(path, error=CheckpointError) as f:
        size = os.fstat(f.fileno()).st_size
        if size > max_file:
            raise _fail(path.name, f"is {size / 2**20:.0f} MB; the limit is {max_file >> 20} MB")
        n = _split(f.read(8), size, path.name)
        raw = f.read(n)
    return parse_header(raw, size - 8 - n, path.name)
