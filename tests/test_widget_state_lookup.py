"""``vae.ui.widget_state_lookup``: a keyed widget's look-up of its own key gives what ``filtered_state`` gives, for
every kind of key a session holds, and the widgets behave the same with it (a key set to None, a preset value)."""
import json

import pytest
from streamlit.testing.v1 import AppTest

from vae.ui import widget_state_lookup

# a session holding every kind of key: plain ones (one None), keyed widgets of the six patched modules (one set to
# None before it is drawn, one preset), a keyless widget; then the look-up against filtered_state, key by key
SCRIPT = """
import datetime, json
import streamlit as st
from streamlit.runtime.state import get_session_state
from vae.ui.widget_state_lookup import KeyLookup

st.session_state.setdefault("plain", {"a": 1})
st.session_state.setdefault("nothing", None)
st.session_state.setdefault("sel_none", None)
st.session_state.setdefault("num_none", None)
st.session_state.setdefault("sl_preset", 7)
st.selectbox("pick", ["x", "y", "z"], index=1, key="sel")
st.selectbox("pick none", ["x", "y"], key="sel_none")
st.radio("radio", ["a", "b"], key="rad")
st.slider("slider", 0, 10, 3, key="sl")
st.slider("slider preset", 0, 10, key="sl_preset")
st.number_input("number", value=2.5, key="num")
st.number_input("number none", value=1, key="num_none")
st.text_input("text", "hello", key="txt")
st.date_input("date", datetime.date(2026, 12, 7), key="day")
st.checkbox("keyless")
safe = get_session_state()
full = safe.filtered_state
look = KeyLookup(safe)
internal = [k for k in safe._state._keys() if k.startswith("$$")]
asked = list(full) + ["missing", "$$ID-nope-key", "$$STREAMLIT_INTERNAL_KEY_nope"] + internal
rows = {k: [k in full, k in look, repr(full[k]) if k in full else None, repr(look[k]) if k in look else None]
        for k in asked}
st.text(json.dumps(rows))
"""


def _run() -> tuple[dict, AppTest]:
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    assert not at.exception, at.exception
    return json.loads(at.text[0].value), at


@pytest.fixture
def installed():
    widget_state_lookup.install()
    yield
    widget_state_lookup.uninstall()


def test_the_lookup_answers_every_key_as_filtered_state(installed):
    rows, _ = _run()
    assert {"plain", "nothing", "sel", "sel_none", "rad", "sl", "sl_preset", "num", "num_none", "txt", "day"} <= set(rows)
    assert any(k.startswith("$$") for k in rows)            # element ids and internal keys were asked too
    differ = {k: r for k, r in rows.items() if r[0] != r[1] or r[2] != r[3]}
    assert not differ, differ
    assert rows["missing"][:2] == [False, False] and rows["nothing"][:2] == [True, True]


def test_widgets_behave_the_same_with_the_lookup(installed):
    _, with_lookup = _run()
    widget_state_lookup.uninstall()
    _, without = _run()
    for at in (with_lookup, without):
        assert at.selectbox(key="sel_none").value is None      # key set to None: no option chosen
        assert at.number_input(key="num_none").value is None
        assert at.slider(key="sl_preset").value == 7           # a value preset in the state wins
    assert [w.value for w in with_lookup.selectbox] == [w.value for w in without.selectbox]
    assert [w.value for w in with_lookup.slider] == [w.value for w in without.slider]


def test_install_replaces_the_six_modules_lookups_and_uninstall_restores_them():
    import importlib

    modules = [importlib.import_module(f"streamlit.elements.widgets.{m}") for m in widget_state_lookup.WIDGET_MODULES]
    before = [m.get_session_state for m in modules]
    assert widget_state_lookup.install() and widget_state_lookup.install()   # idempotent
    try:
        assert all(m.get_session_state.__wrapped__ is b for m, b in zip(modules, before))
    finally:
        widget_state_lookup.uninstall()
    assert [m.get_session_state for m in modules] == before


def test_the_widget_session_state_passes_everything_else_through():
    class Safe:
        filtered_state = {"k": 1}

        def reset_state_value(self, key, value):
            return ("reset", key, value)

    proxy = widget_state_lookup.WidgetSessionState(Safe())
    assert isinstance(proxy.filtered_state, widget_state_lookup.KeyLookup)
    assert proxy.reset_state_value("k", 2) == ("reset", "k", 2)


def test_in_then_get_decodes_the_value_once_and_another_key_afresh():
    import threading

    reads = []

    class State(dict):   # SessionState: each [] deserializes the value
        def __getitem__(self, key):
            reads.append(key)
            return super().__getitem__(key)

    class Safe:
        _lock, _state, filtered_state = threading.Lock(), State(a=1, b=None), {}

    look = widget_state_lookup.KeyLookup(Safe())
    assert "a" in look and look["a"] == 1 and reads == ["a"]       # the widget's `in` then `[]`: one read
    assert "b" in look and look["b"] is None and reads == ["a", "b"]
    assert look["a"] == 1 and reads == ["a", "b", "a"]              # not the last key found: read afresh
    assert "zz" not in look
    with pytest.raises(KeyError):
        look["zz"]
