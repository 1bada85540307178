"""Start N Streamlit replicas of the app and nginx in front of them (sticky sessions), all on loopback.

    .venv/bin/python deploy/replicas.py [--replicas 2] [--port 8600] [--store DIR] [--seconds N]

starts replicas on ports PORT+1..PORT+N, nginx on PORT, prints the URL and runs until Ctrl-C (or for
--seconds), then stops everything. All replicas share one model store (VAE_MODEL_STORE): models are
saved by atomic renames, so a model trained on one replica is listed by the others. nginx runs as a
foreground process with its config, pid, logs and temp files in a temporary prefix folder, so no root
is needed. ``Replicas`` is also used by tests/test_scaleout.py and bench/load.py.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vae.devtools.net import free_port  # noqa: E402
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
MAX_BODY = "50m"   # = server.maxUploadSize (MB) in .streamlit/config.toml


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def render_conf(listen_port: int, replica_ports: list[int], prefix: Path) -> str:
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in replica_ports)
    return (TEMPLATE.read_text().replace("{{LISTEN}}", f"127.0.0.1:{listen_port}").replace("{{PREFIX}}", str(prefix))
            .replace("{{SERVERS}}", servers).replace("{{MAX_BODY}}", MAX_BODY)
            .replace("{{USER}}", "user root;" if os.geteuid() == 0 else ""))


def _healthy(url: str) -> bool:
    try:
        return urllib.request.urlopen(url + "_stcore/health", timeout=2).read() == b"ok"
    except OSError:
        return False


class Replicas:
    """N ``python -m vae.ui.serve --production`` processes (the README's production command) + nginx; ``start()``, ``url``, ``replica_urls``, ``pids``, ``stop()``."""

    def __init__(self, n: int = 2, port: int | None = None, replica_ports: list[int] | None = None,
                 store: str | Path | None = None, env: dict | None = None, prefix: str | Path | None = None):
        self.n = n
        self.port = port or free_port()
        self.replica_ports = replica_ports or [free_port() for _ in range(n)]
        self.prefix = Path(prefix or tempfile.mkdtemp(prefix="vae-nginx-"))
        self.store = Path(store) if store else self.prefix / "models"
        self.env = {**os.environ, **(env or {}), "VAE_MODEL_STORE": str(self.store)}
        self.url = f"http://127.0.0.1:{self.port}/"
        self.replica_urls = [f"http://127.0.0.1:{p}/" for p in self.replica_ports]
        self.procs: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self._logs = []

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def start(self, timeout: float = 180) -> "Replicas":
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (apt-get install -y nginx)")
        self.store.mkdir(parents=True, exist_ok=True)
        self.prefix.mkdir(parents=True, exist_ok=True)
        for port in self.replica_ports:
            log = open(self.prefix / f"streamlit-{port}.log", "w")
            self._logs.append(log)
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "vae.ui.serve", "--production",
                 f"--server.port={port}", "--server.address=127.0.0.1"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT))
        conf = self.prefix / "nginx.conf"
        conf.write_text(render_conf(self.port, self.replica_ports, self.prefix))
        log = open(self.prefix / "nginx.out", "w")
        self._logs.append(log)
        self.nginx = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
                                      stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        for url in self.replica_urls + [self.url]:
            while not _healthy(url):
                dead = [p for p in self.procs + [self.nginx] if p.poll() is not None]
                if dead or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"{url} not healthy (exited: {[p.args[0] for p in dead]}); logs in {self.prefix}")
                time.sleep(0.3)
        return self

    def stop(self) -> None:
        for p in ([self.nginx] if self.nginx else []) + self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM if p is not self.nginx else signal.SIGQUIT)
        for p in ([self.nginx] if self.nginx else []) + self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(timeout=5)
        for log in self._logs:
            log.close()
        self._logs = []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2)
    ap.add_argument("--port", type=int, default=8600, help="nginx port; replicas use the next ports")
    ap.add_argument("--store", default=None, help="shared model store (default: a folder in the temp prefix)")
    ap.add_argument("--seconds", type=float, default=None, help="stop after this many seconds (default: Ctrl-C)")
    args = ap.parse_args(argv)
    r = Replicas(args.replicas, args.port, [args.port + 1 + i for i in range(args.replicas)], store=args.store)
    r.start()
    print(f"nginx {r.url} -> replicas {' '.join(r.replica_urls)} (pids {r.pids}); store {r.store}; logs {r.prefix}", flush=True)
    try:
        if args.seconds:
            time.sleep(args.seconds)
        else:
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
    except KeyboardInterrupt:
        pass
    finally:
        r.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
