"""How the reference Fashion-MNIST solution scales with the number of training images.

Trains ``solutions/fashion.py`` (its own build_model() and train(), unchanged: same epochs, batch size
and 1cycle schedule) on the first 2,500 / 5,000 / 10,000 / 30,000 / 60,000 official training images and
measures the accuracy on all 10,000 official test images, through the same code the check uses
(``grader.training.run_training``). Prints a table with training seconds and images per second
(images seen = n x epochs) and the load average after each row. Needs ``apt-get install dataset-fashion-mnist``.

    python bench/scaling.py                        # cpu, seed 0
    python bench/scaling.py --device cuda --sizes 10000 60000 --seeds 3

Run it on an otherwise idle machine: with other processes on the same cores, PyTorch's threads wait for
each other and the seconds say more about the neighbours than about the model.
"""
from __future__ import annotations

import argparse
import importlib
import os
import statistics
import sys
from pathlib import Path

import torch

from grader import datasets, training

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2_500, 5_000, 10_000, 30_000, 60_000])
    parser.add_argument("--seeds", type=int, default=1, help="seeds per size (the table shows the mean)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (default: PyTorch's choice)")
    parser.add_argument("--module", default="fashion", help="solution module (fashion or mnist)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    sys.path.insert(0, str(ROOT / "solutions"))
    solution = importlib.import_module(args.module)
    dataset = "fashion-mnist" if args.module == "fashion" else "mnist-embedded"
    config = training.resolve_config({}, dataset)
    try:
        split = datasets.load_dataset(dataset)
    except datasets.DatasetUnavailable as exc:
        print(exc)
        return 2
    epochs = getattr(solution, "EPOCHS", "?")
    print(f"{args.module} reference ({dataset}, {epochs} epochs): torch {torch.__version__}, device {args.device}, "
          f"{torch.get_num_threads()} threads, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    torch.manual_seed(0)  # warm-up (thread pool, allocator), so the first row is not charged for it
    training.run_training(solution, config, args.device, split, n_train=512)
    print(f"{'train images':>12} | {'train s':>8} | {'images/s':>9} | {'accuracy':>8} | {'test images':>11} | {'load':>5}")
    print(f"{'-' * 12}-+-{'-' * 8}-+-{'-' * 9}-+-{'-' * 8}-+-{'-' * 11}-+-{'-' * 5}")
    for n in args.sizes:
        n = min(n, split.n_train)
        seconds, accuracies = [], []
        for seed in range(args.seeds):
            torch.manual_seed(seed)
            run = training.run_training(solution, config, args.device, split, n_train=n)
            seconds.append(run.train_seconds)
            accuracies.append(run.accuracy)
        train_s = statistics.mean(seconds)
        rate = n * (epochs if isinstance(epochs, int) else 1) / train_s
        print(f"{n:>12,} | {train_s:>8.1f} | {rate:>9,.0f} | {statistics.mean(accuracies):>8.4f} | {split.n_test:>11,} | "
              f"{os.getloadavg()[0]:>5.2f}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
