"""The collection log the load bench reads from its servers (vae/ui/gc_log.py)."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from vae.ui import gc_log

ROOT = Path(__file__).resolve().parent.parent

_PROBE = r"""
import gc, os, sys, threading
from vae.ui import gc_log

gc.disable()   # only the probe's own collections, in a known order
hook = gc_log.install_from_env()
print(hook is not None, flush=True)
for _ in range(3):
    gc.collect(0)
for i in range(5000):   # 5,000 unreachable cycles for the next full collection to find
    cell = []
    cell.append(cell)
del cell
worker = threading.Thread(target=gc.collect, args=(2,), name="probe-full-gc")
worker.start(); worker.join()
if os.fork() == 0:   # a forked child inherits the hook: its collections are not its parent's
    gc.collect(2)
    os._exit(0)
os.wait()
gc.collect(1)
gc.collect(2)
"""


def _run_probe(folder: Path | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != gc_log.ENV}
    if folder is not None:
        env[gc_log.ENV] = str(folder)
    return subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60, check=True)


def test_each_full_collection_is_one_line_with_its_garbage_thread_and_the_young_ones_before(tmp_path):
    before = time.time()
    out = _run_probe(tmp_path)
    assert out.stdout.split() == ["True"]
    logs = gc_log.read_lines(tmp_path)
    assert len(logs) == 1 and list(logs)[0].startswith("gc-")   # the forked child wrote no log of its own
    first, second = list(logs.values())[0]                      # ... nor into its parent's
    assert first["thread"] == "probe-full-gc" and second["thread"] == "MainThread"
    assert first["collected"] >= 5000 and second["collected"] < 5000
    assert first["young_n"] == 3 and second["young_n"] == 1     # gen-0/1 collections summed into the next line
    assert first["ms"] > 0 and first["cpu_ms"] >= 0 and before <= first["at"] <= second["at"] <= time.time()


def test_no_variable_no_hook_and_no_file(tmp_path):
    out = _run_probe(None)
    assert out.stdout.split() == ["False"]
    assert not list(tmp_path.iterdir())


def test_summary_of_one_phase_counts_only_its_lines(tmp_path):
    rows = [{"at": 100.0, "ms": 50.0, "collected": 10, "thread": "vae-full-gc", "young_n": 5, "young_ms": 10.0},
            {"at": 110.0, "ms": 150.0, "collected": 30, "thread": "vae-full-gc", "young_n": 5, "young_ms": 10.0},
            {"at": 120.0, "ms": 250.0, "collected": 50, "thread": "vae-full-gc", "young_n": 5, "young_ms": 10.0}]
    (tmp_path / "gc-1.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\nnot json\n")
    (tmp_path / "gc-2.jsonl").write_text(json.dumps({**rows[0], "at": 105.0, "ms": 90.0, "thread": "MainThread"}))
    s = gc_log.summarize(tmp_path, 104.0, 124.0)
    assert s == {"gc_full_n": 3, "gc_full_p50_ms": 150.0, "gc_full_max_ms": 250.0, "gc_full_collected_p50": 30,
                 "gc_share": round((150 + 250 + 90 + 3 * 10) / 1000 / (20 * 2), 4),
                 "gc_young_share": round(3 * 10 / 1000 / (20 * 2), 4), "gc_young_n": 15,
                 "gc_threads": ["MainThread", "vae-full-gc"]}
    assert gc_log.summarize(tmp_path, 200.0, 300.0) == {}
