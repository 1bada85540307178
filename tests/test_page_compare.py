"""The Compare page as rendered (AppTest: the table, the claim lines, the chart specs the browser receives, the
sprites table) and the functions it calls (vae.ui.compare_view, compare_render, compare_figures)."""
import json
import math
from types import SimpleNamespace

import numpy as np
import pytest

from apptest_utils import count_conversions, open_page
from vae.ui import compare_view as cv
from vae.ui.compare_figures import (METRIC_KEYS, active_units_figure, code_map_figure, format_value, metric_table,
                                    rate_distortion_figure, seeds_figure, winners)
from vae.ui.export import PANEL_KEY
from vae.ui.plotly_spec import validate
from vae.ui.strings import all_strings

S = all_strings()


@pytest.fixture(scope="module", autouse=True)
def store(tmp_path_factory):
    """An empty user store for the whole module (user models never leak into the sweep)."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("store")
        mp.setenv("VAE_MODEL_STORE", str(path))
        from vae.ui.cache import store_listing

        store_listing.clear()
        yield path
        store_listing.clear()


@pytest.fixture(scope="module")
def page_en(store):
    return open_page("compare", "en", timeout=600)  # first run computes the missing reports (cached on disk)


def _chart(at, key: str) -> dict:
    """The spec of the chart with widget key ``key``, as the browser receives it."""
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("-" + key)).proto.spec)


def _lines(at, header_key: str, lang: str = "en") -> list[str]:
    """The bullet lines of the markdown block that starts with the text of ``header_key``."""
    block = next(m.value for m in at.markdown if m.value.startswith(S[header_key][lang]))
    return [line for line in block.splitlines()[1:] if line.startswith("- ")]


# ---- the page, rendered ----------------------------------------------------------------------------------------
def test_trio_maps_samples_table_and_claims(page_en):
    at = page_en
    assert not at.exception and not at.error
    for kind in ("ae", "vae", "beta-vae"):  # native 2-D maps: the prior's circle, then one trace per digit
        spec = _chart(at, f"compare.map.{kind}")
        assert spec["data"][0]["mode"] == "lines" and len(spec["data"]) == 1 + 10
        assert sum(len(tr["x"]) for tr in spec["data"][1:]) == 1000
    assert len(at.image) == 3  # one grid of decoded generator samples per model
    shown = at.table[0].value
    assert list(shown.iloc[:, 0]) == [S[f"compare.m.{k}"]["en"] for k in METRIC_KEYS]
    assert shown.shape[1] == 5  # metric, AE, VAE, β-VAE, meaning
    kl_row = METRIC_KEYS.index("kl")
    assert shown.iloc[kl_row, 1] == "—" and shown.iloc[kl_row, 2].startswith(("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"))
    assert any("✓" in str(v) for v in shown.iloc[:, 1:4].to_numpy().ravel())
    cov = METRIC_KEYS.index("coverage")
    assert "✓" not in shown.iloc[cov, 1]  # the AE never wins coverage on the shipped models
    lines = _lines(at, "compare.claims.header")
    assert len(lines) == len(cv.LECTURE_CLAIMS)
    assert S["compare.claim.coverage"]["en"] in lines[2] and "check_circle" in lines[2]


def test_sweep_chart_claims_and_split_toggle(page_en):
    at = page_en
    rd = _chart(at, "compare.rd")
    models = rd["data"][0]
    betas = [float(h.split("=")[1]) for h in models["hovertext"]]
    assert betas == sorted(betas) and len(betas) == 6
    assert all(a > b for a, b in zip(models["x"], models["x"][1:]))  # KL falls as β grows
    spread = next(tr for tr in rd["data"] if tr.get("error_y"))  # mean ± sd over the training seeds
    assert len(spread["y"]) == 6 and all(sd > 0 for sd in spread["error_y"]["array"])
    lines = _lines(at, "compare.sweep.claims")
    assert len(lines) == len(cv.SWEEP_CLAIMS) and "check_circle" in lines[0]
    assert "(holds on 3 of 3 training seeds)" in lines[0]
    at.radio(key="compare.split").set_value("train").run()
    assert not at.exception
    train = _chart(at, "compare.rd")
    assert train["data"][0]["y"] != models["y"] and not any(tr.get("error_y") for tr in train["data"])
    at.radio(key="compare.split").set_value("test").run()


def test_sprites_table_chart_and_verdicts(page_en):
    at = page_en
    df = at.dataframe[0].value
    means = df[df.iloc[:, 1].str.startswith("mean ± sd")]
    assert len(means) == 2 and all("±" in v for v in means.iloc[:, 2])
    seeds = _chart(at, "compare.seeds")
    assert "xaxis2" in seeds["layout"] and sum(tr["type"] == "scatter" for tr in seeds["data"]) == 4
    assert sum(len(x) for x in (at.success, at.warning)) + sum(1 for i in at.info if "seed" in i.value) >= 2


def test_a_rerun_converts_no_figure_and_styles_no_table(page_en, monkeypatch):
    """The page's figures and metrics table are prepared once per models and language (vae.ui.compare_render's
    cached views, vae.ui.plotly_spec.show): a rerun that changes nothing sends them without validating,
    serialising or styling them again, and draws the same page."""
    before = (_chart(page_en, "compare.map.vae"), _chart(page_en, "compare.rd"), page_en.table[0].value.to_dict(),
              [m.value for m in page_en.markdown])
    calls = count_conversions(monkeypatch)
    page_en.run()
    assert not page_en.exception and calls == []
    assert before == (_chart(page_en, "compare.map.vae"), _chart(page_en, "compare.rd"),
                      page_en.table[0].value.to_dict(), [m.value for m in page_en.markdown])


def test_prepared_charts_follow_the_export_style(page_en):
    """A prepared chart is restyled when the sidebar's export panel asks for the projector style and a transparent
    background (then drawn by st.plotly_chart from the figure's source), and sent as prepared again after."""
    at = page_en
    plain = _chart(at, "compare.map.vae")
    assert "export.projector_en" not in [c.key for c in at.checkbox]   # shut, the panel builds no widget
    at.session_state[PANEL_KEY] = True   # the reader opens the panel (a lazy expander: its widgets are built then)
    at.run()
    at.checkbox(key="export.projector_en").check()
    at.radio(key="export.bg_en").set_value("transparent").run()
    assert not at.exception
    big = _chart(at, "compare.map.vae")
    assert big["layout"]["paper_bgcolor"] == "rgba(0,0,0,0)" and big["data"][1]["x"] == plain["data"][1]["x"]
    assert big["layout"]["font"]["size"] > plain["layout"].get("font", {}).get("size", 12)
    at.checkbox(key="export.projector_en").uncheck()
    at.radio(key="export.bg_en").set_value("white").run()
    assert _chart(at, "compare.map.vae") == plain


def test_sprites_dataset_without_ae(page_en):
    at = page_en
    at.selectbox(key="sel_dataset").set_value("sprites").run()
    assert not at.exception and not at.error
    shown = at.table[0].value
    assert shown.shape[1] == 4  # metric, VAE, β-VAE, meaning
    mig = shown.iloc[METRIC_KEYS.index("mig"), 1]
    assert mig != "—"
    recon_line = _lines(at, "compare.claims.header")[0]
    assert ":gray[" in recon_line and S["compare.claim.na"]["en"] in recon_line  # no AE to check the AE's claim
    at.selectbox(key="sel_dataset").set_value("mnist").run()


def test_french(page_en):
    at = open_page("compare", "fr", timeout=600)
    assert not at.exception
    assert at.title[0].value == S["compare.title"]["fr"] != page_en.title[0].value
    assert at.radio(key="compare.split").label == S["compare.split"]["fr"]
    assert list(at.table[0].value.columns) != list(page_en.table[0].value.columns)
    assert len(_lines(at, "compare.claims.header", "fr")) == len(cv.LECTURE_CLAIMS)
    assert len(_lines(at, "compare.sweep.claims", "fr")) == len(cv.SWEEP_CLAIMS)


# ---- the functions the page calls ------------------------------------------------------------------------------
def test_winners_and_format():
    assert winners({"a": 1.0, "b": 2.0, "c": None}, "min") == {"a"}
    assert winners({"a": 1.0, "b": 2.0}, "max") == {"b"}
    assert winners({"a": 1.0, "b": 2.0}, None) == set()
    assert winners({"a": 1.0, "b": None, "c": float("nan")}, "max") == set()  # one applicable value: no winner
    assert winners({"a": 0.12341, "b": 0.12344}, "max", "prior_confidence") == {"a", "b"}  # tie at shown precision
    assert format_value("kl", None) == "—" and format_value("kl", math.nan) == "—"
    assert format_value("active_units", 12, 16) == "12 / 16"


def test_metric_table_marks_winners_and_shows_the_disputed_spread():
    reports = {"x": {"recon": 100.0, "kl": None, "latent_dim": 2}, "y": {"recon": 120.0, "kl": 3.0, "latent_dim": 2}}
    table, marks, raw = metric_table(reports, {"x": "AE", "y": "VAE"}, {}, {}, "metric", "meaning",
                                     spread={"recon": {"x": (101.0, 2.5, 3), "y": (119.0, 0.0, 1)}})
    assert list(table.columns) == ["metric", "AE", "VAE", "meaning"]
    row = METRIC_KEYS.index("recon")
    assert table.loc[row, "AE"] == "100.0 ✓ [101.0 ± 2.5]" and table.loc[row, "VAE"] == "120.0"  # one seed: no spread
    assert marks.loc[row, "AE"] and not marks.loc[row, "VAE"]
    assert table.loc[METRIC_KEYS.index("kl"), "AE"] == "—"
    assert raw["kl"] == {"x": None, "y": 3.0}


def _m(id, beta, dataset="mnist", latent_dim=2, kind="beta-vae", noise=0.0, source="pretrained"):
    return SimpleNamespace(id=id, beta=beta, dataset=dataset, latent_dim=latent_dim, kind=kind, noise=noise,
                           source=source, path=f"/nowhere/{id}")


def test_sweep_models_keep_one_plain_kl_model_per_beta():
    models = [_m("p/b4", 4.0), _m("u/b4", 4.0, source="user"), _m("p/vae", 1.0, kind="vae"), _m("p/ae", None, kind="ae"),
              _m("p/b2-16", 2.0, latent_dim=16), _m("p/dvae", 1.0, kind="vae", noise=0.4), _m("p/s", 6.0, dataset="sprites")]
    assert [m.id for m in cv.sweep_models(models, "mnist", 2)] == ["p/vae", "p/b4"]
    assert [m.id for m in cv.sweep_models(models, "mnist", 2, prefer=["u/b4"])] == ["p/vae", "u/b4"]
    assert [m.id for m in cv.sweep_models(models, "mnist", 16)] == ["p/b2-16"]
    assert [m.id for m in cv.sprite_models(models)] == ["p/s"]


def test_sweep_point_uses_the_kept_epoch():
    report = {"kl": 5.0, "recon": 150.0, "mse": 0.04, "active_units": 2}
    history = [{"epoch": 1, "train_kl": 9.0, "train_recon": 200.0}, {"epoch": 2, "train_kl": 5.5, "train_recon": 140.0},
               {"epoch": 3, "train_kl": 5.2, "train_recon": 139.0}]
    test = cv.sweep_point("m", 4, report, {"history": history}, "test")
    assert (test.kl, test.recon, test.mse, test.active_units) == (5.0, 150.0, 0.04, 2)
    assert cv.sweep_point("m", 4, report, {"history": history}, "train").recon == 139.0  # trained to the end: last
    assert cv.sweep_point("m", 4, report, {"history": history, "best_epoch": 2}, "train").recon == 140.0  # early stop
    assert cv.sweep_point("m", 4, report, {}, "train") is None


def test_sprite_groups_put_the_seeds_of_one_recipe_together():
    models = [_m("a", 1.0, kind="vae"), _m("a-s1", 1.0, kind="vae"), _m("b", 6.0), _m("c", 6.0)]
    reports = {"a": {"mig": 0.1, "beta_vae_score": 0.7}, "a-s1": {"mig": 0.2, "beta_vae_score": 0.6},
               "b": {"mig": 0.3, "beta_vae_score": None}}  # "c" has no report
    groups = cv.sprite_groups(models, reports, lambda m: f"β={m.beta:g}")
    assert groups == {"β=1": {"mig": [("a", 0.1), ("a-s1", 0.2)], "beta_vae_score": [("a", 0.7), ("a-s1", 0.6)]},
                      "β=6": {"mig": [("b", 0.3)], "beta_vae_score": [("b", None)]}}


def test_compare_seeds_verdicts():
    assert cv.compare_seeds("MIG", "vae", [0.1, 0.2], "beta", [0.3, 0.4]).verdict == "agree"
    s = cv.compare_seeds("MIG", "vae", [0.1, 0.7], "beta", [0.3, 0.4])
    assert s.verdict == "disagree" and s.hi == "vae"
    assert cv.compare_seeds("MIG", "vae", [0.1], "beta", [0.3]).verdict == "one_seed"
    assert cv.compare_seeds("MIG", "vae", [None], "beta", [0.3]) is None


def test_check_claims():
    raw = {"recon": {"ae": 100.0, "vae": 110.0, "beta-vae": 120.0},
           "coverage": {"ae": 0.99, "vae": 0.95, "beta-vae": 0.9},
           "kl": {"ae": None, "vae": 6.0, "beta-vae": 4.0},
           "smoothness": {"ae": None, "vae": None, "beta-vae": 2.0}}
    got = {c.metric: c.holds for c in cv.check_claims(raw)}
    assert got["recon"] is True and got["coverage"] is False and got["kl"] is True
    assert got["smoothness"] is None and got["prior_confidence"] is None
    no_ae = {"recon": {"ae": None, "vae": 110.0, "beta-vae": 120.0}, "coverage": {"vae": 0.2, "beta-vae": 0.1}}
    got = {c.metric: c.holds for c in cv.check_claims(no_ae)}
    assert got["recon"] is None and got["coverage"] is None  # nothing to compare the VAEs with
    with_gauss = {"coverage": {"ae": 0.4, "vae": 0.9, "beta-vae": 0.95, "ae-gauss": 0.99}}
    assert {c.metric: c.holds for c in cv.check_claims(with_gauss)}["coverage"] is True  # a 4th kind is not judged


def test_claims_over_seeds_and_the_spread_of_disputed_rows():
    def rep(ae, vae, bvae):
        return {"ae": {"recon": ae}, "vae": {"recon": vae}, "beta-vae": {"recon": bvae}}
    seeds = [rep(100.0, 101.0, 102.0), rep(99.0, 101.0, 103.0), rep(104.0, 101.0, 102.0)]  # seed 2: the AE loses
    by_kind = {k: [s[k] for s in seeds] for k in ("ae", "vae", "beta-vae")}
    claims = {c.metric: c for c in cv.claims_over_seeds(by_kind)}
    assert claims["recon"].holds is True and claims["recon"].per_seed == [True, True, False]
    assert not claims["recon"].seeds_agree and claims["kl"].per_seed == [None, None, None]
    spread = cv.disputed_spread(list(claims.values()), by_kind)
    assert set(spread) == {"recon"}
    mean, sd, n = spread["recon"]["ae"]
    assert (mean, n) == (101.0, 3) and sd == pytest.approx(np.std([100, 99, 104], ddof=1))
    assert cv.claims_over_seeds({})[0].holds is None


def test_sweep_claims_over_seeds(monkeypatch):
    models = [_m(f"b{b}", b) for b in (0.5, 1.0, 2.0, 4.0)]
    runs = {  # per model: [shown model, seed 1]; seed 1 swaps the reconstruction of β = 1 and 2
        "b0.5": [{"kl": 9.0, "recon": 150.0, "mse": 0.040}, {"kl": 9.1, "recon": 150.5, "mse": 0.041}],
        "b1.0": [{"kl": 6.0, "recon": 152.0, "mse": 0.041}, {"kl": 6.1, "recon": 154.0, "mse": 0.042}],
        "b2.0": [{"kl": 4.0, "recon": 153.0, "mse": 0.043}, {"kl": 4.1, "recon": 153.0, "mse": 0.044}],
        "b4.0": [{"kl": 3.0, "recon": 158.0, "mse": 0.045}, {"kl": 2.9, "recon": 159.0, "mse": 0.046}]}
    monkeypatch.setattr(cv, "reports_over_seeds", lambda path, report: runs[path.rsplit("/", 1)[1]])
    reports = {m.id: runs[m.id][0] for m in models}
    got = {c.metric: c for c in cv.sweep_claims(models, reports)}
    assert got["kl"].monotone == [True, True] and got["kl"].rho == pytest.approx([-1.0, -1.0])
    assert got["recon"].monotone == [True, False] and got["recon"].holds is True
    assert got["recon"].rho[1] == pytest.approx(0.8)  # ranks 1, 3, 2, 4
    spread = cv.sweep_spread(models, reports, "recon")
    assert spread[1][0] == 1.0 and spread[1][1:] == pytest.approx((153.0, math.sqrt(2), 2))
    assert cv.sweep_claims(models[:2], reports)[0].holds is None  # two models: no trend to judge


def test_sweep_gaps_are_test_minus_kept_training_reconstruction():
    models = [_m("a", 0.5), _m("b", 4.0)]
    reports = {"a": {"recon": 150.0}, "b": {"recon": 155.0}}
    stored = {"/nowhere/a": {"history": [{"epoch": 1, "train_recon": 160.0}, {"epoch": 2, "train_recon": 130.0}]},
              "/nowhere/b": {"history": [{"epoch": 1, "train_recon": 151.0}, {"epoch": 2, "train_recon": 140.0}],
                             "best_epoch": 1}}
    assert cv.sweep_gaps(models, reports, stored.__getitem__) == [(0.5, 20.0), (4.0, 4.0)]


def test_figures_are_valid_plotly():
    pts = [cv.SweepPoint(b, kl, rec, 2, f"m{b}") for b, kl, rec in ((0.5, 9.0, 150.0), (1.0, 6.0, 152.0), (4.0, 3.0, 158.0))]
    rd = rate_distortion_figure(pts, selected=["m1.0"], title="t", x_title="x", y_title="y", models_name="models",
                                selected_name="chosen", spread=[(0.5, 151.0, 1.5, 3), (1.0, 152.0, 0.0, 1)], spread_name="sd")
    assert [tr.name for tr in validate(rd).data] == ["models", "sd", "chosen"]
    assert rd.data[0].text == ("β=0.5", "", "β=4") and list(rd.data[1].error_y.array) == [1.5]  # one seed: no bar
    coords = np.random.default_rng(0).standard_normal((50, 2))
    labels = np.arange(50) % 3
    m = code_map_figure(coords, labels, ["a", "b", "c"], x_range=(-3, 3), y_range=(-3, 3), axis_titles=("z1", "z2"),
                        image_word="image", label_word="label", prior_circle=True)
    assert [tr.name for tr in validate(m).data] == [None, "a", "b", "c"]
    assert len(validate(active_units_figure(pts, 2, title="t", y_title="y")).data) == 1
    groups = {"g1": {"mig": [("a", 0.1), ("b", 0.2)], "beta_vae_score": [("a", 0.7)]}, "g2": {"mig": [("c", 0.3)]}}
    seeds = validate(seeds_figure(groups, {"mig": "MIG", "beta_vae_score": "score"}, title="t"))
    assert len(seeds.data) == 6 and seeds.layout.xaxis2.domain[0] > seeds.layout.xaxis.domain[1]
