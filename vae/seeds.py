"""The shipped lecture models' metrics over more training seeds, without shipping their weights.

One seed can order two models either way when their difference is within the seed-to-seed spread
(Locatello et al. 2019, "Challenging Common Assumptions in the Unsupervised Learning of Disentangled
Representations", §5: the random seed matters more than most hyperparameters). ``scripts/train_seeds.py``
retrains a shipped model with its own recorded command under other ``--seed`` values, computes each
one's full report (``vae.report.compute_report``) and keeps only the numbers, ~5 kB per model instead of
~1 MB of weights, in ``pretrained/_seeds/<model>/seeds.json`` = {"command": the shipped model's command,
"reports": {seed: report}}. The shipped model itself is seed 0.

``reports_over_seeds`` gives the Compare page every seed of a shipped model, and only while the recorded
command still trains what the model's ``metrics.json`` says it was trained with (``same_recipe``): a model
retrained otherwise never borrows stale seeds.
"""
from __future__ import annotations

import json
import os
import shlex
from pathlib import Path

from .bounded_io import read_json
from .checkpoint import PRETRAINED_DIR, read_metrics, write_folder_atomically
from .errors import ExplorerError

SEEDS_DIR = PRETRAINED_DIR / "_seeds"
SEEDS_FILE = "seeds.json"
MAX_SEEDS_BYTES = 1 << 20
# The models Compare's checklist and β sweep judge: on MNIST the AE and the β sweep (β = 1 is the VAE) at both latent
# sizes; on Fashion-MNIST the trio (AE, VAE, β-VAE with β = 4) at both sizes (no β sweep is shipped there).
LECTURE_MODELS = (tuple(f"mnist-{k}-{d}d" for d in (2, 16)
                        for k in ("ae", "betavae0.25", "betavae0.5", "vae", "betavae2", "betavae4", "betavae8"))
                  + tuple(f"fashion-mnist-{k}-{d}d" for d in (2, 16) for k in ("ae", "vae", "betavae4")))


def seed_argv(command: str, seed: int, out: str | os.PathLike, **overrides: object) -> list[str]:
    """The argv for ``vae.__main__.main`` that reruns a recorded ``python -m vae train …`` command with
    another ``--seed`` and ``--out`` (everything else as recorded, except the options in ``overrides``, e.g.
    ``beta=0.5`` for ``--beta 0.5``: a sibling of the recipe on a β sweep, ``scripts/train_sweep_reports.py``)."""
    argv = shlex.split(command)
    if argv[:4] != ["python", "-m", "vae", "train"]:
        raise ValueError(f"not a training command: {command[:80]!r}")
    argv = argv[3:]
    options = {"--seed": str(seed), "--out": str(out),
               **{"--" + k.replace("_", "-"): str(v) for k, v in overrides.items()}}
    for flag, value in options.items():
        if flag in argv:
            argv[argv.index(flag) + 1] = value
        else:
            argv += [flag, value]
    return argv


def same_recipe(a: str | None, b: str | None) -> bool:
    """Whether two recorded ``python -m vae train`` commands train the same model: the same options once parsed
    (argument order, ``--out`` and ``--force`` do not matter)."""
    from .__main__ import _parser

    def recipe(command: str) -> dict:
        args = vars(_parser().parse_args(shlex.split(command)[3:]))
        return {k: v for k, v in args.items() if k not in ("out", "force", "argv")}

    try:
        return a is not None and b is not None and recipe(a) == recipe(b)
    except (SystemExit, ValueError):  # argparse exits on a command it cannot parse
        return False


def _path(name: str) -> Path:
    return SEEDS_DIR / name / SEEDS_FILE


def write_seed_reports(name: str, command: str, reports: dict[int, dict]) -> Path:
    """Store the per-seed ``reports`` of shipped model ``name`` (trained by ``command`` with seed 0)."""
    payload = json.dumps({"command": command, "reports": {str(s): r for s, r in sorted(reports.items())}}, indent=1)
    write_folder_atomically(SEEDS_DIR / name, lambda tmp: (tmp / SEEDS_FILE).write_text(payload), overwrite=True)
    return _path(name)


def stored_seed_reports(name: str) -> tuple[str | None, dict[int, dict]]:
    """(recorded command, {seed: report}) of shipped model ``name``; (None, {}) when there are none or the
    file is unreadable."""
    try:
        data = read_json(_path(name), limit=MAX_SEEDS_BYTES)
        reports = {int(s): r for s, r in data["reports"].items() if isinstance(r, dict)}
        return str(data["command"]), reports
    except (ExplorerError, OSError, ValueError, KeyError, TypeError, AttributeError):
        return None, {}


def reports_over_seeds(folder: str | os.PathLike, report: dict) -> list[dict]:
    """``report`` (the model's own, seed 0 for a shipped model) followed by the reports of its other seeds,
    when ``folder`` is a shipped model whose seeds were computed from its current command; else [report]."""
    folder = Path(folder)
    if folder.parent.resolve() != PRETRAINED_DIR.resolve():
        return [report]
    command, reports = stored_seed_reports(folder.name)
    if not reports or not same_recipe(command, read_metrics(folder).get("command")):
        return [report]
    return [report, *(reports[s] for s in sorted(reports) if s != 0)]
