"""A session's script-thread events reach the event loop in order, in batches (vae.ui.event_handoff)."""
import asyncio
import threading
import time
from types import SimpleNamespace

import pytest

from vae.ui import event_handoff
from vae.ui.event_handoff import Handoff


@pytest.fixture
def loop():
    """An event loop running in its own thread, as the server's."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    yield loop
    loop.call_soon_threadsafe(loop.stop)
    thread.join(5)
    loop.close()


def _settle(loop) -> None:
    done = threading.Event()
    loop.call_soon_threadsafe(done.set)
    assert done.wait(5)


def test_callbacks_run_in_order_and_never_after_a_loop_call_made_after_them(loop):
    seen = []
    handoff = Handoff(loop)
    for i in range(300):
        handoff.call_soon(lambda i=i: seen.append(i))
        if i % 50 == 49:  # a call made straight to the loop runs after everything queued before it
            loop.call_soon_threadsafe(lambda i=i: seen.append(f"direct after {i}"))
    _settle(loop)
    assert [x for x in seen if isinstance(x, int)] == list(range(300))
    for k in range(49, 300, 50):
        assert seen.index(f"direct after {k}") > seen.index(k), k

    # while the loop is busy, a whole rerun's worth of callbacks costs one wake-up
    gate = threading.Event()
    loop.call_soon_threadsafe(gate.wait, 5)
    before, seen[:] = handoff.wakeups, []
    for i in range(50):
        handoff.call_soon(lambda i=i: seen.append(i))
    gate.set()
    _settle(loop)
    assert seen == list(range(50)) and handoff.wakeups - before == 1


def test_a_failing_callback_does_not_drop_the_next_ones(loop, caplog):
    seen = []
    handoff = Handoff(loop)
    gate = threading.Event()
    loop.call_soon_threadsafe(gate.wait, 5)
    handoff.call_soon(lambda: seen.append(1))
    handoff.call_soon(lambda: 1 / 0)
    handoff.call_soon(lambda: seen.append(3))
    gate.set()
    _settle(loop)
    assert seen == [1, 3] and "ZeroDivisionError" in caplog.text


def test_callbacks_from_many_threads_each_keep_their_own_order(loop):
    seen = {k: [] for k in range(4)}
    handoff = Handoff(loop)

    def produce(k):
        for i in range(200):
            handoff.call_soon(lambda i=i: seen[k].append(i))
            if i % 20 == 0:
                time.sleep(0)

    threads = [threading.Thread(target=produce, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    _settle(loop)
    assert all(v == list(range(200)) for v in seen.values())


def test_a_closed_loop_drops_the_callback_as_streamlit_does():
    loop = asyncio.new_event_loop()
    loop.close()
    session = SimpleNamespace(_event_loop=loop)
    event_handoff._call_soon_on_event_loop(session, lambda: None)  # no error: dropped
    with pytest.raises(RuntimeError):
        Handoff(loop).call_soon(lambda: None)


def test_a_flush_asked_on_the_loop_thread_does_not_wake_the_loop(loop):
    writes = []
    objs = SimpleNamespace(eventloop=loop, need_send_data=None)
    runtime = SimpleNamespace(_get_async_objs=lambda: objs)
    real = loop.call_soon_threadsafe

    async def make_event():
        objs.need_send_data = asyncio.Event()

    asyncio.run_coroutine_threadsafe(make_event(), loop).result(5)
    loop.call_soon_threadsafe = lambda f, *a: (f == objs.need_send_data.set and writes.append(f)) or real(f, *a)
    try:
        real(event_handoff._enqueued_some_message, runtime)  # on the loop's thread
        _settle(loop)  # it has run, and queued the flag's set behind the settle's own callback:
        _settle(loop)  # a second settle comes after that set
        assert objs.need_send_data.is_set() and writes == []
        objs.need_send_data.clear()
        event_handoff._enqueued_some_message(runtime)  # from another thread: the loop must be woken
        _settle(loop)
        assert objs.need_send_data.is_set() and len(writes) == 1
    finally:
        del loop.call_soon_threadsafe
