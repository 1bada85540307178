"""ModelConfig / TrainConfig: strict JSON round trip, unknown keys and absurd values refused."""
from __future__ import annotations

import json

import pytest

from vae.config import ModelConfig, TrainConfig
from vae.errors import ConfigError
from vae.models import MAX_PARAMETERS, build_model, check_size, parameter_count


def test_model_config_json_round_trip():
    cfg = ModelConfig(kind="beta-vae", latent_dim=7, image_shape=(32, 32), arch="conv", hidden=[64, 32],
                      beta=2.5, recon="mse", noise=0.3, dataset="sprites")
    text = cfg.to_json()
    back = ModelConfig.from_json(text)
    assert back == cfg
    assert back.image_shape == (32, 32) and isinstance(back.image_shape, tuple)
    assert isinstance(back.hidden, list)
    assert json.loads(text)["image_shape"] == [32, 32]
    assert ModelConfig.from_dict(cfg.to_dict()) == cfg


def test_train_config_round_trip():
    t = TrainConfig(epochs=3, lr=0.01, batch_size=32, seed=7, device="cpu")
    assert TrainConfig.from_dict(json.loads(json.dumps(t.to_dict()))) == t


def test_defaults_are_valid():
    assert ModelConfig().validate() is not None
    assert TrainConfig().validate() is not None


@pytest.mark.parametrize("cls", [ModelConfig, TrainConfig])
def test_unknown_key_rejected_naming_it(cls):
    data = cls().to_dict()
    data["lantent_dim"] = 3  # a typo must not be silently ignored
    with pytest.raises(ConfigError, match="lantent_dim"):
        cls.from_dict(data)


def test_invalid_json_and_non_object():
    with pytest.raises(ConfigError, match="JSON"):
        ModelConfig.from_json("{not json")
    with pytest.raises(ConfigError):
        ModelConfig.from_json("[1, 2]")


@pytest.mark.parametrize("changes, field", [
    ({"latent_dim": 10**9}, "latent_dim"),
    ({"latent_dim": 0}, "latent_dim"),
    ({"latent_dim": 2.5}, "latent_dim"),
    ({"latent_dim": True}, "latent_dim"),
    ({"kind": "beta-vae", "beta": -1.0}, "beta"),
    ({"kind": "beta-vae", "beta": float("nan")}, "beta"),
    ({"kind": "gan"}, "kind"),
    ({"arch": "transformer"}, "arch"),
    ({"recon": "huber"}, "recon"),
    ({"hidden": []}, "hidden"),
    ({"hidden": [10**7]}, "hidden"),
    ({"hidden": [16] * 20}, "hidden"),
    ({"image_shape": (0, 28)}, "image_shape"),
    ({"image_shape": (10**6, 10**6)}, "image_shape"),
    ({"noise": -0.1}, "noise"),
    ({"noise": 2.0}, "noise"),
    ({"arch": "conv", "image_shape": (30, 30)}, "conv"),
    ({"kind": "ae", "beta": 4.0}, "ae"),
])
def test_absurd_model_values_rejected(changes, field):
    data = ModelConfig().to_dict()
    data.update(changes)
    with pytest.raises(ConfigError, match=field):
        ModelConfig.from_dict(data)


def test_vae_with_beta_other_than_one_rejected():
    with pytest.raises(ConfigError, match="beta-vae"):
        ModelConfig(kind="vae", beta=4.0)
    with pytest.raises(ConfigError):
        ModelConfig.from_dict({"kind": "vae", "beta": 4})
    assert ModelConfig(kind="beta-vae", beta=4.0).validate().beta == 4.0


@pytest.mark.parametrize("changes, field", [
    ({"epochs": 0}, "epochs"),
    ({"epochs": -5}, "epochs"),
    ({"lr": 0}, "lr"),
    ({"lr": -1e-3}, "lr"),
    ({"lr": float("inf")}, "lr"),
    ({"batch_size": 0}, "batch_size"),
    ({"seed": -1}, "seed"),
    ({"device": "tpu"}, "device"),
])
def test_absurd_train_values_rejected(changes, field):
    data = TrainConfig().to_dict()
    data.update(changes)
    with pytest.raises(ConfigError, match=field):
        TrainConfig.from_dict(data)


def test_missing_keys_use_defaults_and_wrong_types_rejected():
    assert ModelConfig.from_dict({"kind": "ae"}).kind == "ae"
    with pytest.raises(ConfigError):
        ModelConfig.from_dict({"latent_dim": "2"})
    with pytest.raises(ConfigError):
        TrainConfig.from_dict({"epochs": "10"})


def test_build_model_refuses_too_many_parameters():
    # Every field within its own bounds, but together far too large a network.
    huge = ModelConfig(kind="vae", image_shape=(128, 128), hidden=[4096] * 8, latent_dim=512)
    huge.validate()
    assert parameter_count(huge) > MAX_PARAMETERS
    with pytest.raises(ConfigError, match="parameters"):
        check_size(huge)
    with pytest.raises(ConfigError, match="parameters"):
        build_model(huge)


@pytest.mark.parametrize("cfg", [
    ModelConfig(kind="ae", image_shape=(8, 8), hidden=[16], latent_dim=3),
    ModelConfig(kind="vae", image_shape=(28, 28), hidden=[400], latent_dim=20),
    ModelConfig(kind="beta-vae", beta=4.0, arch="conv", image_shape=(32, 32), hidden=[64], latent_dim=10),
    ModelConfig(kind="ae", arch="conv", image_shape=(28, 28), hidden=[32, 16], latent_dim=2),
])
def test_parameter_count_matches_built_model(cfg):
    model = build_model(cfg)
    assert parameter_count(cfg) == sum(p.numel() for p in model.parameters())


def test_build_model_validates_before_allocating():
    with pytest.raises(ConfigError, match="latent_dim"):
        build_model(ModelConfig(latent_dim=10**9))
