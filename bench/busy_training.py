"""The training references on a busy machine: grades must not change when other processes spin.

Grades the mnist and fashion reference solutions --runs times each while --burners processes spin on
the cores, and prints per run the score, the CPU seconds of the student's processes (what the budget
counts), train()'s CPU seconds and the wall-clock seconds, then whether every run scored the same.
Run it without burners (--burners 0) for the idle figures.
"""
import argparse
import multiprocessing
import statistics
import time
from pathlib import Path

import grader

ROOT = Path(__file__).resolve().parents[1]


def spin(stop) -> None:
    while not stop.is_set():
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--burners", type=int, default=2)
    parser.add_argument("-e", "--exercise", action="append", default=None, help="default: mnist and fashion")
    args = parser.parse_args()
    course = grader.load_course(ROOT / "course.yaml")
    ctx = multiprocessing.get_context("spawn")
    stop = ctx.Event()
    burners = [ctx.Process(target=spin, args=(stop,)) for _ in range(args.burners)]
    for burner in burners:
        burner.start()
    try:
        for exercise_id in args.exercise or ["mnist", "fashion"]:
            exercise = course.exercise(exercise_id)
            print(f"{exercise_id}: budget {exercise.time_limit:g} CPU s, {args.burners} burners")
            scores, cpus = [], []
            for run in range(args.runs):
                started = time.perf_counter()
                ex = grader.grade(ROOT / "solutions", course=course, exercises=[exercise_id], lang="en").exercises[0]
                wall = time.perf_counter() - started
                train = next((c.details.get("train_seconds") for c in ex.checks if "train_seconds" in c.details), None)
                scores.append(ex.score)
                cpus.append(ex.cpu_seconds)
                print(f"  run {run + 1}: {ex.score:g}/{ex.max_score:g} ({ex.status}), CPU {ex.cpu_seconds:.1f} s, "
                      f"train() CPU {train if train is not None else '-'} s, wall {wall:.1f} s")
            print(f"  median CPU {statistics.median(cpus):.1f} s = {statistics.median(cpus) / exercise.time_limit:.0%} "
                  f"of the budget; identical scores: {len(set(scores)) == 1}")
    finally:
        stop.set()
        for burner in burners:
            burner.join(10)


if __name__ == "__main__":
    main()
