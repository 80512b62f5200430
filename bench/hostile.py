"""What each hostile submission (tests/hostile/) gets, and how long grading took with it.

Grades the suite's course once, every case as its own exercise between the honest kernels and shapes
exercises, and prints a Markdown table: the case, its status and score, what the student is told,
how many of the processes it started were still alive afterwards, and the seconds it cost. Ends with
the total and the honest exercises' seconds, to compare with a run without hostile neighbours.
"""
import argparse
import os
import secrets
import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import hostile  # noqa: E402 - tests/hostile, the suite's cases
from grader import grade, limits  # noqa: E402


def told(ex) -> str:
    """The one sentence a student reads first for this exercise."""
    failed = [c.message for c in ex.checks if not c.passed]
    text = ex.message or (failed[0] if failed else "full marks")
    if ex.warnings:
        text += " [" + "; ".join(ex.warnings) + "]"
    return " ".join(text.split())[:140].replace("|", "/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-tasks", type=int, default=limits.MAX_TASKS,
                        help="processes and threads an exercise may have (the fork bomb's ceiling)")
    args = parser.parse_args()
    limits.MAX_TASKS = args.max_tasks
    about = {case.id: case.about for case in hostile.cases()}
    with tempfile.TemporaryDirectory() as tmp:
        course, submission = hostile.build(Path(tmp))
        token = secrets.token_hex(8)
        started = time.perf_counter()
        result = grade(submission, course=course, lang="en", env={hostile.MARKER: token})
        total = time.perf_counter() - started
        left = hostile.survivors(token)
        for pid in left:  # a process the sandbox failed to end: end it here, and say so below
            os.kill(pid, signal.SIGKILL)
    print(f"cgroups: {'yes' if hostile.cgroups_available() else 'no'}, max tasks per exercise: {args.max_tasks}, "
          f"processes started by the cases still alive afterwards: {len(left)}\n")
    print("| case | what it does | status | score | what the student is told | s |")
    print("|---|---|---|---|---|---|")
    for ex in result.exercises:
        print(f"| {ex.id} | {about.get(ex.id, 'honest solution')} | {ex.status} | {ex.score:g}/{ex.max_score:g} "
              f"| {told(ex)} | {ex.duration:.2f} |")
    honest = sum(ex.duration for ex in result.exercises if ex.id in ("kernels", "shapes"))
    print(f"\ntotal {total:.1f} s for {len(result.exercises)} exercises; the honest kernels + shapes: {honest:.2f} s")


if __name__ == "__main__":
    main()
