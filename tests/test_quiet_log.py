"""Training workers do not run the app's script when they start.

Streamlit writes "missing ScriptRunContext" when its API is called outside a script run. A walk through the pages
used to leave ~280 such lines: each ``spawn`` training worker ran app.py again (Streamlit installs the script as
``__main__``) in bare mode before it took its first job (fixed in ``vae.jobs.pool``). The walk in a real browser
that checks the server's log for that line is the teacher's (``tests/test_teacher_walk.py``); this is the cause.
"""
from __future__ import annotations

import sys
import time
import types

from vae.jobs.limits import Limits
from vae.jobs.pool import JobPool


def test_training_workers_do_not_run_the_main_script(tmp_path, monkeypatch):
    """The cause, without a browser: under ``streamlit run`` the app's script is ``sys.modules['__main__']`` (a
    plain module with a ``__file__``); any ``spawn`` child runs it again, but the pool's workers do not."""
    ran = tmp_path / "ran"
    script = tmp_path / "app.py"
    script.write_text(f"import os\nopen(os.path.join({str(tmp_path)!r}, 'ran'), 'a').write(__name__ + '\\n')\n")
    main = types.ModuleType("__main__")
    main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", main)
    pool = JobPool(Limits(workers=1, max_queue=1, max_image_epochs=10, max_seconds=60))
    try:
        deadline = time.monotonic() + 120
        while not pool._idle_workers():  # the worker has started and imported its training code
            assert time.monotonic() < deadline, "the worker never became ready"
            time.sleep(0.2)
        assert not ran.exists(), ran.read_text()
        other = pool._ctx.Process(target=time.sleep, args=(0,))  # any other spawned process: it runs the script
        other.start()
        other.join(60)
        assert ran.read_text() == "__mp_main__\n"
    finally:
        pool.shutdown()
