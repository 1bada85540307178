"""Training loop with no UI: seeded, reports per epoch through a callback, stops cleanly on NaN.

Like minGPT's trainer it holds no model-specific code: the model's ``forward``,
``losses.loss_terms`` and the model's kind (``vae.kinds``: its regulariser, and its ``after_fit``
hook once training completes) define the objective. Progress goes to ``callback(event, info)``:
``("batch", {epoch, step, steps, loss})`` after every batch and ``("epoch", record)`` after
every epoch, where ``record`` holds train and test ``recon``, ``kl`` and ``total`` (and ``val_*`` when a
validation split is held out, see ``TrainConfig.val_fraction`` and ``early_stop``). Given a
``vae.film.FilmRecorder``, ``fit`` also takes the training film's snapshots on its schedule and emits each as
``("snapshot", event)`` (see ``FilmRecorder.take``), without touching the training's random streams.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass, field
from typing import Callable

import torch

from .config import ModelConfig, TrainConfig
from .data import Dataset
from .film import FilmRecorder
from .denoising import add_noise
from .losses import loss_terms, per_image_terms
from .models import Autoencoder

Callback = Callable[[str, dict], None]
EVAL_SEED = 1234  # fixed noise for test-set ELBO estimates, so evaluation is repeatable


@dataclass
class FitResult:
    """What ``fit`` returns: per-epoch history, whether it completed, and why it stopped if not."""

    history: list[dict] = field(default_factory=list)
    completed: bool = True
    stop_reason: str | None = None
    seconds: float = 0.0
    best_epoch: int | None = None  # with early stopping: the epoch whose weights were kept


def pick_device(name: str = "auto") -> torch.device:
    """CUDA when asked for or available under ``auto``, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


@torch.no_grad()
def evaluate_terms(model: Autoencoder, x: torch.Tensor, batch_size: int = 1000, seed: int = EVAL_SEED) -> dict[str, float]:
    """Mean per-image ``recon``, ``kl``, ``total`` (= recon + the kind's regulariser) on ``x`` with fixed noise.

    Variational kinds use one reparameterised sample per image (the single-sample ELBO estimate,
    as in pytorch/examples' test loss); a denoising model sees noisy inputs and is scored on the
    clean target. All the noise is drawn at once for the whole of ``x`` from a generator seeded
    with ``seed`` (denoising noise, then ε), so the result depends on the model, ``x`` and
    ``seed`` only: repeated evaluations agree exactly, and ``batch_size`` (memory) changes nothing.
    """
    cfg = model.cfg
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(seed)
    x = x.reshape(len(x), -1).to(device)
    inputs = add_noise(x, cfg.noise, gen)
    eps = torch.randn((len(x), cfg.latent_dim), generator=gen, device=device) if model.variational else None
    sums = {"recon": 0.0, "kl": 0.0, "regularizer": 0.0}
    for i in range(0, len(x), batch_size):
        out = model(inputs[i:i + batch_size], eps=None if eps is None else eps[i:i + batch_size])
        terms = per_image_terms(out, x[i:i + batch_size], cfg.recon, cfg.beta, model.kind)
        for k in sums:
            sums[k] += terms[k].double().sum().item()
    model.train(was_training)
    n = max(len(x), 1)
    return {"recon": sums["recon"] / n, "kl": sums["kl"] / n if model.variational else None,
            "total": (sums["recon"] + sums["regularizer"]) / n}


def validation_split(n: int, fraction: float, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, validation) of a random split of ``n`` training images, ``round(fraction · n)`` of them
    (at least one when ``fraction`` > 0) held out; the permutation depends on ``seed`` only."""
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed + 2))
    n_val = min(n - 1, max(1, round(fraction * n))) if fraction > 0 else 0
    return perm[n_val:].sort().values, perm[:n_val].sort().values


def fit(model: Autoencoder, data: Dataset, cfg: TrainConfig, callback: Callback | None = None,
        should_stop: Callable[[], bool] | None = None, film: FilmRecorder | None = None) -> FitResult:
    """Train ``model`` on ``data.x_train`` with Adam; evaluate on ``data.x_test`` after each epoch.

    Deterministic under ``cfg.seed`` (shuffling, reparameterisation noise, denoising noise).
    If a batch loss is NaN or infinite, training stops, the weights of the last completed epoch
    (or the initial ones) are restored and ``stop_reason`` says why. ``should_stop()`` is polled
    after every batch, for a Stop button; the model then keeps its current weights.

    With ``cfg.val_fraction`` > 0 that share of the training images is held out (``validation_split``) and
    scored after every epoch (``val_recon``, ``val_kl``, ``val_total``). With ``cfg.early_stop`` = P > 0,
    training stops once P epochs pass without a lower ``val_total`` (the training objective on held-out
    images), and the weights of the best epoch (``best_epoch``) are restored, also when all epochs ran
    (early stopping, Prechelt 1998, "Early Stopping — But When?").

    With ``film``, snapshots are taken before the first batch and after the batches of
    ``film.schedule(epochs, batches per epoch)``, plus the last batch when early stopping ends the run sooner;
    each goes to ``callback("snapshot", event)``. They run in eval mode without gradients or sampling, so the
    weights come out bit-identical with and without a film.
    """
    cfg.validate()
    mcfg: ModelConfig = model.cfg
    device = pick_device(cfg.device)
    model.to(device).train()
    torch.manual_seed(cfg.seed)
    gen = torch.Generator(device="cpu").manual_seed(cfg.seed)
    noise_gen = torch.Generator(device=device).manual_seed(cfg.seed + 1)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    x_train = data.x_train.reshape(len(data.x_train), -1).to(device)
    x_test = data.x_test.reshape(len(data.x_test), -1)
    train_idx, val_idx = validation_split(len(x_train), cfg.val_fraction, cfg.seed)
    x_train, x_val = x_train[train_idx.to(device)], (x_train[val_idx.to(device)] if len(val_idx) else None)
    best_total, best_state = math.inf, None
    n = len(x_train)
    bs = min(cfg.batch_size, n)
    steps = math.ceil(n / bs)
    result = FitResult()
    good_state = copy.deepcopy(model.state_dict())
    start = time.perf_counter()
    plan = film.schedule(cfg.epochs, steps) if film is not None else set()

    def snapshot(global_step: int) -> None:
        event = film.take(model, global_step)
        if callback:
            callback("snapshot", event)

    if 0 in plan:
        snapshot(0)
    done = 0  # batches done
    for epoch in range(1, cfg.epochs + 1):
        perm = torch.randperm(n, generator=gen).to(device)
        sums = {"recon": 0.0, "kl": 0.0, "total": 0.0}
        for step in range(steps):
            idx = perm[step * bs:(step + 1) * bs]
            xb = x_train[idx]
            out = model(add_noise(xb, mcfg.noise, noise_gen))
            terms = loss_terms(out, xb, mcfg.recon, mcfg.beta, model.kind)
            loss = terms["total"]
            if not torch.isfinite(loss):
                model.load_state_dict(good_state)
                result.completed = False
                result.stop_reason = (f"the loss became {loss.item()} at epoch {epoch}, batch {step + 1}: "
                                      f"training stopped and the weights of epoch {epoch - 1} were kept "
                                      "(try a smaller learning rate)")
                result.seconds = time.perf_counter() - start
                return result
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            for k in sums:
                sums[k] += terms[k].item() * len(idx)
            done += 1
            if callback:
                callback("batch", {"epoch": epoch, "step": step + 1, "steps": steps, "loss": loss.item()})
            if done in plan:
                snapshot(done)
            if should_stop and should_stop():
                result.completed = False
                result.stop_reason = f"stopped by request at epoch {epoch}, batch {step + 1}"
                result.seconds = time.perf_counter() - start
                return result
        test = evaluate_terms(model, x_test)
        if not math.isfinite(test["total"]):
            model.load_state_dict(good_state)
            result.completed = False
            result.stop_reason = (f"the test loss became {test['total']} after epoch {epoch}: training stopped and "
                                  f"the weights of epoch {epoch - 1} were kept (try a smaller learning rate)")
            result.seconds = time.perf_counter() - start
            return result
        record = {
            "epoch": epoch,
            "train_recon": sums["recon"] / n,
            "train_kl": sums["kl"] / n if model.variational else None,
            "train_total": sums["total"] / n,
            "test_recon": test["recon"],
            "test_kl": test["kl"],
            "test_total": test["total"],
        }
        if x_val is not None:
            val = evaluate_terms(model, x_val)
            record.update(val_recon=val["recon"], val_kl=val["kl"], val_total=val["total"])
        result.history.append(record)
        good_state = copy.deepcopy(model.state_dict())
        if callback:
            callback("epoch", record)
        if cfg.early_stop and x_val is not None:
            if record["val_total"] < best_total:
                best_total, best_state, result.best_epoch = record["val_total"], good_state, epoch
            elif epoch - result.best_epoch >= cfg.early_stop:
                break
    if film is not None and film.events and film.events[-1]["global_step"] != done:
        snapshot(done)  # early stopping ended the run before the schedule's last batch
    if best_state is not None:
        model.load_state_dict(best_state)
    model.kind.after_fit(model, x_train)
    result.seconds = time.perf_counter() - start
    return result
