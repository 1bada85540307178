"""Binary bundles for the browser: a few named arrays plus a small JSON header in one content-addressed file.

Why: the browser decodes, inspects and interpolates on its own (``vae/ui/explorer``), so it needs the
decoder's weights, the test set's codes and images, and the map's projection. Sending them as JSON
numbers (or base64 inside a websocket message) would cost the server CPU on every session and the
network on every reload. Instead each bundle is written once as a file named by the hash of its bytes,
served as a static asset, and kept by the browser (IndexedDB) under that hash: a second visit
transfers nothing.

Layout (little-endian)::

    b"VXB1" | u32 header length | header (UTF-8 JSON) | zero padding to 8 bytes | arrays, each 8-aligned

The header is ``{"meta": {...}, "arrays": {name: {"dtype": "f32"|"u8"|"i32", "shape": [...],
"offset": bytes from the start of the file}}}``. ``assets/model.js`` (``readBundle``) is the JavaScript
reader; :func:`unpack` is the Python one (tests).
"""
from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass

import numpy as np

from .bounded_io import loads_json

MAGIC = b"VXB1"
DTYPES = {"f32": np.dtype("<f4"), "u8": np.dtype("u1"), "i32": np.dtype("<i4")}
_CODES = {v: k for k, v in DTYPES.items()}
MAX_HEADER = 1 << 20


class BundleError(ValueError):
    """Bytes that are not a well-formed bundle."""


@dataclass(frozen=True)
class Bundle:
    """Packed bytes and their short content hash (the browser's cache key and the file name)."""

    data: bytes
    hash: str

    @property
    def n_bytes(self) -> int:
        return len(self.data)


def _align(n: int, k: int = 8) -> int:
    return (n + k - 1) // k * k


def pack(meta: dict, arrays: dict[str, np.ndarray]) -> Bundle:
    """Pack ``arrays`` (float32, uint8 or int32; converted if another float/int type) with ``meta``."""
    prepared: dict[str, np.ndarray] = {}
    for name, a in arrays.items():
        a = np.asarray(a)
        if a.dtype.kind == "f":
            a = a.astype("<f4", copy=False)
        elif a.dtype.kind in "iu" and a.dtype != np.uint8:
            a = a.astype("<i4", copy=False)
        elif a.dtype.kind == "b":
            a = a.astype(np.uint8)
        if a.dtype not in _CODES:
            raise BundleError(f"array {name!r} has unsupported dtype {a.dtype}")
        prepared[name] = np.ascontiguousarray(a)
    # The header holds the offsets, which depend on the header's own length: iterate until stable.
    header_len = 0
    while True:
        offset = _align(8 + header_len)
        entries = {}
        for name, a in prepared.items():
            entries[name] = {"dtype": _CODES[a.dtype], "shape": list(a.shape), "offset": offset}
            offset = _align(offset + a.nbytes)
        header = json.dumps({"meta": meta, "arrays": entries}, separators=(",", ":"), allow_nan=False).encode()
        if len(header) == header_len:
            break
        header_len = len(header)
    out = bytearray(offset)
    out[:4] = MAGIC
    out[4:8] = struct.pack("<I", len(header))
    out[8:8 + len(header)] = header
    for name, a in prepared.items():
        start = entries[name]["offset"]
        out[start:start + a.nbytes] = a.tobytes()
    data = bytes(out)
    return Bundle(data, hashlib.sha256(data).hexdigest()[:20])


def unpack(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """Inverse of :func:`pack`: (meta, arrays). Raises :class:`BundleError` on malformed bytes."""
    if len(data) < 8 or data[:4] != MAGIC:
        raise BundleError("not a bundle (bad magic)")
    (n,) = struct.unpack("<I", data[4:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise BundleError("bundle header is truncated or too large")
    try:
        header = loads_json(data[8:8 + n], what="bundle header", limit=MAX_HEADER, error=BundleError)
        arrays = {}
        for name, e in header["arrays"].items():
            dt = DTYPES[e["dtype"]]
            shape = tuple(int(s) for s in e["shape"])
            count = int(np.prod(shape)) if shape else 1
            start = int(e["offset"])
            if start < 8 + n or start + count * dt.itemsize > len(data):
                raise BundleError(f"array {name!r} lies outside the bundle")
            arrays[name] = np.frombuffer(data, dt, count, start).reshape(shape)
        return header["meta"], arrays
    except (ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(f"malformed bundle header: {exc}") from None
