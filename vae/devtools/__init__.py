"""Tooling shared by the tests, the benchmarks, ``deploy/`` and ``scripts/`` (not used by the app itself):
a real server on a free port, headless Chromium, and helpers to drive the explorer component."""
