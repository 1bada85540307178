"""bench/load.py cannot rot: a tiny class (2 students, 3 s phases, 1 Chromium tab, a training in the pool's
worker) runs end to end and reports every figure the issue asks for; plus its pure helpers."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from bench.load import REQUIRED_KEYS, component_urls, pct
from bench.ws_client import _user_key
from browser_utils import ROOT
from vae.devtools.browser import require_browser


def test_component_urls_names_plotly_and_bundles_but_not_encoders():
    data = {"plotly": {"url": "vendor/p.js", "hash": "p"},
            "main": {"decoder": {"url": "data/a.bin", "hash": "a"}, "encoder": {"url": "data/e.bin", "hash": "e"},
                     "test_set": {"url": "data/b.bin", "hash": "b"}},
            "trio": [{"decoder": {"url": "data/a.bin", "hash": "a"}}, {"projection": {"url": "data/c.bin", "hash": "c"}}],
            "text": {"url": "not a bundle"}}
    assert component_urls(data) == ["vendor/p.js", "data/a.bin", "data/b.bin", "data/c.bin"]


def test_widget_keys_and_percentiles():
    assert _user_key("$$ID-0123abcd-map.explorer") == "map.explorer"
    assert _user_key("$$ID-0123abcd-sel_beta-vae_mnist_2") == "sel_beta-vae_mnist_2"
    assert pct([], 95) is None
    assert pct(list(range(101)), 95) == 95
    assert pct([3.0], 50) == 3.0


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.timeout(300)  # a bench with its own server and Chromium: slow on a loaded CI machine
def test_tiny_class_end_to_end():
    require_browser()
    t0 = time.time()
    proc = subprocess.run([sys.executable, "bench/load.py", "--sessions", "2", "--seconds", "3", "--idle-seconds", "2.5",
                           "--tabs", "1", "--think", "0.7"], cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert REQUIRED_KEYS <= set(out), REQUIRED_KEYS - set(out)
    assert out["errors"] == 0, proc.stdout[-4000:]
    assert out["sessions"] == 2 and out["actions"] >= 4
    assert out["p95_ms"] > 0 and out["p95_training_ms"] > 0
    assert out["page_open_single_ms"] > 0 and out["page_open_p95_ms"] > 0
    assert out["client_p95_ms"] is not None and out["click_p95_ms"] is not None   # the tab hovered and clicked
    assert out["training_images_per_s_idle"] > 0 and out["training_speed_ratio"] > 0   # the worker trained
    assert out["rss_mb"] > 0
    print(f"tiny class: {time.time() - t0:.0f} s")


@pytest.mark.slow
@pytest.mark.timeout(300)  # a bench with its own server: slow on a loaded CI machine
def test_tiny_lecture_end_to_end():
    """The lecture profile (bench/load_lecture.py) on a tiny class: students arrive on the teacher's class, follow
    its steps through the page's own poll, vote on the quiz (each vote counted once by the class), late students
    open the page (timed in turn in a probe process of their own and in the bench's) and paint it (the probe's
    Chromium), 5 class members submit trainings (one runs on the Redis queue's one worker, the others wait), and
    the last line holds every figure issue #24 asks for, with the server's and the machine's CPU."""
    from bench.load_lecture import REQUIRED_KEYS as LECTURE_KEYS
    from vae.devtools.redis_server import require_redis_server

    require_redis_server()   # --redis: the class and the training queue in a real redis-server, one worker
    proc = subprocess.run([sys.executable, "bench/load.py", "--profile", "lecture", "--redis", "--sessions", "3",
                           "--seconds", "5",
                           "--idle-seconds", "2", "--think", "0.7", "--step-seconds", "1.5", "--poll-seconds", "0.5",
                           "--late-every", "1.5", "--paint-every", "2", "--start-step", "quiz"], cwd=ROOT,
                          capture_output=True, text=True,
                          timeout=280,
                          # the view's report waits up to the follow spread, and goes only if no action of the student
                          # ran meanwhile: with 3 s against this test's 0.7 s between actions, about 1 run in 10 saw
                          # no follow at all (CI did); a seminar's spread keeps the check meaningful
                          env={**os.environ, "VAE_FOLLOW_SPREAD_SECONDS": "0.2"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert LECTURE_KEYS <= set(out), LECTURE_KEYS - set(out)
    assert out["errors"] == 0, proc.stdout[-4000:]
    assert out["sessions"] == 3 and out["actions"] >= 6 and out["polls"] >= 6
    assert out["follow_p95_ms"] is not None, proc.stdout[-3000:]   # a poll brought the teacher's next step
    assert out["votes_match"] and '"cast_by_students": 0' not in proc.stdout, proc.stdout[-3000:]
    assert out["late_open_ratio"] > 0 and out["p95_ms"] > 0 and out["p95_training_ms"] > 0
    # late students timed in turn by the probe's own process and in the bench's, each against its own idle opens
    assert out["late_open_n"] >= 1 and out["late_open_inproc_n"] >= 1 and out["page_open_single_probe_ms"] > 0
    assert out["late_open_inproc_ratio"] > 0 and out["client_lag_class_p95_ms"] is not None
    # and painted by a late student's browser (the probe's Chromium), against its idle paints
    assert out["page_paint_single_ms"] > 0 and out["late_paint_n"] >= 1 and out["late_paint_ratio"] > 0
    assert out["server_cpu_cores_class"] > 0 and out["server_cpu_ms_per_action_class"] > 0   # the server's own CPU
    # the machine's busy cores hold the server's and the simulated class's (steal is the VM host's, often 0)
    assert out["bench_cpu_cores_class"] > 0 and out["steal_cpu_cores_class"] >= 0
    assert out["machine_cpu_cores_class"] >= out["server_cpu_cores_class"] + out["bench_cpu_cores_class"] - 0.05
    assert out["trainings_queued"] == 4 and out["training_speed_ratio"] > 0   # one ran, four waited
    assert out["rss_mb"] > 0
