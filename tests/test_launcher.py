"""The one launcher (``python -m vae.ui.serve``): its ``--production`` preset, the README's production
command (which must start a real, hardened server), and ``deploy/`` using the same launcher."""
from __future__ import annotations

import re
import shlex
import urllib.request
from pathlib import Path

import pytest

from browser_utils import ROOT, free_port
from vae.devtools import server_process
from vae.devtools.server_process import AppServer
from vae.ui import serve


def readme_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## Deployment / production config", 1)[1].split("\n### ", 1)[0]


def readme_production_command() -> list[str]:
    """The words of the production command in the README's "Deployment" section (so docs cannot drift)."""
    block = re.search(r"```bash\n(.*?)```", readme_section(), re.S).group(1).replace("\\\n", " ")
    words = shlex.split(block)
    return [w for w in words if "=" not in w or w.startswith("--")]  # drop the VAE_MODEL_STORE=… prefix


def test_production_flag_expands_to_the_preset_and_later_flags_win():
    base = ["--runner.postScriptGC=false", "--server.maxWidgetStateSize=1"]
    argv = serve.streamlit_argv(["--production", "--server.port", "9"])
    assert argv[:5] == ["streamlit", "run", str(serve.APP), *base]
    assert argv[5:-2] == serve.production_args()
    assert "--client.showErrorDetails=none" in argv and argv[-2:] == ["--server.port", "9"]
    assert serve.streamlit_argv(["--server.port=1"]) == ["streamlit", "run", str(serve.APP), *base, "--server.port=1"]
    # a later flag wins (Streamlit keeps the last value of a repeated option): an operator can turn it back on
    assert serve.streamlit_argv(["--runner.postScriptGC=true"])[-1] == "--runner.postScriptGC=true"


def test_full_collections_are_rate_limited():
    from vae.ui import process

    t0 = process._last_full_gc
    assert not process.collect_now_and_then(t0 + process.FULL_GC_EVERY / 2)  # too soon after the last one
    assert process.collect_now_and_then(t0 + process.FULL_GC_EVERY + 0.1)
    assert not process.collect_now_and_then(t0 + process.FULL_GC_EVERY + 1.0)


def test_readme_table_matches_the_preset():
    rows = re.findall(r"^\| `([\w.]+)` \| `([^`]*)` \|", readme_section(), re.M)
    assert dict(rows) == {**serve.PRODUCTION_FLAGS, **serve.BASE_FLAGS}  # the --production table, then every server's


def test_readme_and_deploy_use_the_launcher():
    words = readme_production_command()
    assert words[:4] == [".venv/bin/python", "-m", "vae.ui.serve", "--production"]
    replicas = (ROOT / "deploy" / "replicas.py").read_text(encoding="utf-8")
    assert 'AppServer(' in replicas and '"--production"' in replicas  # AppServer runs the launcher
    assert '"streamlit", "run"' not in replicas
    assert server_process.SERVE[1:] == ("-m", "vae.ui.serve")


@pytest.mark.slow
def test_production_command_starts(tmp_path):
    """The README's exact command serves the app with XSRF protection on."""
    words = readme_production_command()
    flags = words[words.index("vae.ui.serve") + 1:]
    port = free_port()
    flags[flags.index("--server.port") + 1] = str(port)
    flags[flags.index("--server.address") + 1] = "127.0.0.1"
    # the README's flags come after the helper's loopback flags, so the README's words are the ones that count
    with AppServer({"VAE_MODEL_STORE": str(tmp_path / "store")}, port, flags, log=tmp_path / "prod.log") as server:
        assert server.argv[-len(flags):] == flags
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/walk", timeout=10).status == 200
        health = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10)
        assert "_streamlit_xsrf" in (health.headers.get("Set-Cookie") or "")  # XSRF protection is on
        config = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/host-config", timeout=10).read()
        assert config  # the server answers its config endpoint (served by the same process)


def test_the_launcher_installs_its_server_fixes():
    from streamlit.runtime import app_session
    from streamlit.runtime.runtime import Runtime
    from streamlit.web.server.starlette import starlette_app, starlette_server

    from vae.ui import event_handoff, theme_message, widget_state_lookup
    from streamlit.elements.widgets import selectbox

    bind, gzip_layer = starlette_server._bind_socket, starlette_app.SelectiveGZipMiddleware
    theme, installed = app_session._populate_theme_msg, theme_message._installed
    handoff = app_session.AppSession._call_soon_on_event_loop, Runtime._enqueued_some_message, event_handoff._installed
    lookups_before = dict(widget_state_lookup._originals)
    widget_state_lookup.uninstall()
    plain_lookup = selectbox.get_session_state
    try:
        serve.install_server_fixes()
        assert getattr(starlette_server._bind_socket, "_vae_tcp_nodelay", False)
        assert getattr(starlette_app.SelectiveGZipMiddleware, "_vae_asset_cache", False)
        assert getattr(app_session._populate_theme_msg, "__wrapped__", None) is theme
        assert app_session.AppSession._call_soon_on_event_loop is event_handoff._call_soon_on_event_loop
        assert Runtime._enqueued_some_message is event_handoff._enqueued_some_message
        assert selectbox.get_session_state.__wrapped__ is plain_lookup
    finally:
        widget_state_lookup.uninstall()
        if lookups_before:
            widget_state_lookup.install()
        starlette_server._bind_socket, starlette_app.SelectiveGZipMiddleware = bind, gzip_layer
        app_session._populate_theme_msg, theme_message._installed = theme, installed
        (app_session.AppSession._call_soon_on_event_loop, Runtime._enqueued_some_message,
         event_handoff._installed) = handoff
