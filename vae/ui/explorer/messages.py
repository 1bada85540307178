"""The one gate for what the explorer's browser side sends back (component state).

A browser's messages are outside input: anyone can forge them from the devtools (``z=["a","b"]``,
nested lists, huge numbers, NaN, a dict where a list is expected). Every value a page reads from the
component goes through one of these functions, which return a clean value or ``None`` ("ignore it"),
and never raise.
"""
from __future__ import annotations

import math
from typing import Any

#: Largest absolute coordinate accepted for a latent code (an AE's codes reach a few tens; 1e4 is absurd).
MAX_ABS_CODE = 1e4


def state_value(result: Any, name: str) -> Any:
    """The raw value of state ``name`` in a component result or session-state entry (None if absent)."""
    try:
        if isinstance(result, dict):
            return result.get(name)
        getter = getattr(result, "get", None)
        if callable(getter):
            return getter(name)
        return getattr(result, name, None)
    except Exception:  # noqa: BLE001 - a forged or half-initialised state must not break the page
        return None


def _finite(value: Any, limit: float) -> float | None:
    """``value`` as a float when it is a real number (not a bool) with |value| ≤ ``limit``, else None.

    Compared before converting: ``float(10**400)`` would raise ``OverflowError``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not -limit <= value <= limit:  # exact for any int, whatever its size
        return None
    return float(value)


def index(value: Any, n: int) -> int | None:
    """A test-set index in [0, n), or None. Accepts ints (and integral floats, as JSON numbers arrive)."""
    v = _finite(value, max(n, 0))
    if v is None or v != int(v):
        return None
    v = int(v)
    return v if 0 <= v < n else None


def code(value: Any, d: int, limit: float = MAX_ABS_CODE) -> list[float] | None:
    """A latent code: a flat list of ``d`` finite numbers with |v| ≤ ``limit``, or None."""
    if not isinstance(value, (list, tuple)) or len(value) != d:
        return None
    out = []
    for v in value:
        v = _finite(v, limit)
        if v is None:
            return None
        out.append(v)
    return out


def choice(value: Any, allowed: tuple[str, ...] | list[str]) -> str | None:
    """One of ``allowed`` strings, or None."""
    return value if isinstance(value, str) and value in tuple(allowed) else None


def mapping(value: Any) -> dict:
    """A dict (the container of a view's fields), or an empty dict for anything else."""
    return value if isinstance(value, dict) else {}
