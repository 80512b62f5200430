"""Exports to the platforms that grade at scale: the Gradescope bundle (run as Gradescope would run it,
against a fake /autograder tree) and the GitHub Actions workflow (valid YAML with the documented steps)."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_course
from grader.export import GRADE_FLAGS, AUTOGRADER_PYTHON_ENV, AUTOGRADER_ROOT_ENV, github_workflow, gradescope_bundle, run_gradescope
from grader.report import to_markdown
from grader.results import CheckResult, ExerciseResult, GradeResult

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = """\
import pytest


@pytest.mark.points(1)
def test_doubles_positive(student):
    assert student.double(2) == 4
"""
HIDDEN = """\
def test_doubles_negative(student):
    assert student.double(-3) == -6
"""


@pytest.fixture
def course(tmp_path):
    folder = tmp_path / "course"
    (folder / "checks").mkdir(parents=True)
    (folder / "checks" / "check_alpha.py").write_text(PUBLIC)
    (folder / "checks" / "hidden_alpha.py").write_text(HIDDEN)
    (folder / "course.yaml").write_text(
        "title: export test\nlanguage: en\nexercises:\n"
        "  - {id: alpha, checks: [checks/check_alpha.py], hidden_checks: [checks/hidden_alpha.py], points: 10}\n")
    return load_course(folder / "course.yaml")


def test_gradescope_bundle_grades_a_submission_like_gradescope_does(course, tmp_path):
    bundle = tmp_path / "autograder.zip"
    known = all(flag in CliRunner().invoke(main, ["grade", "--help"]).output for flag in GRADE_FLAGS if "--" in flag)
    names = gradescope_bundle(course, bundle, grade_flags=GRADE_FLAGS if known else ())  # see docs/instructors.md
    autograder = tmp_path / "autograder"
    with zipfile.ZipFile(bundle) as zf:
        assert sorted(zf.namelist()) == sorted(names)
        assert zf.getinfo("run_autograder").external_attr >> 16 & 0o111  # executable once unzipped
        zf.extractall(autograder / "source")
    source = autograder / "source"
    assert {"setup.sh", "run_autograder", "course.yaml", "checks/check_alpha.py", "checks/hidden_alpha.py",
            "pyproject.toml", "grader/__init__.py", "grader/plugin.py"} <= set(names)
    setup = (source / "setup.sh").read_text()
    assert "--index-url https://download.pytorch.org/whl/cpu" in setup and "pip install /autograder/source" in setup
    (autograder / "submission").mkdir()
    (autograder / "submission" / "alpha.py").write_text("def double(x):\n    return 2 * abs(x)\n")

    env = {**os.environ, AUTOGRADER_ROOT_ENV: str(autograder), AUTOGRADER_PYTHON_ENV: sys.executable}
    run = subprocess.run(["bash", str(source / "run_autograder")], env=env, capture_output=True, text=True,
                         timeout=300)

    assert run.returncode == 0, run.stderr
    results = json.loads((autograder / "results" / "results.json").read_text())
    tests = {t["name"]: t for t in results["tests"]}
    assert set(tests) == {"alpha::doubles_positive", "alpha::doubles_negative"}, results
    for test in tests.values():
        assert {"name", "score", "max_score", "output", "visibility"} <= set(test)
    assert tests["alpha::doubles_positive"]["visibility"] == "visible"
    assert tests["alpha::doubles_negative"]["visibility"] == "after_published"
    assert (tests["alpha::doubles_positive"]["score"], tests["alpha::doubles_negative"]["score"]) == (5, 0)
    assert results["score"] == 5


def test_gradescope_run_without_a_gradable_submission_still_writes_results(course, tmp_path):
    gradescope_bundle(course, tmp_path / "autograder.zip")
    with zipfile.ZipFile(tmp_path / "autograder.zip") as zf:
        zf.extractall(tmp_path / "source")

    run_gradescope(tmp_path, "hidden")  # no submission/ folder at all

    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == [] and "submission" in results["output"]


def test_gradescope_bundle_refuses_a_check_outside_the_course_folder(course, tmp_path):
    (tmp_path / "elsewhere.py").write_text(PUBLIC)
    text = course.path.read_text().replace("hidden_checks: [checks/hidden_alpha.py]", "hidden_checks: [../elsewhere.py]")
    course.path.write_text(text)

    run = CliRunner().invoke(main, ["export", "gradescope", str(tmp_path / "b.zip"), "--course", str(course.path)])

    assert run.exit_code == 2
    assert "lies outside the course folder" in run.output and "Traceback" not in run.output


def test_github_workflow_is_valid_yaml_with_the_documented_steps():
    workflow = yaml.safe_load(github_workflow("solutions", fail_under=100))

    assert set(workflow["on"]) >= {"push", "pull_request"}
    steps = workflow["jobs"]["grade"]["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/checkout@") and uses[1].startswith("actions/setup-python@")
    assert steps[1]["with"]["python-version"] == "3.11"
    install, grade, keep = steps[2]["run"], steps[3]["run"], steps[4]
    assert "pip install -c constraints.txt" in install and "download.pytorch.org/whl/cpu" in install
    assert grade.startswith("convgrade grade solutions ")
    for part in ("--format json --output grade.json", "--junit junit.xml", '--summary "$GITHUB_STEP_SUMMARY"',
                 "--fail-under 100"):
        assert part in grade
    assert keep["uses"].startswith("actions/upload-artifact@") and "cancelled()" in keep["if"]
    assert keep["with"]["path"].split() == ["grade.json", "junit.xml"]


def test_classroom_workflow_hands_the_classroom_json_to_the_grading_reporter(tmp_path):
    out = tmp_path / "classroom.yml"
    run = CliRunner().invoke(main, ["export", "github-actions", "--classroom", "--output", str(out),
                                    "--course-repo", "teacher/cnn", "--course-ref", "v1"])
    assert run.exit_code == 0, run.output
    job = yaml.safe_load(out.read_text())["jobs"]["grade"]
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}

    assert "--format classroom --output classroom.json" in steps["Grade exercises"]["run"]
    assert 'base64 -w0 classroom.json' in steps["Encode the results for GitHub Classroom"]["run"]
    assert steps["Encode the results for GitHub Classroom"]["id"] == "convgrade"
    reporter = steps["Report to GitHub Classroom"]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "convgrade"
    assert reporter["env"]["CONVGRADE_RESULTS"] == "${{ steps.convgrade.outputs.result }}"


def test_the_workflows_grade_command_writes_its_reports_and_appends_the_summary(course, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "alpha.py").write_text("def double(x):\n    return 2 * x\n")
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")

    run = CliRunner().invoke(main, ["grade", str(tmp_path / "sub"), "--course", str(course.path), "--format", "json",
                                    "--output", str(tmp_path / "grade.json"), "--junit", str(tmp_path / "junit.xml"),
                                    "--summary", str(summary), "--fail-under", "100"])

    assert run.exit_code == 0, run.output
    assert json.loads((tmp_path / "grade.json").read_text())["score"] == 10
    assert (tmp_path / "junit.xml").read_text().startswith("<?xml")
    assert summary.read_text().startswith("earlier step\n### export test")
    assert "| alpha | alpha | 10/10 |" in summary.read_text()


def test_the_projects_own_workflow_is_the_generated_one():
    assert (ROOT / ".github" / "workflows" / "grade.yml").read_text() == github_workflow("solutions", fail_under=100)


def test_markdown_summary_is_one_table_row_per_exercise_then_what_failed():
    checks = [CheckResult("alpha::doubles", 1, 1, True), CheckResult("alpha::negative", 0, 3, False,
                                                                     message="expected -6,\ngot 6 | abs?")]
    result = GradeResult("Course", "subs/ann", [
        ExerciseResult("alpha", "Alpha", 1, 4, "ok", checks=checks),
        ExerciseResult("beta", "Beta", 0, 4, "timeout", message="timed out after 4 s")], seed=0, lang="en",
        device="cpu")

    text = to_markdown(result)

    assert "| alpha | Alpha | 1/4 | 1/2 checks passed |" in text
    assert "| beta | Beta | 0/4 |" in text
    assert "- **beta**: timed out after 4 s" in text
    assert "- ✗ `alpha::negative` (0/3): expected -6, got 6 \\| abs?" in text
    assert text.splitlines()[-1].startswith("**Total: 1/8 points")
