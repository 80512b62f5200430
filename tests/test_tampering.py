"""A student process can change its grade only by being right: each attack in tests/tampering/ scores
exactly what it honestly earns.

Each case is appended to the exercise's stub or reference solution (``BASE``) and declares ``PASSES``:
the checks that must pass (for a stub: none, whatever it patches or forges; for a solution with a
forbidden op smuggled in: all but the guard). Attacks that printed what they found are shown on failure.
"""
import re
from pathlib import Path

import pytest

import grader
from case_files import check_function, constants
from grader import runner
from grader.course import Exercise
from grader.runner import proxy, wire

ROOT = Path(__file__).resolve().parents[1]
CASES = sorted((ROOT / "tests" / "tampering").glob("*.py"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_attack_scores_what_it_honestly_earns(case, tmp_path, course):
    meta = constants(case)
    exercise = course.exercise(meta["EXERCISE"])
    base = ROOT / ("solutions" if meta["BASE"] == "solution" else "exercises") / exercise.module
    (tmp_path / exercise.module).write_text(base.read_text() + "\n\n# --- attack ---\n" + case.read_text())
    for other in (ROOT / "solutions").glob("*.py"):  # modules a solution imports (mnist uses batchnorm)
        if other.name != exercise.module:
            (tmp_path / other.name).write_text(other.read_text())
    result = grader.grade(tmp_path, course=course, exercises=[exercise.id], lang="en").exercises[0]
    passed = {check_function(c.name) for c in result.checks if c.passed}
    everything = {check_function(c.name) for c in result.checks}
    expected = meta["PASSES"]
    if isinstance(expected, str):  # "all but test_x"
        expected = everything - {expected.removeprefix("all but ")}
    assert passed == set(expected), (result.status, result.message, result.output[-800:],
                                     [(c.name, c.message) for c in result.checks if not c.passed])
    assert result.score == pytest.approx(sum(c.max_score for c in result.checks if c.passed), abs=1e-3)
    assert result.score <= result.max_score
    if meta["BASE"] == "stub" and not expected:
        assert result.score == 0


def test_forged_or_repeated_reports_never_exceed_the_maximum():
    """The runner clamps credit to [0, 1], keeps the first report of a check, ignores unknown names."""
    exercise = Exercise(id="ex", title={"en": "ex"}, module="ex.py", checks=(), points=10)
    events = runner._Events()
    events.collected = [{"name": "ex::a", "weight": 1.0, "hidden": False},
                        {"name": "ex::b", "weight": 1.0, "hidden": False}]
    report = {"weight": 1.0, "hidden": False, "passed": True, "message": "", "reason": "passed",
              "duration": 0.0, "details": {}}
    for name, credit in (("ex::a", 10.0), ("ex::a", 1.0), ("ex::b", -3.0), ("ex::zzz", 1.0)):
        events.take(wire_free_json({"kind": "check", "payload": {**report, "name": name, "credit": credit}}))
    result = runner._result(exercise, events, "exited", 0.1, "", 10, 0, "en", False)
    assert [c.score for c in result.checks] == [5.0, 0.0]
    assert result.score == 5.0 <= result.max_score == 10.0


def wire_free_json(message: dict) -> bytes:
    import json

    return json.dumps(message).encode()


def _frame(header: bytes, sizes: bytes = b"[]", *buffers: bytes) -> bytes:
    import struct

    return struct.pack(">I", len(header)) + struct.pack(">I", len(sizes)) + header + sizes + b"".join(buffers)


@pytest.mark.parametrize("frame, why", [
    (_frame(b'{"P": 0}', b"[3]", b"abc"), "a pickle from the student is refused"),
    (_frame(b"[" * 5000 + b"]" * 5000), "nesting beyond the cap"),
    (_frame(b'{"X": ["float32", [4], 0]}', b"[3]", b"abc"), "bytes that do not fit the shape"),
    (_frame(b'{"X": ["object", [1], 0]}', b"[1]", b"a"), "an unknown dtype"),
    (_frame(b'{"Z": 1}'), "an unknown tag"),
    (_frame(b'{"D": [[[1], 2]]}'), "an unhashable dict key"),
])
def test_the_checker_reads_only_well_formed_data(frame, why):
    with pytest.raises(wire.WireError):
        wire.decode(frame, resolve=lambda tag: pytest.fail("no handle expected"))


def test_tensors_come_back_as_plain_tensors():
    import torch

    class Sub(torch.Tensor):
        pass

    value = {"t": torch.arange(6.0).reshape(2, 3).as_subclass(Sub), "n": (1, 2.5, None, "x", [True])}
    back = wire.decode(wire.encode(value, unknown=lambda v: pytest.fail(f"not data: {v!r}")), resolve=None)
    assert type(back["t"]) is torch.Tensor and back["t"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["n"] == (1, 2.5, None, "x", [True])


def test_a_student_exception_is_rebuilt_as_its_builtin_type():
    error = proxy.rebuild({"type": "ValueError", "builtin": True, "message": "outside", "file": "kernels.py",
                           "line": 7, "function": "apply_kernel"})
    assert type(error) is ValueError and error.student["line"] == 7
    assert type(proxy.rebuild({"type": "Evil", "builtin": False, "message": "m"})) is proxy.StudentRaised


def test_check_files_run_under_bare_pytest_with_one_student_process_per_module(tmp_path):
    """`pytest -p grader.plugin CHECKS --submission DIR` (how an author runs checks) starts the student
    processes itself and ends cleanly: each module's checks reach that module."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "grader.plugin", "-p", "no:cacheprovider",
                           str(ROOT / "grader" / "checks" / "kernels.py"), str(ROOT / "grader" / "checks" / "params.py"),
                           "--submission", str(ROOT / "solutions")], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "weighted score" in done.stdout and " failed" not in done.stdout
