"""What a keyed select box costs with and without ``vae.ui.widget_state_lookup``, in one process, alternating.

A script (run by Streamlit's ``AppTest``, which runs widgets through the same code as the server) holds a session
of ``--keys`` keyed widgets, as a student's session does after a few pages, then draws ``--repeats`` sets of the
sidebar's seven select boxes and times them (the figure is per select box). Rounds alternate between Streamlit's own look-up and the lighter one, so the machine's noise
hits both alike. Prints the figures, then one JSON line.

    python bench/widget_lookup.py [--keys 40] [--rounds 40]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from streamlit.testing.v1 import AppTest  # noqa: E402

from vae.ui import widget_state_lookup  # noqa: E402

SCRIPT = """
import time
import streamlit as st
KEYS, REPEATS = {keys}, {repeats}
for i in range(KEYS):                        # the session's other widgets, kept in its state
    st.checkbox(f"c{{i}}", key=f"other_{{i}}")
t0 = time.perf_counter()
for r in range(REPEATS):
    with st.container(key=f"box_{{r}}"):
        for j in range(7):                   # the sidebar's select boxes
            st.selectbox(f"s{{j}}", ["a", "b", "c", "d"], index=1, key=f"sel_{{r}}_{{j}}")
st.text(str((time.perf_counter() - t0) / (REPEATS * 7) * 1e6))
"""


def one_round(keys: int, repeats: int, light: bool) -> float:
    """Microseconds per select box in one run of the script, with (``light``) or without the lighter look-up."""
    if light:
        widget_state_lookup.install()
    else:
        widget_state_lookup.uninstall()
    at = AppTest.from_string(SCRIPT.format(keys=keys, repeats=repeats), default_timeout=120).run()
    if at.exception:
        raise RuntimeError(at.exception[0].value)
    return float(at.text[0].value)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--keys", type=int, default=40, help="other keyed widgets in the session")
    ap.add_argument("--rounds", type=int, default=40, help="rounds of each kind, alternating")
    ap.add_argument("--repeats", type=int, default=3, help="sidebars of seven select boxes per round")
    args = ap.parse_args(argv)
    plain, light = [], []
    for i in range(2 * args.rounds):
        (light if i % 2 else plain).append(one_round(args.keys, args.repeats, light=bool(i % 2)))
    widget_state_lookup.uninstall()
    out = {"keys": args.keys, "rounds": args.rounds, "repeats": args.repeats,
           "selectbox_us_streamlit": round(statistics.median(plain), 1),
           "selectbox_us_light": round(statistics.median(light), 1)}
    out["ratio"] = round(out["selectbox_us_light"] / out["selectbox_us_streamlit"], 3)
    print(f"select box, {args.keys} other keyed widgets in the session: Streamlit's look-up "
          f"{out['selectbox_us_streamlit']:.0f} us, the lighter one {out['selectbox_us_light']:.0f} us "
          f"(x{out['ratio']:.2f}; medians of {args.rounds} rounds each)")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
