"""Issue 21, item 1: a browser's message is bounded before Streamlit parses it, and a widget value Streamlit
could not decode leaves no exception on the sender's page.

Against the app's own server (the launcher: ``server.maxWidgetStateSize`` = 1 MB, ``vae.ui.widget_guard``), a
scripted student sends the map component forged values over Streamlit's websocket protocol
(``bench/ws_client.py``): a 5,000-digit integer, 100,000 nested brackets and text that is not JSON each used
to show a ``ValueError``/``RecursionError``/``JSONDecodeError`` on the page; a 15 MB value used to be parsed
(about +220 MB of server memory for one message) and is now refused on the raw frame."""
from __future__ import annotations

import asyncio
import json

import pytest

from bench.ws_client import StreamlitSession, first_get
from streamlit.proto.WidgetStates_pb2 import WidgetState
from vae.devtools.memory import rss_mb
from vae.ui import widget_guard
from vae.ui.widget_guard import MAX_WIDGET_JSON, parse_widget_json

UNDECODABLE = {"digits": '{"inspected": ' + "1" * 5000 + "}", "deep": "[" * 100_000 + "]" * 100_000,
               "not_json": "not json {", "nan": '{"pinned": [NaN, 1]}', "too_long": json.dumps({"x": "a" * MAX_WIDGET_JSON})}
MAP = "map.explorer"


@pytest.mark.parametrize("case", UNDECODABLE)
def test_undecodable_values_become_none(case):
    assert parse_widget_json(UNDECODABLE[case]) is None


def test_good_values_parse_and_the_guard_replaces_streamlits_parser():
    assert parse_widget_json('{"inspected": 3, "pinned": [0.5, -1.25]}') == {"inspected": 3, "pinned": [0.5, -1.25]}
    widget_guard.install()
    from streamlit.runtime.state import common, session_state

    ws = WidgetState(id="w", json_value=UNDECODABLE["digits"])
    assert common.unpack_widget_state_value(ws) is None and session_state.unpack_widget_state_value(ws) is None
    assert common.unpack_widget_state_value(WidgetState(id="w", json_value='{"a": 1}')) == {"a": 1}
    assert common.unpack_widget_state_value(WidgetState(id="w", string_value="s")) == "s"


async def _forge(url: str, raw: str):
    """A fresh session on the map page sends ``raw`` as the map component's state; then inspects a dot."""
    cookie, _ = first_get(url)
    async with StreamlitSession(url, "", cookie=cookie, timeout=120) as s:
        first = await s.run()
        assert first.ok, first.status
        w = s.widget(MAP)
        s.states[w.id] = ("json_value", raw)
        forged = await s._send_and_wait(s._back_msg(w.fragment_id))
        after = await s.set(MAP, {"inspected": 3}) if forged.ok else None
        return forged, after


def test_forged_component_values_show_no_exception(app_server):
    for case, raw in UNDECODABLE.items():
        forged, after = asyncio.run(_forge(app_server.url, raw))
        assert forged.ok and not forged.exceptions, (case, forged.status, forged.exceptions)
        assert after.ok and not after.exceptions, (case, after.status, after.exceptions)


def test_a_huge_message_is_refused_before_parsing(app_server):
    pid = app_server.proc.pid
    asyncio.run(_forge(app_server.url, json.dumps({"inspected": 1})))  # the page's first costs paid
    before = rss_mb(pid)
    for _ in range(3):
        forged, _ = asyncio.run(_forge(app_server.url, json.dumps({"pinned": [0.5] * 3_700_000})))  # 18.5 MB
        assert forged.status.startswith("disconnect"), forged.status  # closed on the raw frame (1009)
    grown = rss_mb(pid) - before
    assert grown < 80, f"the server grew {grown:.0f} MB for three refused messages"
    forged, after = asyncio.run(_forge(app_server.url, json.dumps({"inspected": 2})))
    assert forged.ok and after.ok  # everyone else is still served
