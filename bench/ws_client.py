"""A minimal Streamlit websocket client: what a browser tab does, without the browser.

It speaks Streamlit's own protocol (``streamlit.proto`` BackMsg/ForwardMsg over ``/_stcore/stream``):

* connect with the ``streamlit`` subprotocol (plus the sticky cookie when behind nginx);
* ``rerun_script`` with a ``ClientState`` {query_string, page_name, widget_states[, fragment_id]};
* read ForwardMsgs until ``script_finished``; widget ids are learnt from the deltas of the first run
  (a keyed widget's proto ``id`` ends with ``-<key>``), with the fragment each widget belongs to;
* a click is a new ``rerun_script`` carrying the changed widget state (and the widget's fragment id,
  as the browser sends it): the click→update latency is the time from sending that BackMsg to
  receiving ``script_finished``.

Errors counted per run: exception elements in the deltas, a bad finish status, a timeout, a disconnect.
Loopback / explicit URLs only; every wait is bounded by a timeout.
"""
from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

FINISHED_OK = (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
STICKY_COOKIE = "stickyid"


def ws_url(http_url: str) -> str:
    p = urllib.parse.urlsplit(http_url)
    scheme = "wss" if p.scheme == "https" else "ws"
    base = p.path if p.path.endswith("/") else p.path + "/"
    return f"{scheme}://{p.netloc}{base}_stcore/stream"


def first_get(http_url: str, timeout: float = 10.0) -> tuple[str, dict[str, str]]:
    """GET the app's HTML page like a browser does first; returns (cookie header, response headers).

    Behind nginx this is where the sticky cookie is set; the websocket must carry it.
    """
    with urllib.request.urlopen(http_url, timeout=timeout) as r:
        r.read()
        headers = {k.lower(): v for k, v in r.headers.items()}
        cookies = [c.split(";", 1)[0] for c in r.headers.get_all("Set-Cookie") or []]
    return "; ".join(cookies), headers


def _user_key(widget_id: str) -> str:
    """The user key at the end of a keyed widget's id (``$$ID-<hash>-<key>``; keys may hold dashes)."""
    return widget_id.split("-", 2)[2] if widget_id.count("-") >= 2 else widget_id


@dataclass
class Widget:
    id: str
    kind: str           # the element's oneof name: slider, number_input, button, text_input...
    fragment_id: str    # "" when the widget is not inside an @st.fragment


@dataclass
class RunResult:
    ok: bool
    seconds: float
    status: str                      # "ok", "exception", "timeout", "disconnect", "bad_finish:<n>"
    exceptions: list[str] = field(default_factory=list)
    auto_rerun: tuple[float, str] | None = None   # (interval, fragment_id) when the page asked for polling


class StreamlitSession:
    """One browser-tab-like session. Use ``async with StreamlitSession(...) as s: await s.run()``."""

    def __init__(self, url: str, page: str = "", cookie: str = "", timeout: float = 60.0, query: str = ""):
        self.url, self.page, self.cookie, self.timeout, self.query = url, page, cookie, timeout, query
        self.widgets: dict[str, Widget] = {}
        self.states: dict[str, tuple[str, object]] = {}   # widget id -> (value field, value)
        self.elements: dict = {}                            # widget id -> its last element proto (options...)
        self.ws = None
        self.session_id: str | None = None
        self.page_script_hash = ""   # the page being shown, as the server named it (the browser sends it back)
        self.auto_reruns: list[tuple[float, str]] = []
        self.progress = ""   # text of the last st.progress element seen (the Train page's epoch counter)
        self.components: dict[str, dict] = {}   # component key -> the ``data`` (JSON) it was last mounted with

    async def __aenter__(self):
        # a browser sends its page's Origin; Streamlit checks it against Host (the proxy must keep the port)
        p = urllib.parse.urlsplit(self.url)
        headers = {"Origin": f"{p.scheme}://{p.netloc}"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.ws = await asyncio.wait_for(
            connect(ws_url(self.url), subprotocols=["streamlit"], additional_headers=headers, max_size=None,
                    open_timeout=self.timeout, ping_interval=None, compression=None),
            self.timeout)
        return self

    async def __aexit__(self, *exc):
        if self.ws is not None:
            try:
                await asyncio.wait_for(self.ws.close(), 5)
            except Exception:
                pass

    # ---- messages ---------------------------------------------------------------------------------
    def _back_msg(self, fragment_id: str = "", triggers: dict[str, tuple[str, object]] | None = None,
                  is_auto_rerun: bool = False) -> bytes:
        msg = BackMsg()
        cs = msg.rerun_script
        cs.query_string = self.query
        cs.page_name = self.page
        cs.page_script_hash = self.page_script_hash
        cs.fragment_id = fragment_id
        cs.is_auto_rerun = is_auto_rerun
        for wid, (fld, value) in {**self.states, **(triggers or {})}.items():
            w = cs.widget_states.widgets.add()
            w.id = wid
            if fld in ("double_array_value", "string_array_value"):
                getattr(w, fld).data.extend(value)
            else:
                setattr(w, fld, value)
        return msg.SerializeToString()

    def _learn(self, fm: ForwardMsg, result: RunResult) -> None:
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            self.session_id = fm.new_session.initialize.session_id or self.session_id
        elif kind == "navigation":   # st.navigation names the page it ran (the browser sends it back)
            self.page_script_hash = fm.navigation.page_script_hash or self.page_script_hash
        elif kind == "auto_rerun":
            result.auto_rerun = (fm.auto_rerun.interval, fm.auto_rerun.fragment_id)
        elif kind == "page_info_changed":  # the app wrote st.query_params: the browser's URL changes, and it sends it back
            self.query = fm.page_info_changed.query_string
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "exception":
                result.exceptions.append(f"{el.exception.type}: {el.exception.message}")
                return
            if etype == "progress":
                self.progress = el.progress.text
            sub = getattr(el, etype) if etype else None
            wid = getattr(sub, "id", "") if sub is not None and hasattr(sub, "id") else ""
            if isinstance(wid, str) and wid.startswith("$$ID"):
                self.widgets.pop(wid, None)   # the latest seen last: ``widget(key)`` prefers it
                self.widgets[wid] = Widget(wid, etype, fm.delta.fragment_id)
                self.elements[wid] = sub
                if etype == "bidi_component" and sub.json:
                    try:
                        self.components[_user_key(wid)] = json.loads(sub.json)
                    except ValueError:
                        pass

    def widget(self, key: str) -> Widget:
        """The widget whose user key is ``key`` (learnt from the deltas of earlier runs)."""
        for wid, w in reversed(self.widgets.items()):
            if wid.startswith("$$ID") and wid.endswith("-" + key):
                return w
        raise KeyError(f"no widget with key {key!r} seen on page {self.page!r}; known ids: {sorted(self.widgets)}")

    async def _send_and_wait(self, payload: bytes) -> RunResult:
        result = RunResult(False, 0.0, "timeout")
        t0 = time.perf_counter()
        try:
            await self.ws.send(payload)
            deadline = t0 + self.timeout
            while True:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise asyncio.TimeoutError
                data = await asyncio.wait_for(self.ws.recv(), left)
                if isinstance(data, str):
                    continue
                fm = ForwardMsg()
                fm.ParseFromString(data)
                self._learn(fm, result)
                if fm.WhichOneof("type") == "script_finished":
                    status = fm.script_finished
                    if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                        continue   # a newer run (e.g. st.rerun) follows
                    result.seconds = time.perf_counter() - t0
                    if status not in FINISHED_OK:
                        result.status = f"bad_finish:{status}"
                    elif result.exceptions:
                        result.status = "exception"
                    else:
                        result.ok, result.status = True, "ok"
                    if result.auto_rerun:
                        self.auto_reruns.append(result.auto_rerun)
                    return result
        except asyncio.TimeoutError:
            result.seconds = time.perf_counter() - t0
            result.status = "timeout"
        except Exception as exc:  # websockets.ConnectionClosed, OSError...
            result.seconds = time.perf_counter() - t0
            result.status = f"disconnect:{type(exc).__name__}"
        return result

    # ---- actions ----------------------------------------------------------------------------------
    async def run(self) -> RunResult:
        """A full run of the page (the first load, or a plain rerun) with the widget states set so far."""
        return await self._send_and_wait(self._back_msg())

    def stage(self, key: str, value) -> Widget:
        """Record a widget's new value without a rerun (a form field before its submit button)."""
        w = self.widget(key)
        if w.kind == "slider":
            self.states[w.id] = ("double_array_value", [float(value)])
        elif w.kind == "number_input":
            self.states[w.id] = ("double_value", float(value))
        elif w.kind in ("text_input", "text_area", "selectbox", "radio"):
            self.states[w.id] = ("string_value", str(value))
        elif w.kind == "button_group":   # st.segmented_control / st.pills: the chosen options' labels
            self.states[w.id] = ("string_array_value", [str(value)])
        elif w.kind == "checkbox":
            self.states[w.id] = ("bool_value", bool(value))
        elif w.kind == "bidi_component":  # an st.components.v2 component's state (what its JS reports)
            self.states[w.id] = ("json_value", json.dumps(value))
        else:
            raise ValueError(f"cannot set a {w.kind} widget")
        return w

    async def set(self, key: str, value, fragment: bool = True) -> RunResult:
        """Change one widget like a user does; reruns its fragment (as the browser does) or the app."""
        w = self.stage(key, value)
        return await self._send_and_wait(self._back_msg(w.fragment_id if fragment else ""))

    def options(self, key: str) -> list[str]:
        """The labels of a choice widget's options (selectbox, radio, segmented control), as the browser shows
        and sends them back."""
        el = self.elements[self.widget(key).id]
        return [getattr(o, "content", o) for o in el.options]

    def forget_stale_choices(self) -> None:
        """Drop a staged choice whose label the page no longer shows (the language changed the labels): the
        browser then shows, and sends, the server's value."""
        for wid, (fld, value) in list(self.states.items()):
            el = self.elements.get(wid)
            if fld not in ("string_value", "string_array_value") or el is None or not hasattr(el, "options"):
                continue
            labels = [getattr(o, "content", o) for o in el.options]
            if any(v not in labels for v in (value if isinstance(value, list) else [value])):
                del self.states[wid]

    async def choose(self, key: str, label: str, fragment: bool = True) -> RunResult:
        """Pick the option shown as ``label`` in a selectbox, radio or segmented control (one rerun)."""
        return await self.set(key, label, fragment)

    async def navigate(self, page: str) -> RunResult:
        """Go to another page of the app (``st.navigation``'s URL path; "" = the default page): a full run."""
        self.page, self.page_script_hash = page, ""   # the server resolves the new page by its URL path
        return await self.run()

    async def click(self, key: str) -> RunResult:
        """Press a button (a trigger value for one run only)."""
        w = self.widget(key)
        return await self._send_and_wait(self._back_msg(w.fragment_id, {w.id: ("trigger_value", True)}))

    async def auto_rerun(self, fragment_id: str) -> RunResult:
        """What the browser sends for a ``@st.fragment(run_every=...)`` tick."""
        return await self._send_and_wait(self._back_msg(fragment_id, is_auto_rerun=True))
