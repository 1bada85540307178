"""What a student's browser polls to follow the teacher: ``GET <base>/_vae/class/<CODE>`` → the teacher's step and
the reveal flag, as JSON, without running any Streamlit script.

A student on the Lecture page follows the teacher's steps and sees the quiz's samples once revealed. Asking the
server every 2 s through an ``@st.fragment(run_every=...)`` cost a script run per student per tick (about 5 ms of
the server's one Python core): 200 students, 100 runs a second, half a core for "nothing changed". Here the
browser (the explorer's presenter view, ``assets/view_presenter.js``) fetches this small answer instead, and
reports to the page only when the step or the flag changed: one rerun per student per teacher step, as before.

:class:`ClassPoll` is an ASGI layer in front of Streamlit (``vae.ui.asset_gzip.install`` puts it there, through
the one launcher). It answers only ``GET`` of that path: a valid code (``vae.classroom.normalise_code``) gives
``200 {"step": slug or null, "revealed": bool}``; an unknown, closed or expired class ``404 {"error": code}``;
the shared state out of reach (Redis away) ``503``. ``vae.classroom.state`` is read at most once per
:data:`FRESH_SECONDS` per class and process (the students of one class ask together), in a worker thread (a Redis
call must never hold the event loop). Anything else goes to Streamlit unchanged. A server started without the
launcher (``streamlit run app.py``) has no such route: the page then falls back to the fragment poll
(``vae.ui.lecture.classroom_ui.poll``, :func:`served`).
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
import time

#: ``<base path>/_vae/class/<CODE>`` (the code's own alphabet and length are checked by vae.classroom)
ROUTE = re.compile(r"^(?:/[^/]+)*?/_vae/class/([A-Za-z0-9]{1,12})\Z")
FRESH_SECONDS = 0.5     # a class's answer is shared by the requests of this long (students poll every 2 s)
MAX_REMEMBERED = 512    # classes whose last answer is kept (one entry per open class, pruned beyond this)
_installed = False
_answers: dict[str, tuple[float, int, bytes]] = {}   # code -> (when read, status, body)
_lock = threading.Lock()


def path(code: str) -> str:
    """The poll's URL relative to a page of the app (``./_vae/class/CODE``, resolved like Streamlit's ``./static``)."""
    return f"./_vae/class/{code}"


def served() -> bool:
    """Whether this server answers the poll (installed by the launcher before it started)."""
    return _installed


def answer(code: str) -> tuple[int, bytes]:
    """(HTTP status, JSON body) for class ``code`` now: its step and reveal flag, or why there is none."""
    from ..classroom import ClassroomError, normalise_code, state
    from ..errors import SharedStateError

    try:
        s = state(normalise_code(code))
    except SharedStateError:
        return 503, b'{"error": "unreachable"}'
    except ClassroomError as exc:
        return 404, json.dumps({"error": exc.code}).encode()
    return 200, json.dumps({"step": s.step, "revealed": bool(s.revealed)}).encode()


def _remembered(code: str, now: float) -> tuple[int, bytes] | None:
    with _lock:
        kept = _answers.get(code)
    return None if kept is None or now - kept[0] > FRESH_SECONDS else kept[1:]


def _remember(code: str, now: float, result: tuple[int, bytes]) -> None:
    with _lock:
        if len(_answers) >= MAX_REMEMBERED:
            for old in [c for c, (t, _, _) in _answers.items() if now - t > FRESH_SECONDS] or list(_answers)[:1]:
                _answers.pop(old, None)
        _answers[code] = (now, *result)


class ClassPoll:
    """ASGI middleware: ``GET …/_vae/class/<CODE>`` answered here (see the module docstring); the rest passes."""

    def __init__(self, app):
        global _installed
        self.app = app
        _installed = True

    async def __call__(self, scope, receive, send):
        m = ROUTE.match(scope.get("path", "")) if scope.get("type") == "http" else None
        if m is None:
            await self.app(scope, receive, send)
            return
        if scope.get("method") not in ("GET", "HEAD"):
            await _send(send, 405, b'{"error": "method"}', scope)
            return
        code, now = m.group(1).upper(), time.monotonic()
        result = _remembered(code, now)
        if result is None:
            result = await asyncio.to_thread(answer, code)
            _remember(code, now, result)
        await _send(send, *result, scope)


async def _send(send, status: int, body: bytes, scope) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"cache-control", b"no-store"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": b"" if scope.get("method") == "HEAD" else body,
                "more_body": False})
