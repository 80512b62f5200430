"""How close isolated grading stays to bare pytest: grade solutions/ without slow exercises.

Prints the median wall time (of --repeat runs) of
  1. `convgrade grade solutions --skip-slow` (one process per exercise, forked from a warm server), with
     the quick exercises side by side (the default, -j = the core count) and one at a time (-j 1),
  2. the same check files under bare pytest in one process (`pytest -p grader.plugin ... --submission`),
and their ratios. Targets: total under 5 s on 2 cores, ratio under 2 (issue: Core); side by side
within 0.75x bare pytest (issue 17; one at a time it was 0.92x).
"""
import os
import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import grader

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    course = grader.load_course(ROOT / "course.yaml")
    # the quiz reads its questions from its exercise settings, which bare pytest over many files cannot pass
    quick = [ex for ex in course.exercises if not ex.slow and ex.quiz is None]
    checks = [str(path) for ex in quick for path in ex.check_files()]
    grade_cmd = [sys.executable, "-m", "grader", "grade", "solutions", *(f"-e{ex.id}" for ex in quick),
                 "--format", "json", "--output", "/dev/null"]
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "grader.plugin", "-p", "no:cacheprovider",
                  *checks, "--submission", "solutions"]
    cores = os.cpu_count() or 1
    rows = {f"convgrade grade -j {cores}": grade_cmd + ["-j", str(cores)],
            "convgrade grade -j 1": grade_cmd + ["-j", "1"], "bare pytest, one process": pytest_cmd}
    times: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(args.repeat):  # interleaved, so a neighbour's load hits every row alike
        for name, command in rows.items():
            times[name].append(timed(command))
    bare = statistics.median(times["bare pytest, one process"])
    print(f"exercises graded: {len(quick)} ({', '.join(ex.id for ex in quick)})")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:<34}: {median:6.2f} s  ratio to bare pytest {median / bare:4.2f}  "
              f"(runs: {', '.join(f'{t:.2f}' for t in runs)})")
    print("targets: side by side <= 0.75x bare pytest; ratio < 2 and total < 5 s")

if __name__ == "__main__":
    main()
