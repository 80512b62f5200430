"""Plausible wrong answers lose points on the check meant to catch them, and only there.

Each file ``tests/wrong_answers/<module>/<variant>.py`` holds only the wrong function(s) plus
``CAUGHT_BY`` (check functions that must fail) and ``MESSAGE_MENTIONS`` (a word the first failing
message must contain). It is appended to the reference solution, so later definitions win.
"""
import re
from pathlib import Path

import pytest

import grader
from case_files import check_function, constants

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = sorted((ROOT / "tests" / "wrong_answers").glob("*/*.py"))


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_wrong_answer_is_caught_by_its_check(variant, tmp_path, course):
    module = variant.parent.name
    expected = constants(variant)
    solution = (ROOT / "solutions" / f"{module}.py").read_text()
    (tmp_path / f"{module}.py").write_text(solution + "\n\n# --- wrong answer ---\n" + variant.read_text())
    for other in (ROOT / "solutions").glob("*.py"):  # modules the solution may import (mnist uses batchnorm)
        if other.stem != module:
            (tmp_path / other.name).write_text(other.read_text())
    result = grader.grade(tmp_path, course=course, exercises=[course.by_module(module).id], lang="en")
    checks = result.exercises[0].checks
    failed = {check_function(c.name) for c in checks if not c.passed}
    assert failed == set(expected["CAUGHT_BY"]), (
        f"{variant.name}: expected exactly {sorted(expected['CAUGHT_BY'])} to fail, got {sorted(failed)}: "
        + "; ".join(f"{c.name}: {c.message}" for c in checks if not c.passed))
    first = next(c for c in checks if not c.passed and check_function(c.name) == expected["CAUGHT_BY"][0])
    assert expected["MESSAGE_MENTIONS"] in first.message.lower(), first.message
    assert result.exercises[0].score < result.exercises[0].max_score


def test_every_module_has_enough_wrong_answers(course):
    for ex in course.exercises:
        if ex.slow:
            continue
        count = len(list((ROOT / "tests" / "wrong_answers" / ex.module_name).glob("*.py")))
        assert count >= 4, f"{ex.id}: only {count} wrong-answer variants"
