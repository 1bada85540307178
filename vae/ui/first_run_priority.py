"""A session's first script run goes ahead of the other sessions' reruns.

Every Streamlit session runs its script in a thread of its own, and Python runs one thread at a time (the GIL),
shared among the runnable threads with no notion of priority. In an amphitheatre, each step of the teacher's brings
a burst of follows: 200 students rerun the Lecture page within the poll interval, about 2 s of script time on one
core. A late student who opens the page during that burst gets a slice of the GIL like everyone else, so a cold open
that takes 120 ms on an idle server took 0.7 to 9 s (issue #24: "a page opened by a late student paints within 2×
its idle time").

:func:`install` gives the first run of each session priority, in the only place Streamlit lets a running script be
held: the yield point it calls before every element it sends and every widget it registers
(``ScriptRunner._maybe_handle_execution_control_request``, where it also handles stop and rerun requests). While
a first run is going, the other sessions' script threads wait there, without the GIL, and the first run shares it
only with the event loop. Bounds keep this from starving anyone:

* a run counts as a first run for at most :data:`PRIORITY_S` seconds (a slow first run then competes as usual);
* a rerun waits at most :data:`WAIT_BUDGET_S` seconds in all, however many first runs come along (a flood of new
  sessions cannot hold a class's reruns for longer than that);
* only a script thread inside its script waits: the event loop, which also passes through that point when it
  queues a message, never does.

``VAE_FIRST_RUN_PRIORITY=0`` leaves Streamlit as it is (to measure the difference, ``bench/load.py``).
"""
from __future__ import annotations

import os
import threading
import time
from typing import Any, Callable

#: seconds a session's first run keeps its priority
PRIORITY_S = 1.0
#: seconds, at most, that one rerun of another session waits for first runs, in all
WAIT_BUDGET_S = 0.25

_originals: dict[str, Callable[..., Any]] = {}
_marking = threading.local()   # set on the event loop's thread while an AppSession creates its first runner


class FirstRuns:
    """The first runs going on, and the wait of the other runs until none is (each bounded)."""

    def __init__(self, priority_s: float = PRIORITY_S, clock: Callable[[], float] = time.monotonic):
        self.priority_s = priority_s
        self.clock = clock
        self._cond = threading.Condition()
        self._until: dict[int, float] = {}   # token -> the end of its priority (clock time)
        self._next = 0
        self.busy = False                    # read without the lock on the hot path: a hint, checked again under it
        self.entered = 0                     # first runs seen, for tests and benches
        self.waits = 0                       # waits of other runs that found a first run going

    def enter(self) -> int:
        """A first run starts; returns the token to give to :meth:`leave`."""
        with self._cond:
            self._next += 1
            self._until[self._next] = self.clock() + self.priority_s
            self.busy = True
            self.entered += 1
            return self._next

    def leave(self, token: int) -> None:
        """The first run of ``token`` ended: wake the runs waiting for it when it was the last."""
        with self._cond:
            self._until.pop(token, None)
            self.busy = bool(self._until)
            self._cond.notify_all()

    def _latest_end(self) -> float | None:
        """The end of the last priority still in force (None: none is); forgets the expired ones."""
        now = self.clock()
        for token in [t for t, end in self._until.items() if end <= now]:
            del self._until[token]
        self.busy = bool(self._until)
        return max(self._until.values()) if self._until else None

    def wait(self, budget_s: float) -> float:
        """Wait while a first run has priority, at most ``budget_s`` seconds; returns the seconds waited."""
        if budget_s <= 0 or not self.busy:
            return 0.0
        start = self.clock()
        with self._cond:
            end = self._latest_end()
            if end is None:
                return 0.0
            self.waits += 1
            while end is not None:
                left = min(end, start + budget_s) - self.clock()
                if left <= 0:
                    break
                self._cond.wait(left)
                end = self._latest_end()
        return self.clock() - start


FIRST_RUNS = FirstRuns()


def _enabled() -> bool:
    return os.environ.get("VAE_FIRST_RUN_PRIORITY", "1").strip() not in ("0", "false", "no", "off")


def install(first_runs: FirstRuns = FIRST_RUNS) -> bool:
    """Give each session's first script run priority over the other sessions' reruns (before the server starts;
    idempotent). Returns False, and changes nothing, when ``VAE_FIRST_RUN_PRIORITY=0`` or when this Streamlit lacks
    what it relies on."""
    if _originals:
        return True
    if not _enabled():
        return False
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    runner_names = ("start", "_run_script_thread", "_maybe_handle_execution_control_request", "_is_in_script_thread")
    if not callable(getattr(AppSession, "_create_scriptrunner", None)) or \
            not all(callable(getattr(ScriptRunner, n, None)) for n in runner_names):
        return False
    create, start = AppSession._create_scriptrunner, ScriptRunner.start
    run_thread, control = ScriptRunner._run_script_thread, ScriptRunner._maybe_handle_execution_control_request
    _originals.update(create=create, start=start, run_thread=run_thread, control=control)

    def _create_scriptrunner(self, initial_rerun_data) -> None:
        """The session's first runner is marked as such (on this thread, before its script thread starts)."""
        first = not getattr(self, "_vae_had_runner", False)
        self._vae_had_runner = True
        _marking.first = first
        try:
            create(self, initial_rerun_data)
        finally:
            _marking.first = False

    def start_marked(self) -> None:
        self._vae_first_run = bool(getattr(_marking, "first", False))
        start(self)

    def _run_script_thread(self) -> None:
        if not getattr(self, "_vae_first_run", False):
            return run_thread(self)
        token = first_runs.enter()
        try:
            return run_thread(self)
        finally:
            first_runs.leave(token)

    def _maybe_handle_execution_control_request(self) -> None:
        if first_runs.busy and not getattr(self, "_vae_first_run", False) and self._execing \
                and self._is_in_script_thread():
            waited = getattr(self, "_vae_waited", 0.0)
            self._vae_waited = waited + first_runs.wait(WAIT_BUDGET_S - waited)
        return control(self)

    AppSession._create_scriptrunner = _create_scriptrunner
    ScriptRunner.start = start_marked
    ScriptRunner._run_script_thread = _run_script_thread
    ScriptRunner._maybe_handle_execution_control_request = _maybe_handle_execution_control_request
    return True


def uninstall() -> None:
    """Undo :func:`install` (tests)."""
    if not _originals:
        return
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

    AppSession._create_scriptrunner = _originals["create"]
    ScriptRunner.start = _originals["start"]
    ScriptRunner._run_script_thread = _originals["run_thread"]
    ScriptRunner._maybe_handle_execution_control_request = _originals["control"]
    _originals.clear()
