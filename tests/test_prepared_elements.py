"""Elements marshalled once and sent as they are (vae.ui.plotly_spec.show, vae.ui.prepared_table.show_table): the
browser must get exactly what st.plotly_chart / st.table send, and through the fast path, not its fallback."""
from __future__ import annotations

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.testing.v1 import AppTest

from apptest_utils import count_conversions
from vae.ui import plotly_spec, prepared_table


@pytest.fixture
def sent(monkeypatch):
    """Every element the scripts enqueue: (type, proto bytes, layout config)."""
    out = []
    real = DeltaGenerator._enqueue

    def record(self, delta_type, element_proto, layout_config=None, *args, **kwargs):
        out.append((delta_type, element_proto.SerializeToString(deterministic=True), layout_config))
        return real(self, delta_type, element_proto, layout_config, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "_enqueue", record)
    return out


def _charts() -> None:
    import streamlit as st

    from vae.ui.plotly_spec import figure, prepare, show

    fast = st.query_params.get("path") == "fast"

    figs = [figure([{"type": "scatter", "x": [0.5, 1.25, None], "y": [2, 3, 4], "mode": "markers",
                     "marker": {"size": 4, "color": "#1f77b4"}, "customdata": [0, 1, 2], "name": "β = 4"}],
                   {"height": 320, "xaxis": {"range": [0, 2], "title": {"text": "z₁"}}, "margin": {"l": 5}}),
            figure([{"type": "bar", "x": ["a", "b"], "y": [1.0, float("nan")]}], {"width": 500, "title": {"text": "t"}})]
    config = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
    for i, fig in enumerate(figs):
        with st.columns(2)[i % 2]:
            if fast:
                show(prepare(fig), key=f"chart{i}", width="stretch" if i == 0 else "content", config=config)
            else:
                st.plotly_chart(fig, key=f"chart{i}", width="stretch" if i == 0 else "content", config=config)


def _table() -> None:
    import pandas as pd
    import streamlit as st

    from vae.ui.compare_figures import style_winners
    from vae.ui.prepared_table import prepare_table, show_table

    fast = st.query_params.get("path") == "fast"

    table = pd.DataFrame({"metric": ["KL", "recon"], "AE": ["—", "100.0 ✓"], "VAE": ["3.1 ✓", "120.5"]})
    marks = pd.DataFrame({"metric": [False, False], "AE": [False, True], "VAE": [True, False]})
    st.header("before")
    if fast:
        show_table(prepare_table(lambda: style_winners(table, marks), uuid="u1"))
    else:
        st.table(style_winners(table, marks).set_uuid("u1"))


@pytest.mark.parametrize("script", [_charts, _table])
def test_the_fast_path_sends_what_streamlit_sends(script, sent):
    at = AppTest.from_function(script, default_timeout=30)
    for path in ("streamlit", "fast"):  # one script file: element ids hash the script's path too
        at.query_params["path"] = path
        at.run()
        assert not at.exception
    n = len(sent) // 2
    slow, fast = sent[:n], sent[n:]
    assert n >= 2 and fast == slow  # same element types, protos (spec, config, element ids) and layouts
    assert plotly_spec.fast_path_problem() is None and prepared_table.fast_path_problem() is None


def test_the_fast_path_does_not_convert_or_serialise_again(monkeypatch):
    """Showing a prepared figure or table neither validates nor serialises it (that is the point), and does not
    quietly fall back to st.plotly_chart / st.table."""
    calls = count_conversions(monkeypatch)

    def script(token):
        import pandas as pd
        import streamlit as st

        from vae.ui.compare_figures import style_winners
        from vae.ui.plotly_spec import figure, prepare, show
        from vae.ui.prepared_table import prepare_table, show_table

        @st.cache_resource
        def prepared(token):  # prepared once, as the pages' caches do (a new token: a new entry for this test)
            df = pd.DataFrame({"a": ["1"]})
            return (prepare(figure([{"type": "scatter", "x": [1], "y": [2]}], {})),
                    prepare_table(lambda: style_winners(df, df == "1"), uuid="u"))

        chart, table = prepared(token)
        show(chart, key="c")
        show_table(table)

    at = AppTest.from_function(script, args=(object().__repr__(),), default_timeout=30).run()
    assert not at.exception and calls
    calls.clear()
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 1 and len(at.table) == 1
    assert calls == []


def test_a_prepared_figure_is_restyled_from_its_source():
    fig = plotly_spec.figure([{"type": "bar", "x": [1], "y": [2]}], {"height": 300})
    p = plotly_spec.prepare(fig)
    assert (p.height, p.width) == (300, None)
    again = p.figure()
    again.layout.height = 100  # a copy: the shared one is left as it was
    assert p.figure().layout.height == 300 and '"height":300' in p.spec.replace(" ", "")
