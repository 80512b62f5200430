"""`convgrade watch` re-grades the exercise whose file was saved and prints what changed; `grade(jobs=...)`
runs quick exercises side by side with the same results, in course order."""
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import grader
from grader.results import CheckResult, ExerciseResult
from grader.watch import differences

ROOT = Path(__file__).resolve().parents[1]


def lines_of(process: subprocess.Popen) -> queue.Queue:
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout], daemon=True).start()
    return lines


def wait_for(lines: queue.Queue, text: str, seen: list[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        seen.append(line)
        if text in line:
            return line
    raise AssertionError(f"no line with {text!r} within {timeout} s; got:\n" + "\n".join(seen))


def test_watch_grades_the_saved_file_again_and_prints_what_changed(tmp_path):
    shutil.copy(ROOT / "exercises" / "kernels.py", tmp_path / "kernels.py")
    process = subprocess.Popen([sys.executable, "-m", "grader", "watch", str(tmp_path), "--lang", "en",
                                "--course", str(ROOT / "course.yaml")], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        lines, seen = lines_of(process), []
        assert wait_for(lines, "kernels:", seen) == "kernels: 0/10"
        wait_for(lines, "watching", seen)
        shutil.copy(ROOT / "solutions" / "kernels.py", tmp_path / "kernels.py")
        assert wait_for(lines, "kernels:", seen) == "kernels: 0 -> 10/10 (+10.00)"
        assert wait_for(lines, "figure_13_1", seen).strip() == "✓ kernels::figure_13_1 passes now"
        assert not any(line.startswith("shapes") for line in seen[seen.index("kernels: 0 -> 10/10 (+10.00)"):])
    finally:
        process.terminate()
        process.wait(10)


def test_differences_name_only_the_checks_that_flipped():
    def result(score, *passed):
        checks = [CheckResult(name=f"x::c{i}", score=0, max_score=1, passed=p, message=f"c{i} broke")
                  for i, p in enumerate(passed)]
        return ExerciseResult(id="x", title="x", score=score, max_score=3, status="ok", checks=checks)

    assert differences(result(1, True, False, False), result(1, True, False, False)) == ["x: unchanged (1/3)"]
    assert differences(result(1, True, False, False), result(1, False, True, False)) == [
        "x: unchanged (1/3)", "  ✗ x::c0 fails: c0 broke", "  ✓ x::c1 passes now"]


def test_side_by_side_grading_keeps_course_order_results_and_progress(course):
    calls = []
    wanted = ["kernels", "shapes", "params", "model"]
    serial = grader.grade(ROOT / "solutions", course=course, exercises=wanted, lang="en")
    parallel = grader.grade(ROOT / "solutions", course=course, exercises=wanted, lang="en", jobs=2,
                            on_exercise=lambda exercise_id, result: calls.append((exercise_id, result is None)))
    assert [ex.id for ex in parallel.exercises] == [ex.id for ex in serial.exercises] == wanted
    assert [ex.score for ex in parallel.exercises] == [ex.score for ex in serial.exercises]
    assert sorted(calls) == sorted([(i, True) for i in wanted] + [(i, False) for i in wanted])
