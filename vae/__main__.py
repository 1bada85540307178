"""Command line: ``latent-explorer`` (or ``python -m vae``) ``serve | train | evaluate | list | jobs | worker | handout``.

``serve`` starts the app (``vae.ui.serve``: the one launcher; its options are Streamlit's and ``--production``).
``worker --redis URL`` trains the app's queued trainings on this machine (``vae.jobs.queue_worker``, docs/redis.md).

Errors a user can cause (bad option, missing dataset, corrupt checkpoint, NaN training) print one
clear line on stderr and exit with status 1 or 2, never a traceback.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

import torch
from tqdm import tqdm

from . import __version__
from .checkpoint import PRETRAINED_DIR, list_models, load_model
from .config import ARCHS, RECON_LOSSES, ModelConfig, TrainConfig
from .data import load_dataset
from .errors import ExplorerError
from .jobs import cli as jobs_cli
from .jobs import queue_worker
from .kinds import KINDS, get_kind, kind_names
from .metrics import evaluate_model
from .training_run import train_and_save


def _beta_help(kind) -> str:
    """One kind's β rule in a few words, for ``--help``."""
    if not kind.beta.weighs_kl:
        return "none"
    return f"default {kind.beta.default:g}" if kind.beta.free else f"{kind.beta.default:g}"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="latent-explorer", description="Serve the explorer; train, evaluate and list "
                                "auto-encoders (" + ", ".join(kind_names()) + ").")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="start the web app (options: --production, and Streamlit's, e.g. --server.port=8501)",
                   add_help=False)

    t = sub.add_parser("train", help="train a model and save it as a model folder")
    t.add_argument("--kind", choices=kind_names(), required=True)
    t.add_argument("--beta", type=float, default=None, help="weight of the KL term; default and allowed values depend on the kind ("
                   + ", ".join(f"{k.name}: {_beta_help(k)}" for k in KINDS.values()) + ")")
    t.add_argument("--latent-dim", type=int, default=2)
    t.add_argument("--dataset", default="mnist", help="mnist, digits, sprites, mnist-full, fashion-mnist or npz:PATH")
    t.add_argument("--arch", choices=ARCHS, default="mlp")
    t.add_argument("--hidden", type=int, nargs="+", default=[256, 128], help="hidden layer sizes")
    t.add_argument("--recon", choices=RECON_LOSSES, default="bce")
    t.add_argument("--noise", type=float, default=0.0, help="denoising: std of the Gaussian noise added to inputs")
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--early-stop", type=int, default=0, metavar="PATIENCE",
                   help="stop after PATIENCE epochs without a better validation loss and keep the best epoch (0 = off)")
    t.add_argument("--val-fraction", type=float, default=None, metavar="F",
                   help="share of the training split held out for validation (default 0.1 with --early-stop, else 0)")
    t.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    t.add_argument("--store-dtype", choices=["float32", "float16"], default="float32",
                   help="precision of the saved weights (loading always gives float32)")
    t.add_argument("--force", action="store_true", help="overwrite an existing folder (needed to write into pretrained/)")
    t.add_argument("--out", required=True, help="model folder to create")

    e = sub.add_parser("evaluate", help="metrics of one model folder on its test split")
    e.add_argument("dir")
    e.add_argument("--json", action="store_true")
    e.add_argument("--no-cache", action="store_true", help="recompute even if report.json matches the weights")

    c = sub.add_parser("train-classifier", help="train the classifier (digits or clothes) that scores generated samples")
    c.add_argument("--dataset", default="mnist")
    c.add_argument("--epochs", type=int, default=15)
    c.add_argument("--seed", type=int, default=0)
    c.add_argument("--out", default=None, help="folder (default pretrained/_classifiers/DATASET)")

    ls = sub.add_parser("list", help="every model the app can open")
    ls.add_argument("--json", action="store_true")
    h = sub.add_parser("handout", help="write the lecture as one offline HTML file (no server, no network needed)")
    h.add_argument("--lang", choices=["fr", "en"], default="fr", help="the file's language (default fr, the course's)")
    h.add_argument("--out", required=True, help="the .html file to write")
    jobs_cli.add_parser(sub)
    queue_worker.add_parser(sub)
    return p


def advance_to(bar: tqdm, epochs_done: float) -> None:
    """Move a progress bar counted in epochs to a fractional position (batches within an epoch), so the CLI shows
    progress at least every second on a large data set; tqdm itself redraws at most every 0.1 s."""
    step = round(epochs_done, 2) - bar.n  # "12.35/100 epochs"
    if step > 0:
        bar.update(step)


def cmd_train(args) -> int:
    beta = get_kind(args.kind).beta.resolve(args.kind, args.beta)  # the kind's rule, before loading anything
    data = load_dataset(args.dataset)
    mcfg = ModelConfig(kind=args.kind, latent_dim=args.latent_dim, image_shape=data.image_shape, arch=args.arch,
                       hidden=list(args.hidden), beta=beta, recon=args.recon, noise=args.noise, dataset=args.dataset).validate()
    val_fraction = args.val_fraction if args.val_fraction is not None else (0.1 if args.early_stop else 0.0)
    tcfg = TrainConfig(epochs=args.epochs, lr=args.lr, batch_size=args.batch_size, seed=args.seed, device=args.device,
                       val_fraction=val_fraction, early_stop=args.early_stop).validate()
    out = Path(args.out)
    if out.exists() and not args.force:
        raise ExplorerError(f"{out} already exists (pass --force to replace it)")
    if not args.force and (out.resolve() == PRETRAINED_DIR or PRETRAINED_DIR in out.resolve().parents):
        # refuse before training, not after: save_model would refuse it anyway
        raise ExplorerError("refusing to write into pretrained/: user models go to the user store (--force to regenerate)")
    bars: list[tqdm] = []  # opened at the first batch: a model refused while being built prints only its error

    def progress(event: str, info: dict) -> None:
        if not bars:
            bars.append(tqdm(total=tcfg.epochs, desc=f"{mcfg.kind} d={mcfg.latent_dim}", unit="epoch"))
        bar = bars[0]
        if event == "batch":  # within an epoch too: an epoch of 60,000 images takes seconds
            advance_to(bar, info["epoch"] - 1 + info["step"] / info["steps"])
        elif event == "epoch":
            advance_to(bar, info["epoch"])
            post = {"test": f"{info['test_total']:.2f}", "recon": f"{info['test_recon']:.2f}"}
            if info["test_kl"] is not None:
                post["kl"] = f"{info['test_kl']:.2f}"
            bar.set_postfix(post)

    dtype = torch.float16 if args.store_dtype == "float16" else torch.float32
    run = train_and_save(mcfg, tcfg, data, out, callback=progress, store_dtype=dtype, overwrite=args.force,
                         extra_metrics={"command": "python -m vae " + shlex.join(args.argv)})
    for bar in bars:
        bar.close()
    if not run.saved:
        print(f"error: {run.fit.stop_reason}; nothing was saved", file=sys.stderr)
        return 1
    metrics, result = run.metrics, run.fit
    print(f"saved {out}: test loss {metrics['loss']:.2f} (recon {metrics['recon']:.2f}"
          + (f", KL {metrics['kl']:.2f}" if metrics["kl"] is not None else "") + f") in {result.seconds:.1f}s"
          + (f"; early stopping kept epoch {result.best_epoch} of {len(result.history)}" if result.best_epoch else ""))
    return 0


def evaluate_folder(folder: str | Path) -> dict:
    """Load a model folder and compute its core metrics on its dataset's test split."""
    from .report import load_model_and_data

    return evaluate_model(*load_model_and_data(folder))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    return str(value)


def cmd_evaluate(args) -> int:
    from .report import model_report

    load_model(args.dir)  # a missing or corrupt folder fails here with a clear CheckpointError
    metrics = model_report(args.dir, use_cache=not args.no_cache, ship=True)  # report.json beside the weights
    if args.json:
        print(json.dumps(metrics))
    else:
        for k, v in metrics.items():
            print(f"{k:>26}: {_fmt(v)}")
    return 0


def cmd_train_classifier(args) -> int:
    from .classifier import CLASSIFIER_DIR, accuracy, save_classifier, train_classifier
    from .training_run import round_to

    data = load_dataset(args.dataset)
    bar = tqdm(total=args.epochs, desc=f"classifier {args.dataset}", unit="epoch")
    model, acc = train_classifier(data, epochs=args.epochs, seed=args.seed,
                                  progress=lambda done, n: advance_to(bar, done))
    bar.close()
    round_to(model, torch.float16)  # stored as float16: the accuracy is the stored weights' own
    acc = accuracy(model, data.x_test, data.y_test)
    out = Path(args.out) if args.out else CLASSIFIER_DIR / args.dataset
    save_classifier(model, out, {"dataset": args.dataset, "test_accuracy": acc, "epochs": args.epochs, "seed": args.seed,
                                 "command": "python -m vae " + shlex.join(args.argv)})
    print(f"saved {out}: test accuracy {acc:.4f}")
    return 0


def cmd_list(args) -> int:
    models = list_models()
    if args.json:
        print(json.dumps([m.to_dict() for m in models]))
        return 0
    print(f"{'id':<40} {'kind':<9} {'beta':>5} {'d':>3}  dataset")
    for m in models:
        beta = "-" if m.beta is None else f"{m.beta:g}"
        print(f"{m.id:<40} {m.kind:<9} {beta:>5} {m.latent_dim:>3}  {m.dataset}")
    return 0


def cmd_handout(args) -> int:
    import logging

    import streamlit  # noqa: F401  (its loggers exist from here on)

    from .handout import write_handout

    # the file reuses the app's cached builders; run from a shell they have no Streamlit runtime, and say so per call
    for api in ("cache_data_api", "cache_resource_api"):
        logging.getLogger(f"streamlit.runtime.caching.{api}").setLevel(logging.ERROR)
    size = write_handout(args.lang, args.out)
    print(f"wrote {args.out} ({size / 1e6:.2f} MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run a command; user errors become one line on stderr."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:  # the rest of the line belongs to the launcher (Streamlit's own options)
        from .ui.serve import main as serve

        serve(argv[1:])
        return 0
    args = _parser().parse_args(argv)
    args.argv = argv
    try:
        return {"train": cmd_train, "evaluate": cmd_evaluate, "list": cmd_list,
                "train-classifier": cmd_train_classifier, "jobs": jobs_cli.cmd_jobs,
                "worker": queue_worker.cmd_worker, "handout": cmd_handout}[args.command](args)
    except (ExplorerError, ValueError, OSError) as exc:  # OSError: unreadable file, disk full, …
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
