"""The rest of a β sweep, shipped as numbers only: members of a sweep whose weights are not in ``pretrained/``.

``pretrained/`` has a 40 MB budget, and the Fashion-MNIST β sweep (β = 0.25, 0.5, 2, 8 beside the shipped VAE and
β-VAE, at d = 2 and d = 16) would add about 9 MB of weights. Compare's β slide and the claims table
(``scripts/claims_table.py``) need only each member's report and training history, so
``scripts/train_sweep_reports.py`` trains each member with the shipped β-VAE's own recorded command and ``--beta B``,
scores it like a shipped model (``vae.report.compute_report``) and keeps ``pretrained/_sweeps/<name>/`` =
config.json, metrics.json and report.json. ``sweep_members`` lists them as :class:`~vae.checkpoint.ModelInfo` with
``source = "report"``: they join a sweep's chart and trends, never a model picker (nothing to decode with).
"""
from __future__ import annotations

import functools
import json
import os
import re
import shutil
from pathlib import Path

from .bounded_io import read_json
from .checkpoint import CONFIG, METRICS, PRETRAINED_DIR, ModelInfo, read_config, write_folder_atomically
from .errors import CheckpointError, ExplorerError
from .kinds import get_kind

SWEEPS_DIR = PRETRAINED_DIR / "_sweeps"
REPORT = "report.json"
MAX_REPORT_BYTES = 1 << 20
SOURCE = "report"
# The shipped β-VAEs whose sweeps are completed by report-only members.
SWEEP_BASES = ("fashion-mnist-betavae4-2d", "fashion-mnist-betavae4-16d")


def member_name(base: str, beta: float) -> str:
    """The name of ``base``'s sibling at ``beta``: fashion-mnist-betavae4-2d, 0.5 → fashion-mnist-betavae0.5-2d."""
    name, n = re.subn(r"betavae[0-9.]+-", f"betavae{beta:g}-", base, count=1)
    if not n:
        raise ValueError(f"{base!r} is not a β-VAE's name (…-betavae<β>-…)")
    return name


def write_sweep_member(name: str, trained: str | os.PathLike, report: dict) -> Path:
    """Store the config, metrics (its recorded ``--out`` pointed at the member's folder) and ``report`` of the
    model trained in folder ``trained`` as sweep member ``name``, replacing an earlier one atomically."""
    trained = Path(trained)
    metrics = json.loads((trained / METRICS).read_text())
    if isinstance(metrics.get("command"), str):
        metrics["command"] = re.sub(r"--out \S+", f"--out pretrained/_sweeps/{name}", metrics["command"])

    def write(tmp: Path) -> None:
        shutil.copyfile(trained / CONFIG, tmp / CONFIG)
        (tmp / METRICS).write_text(json.dumps(metrics, indent=1))
        (tmp / REPORT).write_text(json.dumps(report, indent=1))

    write_folder_atomically(SWEEPS_DIR / name, write, overwrite=True)
    return SWEEPS_DIR / name


def sweep_members(root: Path | None = None) -> list[ModelInfo]:
    """Every stored report-only sweep member (``source = "report"``); a folder whose config or report cannot be
    read is left out, so one broken file never hides the others. Parsed once per version of the files (their
    modification times, a few stats): Compare asks on every rerun."""
    root = Path(root or SWEEPS_DIR)
    try:
        files = sorted(f for name in (CONFIG, REPORT) for f in root.glob(f"*/{name}"))
        version = (root.stat().st_mtime, *(os.stat(f).st_mtime for f in files))
    except OSError:
        return []
    return list(_members(str(root), version))


@functools.lru_cache(maxsize=8)
def _members(root_path: str, version: tuple) -> tuple[ModelInfo, ...]:
    root = Path(root_path)
    out = []
    for folder in sorted(root.iterdir()):
        if folder.name.startswith((".", "_")) or folder.is_symlink() or not folder.is_dir():
            continue
        try:
            mcfg, _ = read_config(folder)
        except (CheckpointError, ExplorerError, OSError, ValueError):
            continue
        if not (folder / REPORT).is_file() or not get_kind(mcfg.kind).beta.weighs_kl:
            continue
        out.append(ModelInfo(id=f"{SOURCE}/{folder.name}", path=str(folder), source=SOURCE, kind=mcfg.kind,
                             beta=mcfg.beta, latent_dim=mcfg.latent_dim, dataset=mcfg.dataset, arch=mcfg.arch,
                             noise=mcfg.noise, recon=mcfg.recon))
    return tuple(out)


def is_sweep_member(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` is a report-only sweep member (a folder of ``pretrained/_sweeps``)."""
    return Path(folder).parent.resolve() == SWEEPS_DIR.resolve()


def member_report(path: str | os.PathLike) -> dict | None:
    """The stored report of a sweep member's folder; None when it is missing or unreadable."""
    try:
        report = read_json(Path(path) / REPORT, limit=MAX_REPORT_BYTES)
    except (ExplorerError, OSError, ValueError):
        return None
    return report if isinstance(report, dict) else None
