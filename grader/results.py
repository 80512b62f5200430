"""What grading returns: plain dataclasses that every reporter and every test reads the same way."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from grader.points import exact_sum

# Exercise status values, in the order a student should care about them.
OK = "ok"                       # every check ran (whatever its score)
NOT_IMPLEMENTED = "not_implemented"
IMPORT_ERROR = "import_error"   # the student's module could not be imported
MISSING = "missing"             # the submission has no file for this exercise
TIMEOUT = "timeout"
CRASHED = "crashed"             # the exercise process died (exit code, signal, memory limit)
ERROR = "error"                 # the grader itself failed on this exercise (a bug or a broken check)
NOT_GRADED = "not_graded"       # not the student's fault (its dataset is not installed here): out of the total


@dataclass
class CheckResult:
    name: str            # "<exercise id>::<check name>", e.g. "kernels::figure_13_1"
    score: float
    max_score: float
    passed: bool
    message: str = ""    # why it failed (or a note when it passed, e.g. MNIST accuracy)
    duration: float = 0.0
    hidden: bool = False
    details: dict[str, Any] = field(default_factory=dict)  # metrics recorded by the check


@dataclass
class ExerciseResult:
    id: str
    title: str
    score: float
    max_score: float
    status: str
    message: str = ""
    checks: list[CheckResult] = field(default_factory=list)
    duration: float = 0.0
    output: str = ""     # captured stdout/stderr of the exercise process (truncated)
    warnings: list[str] = field(default_factory=list)
    hidden_not_run: int = 0  # hidden checks left out of this run: they run at final grading
    cpu_seconds: float = 0.0  # CPU time of the student's processes: what the time budget counts
    time_limit: float = 0.0   # the budget: CPU seconds (wall-clock seconds on CUDA)
    sandbox: str = ""         # the sandbox level the student's code ran in: namespaces, uid or none
    hidden_points: float = 0.0  # what those hidden checks are worth (grader.points): not in max_score


@dataclass
class GradeResult:
    course: str
    submission: str
    exercises: list[ExerciseResult]
    seed: int
    lang: str
    device: str
    course_version: str = ""
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)
    sandbox: str = ""    # the weakest level any exercise ran at

    @property
    def score(self) -> float:
        return exact_sum(ex.score for ex in self.exercises)

    @property
    def max_score(self) -> float:
        return exact_sum(ex.max_score for ex in self.exercises)

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0

    def checks(self):
        for ex in self.exercises:
            yield from ex.checks

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(score=self.score, max_score=self.max_score, percent=round(self.percent, 2))
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "GradeResult":
        exercises = [
            ExerciseResult(**{**ex, "checks": [CheckResult(**c) for c in ex["checks"]]})
            for ex in data["exercises"]
        ]
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "exercises"}
        return cls(exercises=exercises, **fields)
