"""The kinds registry: what each kind declares, and β's one rule, applied the same way by the config,
the CLI and the Train form (same acceptance, same message)."""
from __future__ import annotations

import pytest

from vae.__main__ import main as cli
from vae.config import ModelConfig
from vae.errors import ConfigError
from vae.kinds import DEFAULT_KIND, KINDS, BetaError, get_kind, kind_names
from vae.ui.training_job import make_configs

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
