"""Hostile and broken submissions (tests/hostile/): each costs only its own exercise, never the run.

One grade() call grades every case as its own exercise between the honest kernels and shapes
exercises, so each test below also shows that whatever came before did not disturb what came after.
"""
import csv
import hashlib
import json
import os
import secrets
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest

import grader
import hostile
from grader import limits, runner
from grader.batch import Options, grade_all
from grader.runner import OUTPUT_KEEP_BYTES

HONEST = ["kernels", "shapes", "prints_10mb", "print_patched", "daemon_thread"]
NEVER_END = ["loop_at_import", "loop_in_function", "fork_bomb"]


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    course, submission = hostile.build(folder)
    token = secrets.token_hex(8)
    before = snapshot(submission)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "MAX_TASKS", 64)  # a smaller bomb: quicker to fill and to kill
        result = grader.grade(submission, course=course, lang="en", env={hostile.MARKER: token})
    pids = [p for ex in result.exercises for p in hostile.recorded_processes(ex.output)]
    yield SimpleNamespace(result=result, by_id={ex.id: ex for ex in result.exercises}, course=course,
                          folder=folder, submission=submission, pids=pids, token=token,
                          untouched=snapshot(submission) == before)
    for pid in hostile.survivors(token):  # where nothing could kill a leftover, do it here
        os.kill(pid, signal.SIGKILL)


def failed_messages(exercise) -> list[str]:
    return [c.message for c in exercise.checks if not c.passed]


def test_every_case_was_graded_with_every_check_reported(run):
    cases = [case.id for case in hostile.cases()]
    assert [ex.id for ex in run.result.exercises] == ["kernels", *cases, "shapes"]
    n_checks = len(run.by_id["kernels"].checks)
    for ex in run.result.exercises:
        if ex.id != "shapes":
            assert len(ex.checks) == n_checks, (ex.id, ex.status, ex.message)
        assert all("Traceback" not in c.message for c in ex.checks), ex.id


@pytest.mark.parametrize("case", HONEST)
def test_honest_code_gets_full_marks_whatever_it_prints(run, case):
    ex = run.by_id[case]
    assert ex.status == "ok" and ex.score == ex.max_score == 10, (ex.status, ex.message, failed_messages(ex))


@pytest.mark.parametrize("case", NEVER_END)
def test_code_that_never_ends_times_out_with_zero(run, case):
    if case not in run.by_id:
        pytest.skip("no limit on processes here (root without cgroups): the fork bomb is not run")
    ex = run.by_id[case]
    assert ex.status == "timeout" and ex.score == 0
    assert "ran out of CPU time" in ex.message and "2 CPU seconds" in ex.message and case in ex.message
    assert ex.duration < hostile.TIMEOUT_S * runner.WALL_BACKSTOP + runner.WALL_SLACK_S


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="looks for processes in /proc")
def test_no_process_outlives_its_exercise(run):
    kinds = {kind for kind, _pid in run.pids}
    assert {"child", "session"} <= kinds  # the cases did start children that tried to outlive them
    assert hostile.survivors(run.token) == []


@pytest.mark.parametrize("case, words", [("sys_exit_in_function", "SystemExit(0)"),
                                         ("keyboard_interrupt", "KeyboardInterrupt")])
def test_exit_inside_a_function_costs_only_the_checks_that_call_it(run, case, words):
    ex = run.by_id[case]
    assert ex.status == "ok" and 0 < ex.score < ex.max_score
    assert all(words in message for message in failed_messages(ex))


def test_os_exit_at_import_crashes_with_zero(run):
    ex = run.by_id["exit_at_import"]
    assert ex.status == "crashed" and ex.score == 0 and "os._exit()" in ex.message


def test_memory_hog_fails_its_checks_naming_the_limit(run):
    ex = run.by_id["memory_hog"]
    assert ex.status == "ok" and 0 < ex.score < ex.max_score
    limit = grader.load_course(run.course).exercise("memory_hog").memory_limit_mb
    assert all("ran out of memory" in m and f"{limit} MB" in m for m in failed_messages(ex))


def test_forged_results_are_ignored(run):
    ex = run.by_id["fake_results"]
    assert ex.score == 0
    assert '"score": 10' in ex.output  # it did print its fake report


def test_output_is_kept_as_plain_text_head_and_tail(run):
    output = run.by_id["prints_10mb"].output
    assert "bytes cut" in output and len(output) < 3 * OUTPUT_KEEP_BYTES
    assert not any(ch in output for ch in "\x1b\x00\r")


def test_shadowing_files_are_left_out_with_a_warning(run):
    ex = run.by_id["stubs"]
    assert ex.score == 0 and ex.status == "not_implemented"
    for name in ("pytest.py", "torch.py", "conftest.py"):
        assert any(name in w and "ignored" in w for w in run.result.warnings), name


def test_student_folder_is_never_written_to(run):
    assert run.untouched


@pytest.mark.parametrize("case, words", [
    ("missing_function", "`apply_kernel` not found in missing_function.py"),
    ("returns_list", "returned list, expected a torch.Tensor"),
    ("returns_nan", "NaN"),
    ("not_utf8", "not_utf8.py: not UTF-8 text"),
    ("empty_file", "empty_file.py: the file is empty"),
])
def test_broken_code_gets_a_clear_message(run, case, words):
    ex = run.by_id[case]
    assert ex.score < ex.max_score
    assert words in failed_messages(ex)[0]


def test_same_submission_same_scores_and_the_seed_is_recorded(run):
    again = grader.grade(run.submission, course=run.course, lang="en",
                         exercises=["sys_exit_in_function", "returns_nan"])
    assert again.seed == run.result.seed == hostile.SEED
    for ex in again.exercises:
        first = run.by_id[ex.id]
        assert [(c.name, c.score, c.passed) for c in ex.checks] == [(c.name, c.score, c.passed) for c in first.checks]


def test_submission_that_does_not_exist_is_one_clear_error(run):
    with pytest.raises(grader.SubmissionError, match="no such file or folder"):
        grader.grade(run.folder / "nope", course=run.course)


def test_batch_with_hostile_students_writes_every_row(tmp_path):
    course_path, submission = hostile.build(tmp_path)
    students = tmp_path / "students"
    (students / "honest").mkdir(parents=True)
    (students / "honest" / "kernels.py").write_bytes((submission / "kernels.py").read_bytes())
    submission.rename(students / "hostile")
    (students / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    options = Options(exercises=("kernels", "loop_at_import", "exit_at_import", "not_utf8"))
    course = grader.load_course(course_path)
    rows = grade_all(students, tmp_path / "out", course=course, jobs=2, options=options)
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as f:
        table = {row["student"]: row for row in csv.DictReader(f)}
    assert sorted(table) == ["broken", "honest", "hostile"] and len(rows) == 3
    assert table["honest"]["kernels"] == "10" and table["hostile"]["kernels"] == "10"
    assert table["hostile"]["loop_at_import"] == table["hostile"]["exit_at_import"] == "0"
    assert "loop_at_import: timeout" in table["hostile"]["problems"]
    assert table["broken"]["status"] == "error" and "cannot unzip" in table["broken"]["error"]
    for student in table:
        assert json.loads((tmp_path / "out" / f"{student}.json").read_text())["student"] == student
