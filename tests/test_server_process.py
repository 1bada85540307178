"""The one server-process helper (vae/devtools/server_process.py), on tiny stand-in servers: healthy, exited
early (the error points at the log), stopped by its signal or killed."""
from __future__ import annotations

import signal
import sys
import time

import pytest

from vae.devtools.net import free_port
from vae.devtools.server_process import SERVE, AppServer, ServerProcess, stop_all


def test_healthy_server_is_ready_and_stops(tmp_path):
    (tmp_path / "www" / "_stcore").mkdir(parents=True)
    (tmp_path / "www" / "_stcore" / "health").write_text("ok")
    port = free_port()
    with ServerProcess([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"], port,
                       tmp_path / "http.log", cwd=tmp_path / "www") as server:
        assert server.healthy() and server.proc.poll() is None
    assert server.proc.returncode is not None
    assert "GET /_stcore/health" in server.log.read_text()  # the log stays after stop


def test_an_early_exit_fails_at_once_and_points_at_the_log(tmp_path):
    port = free_port()
    server = ServerProcess([sys.executable, "-c", "import sys; print('no model store here'); sys.exit(3)"], port,
                           tmp_path / "early.log")
    t0 = time.monotonic()
    with pytest.raises(RuntimeError) as err:
        server.wait_ready(timeout=60)
    assert time.monotonic() - t0 < 20
    message = str(err.value)
    assert "code 3" in message and str(tmp_path / "early.log") in message and "no model store here" in message
    server.stop()


def test_a_server_ignoring_its_signal_is_killed(tmp_path):
    script = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('up', flush=True); time.sleep(60)"
    servers = [ServerProcess([sys.executable, "-c", script], free_port(), tmp_path / f"stubborn{i}.log") for i in range(2)]
    for s in servers:
        while "up" not in s.log_text():
            time.sleep(0.05)
    t0 = time.monotonic()
    stop_all(servers, timeout=1)
    assert time.monotonic() - t0 < 10  # signalled together, waited once each
    assert [s.proc.returncode for s in servers] == [-signal.SIGKILL] * 2


def test_app_server_command_line(tmp_path):
    server = AppServer({"VAE_MODEL_STORE": str(tmp_path)}, free_port(), ["--production", "--server.headless=false"],
                       log=tmp_path / "app.log", command=[sys.executable, "-c", "pass"])
    server.stop()
    argv = server.argv
    assert argv[-2:] == ["--production", "--server.headless=false"]  # extra flags last: they win
    assert f"--server.port={server.port}" in argv and "--server.address=127.0.0.1" in argv
    assert SERVE == (sys.executable, "-m", "vae.ui.serve") and server.url == f"http://127.0.0.1:{server.port}/"
