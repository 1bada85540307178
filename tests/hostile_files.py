"""Builders of hostile files for the issue-11 tests: zip/npz bombs, lying headers, forged safetensors; and the
fixtures those tests share (an empty store, the files of a good tiny model folder).

The bombs are written by hand (local headers, central directory, end record), so a test can make a member
lie about its size or its CRC, or inflate to gigabytes from a few megabytes, in well under a second.
"""
from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib

import numpy as np
import pytest
import torch


def tree(root) -> list[str]:
    """Every path under ``root``, hidden ones included (the "before/after" of a no-harm check)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture
def store(tmp_path, monkeypatch):
    """An empty user store (``$VAE_MODEL_STORE``) under the test's temporary folder."""
    s = tmp_path / "store"
    s.mkdir()
    monkeypatch.setenv("VAE_MODEL_STORE", str(s))
    return s


@pytest.fixture(scope="module")
def good_files(tmp_path_factory) -> dict[str, bytes]:
    """The three files of a valid tiny model folder (8×8 digits, hidden [16]) whose metrics fit the schema."""
    from conftest import tiny_config
    from vae.checkpoint import CONFIG, METRICS, WEIGHTS, save_model
    from vae.models import build_model

    torch.manual_seed(0)
    folder = save_model(build_model(tiny_config()), tmp_path_factory.mktemp("src") / "m", {"train_seconds": 1.0})
    return {n: (folder / n).read_bytes() for n in (WEIGHTS, CONFIG, METRICS)}


def npy_header(shape, descr: str = "<f4", fortran: bool = False) -> bytes:
    """A version 1.0 ``.npy`` header for ``shape`` (any Python ints, even absurd ones), padded as numpy pads it."""
    text = "{'descr': %r, 'fortran_order': %r, 'shape': %r, }" % (descr, fortran, tuple(shape))
    raw = text.encode("latin-1")
    raw += b" " * (63 - (10 + len(raw)) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw


def zeros_deflate(prefix: bytes, n_zeros: int, block: int = 64 << 20) -> bytes:
    """A raw deflate stream of ``prefix`` followed by ``n_zeros`` zero bytes, cheap to build for gigabytes:
    after a full flush the compressor's output for the same input block is the same bytes, so one block is
    compressed once and repeated."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)]
    full, rest = divmod(n_zeros, block)
    if full:
        rep = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
        out.append(rep * full)
    out.append(c.compress(bytes(rest)) + c.flush())
    return b"".join(out)


def raw_zip(members: list[dict]) -> bytes:
    """A zip from raw members: dicts with ``name``, ``data`` (already compressed), ``size`` (declared
    uncompressed size), optional ``method`` (8 = deflate, 0 = stored), ``crc`` (default: computed from ``data``
    for a stored member, 0 otherwise; a bomb's CRC is never reached); sizes < 4 GiB, any number of entries."""
    body, central = io.BytesIO(), io.BytesIO()
    for m in members:
        name, data, method = m["name"].encode(), m["data"], m.get("method", 8)
        crc = m.get("crc", zlib.crc32(data) if method == 0 else 0)
        offset = body.tell()
        body.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, len(data), m["size"], len(name), 0))
        body.write(name)
        body.write(data)
        central.write(struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc, len(data), m["size"],
                                  len(name), 0, 0, 0, 0, 0, offset))
        central.write(name)
    cd, n, cd_offset = central.getvalue(), len(members), body.tell()
    zip64 = b""
    if n > 0xFFFF:  # the zip64 end record holds the real count; the classic one says 0xFFFF
        z64_offset = cd_offset + len(cd)
        zip64 = (struct.pack("<4sQ2H2I4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, n, n, len(cd), cd_offset)
                 + struct.pack("<4sIQI", b"PK\x06\x07", 0, z64_offset, 1))
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), len(cd), cd_offset, 0)
    return body.getvalue() + cd + zip64 + end


def npz_bomb(shape, descr: str = "<f4", actual_zeros: int | None = None, declared: int | None = None) -> bytes:
    """An ``.npz`` whose ``x`` declares ``shape`` × ``descr`` and inflates to ``actual_zeros`` zero bytes after
    its header (default: exactly what the shape needs), declaring ``declared`` bytes (default: the truth)."""
    header = npy_header(shape, descr)
    nbytes = int(np.prod(shape, dtype=object)) * np.dtype(descr).itemsize if actual_zeros is None else actual_zeros
    data = zeros_deflate(header, nbytes)
    size = len(header) + nbytes if declared is None else declared
    crc = zlib.crc32(bytes(nbytes), zlib.crc32(header)) if nbytes <= 1 << 20 else 0  # small ones are read to the end
    return raw_zip([{"name": "x.npy", "data": data, "size": min(size, 2**32 - 1), "crc": crc}])


def many_entries_zip(n: int) -> bytes:
    """A stored zip of ``n`` empty entries (``zipfile`` itself would take seconds to write 600k)."""
    return raw_zip([{"name": f"{i}", "data": b"", "size": 0, "method": 0} for i in range(n)])


def bz2_zip(name: str, content: bytes) -> bytes:
    """A zip with one bzip2 member (a compression that inflates without bound in one call)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_BZIP2) as zf:
        zf.writestr(name, content)
    return buf.getvalue()


def safetensors_raw(header: dict | str | bytes, body: bytes = b"") -> bytes:
    """A safetensors file from a header given as a dict, JSON text or raw bytes (for invalid JSON)."""
    raw = header if isinstance(header, bytes) else (header if isinstance(header, str) else json.dumps(header)).encode()
    return struct.pack("<Q", len(raw)) + raw + body
