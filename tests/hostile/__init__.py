"""The hostile-submission suite: one course whose exercises are each a hostile (or broken) variant of
kernels.py, graded with the real kernels checks, between the honest kernels and shapes exercises.

``build(folder)`` writes the course and the submission; tests/test_hostile.py asserts what each case
must get, bench/hostile.py prints what each case got and how long it took. Each file in cases/ says in
its docstring what it does and what it should get; the cases written here are the ones that cannot be
plain files in the repository (bytes that are not UTF-8, files that would hide pytest or torch).
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from grader import limits

ROOT = Path(__file__).resolve().parents[2]
CASES_DIR = Path(__file__).with_name("cases")
TIMEOUT_S = 2.0     # for the cases that never finish: short, so the suite stays quick
HONEST_LIMIT_S = 60.0
SEED = 7

# Files that would take over grading if the grader imported them: each must be left out with a warning.
SHADOWS = {
    "pytest.py": "raise SystemExit('a pytest.py from the submission was imported')\n",
    "torch.py": "import os\nos._exit(3)\n",
    "conftest.py": ("import pytest\n\n\n@pytest.hookimpl(wrapper=True)\ndef pytest_runtest_makereport(item, call):\n"
                    "    report = yield\n    report.outcome = 'passed'\n    return report\n"),
    "grader/checks/kernels.py": "def test_everything_passes():\n    pass\n",
    "test_stubs.py": "def test_figure_13_1():\n    pass\n",
}


@dataclass(frozen=True)
class Case:
    id: str
    about: str          # first line of the case's docstring
    time_limit: float


def cases() -> list[Case]:
    """Every case, the ones from cases/ first, in a fixed order."""
    found = []
    for file in sorted(CASES_DIR.glob("*.py")):
        if file.stem == "fork_bomb" and not limits.fork_bombs_stopped():
            continue  # nothing would stop it here (root without cgroups): it would take the machine down
        about = file.read_text(encoding="utf-8").split('"""')[1].strip().splitlines()[0]
        never_ends = file.stem in ("loop_at_import", "loop_in_function", "fork_bomb")
        found.append(Case(file.stem, about, TIMEOUT_S if never_ends else HONEST_LIMIT_S))
    return found + [
        Case("not_utf8", "A file saved in Windows-1250 (a Polish Windows editor), not UTF-8.", HONEST_LIMIT_S),
        Case("empty_file", "An empty file (saved before anything was written).", HONEST_LIMIT_S),
        Case("stubs", "Unfilled stubs next to pytest.py, torch.py, conftest.py and an edited checks file that "
                      "would all make every check pass.", HONEST_LIMIT_S),
    ]


def cgroups_available() -> bool:
    """Whether each exercise gets a cgroup here (then even a child that left the process group is killed)."""
    with limits.cgroup(limits.Limits(memory_mb=None, cpu_seconds=None, max_tasks=limits.MAX_TASKS)) as group:
        return group is not None


MARKER = "HOSTILE_MARKER"  # in the environment of every process a case starts (grade(env=...))


def recorded_processes(output: str) -> list[tuple[str, int]]:
    """(kind, pid) the cases printed ("HOSTILE child 12"): pids inside the student's PID namespace."""
    return [(kind, int(pid)) for kind, pid in re.findall(r"^HOSTILE (\w+) (\d+)$", output, re.M)]


def survivors(token: str) -> list[int]:
    """Processes still alive (not zombies) whose environment carries ``MARKER=token``: they outlived grading."""
    found = []
    needle = f"{MARKER}={token}".encode()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and needle in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def build(folder: Path) -> tuple[Path, Path]:
    """Write ``folder/course.yaml`` and ``folder/submission/``; returns (course path, submission folder)."""
    submission = folder / "submission"
    submission.mkdir()
    for name in ("kernels.py", "shapes.py"):
        shutil.copy(ROOT / "solutions" / name, submission / name)
    for case in cases():
        if (CASES_DIR / f"{case.id}.py").is_file():
            shutil.copy(CASES_DIR / f"{case.id}.py", submission / f"{case.id}.py")
    (submission / "not_utf8.py").write_bytes("# Zadanie: jądro\ndef apply_kernel(im, row, col, kernel):\n"
                                             "    pass\n".encode("cp1250"))
    (submission / "empty_file.py").write_bytes(b"")
    shutil.copy(ROOT / "exercises" / "kernels.py", submission / "stubs.py")
    for name, text in SHADOWS.items():
        (submission / name).parent.mkdir(parents=True, exist_ok=True)
        (submission / name).write_text(text, encoding="utf-8")

    kernels_checks = ROOT / "grader" / "checks" / "kernels.py"
    entries = [f"  - {{id: kernels, checks: [{kernels_checks}], points: 10, time_limit: {HONEST_LIMIT_S}}}"]
    entries += [f"  - {{id: {case.id}, checks: [{kernels_checks}], points: 10, time_limit: {case.time_limit}}}"
                for case in cases()]
    entries += [f"  - {{id: shapes, checks: [{ROOT / 'grader' / 'checks' / 'shapes.py'}], points: 10, "
                f"time_limit: {HONEST_LIMIT_S}}}"]
    course = folder / "course.yaml"
    course.write_text(f"title: Hostile submissions\nlanguage: en\nseed: {SEED}\nexercises:\n" + "\n".join(entries)
                      + "\n", encoding="utf-8")
    return course, submission
