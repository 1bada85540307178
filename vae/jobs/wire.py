"""Training jobs as text, for the distributed queue (``vae.jobs.queue_*``): job specs and progress events ↔ JSON.

Everything that crosses Redis is JSON, never a pickle: a job is read by a worker on another machine, and an event
by every replica, so a forged entry in Redis must at worst be refused, never run code.

* :func:`spec_to_wire` / :func:`spec_from_wire`: a :class:`vae.jobs.pool.JobSpec` with a dataset *by name* (a
  registry name, or an upload of the store: ``npz:<store>/.uploads/…``); the configs are validated again on the
  way in, the name checked as a model name and the upload as a file of the store's uploads.
* :func:`encode_event` / :func:`decode_event`: a training callback event (``epoch``, the film's ``snapshot`` with
  its NumPy arrays, …). Arrays travel as ``{"__ndarray__": dtype, "shape": [...], "data": base64}`` for a few
  plain dtypes only, their size checked against their shape.
"""
from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np

from ..checkpoint import safe_model_path, uploads_dir
from ..config import ModelConfig, TrainConfig
from ..data import Dataset, dataset_image_shape
from ..errors import ExplorerError

DTYPES = ("float32", "float64", "int32", "int64", "uint8")
MAX_EVENT_CHARS = 8_000_000   # one decoded event (a film snapshot of a few thousand codes is ~100 kB)
MAX_SPEC_CHARS = 65_536


class WireError(ExplorerError):
    """A job spec or an event read from the queue that is not what this version writes."""


def spec_to_wire(spec) -> dict:
    """A job spec as a JSON-ready dict. Its dataset must be a name: a ``Dataset`` in memory cannot reach a worker
    on another machine (the page always submits names; a script can use the local pool)."""
    if isinstance(spec.dataset, Dataset):
        raise WireError("a training on the shared queue takes its dataset by name (a dataset in memory cannot "
                        "reach a worker on another machine)")
    return {"name": str(spec.name), "model_cfg": spec.model_cfg.to_dict(), "train_cfg": spec.train_cfg.to_dict(),
            "dataset": str(spec.dataset), "n_train": int(spec.n_train), "store": str(Path(spec.store).absolute()),
            "session": str(spec.session), "store_dtype": str(spec.store_dtype), "submitter": str(spec.submitter)}


def spec_from_wire(raw: str | dict):
    """The :class:`vae.jobs.pool.JobSpec` of a wire dict (or its JSON text), checked as if typed in the form:
    configs validated, the name a valid model name of its store, an upload inside the store's uploads.
    Raises :class:`WireError` with the reason."""
    from .pool import JobSpec

    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(raw, str) and len(raw) > MAX_SPEC_CHARS:
            raise WireError("job spec too large")
        if not isinstance(data, dict):
            raise WireError("job spec is not an object")
        store = Path(str(data["store"]))
        if not store.is_absolute():
            raise WireError("job spec's store is not an absolute path")
        safe_model_path(str(data["name"]), store)
        dataset = str(data["dataset"])
        dataset_image_shape(dataset, uploads=uploads_dir(store) if dataset.startswith("npz:") else None)
        dtype = str(data.get("store_dtype", "float32"))
        if dtype not in ("float32", "float16"):
            raise WireError(f"unknown store dtype {dtype[:20]!r}")
        return JobSpec(name=str(data["name"]), model_cfg=ModelConfig.from_dict(data["model_cfg"]),
                       train_cfg=TrainConfig.from_dict(data["train_cfg"]), dataset=dataset,
                       n_train=int(data["n_train"]), store=store, session=str(data.get("session", "")),
                       store_dtype=dtype, submitter=str(data.get("submitter", "")))
    except WireError:
        raise
    except (ExplorerError, KeyError, TypeError, ValueError) as exc:
        raise WireError(f"invalid job spec: {str(exc)[:200]}") from None


def _encode(value):
    if isinstance(value, np.ndarray):
        if value.dtype.name not in DTYPES:
            raise WireError(f"arrays of {value.dtype.name} are not sent")
        return {"__ndarray__": value.dtype.name, "shape": list(value.shape),
                "data": base64.b64encode(np.ascontiguousarray(value).tobytes()).decode("ascii")}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None  # JSON has no NaN; an unfinished loss shows as "—"
    return value


def _decode(value):
    if isinstance(value, dict):
        if "__ndarray__" in value:
            dtype, shape = value["__ndarray__"], value.get("shape")
            if dtype not in DTYPES or not isinstance(shape, list) or not all(isinstance(n, int) and n >= 0 for n in shape):
                raise WireError("malformed array in an event")
            raw = base64.b64decode(str(value.get("data", "")), validate=True)
            if len(raw) != math.prod(shape) * np.dtype(dtype).itemsize:
                raise WireError("an array's data does not match its shape")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def encode_event(event: str, info) -> str:
    """One training callback event as JSON text (``WireError`` for what cannot travel: the event is then dropped,
    as the local pool drops an event it cannot pickle)."""
    try:
        return json.dumps({"event": str(event), "info": _encode(info)}, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise WireError(f"event {event!r} cannot be sent: {exc}") from None


def decode_event(text: str) -> tuple[str, object]:
    """``(event, info)`` of :func:`encode_event`'s text, arrays rebuilt; ``WireError`` if malformed or too large."""
    if not isinstance(text, str) or len(text) > MAX_EVENT_CHARS:
        raise WireError("event missing or too large")
    try:
        data = json.loads(text)
        if not isinstance(data, dict) or not isinstance(data.get("event"), str):
            raise WireError("malformed event")
        return data["event"], _decode(data.get("info"))
    except (ValueError, TypeError, AttributeError) as exc:
        raise WireError(f"malformed event: {str(exc)[:100]}") from None
