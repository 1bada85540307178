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
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from vae.devtools.net import free_port  # noqa: E402
from vae.devtools.server_process import AppServer, ServerProcess, stop_all  # noqa: E402

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf"
MAX_BODY = "50m"   # = server.maxUploadSize (MB) in .streamlit/config.toml


def nginx_binary() -> str | None:
    """The nginx executable (on PATH or in the usual sbin folders), or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if Path(p).exists()), None)


def render_conf(listen_port: int, replica_ports: list[int], prefix: Path, hosts: list[str] | None = None) -> str:
    """deploy/nginx.conf for nginx on ``listen_port`` in front of the replicas on ``replica_ports`` (at the addresses
    ``hosts``, one per replica; default all 127.0.0.1), files in ``prefix``."""
    hosts = hosts or ["127.0.0.1"] * len(replica_ports)
    servers = "\n".join(f"        server {h}:{p};" for h, p in zip(hosts, replica_ports, strict=True))
    return (TEMPLATE.read_text().replace("{{LISTEN}}", f"127.0.0.1:{listen_port}").replace("{{PREFIX}}", str(prefix))
            .replace("{{SERVERS}}", servers).replace("{{MAX_BODY}}", MAX_BODY)
            .replace("{{USER}}", "user root;" if os.geteuid() == 0 else ""))


class Replicas:
    """N ``python -m vae.ui.serve --production`` processes (the README's production command) + nginx, each a
    :class:`~vae.devtools.server_process.ServerProcess`; ``start()``, ``url``, ``replica_urls``, ``pids``, ``stop()``.
    Their logs stay in ``prefix`` (``streamlit-<port>.log``, ``nginx.out``, ``error.log``).

    ``hosts`` gives each replica its own loopback address (its ``--server.address``: 127.0.0.2, 127.0.0.3, …, as
    tests/test_multimachine.py does to play separate machines; Linux answers all of 127/8); default all 127.0.0.1.
    nginx itself listens on 127.0.0.1."""

    def __init__(self, n: int = 2, port: int | None = None, replica_ports: list[int] | None = None,
                 store: str | Path | None = None, env: dict | None = None, prefix: str | Path | None = None,
                 hosts: list[str] | None = None):
        self.n = n
        self.hosts = list(hosts or ["127.0.0.1"] * n)
        if len(self.hosts) != n:
            raise ValueError(f"{n} replicas need {n} addresses, not {len(self.hosts)}")
        self.port = port or free_port()
        self.replica_ports = replica_ports or [free_port(h) for h in self.hosts]
        self.prefix = Path(prefix or tempfile.mkdtemp(prefix="vae-nginx-"))
        self.store = Path(store) if store else self.prefix / "models"
        self.env = {**(env or {}), "VAE_MODEL_STORE": str(self.store)}
        self.url = f"http://127.0.0.1:{self.port}/"
        self.replica_urls = [f"http://{h}:{p}/" for h, p in zip(self.hosts, self.replica_ports)]
        self.procs: list[AppServer] = []
        self.nginx: ServerProcess | None = None

    @property
    def pids(self) -> list[int]:
        """The replicas' process ids."""
        return [p.pid for p in self.procs]

    def start(self, timeout: float = 180) -> "Replicas":
        """Start the replicas and nginx, and return once each answers its health check (through nginx too);
        on a failure everything is stopped and the error names the logs."""
        binary = nginx_binary()
        if binary is None:
            raise FileNotFoundError("nginx is not installed (apt-get install -y nginx)")
        self.store.mkdir(parents=True, exist_ok=True)
        self.prefix.mkdir(parents=True, exist_ok=True)
        try:
            for host, port in zip(self.hosts, self.replica_ports):
                self.procs.append(AppServer(self.env, port, ["--production"], host=host,
                                            log=self.prefix / f"streamlit-{port}.log"))
            conf = self.prefix / "nginx.conf"
            conf.write_text(render_conf(self.port, self.replica_ports, self.prefix, self.hosts))
            self.nginx = ServerProcess([binary, "-p", str(self.prefix), "-c", str(conf), "-e", str(self.prefix / "error.log")],
                                       self.port, self.prefix / "nginx.out", stop_signal=signal.SIGQUIT)
            deadline = time.monotonic() + timeout
            for server in self.procs + [self.nginx]:
                server.wait_ready(max(1.0, deadline - time.monotonic()))
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop nginx and the replicas (all signalled at once); their logs stay in ``prefix``."""
        stop_all(([self.nginx] if self.nginx else []) + self.procs)
        self.procs, self.nginx = [], None

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
