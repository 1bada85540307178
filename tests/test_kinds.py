"""The kinds registry: what each kind declares, and β's one rule, applied the same way by the config,
the CLI and the Train form (same acceptance, same message)."""
from __future__ import annotations

import pytest

from vae.__main__ import main as cli
from vae.config import ModelConfig
from vae.errors import ConfigError
from vae.kinds import DEFAULT_KIND, KINDS, BetaError, BetaRule, Kind, get_kind, kind_names, register, unregister
from vae.jobs.form import make_configs

FORM = dict(latent_dim=2, arch="mlp", hidden="16", recon="bce", noise=0.0, epochs=1, lr=1e-3, batch_size=32, seed=0,
            dataset="digits", image_shape=(8, 8))


def test_the_lecture_kinds_keep_their_config_names_and_order():
    # config.json stores these names: shipped models must load unchanged.
    assert kind_names()[:3] == ("ae", "vae", "beta-vae")
    assert DEFAULT_KIND in KINDS
    for name, kind in KINDS.items():
        assert kind.name == name and get_kind(name) is kind
        assert set(kind.labels) == {"short", "long", "generator"}
        assert all(set(v) == {"en", "fr"} for v in kind.labels.values())
    with pytest.raises(ConfigError, match="kind must be one of"):
        get_kind("gan")


# (kind, β asked for, β obtained or the error code)
BETA_CASES = [
    ("ae", None, 1.0), ("ae", 1.0, "no_kl"), ("ae", 2.0, "no_kl"),
    ("vae", None, 1.0), ("vae", 1.0, 1.0), ("vae", 4.0, "fixed"), ("vae", 0.0, "fixed"),
    ("beta-vae", None, 4.0), ("beta-vae", 0.5, 0.5), ("beta-vae", 0.0, 0.0), ("beta-vae", -1.0, "range"),
    ("beta-vae", 1e6, "range"), ("beta-vae", float("nan"), "range"),
]


@pytest.mark.parametrize("kind, asked, expected", BETA_CASES)
def test_one_beta_rule_for_the_form_and_the_cli(kind, asked, expected, capsys, tmp_path):
    rule = get_kind(kind).beta
    if isinstance(expected, str):
        with pytest.raises(BetaError) as exc_info:
            rule.resolve(kind, asked)
        assert exc_info.value.code == expected
        message = str(exc_info.value)
        with pytest.raises(BetaError, match="^" + __import__("re").escape(message) + "$"):
            make_configs(kind=kind, beta=asked, **FORM)
        argv = ["train", "--kind", kind, "--dataset", "digits", "--hidden", "16", "--epochs", "1", "--out", str(tmp_path / "m")]
        if asked is not None:
            argv += ["--beta", str(asked)]
        assert cli(argv) == 2
        assert capsys.readouterr().err.strip() == f"error: {message}"  # the CLI's line is the form's message
        assert not (tmp_path / "m").exists()
    else:
        assert rule.resolve(kind, asked) == expected
        assert make_configs(kind=kind, beta=asked, **FORM)[0].beta == expected


def test_stored_configs_follow_the_same_rule():
    assert ModelConfig(kind="ae", beta=0.0).validate().beta == 0.0  # old AE configs stored 0: still load
    assert ModelConfig(kind="ae", beta=1.0).validate()
    with pytest.raises(BetaError, match="no KL term"):
        ModelConfig.from_dict({"kind": "ae", "beta": 3.0})
    with pytest.raises(BetaError, match="use kind 'beta-vae'"):
        ModelConfig(kind="vae", beta=4.0)
    assert ModelConfig(kind="beta-vae", beta=8.0).validate().beta == 8.0


def test_every_kind_has_translated_labels_and_beta_messages():
    from vae.kinds.base import BETA_MESSAGES
    from vae.ui.strings import all_strings

    strings = all_strings()
    for name in KINDS:
        for key in (f"kind.{name}", f"kind.{name}.long", f"kind.{name}.generator"):
            assert strings[key]["en"] and strings[key]["fr"], key
    for code, text in BETA_MESSAGES.items():
        assert strings[f"kind.err.{code}"]["en"] == text  # the app's English is the CLI's text


# --------------------------------------------------------------------------- a new kind needs nothing else
class _KLTwice(Kind):
    """A throwaway kind, registered by the test only: a VAE whose regulariser is 2·β·KL."""

    name = "test-kl-twice"
    variational = True
    beta = BetaRule(default=1.0, free=True)
    lecture_trio = False
    labels = {"short": {"en": "KL×2", "fr": "KL×2"}, "long": {"en": "double KL", "fr": "double KL"},
              "generator": {"en": "z ~ N(0, I)", "fr": "z ~ N(0, I)"}}

    def regularizer(self, kl, beta, out):
        return 2.0 * beta * kl


@pytest.fixture
def kl_twice():
    kind = register(_KLTwice())
    yield kind
    unregister(kind.name)


def test_a_new_kind_is_one_class_and_one_registry_line(kl_twice, tmp_path, capsys, monkeypatch):
    """Registered, the kind is trained, saved, loaded, evaluated and listed by the CLI, offered by the sidebar
    and labelled in both languages, with no other code knowing its name."""
    import importlib
    import json

    import vae.ui.strings.kinds as kind_strings
    from vae.checkpoint import list_models, load_model
    from vae.ui.sidebar import Selection

    store = tmp_path / "store"
    monkeypatch.setenv("VAE_MODEL_STORE", str(store))
    out = store / "twice"
    assert cli(["train", "--kind", "test-kl-twice", "--beta", "0.5", "--dataset", "digits", "--hidden", "16",
                "--epochs", "2", "--out", str(out)]) == 0, capsys.readouterr().err
    model = load_model(out)
    assert model.kind is kl_twice and model.variational and model.logvar_head is not None
    capsys.readouterr()
    assert cli(["evaluate", str(out), "--json", "--no-cache"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["kind"] == "test-kl-twice" and got["beta"] == 0.5
    assert got["loss"] == pytest.approx(got["recon"] + 2 * 0.5 * got["kl"], rel=1e-6)  # its own regulariser
    assert cli(["list", "--json"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)}
    assert listed["user/twice"]["kind"] == "test-kl-twice"
    info = next(i for i in list_models() if i.id == "user/twice")
    sel = Selection(models={"vae": None, "test-kl-twice": info})
    assert [k for k, _ in sel.lineup()] == ["ae", "vae", "beta-vae", "test-kl-twice"]  # a 4th column, no code change
    assert [k for k, _ in Selection().lineup()] == ["ae", "vae", "beta-vae"]  # the lecture's trio by default
    strings = importlib.reload(kind_strings).STRINGS  # built from the registry: the kind brought its own labels
    assert strings["kind.test-kl-twice"] == {"en": "KL×2", "fr": "KL×2"}
    unregister("test-kl-twice")
    importlib.reload(kind_strings)


# --------------------------------------------------------------------------- the fourth kind: AE + fitted Gaussian
def test_ae_gauss_is_the_ae_with_a_gaussian_fitted_to_its_codes(tiny_digits):
    import numpy as np
    import torch

    from vae.config import TrainConfig
    from vae.latent import encode, generator_codes, prior_samples
    from vae.models import build_model
    from vae.train import fit

    from conftest import tiny_config

    models = {}
    for kind in ("ae", "ae-gauss"):
        torch.manual_seed(0)
        models[kind] = build_model(tiny_config(kind=kind, latent_dim=2, hidden=[32]))
        assert fit(models[kind], tiny_digits, TrainConfig(epochs=2, batch_size=64, device="cpu")).completed
    ae, gauss = models["ae"], models["ae-gauss"]
    # the same network, trained the same way: the very same weights
    assert all(torch.equal(v, gauss.state_dict()[k]) for k, v in ae.state_dict().items())
    codes = encode(gauss, tiny_digits.x_train)[0].astype(np.float64)
    chol = gauss.code_chol.numpy().astype(np.float64)
    assert np.allclose(gauss.code_mean.numpy(), codes.mean(0), atol=1e-5)
    assert np.allclose(chol @ chol.T, np.cov(codes, rowvar=False), rtol=1e-4, atol=1e-5)
    # its generator draws N(m, C) from the same ε as everyone's prior; the AE's generator is the prior itself
    z = generator_codes(gauss, 4000, seed=0)
    eps = prior_samples(4000, 2, seed=0)
    assert np.allclose(z, gauss.code_mean.numpy() + eps @ chol.T, atol=1e-4)
    assert np.array_equal(generator_codes(ae, 16, seed=3), prior_samples(16, 2, seed=3))
    assert np.allclose(np.cov(z, rowvar=False), np.cov(codes, rowvar=False), rtol=0.1, atol=0.05)


def test_ae_gauss_keeps_its_gaussian_through_save_and_load(tmp_path):
    import torch

    from vae.checkpoint import load_model, save_model
    from vae.models import build_model

    from conftest import tiny_config

    model = build_model(tiny_config(kind="ae-gauss", latent_dim=3))
    with torch.no_grad():
        model.code_mean.copy_(torch.tensor([1.0, -2.0, 0.5]))
        model.code_chol.copy_(torch.tensor([[2.0, 0, 0], [0.3, 1.0, 0], [0, 0, 0.1]]))
    save_model(model, tmp_path / "g")
    again = load_model(tmp_path / "g")
    assert torch.equal(again.code_mean, model.code_mean) and torch.equal(again.code_chol, model.code_chol)


@pytest.mark.slow
def test_pages_lay_out_one_column_per_kind_in_play(tmp_path, monkeypatch):
    """Generate shows the lecture's trio by default; picking the shipped AE + Gaussian in the sidebar adds a
    fourth column with its own generator's caption (no page knows how many kinds there are)."""
    from apptest_utils import open_page
    from conftest import require_shipped
    from vae.ui.cache import store_listing

    require_shipped("mnist-aegauss-2d")
    monkeypatch.setenv("VAE_MODEL_STORE", str(tmp_path))
    store_listing.clear()
    at = open_page("generate", "en")
    at.button(key="generate.show").click().run()

    labels = tuple(f"**{k.labels['short']['en']}**" for k in KINDS.values())

    def headers():  # one column header per kind: its bold short name
        return [m.value for m in at.markdown if m.value.split(" — ")[0] in labels]

    assert not at.exception
    assert at.selectbox(key="sel_ae-gauss_mnist_2").value == ""  # not in the lecture's trio: off by default
    assert len(headers()) == 3
    at.selectbox(key="sel_ae-gauss_mnist_2").set_value("pretrained/mnist-aegauss-2d").run()
    assert not at.exception
    assert len(headers()) == 4 and headers()[-1].startswith("**AE + Gaussian**")
    assert any(c.value.startswith("z ~ N(m, C)") for c in at.caption)


def test_lecture_claims_judge_only_the_lecture_kinds():
    from vae.ui.compare_view import check_claims

    # the AE + Gaussian has the AE's weights, hence its reconstruction: a tie that must not break the AE's claim
    claims = {c.metric: c for c in check_claims({"recon": {"ae": 100.0, "vae": 110.0, "beta-vae": 120.0, "ae-gauss": 100.0}})}
    assert claims["recon"].holds is True and claims["recon"].winners == {"ae"}


@pytest.mark.slow
def test_fact_a_gaussian_fitted_to_the_ae_codes_fixes_coverage_not_holes(mnist):
    """Shipped 2-D models: the AE + Gaussian (same weights as the AE) generates all the digits the AE's N(0, I)
    samples miss, but its codes fall into the holes of the code cloud more often than the VAE's prior samples."""
    from conftest import require_shipped
    from vae import regularity as R
    from vae.checkpoint import PRETRAINED_DIR, load_model
    from vae.classifier import load_classifier
    from vae.latent import encode, generator_codes

    require_shipped("mnist-ae-2d", "mnist-aegauss-2d", "mnist-vae-2d", "_classifiers/mnist")
    clf = load_classifier("mnist")
    ae, gauss, vae = (load_model(PRETRAINED_DIR / n) for n in ("mnist-ae-2d", "mnist-aegauss-2d", "mnist-vae-2d"))
    q_ae, q_gauss = R.prior_sample_quality(ae, clf, n=1000), R.prior_sample_quality(gauss, clf, n=1000)
    assert q_gauss["prior_class_entropy"] > q_ae["prior_class_entropy"] + 0.5, (q_ae, q_gauss)
    x = mnist.x_test
    mu_g, _ = encode(gauss, x)
    mu_v, logvar_v = encode(vae, x)
    holes_gauss = R.holes(mu_g, samples=generator_codes(gauss, 1000))
    holes_vae = R.holes(mu_v, logvar=logvar_v, samples=generator_codes(vae, 1000))
    assert holes_gauss > 2 * holes_vae, (holes_gauss, holes_vae)
