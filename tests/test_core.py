"""End to end through grader.grade and the CLI: full marks, zero for stubs, reports, exit codes."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader
from grader import report
from grader.cli import main
from grader.results import GradeResult

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solutions_result(course, quick_exercises):
    return grader.grade(ROOT / "solutions", course=course, exercises=quick_exercises, lang="en")


@pytest.fixture(scope="module")
def stubs_result(course, quick_exercises):
    return grader.grade(ROOT / "exercises", course=course, exercises=quick_exercises, lang="en")


def test_solutions_get_full_marks(solutions_result):
    for ex in solutions_result.exercises:
        assert ex.status == "ok" and ex.score == ex.max_score > 0, (ex.id, [c.message for c in ex.checks])
        assert all(c.passed for c in ex.checks)


def test_stubs_get_zero_with_not_implemented(stubs_result, course):
    for ex in stubs_result.exercises:
        assert ex.score == 0 and ex.status == "not_implemented", (ex.id, ex.status, ex.message)
        todo = "not answered yet" if course.exercise(ex.id).quiz else "not implemented yet"  # a blank quiz form
        assert all(todo in c.message for c in ex.checks), ex.id
        assert "Traceback" not in ex.message


def test_check_names_are_exercise_qualified(solutions_result):
    for ex in solutions_result.exercises:
        assert all(c.name.startswith(f"{ex.id}::") for c in ex.checks)


def test_points_split_by_weight(solutions_result, course):
    kernels = next(ex for ex in solutions_result.exercises if ex.id == "kernels")
    assert kernels.max_score == pytest.approx(course.exercise("kernels").points)
    by_name = {c.name: c.max_score for c in kernels.checks}  # figure_13_1 has weight 2, coord_grid 1
    assert by_name["kernels::figure_13_1"] == pytest.approx(2 * by_name["kernels::coord_grid"], abs=1e-3)


def test_single_file_submission_grades_its_exercise(course, tmp_path):
    file = tmp_path / "shapes.py"
    file.write_text((ROOT / "solutions" / "shapes.py").read_text())
    result = grader.grade(file, course=course, lang="en")
    assert [ex.id for ex in result.exercises] == ["shapes"]
    assert result.score == result.max_score


def test_missing_module_in_folder(course, tmp_path):
    (tmp_path / "kernels.py").write_text((ROOT / "solutions" / "kernels.py").read_text())
    result = grader.grade(tmp_path, course=course, exercises=["kernels", "shapes"], lang="en")
    kernels, shapes = result.exercises
    assert kernels.score == kernels.max_score
    assert shapes.status == "missing" and "shapes.py is not in the submission" in shapes.message


def test_json_round_trip(solutions_result):
    data = json.loads(report.to_json(solutions_result))
    assert data["score"] == data["max_score"] == solutions_result.max_score
    again = GradeResult.from_dict(data)
    assert again.score == solutions_result.score and len(list(again.checks())) == len(list(solutions_result.checks()))


def test_junit_counts_the_same_checks(stubs_result):
    root = ET.fromstring(report.to_junit(stubs_result))
    cases = root.findall(".//testcase")
    assert len(cases) == len(list(stubs_result.checks())) == int(root.get("tests"))
    assert len(root.findall(".//failure")) == int(root.get("failures")) == len(cases)
    assert {s.get("name") for s in root.findall("testsuite")} == {ex.id for ex in stubs_result.exercises}


def test_gradescope_shape(solutions_result):
    data = json.loads(report.to_gradescope(solutions_result))
    assert data["score"] == solutions_result.score
    for test in data["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
        assert test["visibility"] in ("visible", "after_published", "hidden", "after_due_date")
    assert sum(t["max_score"] for t in data["tests"]) == pytest.approx(solutions_result.max_score, abs=0.01)


def test_classroom_shape(stubs_result):
    data = json.loads(report.to_classroom(stubs_result))
    assert data["status"] == "fail" and all(t["status"] == "fail" for t in data["tests"])


def run_cli(*args):
    return CliRunner().invoke(main, ["--help"] if not args else list(args), catch_exceptions=False)


def test_cli_text_report_and_exit_codes(tmp_path):
    course = str(ROOT / "course.yaml")
    ok = run_cli("grade", str(ROOT / "solutions"), "--course", course, "-e", "shapes", "--lang", "en")
    assert ok.exit_code == 0 and "shapes" in ok.output and "Total: 10/10" in ok.output
    junit = tmp_path / "j.xml"
    low = run_cli("grade", str(ROOT / "exercises"), "--course", course, "-e", "shapes", "--fail-under", "50",
                  "--format", "json", "--output", str(tmp_path / "r.json"), "--junit", str(junit))
    assert low.exit_code == 1
    assert json.loads((tmp_path / "r.json").read_text())["score"] == 0
    assert ET.parse(junit).getroot().tag == "testsuites"


def test_cli_usage_errors_are_one_line_exit_2(tmp_path):
    missing = run_cli("grade", str(tmp_path / "nope"), "--course", str(ROOT / "course.yaml"), "--lang", "en")
    assert missing.exit_code == 2 and "no such file or folder" in missing.output
    bad = tmp_path / "course.yaml"
    bad.write_text("title: x\nexercises: [{id: k, checks: [nope.py]}]\n")
    broken = run_cli("grade", str(ROOT / "solutions"), "--course", str(bad))
    assert broken.exit_code == 2 and "exercise 'k', field 'checks'" in broken.output
    assert "Traceback" not in broken.output


def test_cli_list(course):
    result = run_cli("list", "--course", str(course.path), "--lang", "en")
    assert result.exit_code == 0
    for ex in course.exercises:
        assert ex.id in result.output


def test_broken_check_file_is_a_course_error_not_a_silent_zero(course_copy):
    checks = course_copy.parent / "grader" / "checks" / "shapes.py"
    checks.write_text(checks.read_text() + "\nimport a_module_that_does_not_exist\n")
    result = grader.grade(ROOT / "solutions", course=course_copy, exercises=["kernels", "shapes"], lang="en")
    kernels, shapes = result.exercises
    assert kernels.score == kernels.max_score
    assert shapes.status == "error" and shapes.score == 0
    assert "could not be loaded" in shapes.message and "a_module_that_does_not_exist" in shapes.message


def test_hidden_checks_are_left_out_of_a_student_run(course_copy):
    checks = course_copy.parent / "grader" / "checks" / "kernels.py"
    checks.write_text(checks.read_text() + "\n\n@pytest.mark.hidden\ndef test_secret(student):\n    assert False\n")
    full = grader.grade(ROOT / "solutions", course=course_copy, exercises=["kernels"], lang="en")
    public = grader.grade(ROOT / "solutions", course=course_copy, exercises=["kernels"], lang="en",
                          include_hidden=False)
    assert [c.name for c in full.exercises[0].checks if c.hidden] == ["kernels::secret"]
    assert not any(c.hidden for c in public.exercises[0].checks)
    assert public.exercises[0].score == public.exercises[0].max_score
    assert public.exercises[0].hidden_not_run == 1
