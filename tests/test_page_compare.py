"""AppTest of the Compare page: the metrics table (three models, every metric row), the β sweep
(KL falls as β grows, the test/train toggle changes it), the sprites seeds panel, French labels;
plus unit tests of the page's table and sweep helpers (vae.ui.compare_figures)."""
import math

import pytest

from apptest_utils import open_page, output
from vae.ui.compare_figures import (METRIC_KEYS, compare_seeds, format_value, metric_table, one_per_beta,
                                    rate_distortion_figure, sweep_point, winners)


@pytest.fixture(scope="module", autouse=True)
def store(tmp_path_factory):
    """An empty user store for the whole module (user models never leak into the sweep)."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("store")
        mp.setenv("VAE_MODEL_STORE", str(path))
        from vae.ui.cache import available_models

        available_models.clear()
        yield path
        available_models.clear()


@pytest.fixture(scope="module")
def page_en(store):
    return open_page("compare", "en", timeout=600)  # first run computes the missing reports (cached on disk)


def test_table_three_models_every_metric(page_en):
    at = page_en
    assert not at.exception
    assert not at.error
    table = output(at, "compare.table")
    assert list(table) == list(METRIC_KEYS)
    for metric, row in table.items():
        assert set(row) == {"ae", "vae", "beta-vae"}, metric
    assert table["kl"]["ae"] is None and table["kl"]["vae"] > 0  # the AE has no KL: "—"
    shown = at.table[0].value
    assert len(shown) == len(METRIC_KEYS)
    assert shown.shape[1] == 5  # metric, AE, VAE, β-VAE, meaning
    assert "—" in shown.iloc[:, 1].tolist()
    assert any("✓" in str(v) for v in shown.iloc[:, 1:4].to_numpy().ravel())
    assert set(output(at, "compare.claims")) >= {"recon", "prior_confidence", "kl"}
    samples = output(at, "compare.samples")
    assert set(samples) == {"ae", "vae", "beta-vae"}
    assert all(v.shape == (36, 28, 28) for v in samples.values())


def test_sweep_kl_falls_with_beta_and_split_toggle(page_en):
    at = page_en
    test = output(at, "compare.sweep")
    assert len(test) >= 4
    betas = [b for b, _, _ in test]
    kls = [k for _, k, _ in test]
    assert betas == sorted(betas)
    assert all(a > b for a, b in zip(kls, kls[1:]))
    at.radio(key="compare.split").set_value("train").run()
    assert not at.exception
    train = output(at, "compare.sweep")
    assert len(train) == len(test) and train != test
    recon = [r for _, _, r in train]
    assert all(a < b for a, b in zip(recon, recon[1:]))  # on the training split the trade-off is monotone
    sprites = output(at, "compare.sprites")
    assert len(sprites) >= 2 and all(len(g["mig"]) >= 1 for g in sprites.values())


def test_sprites_dataset_without_ae(page_en):
    at = page_en
    at.selectbox(key="sel_dataset").set_value("sprites").run()
    assert not at.exception and not at.error
    table = output(at, "compare.table")
    assert set(table["mig"]) == {"vae", "beta-vae"} and table["mig"]["vae"] is not None
    assert len(output(at, "compare.sweep")) >= 2
    assert output(at, "compare.claims")["recon"] is None  # no AE to check the AE's claim
    at.selectbox(key="sel_dataset").set_value("mnist").run()


def test_french_labels_differ(page_en):
    at = open_page("compare", "fr", timeout=600)
    assert not at.exception
    assert at.title[0].value != page_en.title[0].value
    assert at.radio(key="compare.split").label != page_en.radio(key="compare.split").label
    assert list(at.table[0].value.columns) != list(page_en.table[0].value.columns)
    assert at.table[0].value.iloc[7, 0] != page_en.table[0].value.iloc[7, 0]


# ---- helpers, no Streamlit ---------------------------------------------------------------------------------
def test_winners_and_format():
    assert winners({"a": 1.0, "b": 2.0, "c": None}, "min") == {"a"}
    assert winners({"a": 1.0, "b": 2.0}, "max") == {"b"}
    assert winners({"a": 1.0, "b": 2.0}, None) == set()
    assert winners({"a": 1.0, "b": None, "c": float("nan")}, "max") == set()  # one applicable value: no winner
    assert winners({"a": 0.12341, "b": 0.12344}, "max", "prior_confidence") == {"a", "b"}  # tie at shown precision
    assert format_value("kl", None) == "—" and format_value("kl", math.nan) == "—"
    assert format_value("active_units", 12, 16) == "12 / 16"


def test_metric_table_marks_winners():
    reports = {"x": {"recon": 100.0, "kl": None, "latent_dim": 2}, "y": {"recon": 120.0, "kl": 3.0, "latent_dim": 2}}
    table, marks, raw = metric_table(reports, {"x": "AE", "y": "VAE"}, {}, {}, "metric", "meaning")
    assert list(table.columns) == ["metric", "AE", "VAE", "meaning"]
    row = METRIC_KEYS.index("recon")
    assert table.loc[row, "AE"].endswith("✓") and marks.loc[row, "AE"] and not marks.loc[row, "VAE"]
    assert table.loc[METRIC_KEYS.index("kl"), "AE"] == "—"
    assert raw["kl"] == {"x": None, "y": 3.0}


class _M:
    def __init__(self, id, beta, source="pretrained"):
        self.id, self.beta, self.source = id, beta, source


def test_one_per_beta_and_sweep_point():
    models = [_M("p/b4", 4.0), _M("u/b4", 4.0, "user"), _M("p/b1", 1.0), _M("p/ae", None)]
    assert [m.id for m in one_per_beta(models)] == ["p/b1", "p/b4"]
    assert [m.id for m in one_per_beta(models, prefer=["u/b4"])] == ["p/b1", "u/b4"]
    report = {"kl": 5.0, "recon": 150.0, "active_units": 2}
    history = [{"train_kl": 9.0, "train_recon": 200.0}, {"train_kl": 5.5, "train_recon": 140.0}]
    assert (sweep_point("m", 4, report, history, "test").kl, sweep_point("m", 4, report, history, "train").kl) == (5.0, 5.5)
    assert sweep_point("m", 4, report, None, "train") is None
    fig = rate_distortion_figure([sweep_point("m", 4, report, history, "test")], selected=["m"], title="t",
                                 x_title="x", y_title="y", models_name="models", selected_name="chosen")
    assert len(fig.data) == 2 and fig.data[0].text == ("",) and fig.data[1].text == ("β=4",)


def test_compare_seeds_verdicts():
    assert compare_seeds("MIG", "vae", [0.1, 0.2], "beta", [0.3, 0.4]).verdict == "agree"
    s = compare_seeds("MIG", "vae", [0.1, 0.7], "beta", [0.3, 0.4])
    assert s.verdict == "disagree" and s.hi == "vae"
    assert compare_seeds("MIG", "vae", [0.1], "beta", [0.3]).verdict == "one_seed"
    assert compare_seeds("MIG", "vae", [None], "beta", [0.3]) is None


def test_check_claims():
    from vae.ui.compare_figures import check_claims

    raw = {"recon": {"ae": 100.0, "vae": 110.0, "beta-vae": 120.0},
           "coverage": {"ae": 0.99, "vae": 0.95, "beta-vae": 0.9},
           "kl": {"ae": None, "vae": 6.0, "beta-vae": 4.0},
           "smoothness": {"ae": None, "vae": None, "beta-vae": 2.0}}
    got = {c.metric: c.holds for c in check_claims(raw)}
    assert got["recon"] is True and got["coverage"] is False and got["kl"] is True
    assert got["smoothness"] is None and got["prior_confidence"] is None
    no_ae = {"recon": {"ae": None, "vae": 110.0, "beta-vae": 120.0}, "coverage": {"vae": 0.2, "beta-vae": 0.1}}
    got = {c.metric: c.holds for c in check_claims(no_ae)}
    assert got["recon"] is None and got["coverage"] is None  # nothing to compare the VAEs with
