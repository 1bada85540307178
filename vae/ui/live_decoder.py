"""The live decoder: a Streamlit component (``st.components.v2.component``, inline JS/CSS, no build step)
that decodes latent codes in the browser on every input event.

How it works
------------
* Python exports the MLP decoder's layers (:mod:`vae.decoder_export`) as base64 float32 plus a spec,
  and sends them in the component's ``data`` only while the browser has not confirmed holding them
  (the component's ``cached`` state: a list of weight hashes). The browser keeps decoders in a
  ``Map`` on ``window`` keyed by weights hash, so switching back to a model needs no transfer.
* Slider ``input`` events and pointer moves on the 2-D pad decode synchronously in JavaScript
  (Float32Array matrix-vector products) and ``putImageData`` on a canvas scaled by CSS (pixelated).
* On release (slider ``change``, pad ``pointerup``, reset) the component calls
  ``setStateValue("code", {z, seq})``: one rerun of the enclosing fragment, never one per move.
* Decoders that are not dense chains (conv bodies) are refused by the exporter: the caller shows a
  translated note and keeps the server-side controls.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from vae.decoder_export import UnsupportedDecoder, export_decoder, floats_b64, weights_payload
from vae.ui import cache
from vae.ui.i18n import t
from vae.ui.walk_figures import dim_name

ASSETS = Path(__file__).with_name("live_decoder")
JS = (ASSETS / "live_decoder.js").read_text(encoding="utf-8")
CSS = (ASSETS / "live_decoder.css").read_text(encoding="utf-8")
N_POINTS = 1000

_component = st.components.v2.component("vae_live_decoder", js=JS, css=CSS)


@st.cache_resource(show_spinner=False, max_entries=32)
def _payload(path: str, version: float) -> dict:
    """Spec + base64 weights + hash of a model's decoder (raises UnsupportedDecoder for conv bodies)."""
    return weights_payload(export_decoder(cache.get_model(path)))


def decoder_payload(path: str) -> dict:
    """The browser payload of the model in ``path`` (cached per path and weights file version)."""
    return _payload(path, cache.model_version(path))


@st.cache_resource(show_spinner=False, max_entries=32)
def _points(path: str, version: float) -> dict:
    enc = cache.encoded_test_set(path)
    mu, labels = enc["mu"], enc["labels"]
    idx = np.sort(np.random.default_rng(0).choice(len(mu), min(N_POINTS, len(mu)), replace=False))
    return {"points_b64": floats_b64(mu[idx]), "point_labels": [int(v) for v in labels[idx]],
            "points_hash": f"{path}:{version}:{len(idx)}"}


def pad_limit(mu: np.ndarray) -> float:
    """Range ±L of the sliders and the pad: at least the prior's 4σ, wider when the codes spread further
    (an AE's codes are not tied to N(0, I))."""
    spread = float(np.percentile(np.abs(mu), 99.5)) if len(mu) else 0.0
    return float(max(4.0, np.ceil(spread * 1.1)))


def human_size(n_bytes: int) -> str:
    return f"{n_bytes / 1024:.0f} KB" if n_bytes < 1024 * 1024 else f"{n_bytes / 1024 / 1024:.1f} MB"


def _noop() -> None:
    pass


def _code_of(value, d: int) -> np.ndarray | None:
    code = (value or {}).get("code") if isinstance(value, dict) else getattr(value, "code", None)
    if isinstance(code, dict) and isinstance(code.get("z"), list) and len(code["z"]) == d:
        return np.asarray(code["z"], np.float32)
    return None


def build_data(path: str, model_id: str, z0: np.ndarray, order: list[int], labels: dict[int, str],
               pad_dims: tuple[int, int], cached: list[str], pad_only: bool = False, instance: str = "",
               names: dict[int, str] | None = None) -> dict:
    """Everything the component receives; the weights only when ``cached`` lacks their hash."""
    payload = decoder_payload(path)
    pts = _points(path, cache.model_version(path))
    enc = cache.encoded_test_set(path)
    d = len(z0)
    data = {
        "model_id": model_id, "hash": payload["hash"], "spec": payload["spec"], "cached": list(cached),
        "z0": [round(float(v), 4) for v in z0], "order": [int(i) for i in order],
        "labels": {int(i): labels[i] for i in range(d)},
        "names": {int(i): (names or {}).get(i, dim_name(i)) for i in range(d)},
        "pad_dims": [int(pad_dims[0]), int(pad_dims[1])],
        "limit": pad_limit(enc["mu"]), "pad_only": bool(pad_only), "instance": instance, **pts,
        "text": {
            "sliders": t("live.sliders"), "reset": t("live.reset"), "pad": t("live.pad"),
            "pad_x": t("live.pad_x"), "pad_y": t("live.pad_y"), "pad_caption": t("live.pad_caption"),
            "decoded": t("live.decoded"), "norm": t("live.norm", norm="{norm}"), "loading": t("live.loading"),
            "browser_note": t("live.browser_note", size=human_size(len(payload["b64"]))),
        },
    }
    if payload["hash"] not in cached:
        data["weights_b64"] = payload["b64"]
    return data


def _state(key: str) -> dict:
    try:
        value = st.session_state.get(key)
        return dict(value) if value is not None else {}
    except Exception:  # noqa: BLE001 - the component state is absent or not a mapping yet
        return {}


def live_decoder(*, key: str, path: str, model_id: str, z0: np.ndarray, order: list[int],
                 labels: dict[int, str], pad_dims: tuple[int, int] = (0, 1), pad_only: bool = False,
                 names: dict[int, str] | None = None, height: int | str = "content", on_code=None) -> np.ndarray | None:
    """Mount the live decoder; return the last code the browser reported on release (or None).

    ``on_code(z)`` (optional) runs as a widget callback, before the rerun, each time the browser reports
    a code: it may set other widgets' session state (e.g. the map's decode coordinates).

    For a decoder the browser cannot run, show a translated note (server decoding stays in use) and
    return None.
    """
    try:
        decoder_payload(path)
    except UnsupportedDecoder as exc:
        st.info(t("live.server_fallback", reason=str(exc)))
        return None
    state = _state(key)
    data = build_data(path, model_id, np.asarray(z0, np.float32), order, labels, pad_dims,
                      cached=[h for h in state.get("cached") or [] if isinstance(h, str)],
                      pad_only=pad_only, instance=key, names=names)
    d = len(z0)

    def _on_code() -> None:
        z = _code_of(_state(key), d)
        if on_code is not None and z is not None:
            on_code(z)

    result = _component(key=key, data=data, default={"code": None, "cached": []}, height=height,
                        on_code_change=_on_code, on_cached_change=_noop)
    return _code_of(result, d)
