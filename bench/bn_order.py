"""The bn_order experiment on the reference solution over several grading seeds: both accuracies, both
training times, the whole exercise's time.

Each seed is one ``grader.grade(solutions, exercises=["bn_order"], seed=s)``, the path a submission takes.
Prints one line per seed, then min / mean / max. The load average is printed too: timings are only
comparable on an otherwise idle machine.

    python bench/bn_order.py              # 3 seeds
    python bench/bn_order.py --seeds 5
"""
from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import torch

import grader

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.2f}")
    columns: dict[str, list[float]] = {}
    for seed in range(args.seeds):
        started = time.perf_counter()
        exercise = grader.grade(ROOT / "solutions", exercises=["bn_order"], seed=seed, lang="en").exercises[0]
        wall = time.perf_counter() - started
        trained = next(c for c in exercise.checks if c.name.endswith("::both_orders_trained"))
        row = {f"accuracy {label}": value for label, value in trained.details.get("order_accuracy", {}).items()}
        row.update({f"train() s {label}": value for label, value in trained.details.get("order_train_seconds", {}).items()})
        row.update({"exercise s": exercise.duration, "grade() wall s": wall})
        for key, value in row.items():
            columns.setdefault(key, []).append(value)
        print(f"  seed {seed}: {exercise.score:g}/{exercise.max_score:g}  "
              + "  ".join(f"{key} {value:.4g}" for key, value in row.items()), flush=True)
    print(f"\n  {'':26} {'min':>8} {'mean':>8} {'max':>8}")
    for key, values in columns.items():
        print(f"  {key:26} " + " ".join(f"{v:8.4g}" for v in (min(values), statistics.mean(values), max(values))))
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
