"""Is this a continuous-integration run? The one answer the tests, the browser helpers and the benchmarks share.

Under CI a test whose prerequisites are missing (shipped models, Chromium, nginx) must FAIL instead of being
skipped, so CI can never pass by skipping; on a developer's machine the same test is a skip.
"""
from __future__ import annotations

import os
from typing import NoReturn

_LOCAL_VALUES = ("", "0", "false", "no")


def in_ci() -> bool:
    """True under continuous integration: ``CI`` set to anything but empty, ``0``, ``false`` or ``no`` (any case,
    surrounding spaces ignored). ``.ci/run`` and every CI service export ``CI=true``; ``CI=false`` or ``CI=0`` in a
    developer's shell means "local", as it does for most tools that read the variable."""
    return os.environ.get("CI", "").strip().lower() not in _LOCAL_VALUES


def missing_prerequisite(reason: str, ci_reason: str | None = None) -> NoReturn:
    """End a test whose prerequisite is missing: a skip saying ``reason`` on a developer's machine, a failure saying
    ``ci_reason`` (default ``reason``) under CI, so CI can never pass by skipping."""
    import pytest

    if in_ci():
        pytest.fail(ci_reason or reason)
    pytest.skip(reason)
