"""Class-scale throughput: `convgrade grade-all` on generated submissions, --jobs 1 against --jobs 2.

Generates a class from solutions/: per ten students five correct, three with a plausible wrong answer
from tests/wrong_answers/ in one module, one whose module crashes (os._exit or a syntax error) and one
whose module loops forever at import. A temp course.yaml gives the quick exercises a short time limit
(--time-limit), so a loop costs that much and no more. Prints submissions per minute for each --jobs
and the speed-up, in two runs:
  1. the quick exercises only, --students submissions (default 40);
  2. the quick exercises and the MNIST training, --slow-students submissions (default 4: grade-all runs
     training exercises one at a time, so they set the pace); Fashion-MNIST is left out of both.
Each grade-all runs as its own process with --force, so each pays the fork server's start, as users do.
With --dask, each --jobs N is also run as `grade-all --dask --jobs N` (an embedded Dask cluster of N
worker processes, which pays its start and each worker's fork server) and the overhead per student of
the Dask path over the threads is printed. --repeat R runs each R times and prints medians.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

import grader

ROOT = Path(__file__).resolve().parents[1]
KINDS = ["correct", "wrong", "correct", "crash", "correct", "wrong", "correct", "loop", "correct", "wrong"]
CRASHES = ["import os\nos._exit(1)\n", "def broken(:\n    pass\n"]
LOOP = "\nwhile True:\n    pass\n"


def bench_course(folder: Path, time_limit: float) -> Path:
    """course.yaml with absolute check paths and a short time limit for every exercise that is not slow."""
    manifest = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    for entry in manifest["exercises"]:
        for key in ("checks", "hidden_checks"):
            if key in entry:
                entry[key] = [str(ROOT / path) for path in entry[key]]
        if "slow" not in entry.get("tags", []):
            entry["time_limit"] = time_limit
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def make_class(folder: Path, students: int, modules: list[str]) -> Counter:
    """``students`` folders, each a copy of solutions/ with at most one module broken as KINDS says."""
    kinds = Counter()
    for i in range(students):
        kind, module = KINDS[i % len(KINDS)], modules[i % len(modules)]
        student = folder / f"s{i:02d}_{kind}_{module}"
        shutil.copytree(ROOT / "solutions", student, ignore=shutil.ignore_patterns("__pycache__"))
        target = student / f"{module}.py"
        if kind == "wrong":
            variants = sorted((ROOT / "tests" / "wrong_answers" / module).glob("*.py"))
            target.write_text(target.read_text() + "\n\n" + variants[i % len(variants)].read_text())
        elif kind == "crash":
            target.write_text(CRASHES[i // len(KINDS) % len(CRASHES)])
        elif kind == "loop":
            target.write_text(target.read_text() + LOOP)
        kinds[kind] += 1
    return kinds


def grade_all(submissions: Path, course: Path, out: Path, jobs: int, exercises: list[str],
              dask: bool) -> tuple[float, Counter]:
    command = [sys.executable, "-m", "grader", "grade-all", str(submissions), "--course", str(course),
               "-o", str(out), "--jobs", str(jobs), "--force", "--cache-dir", str(out / "cache"),
               *(arg for ex in exercises for arg in ("-e", ex)), *(["--dask"] if dask else [])]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CI": "1"})
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return elapsed, Counter(outcome(row) for row in rows)


def outcome(row: dict) -> str:
    if row["status"] == "error":
        return "grader error"
    if row["problems"]:
        return row["problems"].split(": ")[-1]  # "conv_ops: timeout" -> "timeout"
    return "full marks" if float(row["percent"]) == 100 else "points lost"


def run(title: str, students: int, with_mnist: bool, jobs_list: list[int], time_limit: float, dask: bool,
        repeat: int) -> None:
    with tempfile.TemporaryDirectory(prefix="convgrade-bench-") as tmp:
        tmp = Path(tmp)
        course = bench_course(tmp, time_limit)
        quick = grader.load_course(course).select(skip_slow=True)
        exercises = [*quick, *([grader.load_course(course).exercise("mnist")] if with_mnist else [])]
        kinds = make_class(tmp / "class", students, [ex.module_name for ex in quick])
        print(f"\n{title}: {students} submissions ({', '.join(f'{n} {k}' for k, n in kinds.items())}), "
              f"{len(exercises)} exercises ({', '.join(ex.id for ex in exercises)}), quick time limit {time_limit:g} s"
              f"{f', median of {repeat} runs' if repeat > 1 else ''}")
        times = {}
        for jobs in jobs_list:
            for on_dask in (False, True) if dask else (False,):
                label = f"--dask --jobs {jobs}" if on_dask else f"--jobs {jobs}"
                runs = [grade_all(tmp / "class", course, tmp / f"grades-{jobs}-{on_dask}", jobs,
                                  [ex.id for ex in exercises], on_dask) for _ in range(repeat)]
                times[label] = statistics.median(elapsed for elapsed, _ in runs)
                print(f"  {label:<16} {times[label]:7.1f} s  {60 * students / times[label]:6.1f} submissions/min   "
                      f"({', '.join(f'{n} {k}' for k, n in sorted(runs[-1][1].items()))})")
                if on_dask:
                    print(f"  {'':<16} Dask over threads: {times[label] - times[f'--jobs {jobs}']:+.1f} s, "
                          f"{(times[label] - times[f'--jobs {jobs}']) / students:+.2f} s per student")
        first = f"--jobs {jobs_list[0]}"
        for jobs in jobs_list[1:]:
            print(f"  speed-up --jobs {jobs} over {first}: {times[first] / times[f'--jobs {jobs}']:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--slow-students", type=int, default=4, help="0 leaves out the run with MNIST")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--time-limit", type=float, default=10.0, help="seconds per quick exercise")
    parser.add_argument("--dask", action="store_true", help="also grade on an embedded Dask cluster (--jobs workers)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each configuration; medians are printed")
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start")
    run("Without MNIST", args.students, False, args.jobs, args.time_limit, args.dask, args.repeat)
    if args.slow_students:
        run("With MNIST (fewer submissions: trainings run one at a time)", args.slow_students, True,
            args.jobs, args.time_limit, args.dask, args.repeat)


if __name__ == "__main__":
    main()
