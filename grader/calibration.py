"""How much CPU time the reference solutions need on this kind of machine: the base of "3x" budgets.

A budget in CPU seconds is fair across load, but machines and torch versions differ in speed. So a
course may write a budget as a multiple of the reference (``time_limit: 3x`` for the whole exercise,
``train_time_limit: 3x`` for ``train()``), resolved from the medians that ``convgrade calibrate`` stored
for this machine (processor, cores) and torch version under ``$XDG_CACHE_HOME/convgrade/``. An
uncalibrated multiple is a course error naming the command to run, never a silent guess.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
from dataclasses import dataclass
from pathlib import Path

MULTIPLE_SUFFIX = "x"


@dataclass(frozen=True)
class Measurement:
    exercise: str
    runs: int
    exercise_cpu: float   # median CPU seconds of the student's processes for the whole exercise
    train_cpu: float      # median CPU seconds of train() alone (0 when the exercise has no training)
    score: float
    max_score: float


def store_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "convgrade" / "calibration.json"


def machine_key() -> str:
    """Processor model, cores and torch version: what makes CPU seconds comparable."""
    import torch

    model = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{model} | {os.cpu_count()} cores | torch {torch.__version__}"


def stored() -> dict[str, dict]:
    try:
        return json.loads(store_path().read_text(encoding="utf-8")).get(machine_key(), {})
    except (OSError, ValueError, AttributeError):
        return {}


def save(measurements: list[Measurement]) -> Path:
    path = store_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    mine = data.setdefault(machine_key(), {})
    for m in measurements:
        mine[m.exercise] = {"exercise_cpu": m.exercise_cpu, "train_cpu": m.train_cpu, "runs": m.runs}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def is_multiple(value) -> bool:
    return isinstance(value, str) and value.endswith(MULTIPLE_SUFFIX)


def resolve(value, exercise_id: str, kind: str) -> float | None:
    """A budget in seconds: ``value`` itself, or "3x" times the stored reference ``kind`` ("exercise_cpu"
    or "train_cpu"); None when the multiple has no calibration here."""
    if not is_multiple(value):
        return float(value)
    factor = float(value[:-len(MULTIPLE_SUFFIX)])
    reference = stored().get(exercise_id, {}).get(kind)
    return round(factor * reference, 1) if reference else None


def measure(course, exercise_ids: list[str], runs: int = 3) -> list[Measurement]:
    """Grade each exercise's reference solution ``runs`` times; the medians of its CPU seconds."""
    from grader.grading import grade

    found = []
    for exercise_id in exercise_ids:
        results = [grade(course.root / "solutions", course=course, exercises=[exercise_id]).exercises[0]
                   for _run in range(runs)]
        train = [c.details.get("train_seconds", 0.0) for r in results for c in r.checks if "train_seconds" in c.details]
        found.append(Measurement(exercise_id, runs, round(statistics.median(r.cpu_seconds for r in results), 2),
                                 round(statistics.median(train), 2) if train else 0.0,
                                 min(r.score for r in results), results[0].max_score))
    return found
