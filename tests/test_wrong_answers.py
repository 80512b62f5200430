"""Plausible wrong answers lose points on the check meant to catch them, and only there.

Each file ``tests/wrong_answers/<module>/<variant>.py`` holds only the wrong function(s) plus
``CAUGHT_BY`` (check functions that must fail), ``MISTAKE`` (the id of the known mistake it makes,
grader.mistakes) and, where one mistake implies another, ``ALSO_MAKES``. It is appended to the reference
solution, so later definitions win. The first failing message must name that mistake, and no message may
name a mistake the variant does not make, except next to its own where the input cannot tell them apart
(``Flatten`` of a (1, 2, 1, 1) tensor: squeeze() and flatten() both give (2,)).
"""
import re
from pathlib import Path

import pytest

import grader
from case_files import check_function, constants
from grader import i18n, mistakes

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
    if "MISTAKE" not in expected:  # quiz, norms, bn_order: the check's own message names the mistake
        assert expected["MESSAGE_MENTIONS"].lower() in first.message.lower(), f"{variant.name}: {first.message}"
        return
    own, others = _phrases(module, expected["MISTAKE"], expected.get("ALSO_MAKES", []))
    assert own in first.message, f"{variant.name}: the message does not name `{expected['MISTAKE']}`: {first.message}"
    for check in checks:
        named = [phrase for phrase in others if phrase in check.message and own not in check.message]
        assert not named, f"{variant.name}: {check.name} names a mistake it does not make ({named}): {check.message}"
    assert result.exercises[0].score < result.exercises[0].max_score


def _phrases(module: str, mistake_id: str, also: list[str]) -> tuple[str, set[str]]:
    """The English words naming this mistake, and those naming the exercise's mistakes it does not make."""
    with i18n.using_language("en"):
        known = {key: m.when for key, m in _catalogue().items() if key[0] in (module, "*")}
    own = known.get((module, mistake_id)) or known.get(("*", mistake_id))
    assert own, f"no known mistake `{mistake_id}` for {module} (grader.mistakes.catalogue())"
    made = {own} | {known[(module, other)] for other in also}
    return own, {phrase for phrase in known.values() if phrase not in made and phrase not in own}


_CACHE: dict = {}


def _catalogue() -> dict:
    if not _CACHE:
        _CACHE.update(mistakes.catalogue())
    return _CACHE


def test_every_module_has_enough_wrong_answers(course):
    for ex in course.exercises:
        if ex.slow:
            continue
        count = len(list((ROOT / "tests" / "wrong_answers" / ex.module_name).glob("*.py")))
        assert count >= 4, f"{ex.id}: only {count} wrong-answer variants"
