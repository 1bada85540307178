"""A session's script-thread events handed to the event loop in batches, and no self-wake from the loop itself.

Streamlit 1.67 hands every message a script produces (each element, each block, the run's start and end) from the
script's thread to the server's event loop with its own ``loop.call_soon_threadsafe``
(``AppSession._call_soon_on_event_loop``). Each call writes a byte to the loop's wake-up socket: a system call that
lets go of the GIL, so under load the script thread then waits for another thread's turn to end before its next
element (up to the 5 ms switch interval), and the loop wakes once per element. When the loop then queues the
message for the browser, ``Runtime._enqueued_some_message`` asks it to flush with ``call_soon_threadsafe`` again,
from the loop's own thread: one more wake-up write per message. A Lecture rerun is about 50 messages; an
amphitheatre of 200 makes thousands a second (issue #24).

:func:`install` changes two things, and no message's content nor the order of a session's messages:

* a session's callbacks go into its own queue, and only the first one queued while no drain is pending wakes the
  loop; the drain runs them all, in order. A callback queued while the drain runs schedules a new drain. So a
  session's callbacks keep their order, and each still runs before any loop call made after it was queued (it may
  now run earlier than one made before it: a drain takes what was queued up to the moment it runs);
* the flush request made on the loop's thread is a plain ``call_soon`` (no wake-up write: the loop is awake).
"""
from __future__ import annotations

import asyncio
import collections
import logging
import threading
from typing import Any, Callable

_LOG = logging.getLogger(__name__)
_installed = False


class Handoff:
    """One session's callbacks for the event loop, queued in order and run by one pending drain at a time."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self._queue: collections.deque[Callable[[], None]] = collections.deque()
        self._lock = threading.Lock()
        self._pending = False
        self.wakeups = 0   # drains scheduled (each one write to the loop's wake-up socket): for tests and benches

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Queue ``callback`` to run on the loop after every callback queued before it; wake the loop only when
        no drain is pending. Raises ``RuntimeError`` as ``call_soon_threadsafe`` does when the loop is closed."""
        with self._lock:
            self._queue.append(callback)
            if self._pending:
                return
            self._pending = True
            self.wakeups += 1
        try:
            self.loop.call_soon_threadsafe(self._drain)
        except RuntimeError:
            with self._lock:
                self._pending = False
                self._queue.clear()
            raise

    def _drain(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, collections.deque()
            self._pending = False
        for callback in batch:
            try:
                callback()
            except Exception:  # as the loop would: log it, and go on with the session's next callbacks
                _LOG.exception("error in a session's event-loop callback")


def _call_soon_on_event_loop(self: Any, callback: Callable[[], None]) -> None:
    """``AppSession._call_soon_on_event_loop`` through the session's :class:`Handoff` (dropped when the loop is
    closed, as Streamlit's own does)."""
    handoff = self.__dict__.get("_vae_handoff")
    if handoff is None or handoff.loop is not self._event_loop:
        handoff = self.__dict__["_vae_handoff"] = Handoff(self._event_loop)
    try:
        handoff.call_soon(callback)
    except RuntimeError:
        if not self._event_loop.is_closed():
            raise
        _LOG.debug("Dropped event-loop callback", exc_info=True)


def on_loop_thread(loop: asyncio.AbstractEventLoop) -> bool:
    """Whether the calling thread is running ``loop`` now."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


def _enqueued_some_message(self: Any) -> None:
    """``Runtime._enqueued_some_message``: ask the runtime's loop to flush the sessions' queues, without a wake-up
    write when called on that loop's own thread."""
    objs = self._get_async_objs()
    if on_loop_thread(objs.eventloop):
        objs.eventloop.call_soon(objs.need_send_data.set)
    else:
        objs.eventloop.call_soon_threadsafe(objs.need_send_data.set)


def install() -> bool:
    """Patch this process's Streamlit (before its server starts; idempotent). Returns False, and changes nothing,
    when this Streamlit lacks either method."""
    global _installed
    if _installed:
        return True
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.runtime import Runtime

    if not hasattr(AppSession, "_call_soon_on_event_loop") or not hasattr(Runtime, "_enqueued_some_message"):
        return False
    _call_soon_on_event_loop.__wrapped__ = AppSession._call_soon_on_event_loop
    _enqueued_some_message.__wrapped__ = Runtime._enqueued_some_message
    AppSession._call_soon_on_event_loop = _call_soon_on_event_loop
    Runtime._enqueued_some_message = _enqueued_some_message
    _installed = True
    return True
