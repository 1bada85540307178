"""vae.atomic_file: the one write-then-rename for files."""
from __future__ import annotations

import numpy as np
import pytest

from vae.atomic_file import write_file_atomically


def test_text_bytes_and_writer_functions_land_whole(tmp_path):
    write_file_atomically(tmp_path / "a.txt", "é")
    write_file_atomically(tmp_path / "b.bin", b"\x00\x01", durable=True)
    write_file_atomically(tmp_path / "c.npz", lambda f: np.savez(f, x=np.arange(3)))
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "é"
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert np.load(tmp_path / "c.npz")["x"].tolist() == [0, 1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.bin", "c.npz"]  # no temp file left


def test_a_failing_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "record.json"
    write_file_atomically(target, '{"old": 1}')

    def half_then_crash(f):
        f.write(b'{"new"')
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        write_file_atomically(target, half_then_crash)
    assert target.read_text() == '{"old": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]
