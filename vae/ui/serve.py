"""Start the app: ``python -m vae.ui.serve [--production] [streamlit options]``.

This is the one launcher: ``make run``, the production command in the README, ``deploy/`` (nginx
replicas), the browser tests and the benchmarks all start the app through it.

It is ``streamlit run app.py [options]`` minus a bug. Streamlit decides whether an app uses the old
automatic ``pages/`` discovery from the mere existence of the folder, and only forgets it once
``st.navigation`` has run. So the first session after a server start that opens a deep link
(``/walk``) is resolved against the auto-discovered pages, misses, and shows a "Page not found"
notice before ``app.py``'s own navigation renders the right page. This launcher tells Streamlit up
front that the app uses ``st.navigation`` only, then hands over to Streamlit's own command line. It also
puts ``vae.ui.asset_gzip`` in front of Streamlit's gzip layer, so the explorer's immutable assets are
compressed once per server instead of once per request, and turns Nagle's algorithm off on the server's
connections as asyncio means to (``vae.ui.tcp_nodelay``: without it, every request after the first on a
kept-alive connection waited ~40 ms). A browser's message is bounded before it is parsed
(``server.maxWidgetStateSize`` in :data:`BASE_FLAGS`) and a widget's JSON value is parsed with bounds
(``vae.ui.widget_guard``), so a forged value costs the server little and shows no exception on any page.

``--production`` adds the hardened settings of a shared server (:data:`PRODUCTION_FLAGS`; flags
given after it on the command line win, as Streamlit keeps the last value of a repeated option).
``--redis URL`` keeps the classes and the name reservations in that Redis instead of the store's files: it sets
``VAE_REDIS_URL`` for the server process (``vae.shared_state``, ``docs/redis.md``).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

#: The app's entry script, inside the package (its pages in ``pages/`` beside it), so a wheel carries it.
APP = Path(__file__).resolve().with_name("app.py")

#: Settings of a shared (classroom) server, and why. Streamlit reads config files only from
#: ``~/.streamlit`` and ``./.streamlit``, so production settings travel as command-line flags.
PRODUCTION_FLAGS: dict[str, str] = {
    "server.headless": "true",                 # no browser opened on the server
    "server.fileWatcherType": "none",          # no source watching ...
    "server.runOnSave": "false",               # ... and no reloading
    "server.maxUploadSize": "50",              # MB, enforced by the server (HTTP 413), = nginx client_max_body_size
    "server.enableXsrfProtection": "true",     # an upload without the session's XSRF token fails with 403
    "client.showErrorDetails": "none",         # an unexpected exception shows a generic message, never a traceback
    "client.toolbarMode": "viewer",            # no developer menu for students
    "browser.gatherUsageStats": "false",       # no telemetry (the server has no internet anyway)
}


#: Settings of every server this launcher starts. ``runner.postScriptGC``: Streamlit's full garbage
#: collection after each run of the script is replaced by one every few seconds (``vae.ui.process``).
BASE_FLAGS: dict[str, str] = {
    "runner.postScriptGC": "false",
    # MB: the largest message a browser may send (checked on the raw frame, before Streamlit parses anything;
    # the connection is closed above it). The app's own messages are a few kB (uploads go over HTTP); the
    # default, 25 MB, let one forged component value cost the server ~200 MB once parsed.
    "server.maxWidgetStateSize": "1",
}


def production_args() -> list[str]:
    """:data:`PRODUCTION_FLAGS` as command-line words (``--server.headless=true`` …)."""
    return [f"--{name}={value}" for name, value in PRODUCTION_FLAGS.items()]


def streamlit_argv(argv: list[str]) -> list[str]:
    """The ``streamlit run app.py …`` command line for this launcher's ``argv`` (``--production`` expanded)."""
    extra: list[str] = [f"--{name}={value}" for name, value in BASE_FLAGS.items()]  # later flags win
    for word in argv:
        extra += production_args() if word == "--production" else [word]
    return ["streamlit", "run", str(APP), *extra]


def take_redis(argv: list[str]) -> list[str]:
    """``argv`` without ``--redis URL`` (or ``--redis=URL``), whose URL becomes ``VAE_REDIS_URL`` of this process."""
    rest, words = [], iter(argv)
    for word in words:
        if word == "--redis" or word.startswith("--redis="):
            url = word.partition("=")[2] if "=" in word else next(words, "")
            if not url:
                raise SystemExit("--redis needs a URL, such as redis://127.0.0.1:6379/0")
            os.environ["VAE_REDIS_URL"] = url
        else:
            rest.append(word)
    return rest


def install_server_fixes() -> None:
    """Patch this process's Streamlit server before it starts: content-named assets gzipped once, not once per
    student (``vae.ui.asset_gzip``), no 40 ms Nagle stall per request on a kept-alive connection
    (``vae.ui.tcp_nodelay``), widget values from the browser parsed with bounds (``vae.ui.widget_guard``), the theme
    part of each run's ``new_session`` message read from the config once (``vae.ui.theme_message``), a session's
    messages handed from its script thread to the event loop in batches (``vae.ui.event_handoff``), keyed widgets
    that look up their own key without copying the session state (``vae.ui.widget_state_lookup``), the GIL
    switch interval of ``VAE_GIL_SWITCH_MS`` if set (``vae.ui.process.gil_switch_interval``), and a log of the
    collections when ``VAE_GC_LOG_DIR`` is set (``vae.ui.gc_log``, for the load bench)."""
    from .asset_gzip import install as install_asset_gzip_cache
    from .event_handoff import install as install_event_handoff
    from .gc_log import install_from_env as install_gc_log
    from .process import gil_switch_interval
    from .tcp_nodelay import install as install_tcp_nodelay
    from .theme_message import install as install_theme_message
    from .widget_guard import install as install_widget_guard
    from .widget_state_lookup import install as install_widget_state_lookup

    gil_switch_interval()
    install_gc_log()
    install_asset_gzip_cache()
    install_tcp_nodelay()
    install_widget_guard()
    install_theme_message()
    install_event_handoff()
    install_widget_state_lookup()


def announce_teacher_key() -> None:
    """Print where the teacher key comes from (and the key, when the store keeps it: made at the first start),
    so whoever starts the server can give it to the teachers (``vae.teacher_key``)."""
    from ..teacher_key import TeacherKeyError, launcher_line

    try:
        print(launcher_line(), flush=True)
    except TeacherKeyError as exc:
        print(f"warning: {exc}; no one can open a class until this is fixed", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    """Run ``streamlit run app.py`` with ``argv`` as extra options, in this process."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    install_server_fixes()
    announce_teacher_key()
    sys.argv = streamlit_argv(take_redis(sys.argv[1:] if argv is None else list(argv)))
    cli.main()


if __name__ == "__main__":
    main()
