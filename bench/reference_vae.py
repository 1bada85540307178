"""Benchmark: our VAE against the pytorch/examples reference VAE (``vae/main.py``), same data, same budget.

The reference is re-written here as the example has it: ``class VAE`` with fc1 784→400, fc21/fc22
400→20, fc3 20→400, fc4 400→784, ReLU, sigmoid output; loss = binary cross-entropy (summed) +
KLD = −½ Σ(1 + log σ² − μ² − σ²); Adam lr 1e-3, batch 128, shuffled ``DataLoader`` over a
``TensorDataset``; test loss = sum over the test set / n_test, one reparameterised sample per image.

Ours: ``vae.train.fit`` with ``ModelConfig(kind='vae', latent_dim=20, hidden=[400], recon='bce')`` and
``TrainConfig(lr=1e-3, batch_size=128, epochs=E)``, test loss from ``vae.metrics.evaluate_model``.

Both train on our ``mnist`` split (4,000 train / 1,000 test images), or with ``--dataset fashion-mnist`` on
Fashion-MNIST's 60,000 / 10,000. Throughput counts training time
only (per-epoch test evaluation excluded). Because the machine is shared, the two are interleaved
epoch by epoch (one epoch of ours, then one of the reference, each with its own random stream), so
a busy spell slows both alike; ``--repeats`` runs with seeds seed, seed+1, ...: losses are averaged,
throughputs are medians over all epochs, the speed ratio the median of per-epoch ratios. One torch
thread by default (``--threads``): on a shared 2-core machine two OpenMP threads per process spin at
barriers and make timings swing tenfold. Prints a table, then one JSON line.

    python bench/reference_vae.py --epochs 10 --repeats 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import vae.train as vtrain  # noqa: E402
from vae.config import ModelConfig, TrainConfig  # noqa: E402
from vae.data import load_dataset  # noqa: E402
from vae.metrics import evaluate_model  # noqa: E402
from vae.models import build_model  # noqa: E402


# ---------------------------------------------------------------- the reference (pytorch/examples vae/main.py)


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def loss_function(recon_x, x, mu, logvar):
    bce = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return bce + kld


class Reference:
    """The example's train/test loop, one epoch per ``train_epoch()`` call, with its own RNG stream.

    Its global-RNG state is swapped in and out around every call, so interleaving it with our
    training changes neither run's random numbers.
    """

    def __init__(self, data, seed: int, batch_size: int = 128):
        saved = torch.get_rng_state()
        torch.manual_seed(seed)
        self.device = torch.device("cpu")
        self.train_loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=batch_size, shuffle=True)
        self.test_loader = DataLoader(TensorDataset(data.x_test, data.y_test), batch_size=batch_size, shuffle=False)
        self.model = VAE().to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3)
        self.rng = torch.get_rng_state()
        torch.set_rng_state(saved)
        self.train_seconds, self.images, self.train_loss, self.test_loss = 0.0, 0, float("nan"), float("nan")
        self.epoch_seconds: list[float] = []

    def _swap(self):
        state = torch.get_rng_state()
        torch.set_rng_state(self.rng)
        self.rng = state

    def train_epoch(self):
        self._swap()
        model, optimizer, device = self.model, self.optimizer, self.device
        t0 = time.perf_counter()
        model.train()
        train_loss = 0.0
        for _batch_idx, (x, _) in enumerate(self.train_loader):
            x = x.to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(x)
            loss = loss_function(recon_batch, x, mu, logvar)
            loss.backward()
            train_loss += loss.item()
            optimizer.step()
            self.images += len(x)
        self.epoch_seconds.append(time.perf_counter() - t0)
        self.train_seconds += self.epoch_seconds[-1]
        self.train_loss = train_loss / len(self.train_loader.dataset)
        self._swap()

    def test(self) -> float:
        self._swap()
        model = self.model
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for x, _ in self.test_loader:
                x = x.to(self.device)
                recon_batch, mu, logvar = model(x)
                test_loss += loss_function(recon_batch, x, mu, logvar).item()
        test_loss /= len(self.test_loader.dataset)
        self._swap()
        self.test_loss = test_loss
        return test_loss


# ---------------------------------------------------------------- ours, interleaved with the reference


def run_pair(data, epochs: int, seed: int, batch_size: int = 128) -> dict:
    """Train both for ``epochs``, alternating one epoch of ours and one of the reference.

    Ours runs through ``vae.train.fit`` untouched; the reference's epoch runs inside fit's epoch
    callback. Our training time is measured from the end of one callback to the start of the next
    test-set evaluation, so neither evaluation nor the reference's epochs are counted.
    """
    ref = Reference(data, seed, batch_size)
    ours = {"train_seconds": 0.0, "mark": 0.0, "epoch_seconds": []}
    real_evaluate = vtrain.evaluate_terms

    def timed_evaluate(*args, **kwargs):  # fit evaluates the test set after every epoch
        ours["epoch_seconds"].append(time.perf_counter() - ours["mark"])
        ours["train_seconds"] += ours["epoch_seconds"][-1]
        return real_evaluate(*args, **kwargs)

    def on_event(event, info):
        if event == "epoch":
            ref.train_epoch()
            ref.test()  # the example tests after every epoch too
            ours["mark"] = time.perf_counter()

    torch.manual_seed(seed)
    model = build_model(ModelConfig(kind="vae", latent_dim=20, hidden=[400], recon="bce", dataset=data.name))
    cfg = TrainConfig(epochs=epochs, lr=1e-3, batch_size=batch_size, seed=seed, device="cpu")
    vtrain.evaluate_terms = timed_evaluate
    try:
        ours["mark"] = time.perf_counter()
        result = vtrain.fit(model, data, cfg, callback=on_event)
    finally:
        vtrain.evaluate_terms = real_evaluate
    if not result.completed:
        raise SystemExit(f"our training did not complete: {result.stop_reason}")
    metrics = evaluate_model(model, data)
    n = epochs * len(data.x_train)
    return {
        "ref": {"test_loss": ref.test_loss, "train_loss": ref.train_loss, "train_seconds": ref.train_seconds,
                "images_per_s": ref.images / ref.train_seconds, "epoch_seconds": ref.epoch_seconds},
        "ours": {"test_loss": metrics["loss"], "train_loss": result.history[-1]["train_total"],
                 "train_seconds": ours["train_seconds"], "images_per_s": n / ours["train_seconds"],
                 "epoch_seconds": ours["epoch_seconds"]},
    }


# ---------------------------------------------------------------- main


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3, help="interleaved runs; seeds seed..seed+repeats-1")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's own choice)")
    p.add_argument("--dataset", default="mnist", help="any 28×28 data set of vae.data (e.g. fashion-mnist: 60,000 images)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    data = load_dataset(args.dataset)
    print(f"{args.dataset}: {len(data.x_train)} train / {len(data.x_test)} test images; {args.epochs} epochs; "
          f"{args.repeats} runs each; torch {torch.__version__}, {torch.get_num_threads()} threads", flush=True)

    run_pair(data, 1, args.seed)  # warm-up (allocator, oneDNN kernels), not counted
    runs = {"ref": [], "ours": []}
    for r in range(args.repeats):
        pair = run_pair(data, args.epochs, args.seed + r)
        for who in ("ref", "ours"):
            res = pair[who]
            runs[who].append(res)
            print(f"  run {r + 1} {who:<4} seed {args.seed + r}: test loss {res['test_loss']:8.3f}  "
                  f"train {res['train_seconds']:6.2f}s  {res['images_per_s']:8.0f} images/s", flush=True)

    ref_loss = statistics.mean(x["test_loss"] for x in runs["ref"])
    ours_loss = statistics.mean(x["test_loss"] for x in runs["ours"])
    # Throughput: median over every epoch of every run (robust to busy spells on a shared machine);
    # the ratio is the median of per-epoch ratios, each epoch of ours paired with the reference's
    # epoch that ran right after it.
    n_train = len(data.x_train)
    ref_ep = [t for x in runs["ref"] for t in x["epoch_seconds"]]
    ours_ep = [t for x in runs["ours"] for t in x["epoch_seconds"]]
    ref_ips = statistics.median(n_train / t for t in ref_ep)
    ours_ips = statistics.median(n_train / t for t in ours_ep)
    ratio = statistics.median(r / o for r, o in zip(ref_ep, ours_ep))
    total_ratio = sum(ref_ep) / sum(ours_ep)
    gap = 100.0 * (ours_loss - ref_loss) / ref_loss

    print()
    print(f"{'':<22}{'reference':>14}{'ours':>14}")
    print(f"{'test loss (nats/img)':<22}{ref_loss:>14.3f}{ours_loss:>14.3f}   gap {gap:+.2f}%  (target |gap| ≤ 3%)")
    print(f"{'train loss, last ep.':<22}{statistics.mean(x['train_loss'] for x in runs['ref']):>14.3f}"
          f"{statistics.mean(x['train_loss'] for x in runs['ours']):>14.3f}")
    print(f"{'images/s (training)':<22}{ref_ips:>14.0f}{ours_ips:>14.0f}   ratio {ratio:.2f}×  (target ≥ 1; "
          f"total-time ratio {total_ratio:.2f}×)")
    print(json.dumps({
        "dataset": args.dataset, "n_train": len(data.x_train), "epochs": args.epochs, "repeats": args.repeats,
        "ref_test_loss": round(ref_loss, 4), "ours_test_loss": round(ours_loss, 4), "gap_pct": round(gap, 3),
        "ref_images_per_s": round(ref_ips, 1), "ours_images_per_s": round(ours_ips, 1), "speed_ratio": round(ratio, 3),
        "threads": torch.get_num_threads(),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
