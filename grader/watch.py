"""``convgrade watch``: re-grade an exercise the moment its file is saved and say only what changed.

A student edits ``kernels.py`` and wants the verdict at once, not the whole report again: the fork
server started by the first grading stays warm for the whole session, the files are polled for a new modification time every 0.1 s
(a folder of exercise files costs microseconds per poll, so no file-watching dependency), only the
exercise whose file changed is graded, and what is printed is the difference from its previous
result: the score delta and the checks that flipped. Training exercises (tagged ``slow``) are graded
only once their file is saved, never at the start.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from grader.course import Course
from grader.grading import grade
from grader.i18n import _, using_language
from grader.report import fmt_points
from grader.results import ExerciseResult
from grader.submission import SOURCE_READERS, SubmissionError

POLL_S = 0.1


def watched_files(path: Path) -> dict[Path, int]:
    """The gradable files of ``path`` (a folder's top level, or the one file) and their modification times."""
    files = [path] if path.is_file() else [f for f in path.iterdir() if f.suffix in SOURCE_READERS]
    stamps = {}
    for file in files:
        try:
            stamps[file] = file.stat().st_mtime_ns
        except OSError:  # deleted between listing and stat
            pass
    return stamps


def differences(before: ExerciseResult | None, after: ExerciseResult) -> list[str]:
    """What changed from ``before`` to ``after``: a score line, then one line per check that flipped."""
    score = f"{fmt_points(after.score)}/{fmt_points(after.max_score)}"
    if before is None:
        return [f"{after.id}: {score}"]
    delta = after.score - before.score
    lines = [f"{after.id}: {fmt_points(before.score)} -> {score} ({delta:+.2f})" if delta else
             _("{exercise}: unchanged ({score})").format(exercise=after.id, score=score)]
    old = {check.name: check for check in before.checks}
    for check in after.checks:
        was = old.get(check.name)
        if was is not None and was.passed == check.passed:
            continue
        if check.passed:
            lines.append("  ✓ " + _("{check} passes now").format(check=check.name))
        else:
            lines.append("  ✗ " + _("{check} fails: {message}").format(check=check.name, message=check.message))
    if after.status != before.status and after.message:
        lines.append(f"  {after.message}")
    return lines


def watch(path: str | Path, course: Course, *, echo: Callable[[str], None], lang: str | None = None,
          jobs: int = os.cpu_count() or 1, poll: float = POLL_S, keep_going: Callable[[], bool] = lambda: True) -> None:
    """Grade the quick exercises of ``path`` once, then each exercise again whenever its file is saved."""
    path = Path(path)
    if not path.exists():
        raise SubmissionError(_("{path}: no such file or folder").format(path=path))
    lang = lang or course.language
    last: dict[str, ExerciseResult] = {}

    def grade_and_report(exercise_ids: list[str] | None) -> None:
        try:
            result = grade(path, course=course, exercises=exercise_ids, skip_slow=exercise_ids is None,
                           lang=lang, jobs=jobs)
        except SubmissionError as exc:
            echo(str(exc))
            return
        with using_language(lang):
            for warning in result.warnings:
                echo(_("warning") + f": {warning}")
            for exercise in result.exercises:
                for line in differences(last.get(exercise.id), exercise):
                    echo(line)
                last[exercise.id] = exercise

    seen = watched_files(path)
    grade_and_report(None)
    with using_language(lang):
        echo(_("watching {path}: save a file to grade its exercise again (Ctrl+C stops)").format(path=path))
    while keep_going():
        time.sleep(poll)
        now = watched_files(path)
        changed = [file for file, stamp in now.items() if seen.get(file) != stamp]
        seen = now
        ids = sorted({ex.id for file in changed if (ex := course.by_module(file.stem)) is not None},
                     key=[ex.id for ex in course.exercises].index)
        if ids:
            grade_and_report(ids)
