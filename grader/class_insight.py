"""What a whole class got right and wrong, read back from the per-student JSON that ``grade-all`` wrote.

An instructor's next question after ``grades.csv`` is which checks most of the class fails, and with
which message. :func:`load_class` reads the JSON of every student listed in a grades folder's
``grades.csv`` (nothing is graded again), :func:`check_statistics` counts, per check, who passed,
failed, timed out or never started the exercise, the mean credit and the most common failure message,
and :func:`write_checks_csv` writes that as ``checks.csv`` beside ``grades.csv``. Messages that differ only in their numbers ("expected 6,
got 4" and "expected 6, got 5") count as one mistake, shown by its most frequent wording.
"""
from __future__ import annotations

import csv
import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from grader import batch
from grader.i18n import _
from grader.report import check_state
from grader.results import MISSING, NOT_IMPLEMENTED, TIMEOUT, GradeResult
from grader.submission import SubmissionError

CHECKS_CSV = "checks.csv"
CHECKS_COLUMNS = ["exercise", "check", "points", "students", "passed", "failed", "timed_out", "not_attempted",
                  "mean_credit", "common_failure", "common_failure_count"]
NOT_ATTEMPTED = {NOT_IMPLEMENTED, MISSING}  # the student never started: not a mistake to learn from
_NUMBER = re.compile(r"[-+]?\d+(?:[.,]\d+)?(?:e[-+]?\d+)?", re.IGNORECASE)


@dataclass
class StudentResult:
    """One student's JSON: the result, or the error that stopped the grader for them."""

    student: str
    result: GradeResult | None
    error: str = ""


@dataclass
class CheckStatistics:
    exercise: str
    check: str           # the check's name without the exercise prefix
    points: float
    passed: int = 0
    failed: int = 0      # ran and failed (wrong answer, exception, crash)
    timed_out: int = 0
    not_attempted: int = 0
    credits: list[float] = field(default_factory=list)  # score / max_score per student who has this check
    failures: list[tuple[str, int]] = field(default_factory=list)  # (message, students), most common first

    @property
    def students(self) -> int:
        return self.passed + self.failed + self.timed_out + self.not_attempted

    @property
    def mean_credit(self) -> float:
        return statistics.fmean(self.credits) if self.credits else 0.0

    @property
    def pass_rate(self) -> float:
        return self.passed / self.students if self.students else 0.0


def load_class(grades_dir: str | Path) -> list[StudentResult]:
    """The students of ``grades_dir/grades.csv``, in its order, each read from their JSON beside it."""
    folder = Path(grades_dir)
    try:
        with open(folder / batch.CSV_NAME, newline="", encoding="utf-8") as f:
            names = [row["student"] for row in csv.DictReader(f)]
    except (OSError, KeyError) as exc:
        raise SubmissionError(_("{path}: no {csv} with a student column here ({problem}); run `convgrade grade-all` "
                                "with this output folder first").format(path=folder, csv=batch.CSV_NAME,
                                                                         problem=exc)) from None
    return [_read_student(folder / f"{name}.json") for name in names]


def graded_language(students: list[StudentResult]) -> str:
    """The language the class was graded in (reports about it speak it by default)."""
    return next((s.result.lang for s in students if s.result is not None), "en")


def _read_student(path: Path) -> StudentResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        result = GradeResult.from_dict(data) if "exercises" in data else None
        return StudentResult(str(data["student"]), result, str(data.get("error", "")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SubmissionError(_("{path}: not a student result written by `convgrade grade-all` ({problem}); run "
                                "grade-all again").format(path=path, problem=exc)) from None


def check_statistics(students: list[StudentResult]) -> list[CheckStatistics]:
    """One entry per check, in the order the checks first appear (the course's order)."""
    stats: dict[str, CheckStatistics] = {}
    failures: dict[str, dict[str, Counter[str]]] = {}  # check -> message with numbers masked -> wordings
    for student in students:
        for ex in student.result.exercises if student.result else ():
            for check in ex.checks:
                entry = stats.get(check.name)
                if entry is None:
                    entry = stats[check.name] = CheckStatistics(ex.id, check.name.split("::", 1)[-1], check.max_score)
                entry.points = max(entry.points, check.max_score)
                entry.credits.append(check.score / check.max_score if check.max_score else float(check.passed))
                if check.passed:
                    entry.passed += 1
                elif ex.status == TIMEOUT:
                    entry.timed_out += 1
                elif ex.status in NOT_ATTEMPTED or check_state(check) == "not_implemented":
                    entry.not_attempted += 1
                else:
                    entry.failed += 1
                    message = check.message.strip() or ex.message.strip()
                    failures.setdefault(check.name, {}).setdefault(_NUMBER.sub("#", message), Counter())[message] += 1
    for name, groups in failures.items():
        ranked = sorted(groups.values(), key=lambda wordings: -sum(wordings.values()))
        stats[name].failures = [(wordings.most_common(1)[0][0], sum(wordings.values())) for wordings in ranked]
    return list(stats.values())


def write_checks_csv(grades_dir: str | Path, students: list[StudentResult] | None = None) -> Path:
    """Write ``checks.csv`` into ``grades_dir`` from ``students`` (grade-all's rows), else from the student
    JSON there; returns its path."""
    path = Path(grades_dir) / CHECKS_CSV
    stats = check_statistics(students if students is not None else load_class(grades_dir))
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(CHECKS_COLUMNS)
        for s in stats:
            message, count = s.failures[0] if s.failures else ("", 0)
            writer.writerow([s.exercise, s.check, f"{s.points:g}", s.students, s.passed, s.failed, s.timed_out,
                             s.not_attempted, f"{s.mean_credit:.3f}", message, count])
    return path
