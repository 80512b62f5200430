"""How close isolated grading stays to bare pytest: grade solutions/ without slow exercises.

Prints the median wall time (of --repeat runs) of
  1. `convgrade grade solutions --skip-slow` (one process per exercise, forked from a warm server),
  2. the same check files under bare pytest in one process (`pytest -p grader.plugin ... --submission`),
and their ratio. Targets (issue: Core): total under 5 s on 2 cores, ratio under 2.
"""
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
    quick = [ex for ex in course.exercises if not ex.slow]
    checks = [str(path) for ex in quick for path in ex.check_files()]
    grade_cmd = [sys.executable, "-m", "grader", "grade", "solutions", "--skip-slow", "--format", "json",
                 "--output", "/dev/null"]
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "grader.plugin", "-p", "no:cacheprovider",
                  *checks, "--submission", "solutions"]
    grade_times = [timed(grade_cmd) for _ in range(args.repeat)]
    pytest_times = [timed(pytest_cmd) for _ in range(args.repeat)]
    g, p = statistics.median(grade_times), statistics.median(pytest_times)
    print(f"exercises graded: {len(quick)} ({', '.join(ex.id for ex in quick)})")
    print(f"convgrade grade solutions --skip-slow : {g:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in grade_times)})")
    print(f"bare pytest, one process              : {p:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in pytest_times)})")
    print(f"ratio                                 : {g / p:6.2f}   (target < 2; total target < 5 s)")


if __name__ == "__main__":
    main()
