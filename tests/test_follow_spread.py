"""The class's follow spread comes from ``VAE_FOLLOW_SPREAD_SECONDS``, bounded (vae.ui.lecture.classroom_ui)."""
import os
import subprocess
import sys

import pytest

from browser_utils import ROOT


@pytest.mark.parametrize("raw,seconds", [(None, 3.0), ("0.2", 0.2), ("0", 0.0), ("1e9", 10.0), ("-1", 3.0),
                                         ("nan", 3.0), ("three", 3.0)])
def test_the_follow_spread_is_read_from_the_environment_within_bounds(raw, seconds):
    env = {k: v for k, v in os.environ.items() if k != "VAE_FOLLOW_SPREAD_SECONDS"}
    if raw is not None:
        env["VAE_FOLLOW_SPREAD_SECONDS"] = raw
    out = subprocess.run([sys.executable, "-c", "from vae.ui.lecture import classroom_ui as c; "
                          "print(c.FOLLOW_SPREAD_SECONDS)"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert float(out.stdout.strip().splitlines()[-1]) == seconds
