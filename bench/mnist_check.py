"""The mnist check on the reference solution over several grading seeds: accuracy, training time, wall time.

Each seed is one ``grader.grade(solutions, exercises=["mnist"], seed=s)``: the real path a student's
submission takes (fork-server process, limits, all three checks), with the course's own settings. Prints
one line per seed and then min / mean / max of the held-out accuracy, of the seconds spent in train()
and of the whole check's wall time. Targets on 2 CPU cores: min accuracy >= 0.97, whole check < 15 s.
With CUDA available the same runs follow on the GPU (``--device`` picks one device only).

    python bench/mnist_check.py                 # 5 seeds, cpu (and cuda when present)
    python bench/mnist_check.py --seeds 10 --device cpu
    python bench/mnist_check.py --exercise fashion --seeds 3 --threads 0   # torch's default threads

Timings are only comparable on an otherwise idle machine: the load average is printed with them, and
PyTorch's default of one thread per core slows down sharply when other processes share the cores.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch
import yaml

import grader

ROOT = Path(__file__).resolve().parents[1]


def course_with_threads(folder: Path, exercise: str, threads: int) -> Path:
    """A copy of course.yaml (absolute check paths) whose ``exercise`` runs with ``threads`` torch threads."""
    manifest = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    for entry in manifest["exercises"]:
        for key in ("checks", "hidden_checks"):
            if key in entry:
                entry[key] = [str(ROOT / path) for path in entry[key]]
        if entry["id"] == exercise:
            entry["threads"] = threads
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    return path


def run(device: str, seeds: int, exercise: str, course: Path) -> list[dict]:
    rows = []
    for seed in range(seeds):
        started = time.perf_counter()
        result = grader.grade(ROOT / "solutions", course=course, exercises=[exercise], seed=seed,
                              device=device, lang="en")
        wall = time.perf_counter() - started
        ex = result.exercises[0]
        accuracy_check = next(c for c in ex.checks if c.name.endswith("::held_out_accuracy"))
        details = accuracy_check.details
        row = {"seed": seed, "score": f"{ex.score:g}/{ex.max_score:g}", "accuracy": details.get("accuracy", float("nan")),
               "train_seconds": details.get("train_seconds", float("nan")), "check_seconds": ex.duration,
               "wall_seconds": wall, "message": accuracy_check.message}
        rows.append(row)
        print(f"  {device} seed {seed}: {row['score']:>7}  accuracy {row['accuracy']:.4f}  train {row['train_seconds']:6.2f} s"
              f"  exercise {row['check_seconds']:6.2f} s  grade() wall {wall:6.2f} s", flush=True)
        if not accuracy_check.passed:
            print(f"    {accuracy_check.message}")
    return rows


def summary(device: str, rows: list[dict]) -> None:
    print(f"\n{device}: {len(rows)} seeds")
    print(f"  {'':16} {'min':>8} {'mean':>8} {'max':>8}")
    for key, label, fmt in (("accuracy", "accuracy", "{:8.4f}"), ("train_seconds", "train() s", "{:8.2f}"),
                            ("check_seconds", "exercise s", "{:8.2f}"), ("wall_seconds", "grade() wall s", "{:8.2f}")):
        values = [r[key] for r in rows]
        print(f"  {label:16} " + " ".join(fmt.format(v) for v in (min(values), statistics.mean(values), max(values))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--device", choices=["cpu", "cuda"], help="only this device (default: cpu, and cuda if present)")
    parser.add_argument("--exercise", default="mnist", help="exercise id (fashion works too, if installed)")
    parser.add_argument("--threads", type=int, help="torch threads in the exercise process (course.yaml `threads`; "
                                                    "0 = torch's default, one per core)")
    args = parser.parse_args()
    devices = [args.device] if args.device else ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    folder = Path(tempfile.mkdtemp(prefix="mnist-check-"))
    course = course_with_threads(folder, args.exercise, args.threads) if args.threads is not None else ROOT / "course.yaml"
    threads = getattr(grader.load_course(course).exercise(args.exercise), "threads", "?")
    print(f"torch {torch.__version__}, {os.cpu_count()} CPU cores, exercise threads {threads} (0 = one per core), "
          f"load average {os.getloadavg()[0]:.2f}" + (f", GPU {torch.cuda.get_device_name()}" if "cuda" in devices else ""))
    failures = 0
    for device in devices:
        rows = run(device, args.seeds, args.exercise, course)
        summary(device, rows)
        failures += sum(r["accuracy"] < 0.97 for r in rows) if args.exercise == "mnist" else 0
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
