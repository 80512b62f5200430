"""What students and platforms receive (issue 18): exact points that hidden checks never move, a student
repository that works from its own README, exports that run where they go, commands from any folder."""
import csv
import dataclasses
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import grader
from grader import i18n, points, report
from grader.assign import write_distribution
from grader.batch import Row, Student, write_csv
from grader.cli import main
from grader.course import CourseError
from grader.export import GRADE_FLAGS, github_workflow, gradescope_bundle
from grader.results import CheckResult, ExerciseResult, GradeResult
from grader.submission import SubmissionError, locate
from grader.validate import translation_problems

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(autouse=True)
def keep_language():
    with i18n.using_language(i18n.language()):
        yield


def test_allocate_sums_exactly_by_largest_remainder():
    assert points.allocate([1, 1, 1], 10) == [3.3334, 3.3333, 3.3333]
    assert points.allocate([2, 1], 1) == [0.6667, 0.3333]
    assert points.allocate([0.5] * 7, 12) == [1.7143, 1.7143, 1.7143, 1.7143, 1.7143, 1.7143, 1.7142]
    assert points.allocate([0, 0], 5) == [0.0, 0.0]
    assert points.exact_sum([3.3334, 3.3333, 3.3333]) == 10


def _full_marks(course, include_hidden=True) -> GradeResult:
    """Every check of every exercise passed, with the points grader.points gives them."""
    exercises = []
    for ex in course.exercises:
        split = points.declared_split(ex, include_hidden=include_hidden)
        checks = [CheckResult(name=f"{ex.id}::c{i}", score=p, max_score=p, passed=True) for i, p in
                  enumerate(split.checks)]
        exercises.append(ExerciseResult(id=ex.id, title=ex.id, score=points.exact_sum(split.checks),
                                        max_score=points.exact_sum(split.checks), status="ok", checks=checks))
    return GradeResult(course="c", submission="s", exercises=exercises, seed=0, lang="en", device="cpu")


def _decimals(values) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0))


def test_every_exercise_totals_exactly_in_every_format(course, tmp_path):
    result = _full_marks(course)
    total = sum(Decimal(str(ex.points)) for ex in course.exercises)
    for ex in course.exercises:  # the split itself: exactly the exercise's points, weights in proportion
        shares = points.declared_split(ex).checks
        assert _decimals(shares) == Decimal(str(ex.points)), ex.id
    gradescope = json.loads(report.to_gradescope(result))
    classroom = json.loads(report.to_classroom(result))
    as_json = json.loads(report.to_json(result))
    for ex in course.exercises:
        name = f"{ex.id}::"
        assert _decimals(t["max_score"] for t in gradescope["tests"] if t["name"].startswith(name)) == Decimal(
            str(ex.points)), ex.id
        assert _decimals(t["max_score"] for t in classroom["tests"] if t["name"].startswith(name)) == Decimal(
            str(ex.points)), ex.id
        shipped = next(e for e in as_json["exercises"] if e["id"] == ex.id)
        assert _decimals(c["max_score"] for c in shipped["checks"]) == Decimal(str(shipped["max_score"]))
    assert Decimal(str(gradescope["score"])) == total == Decimal(str(classroom["max_score"]))
    assert Decimal(str(as_json["score"])) == total == Decimal(str(as_json["max_score"]))
    junit = ET.fromstring(report.to_junit(result).split("?>", 1)[1])
    junit_total = _decimals(p.get("value") for p in junit.iter("property") if p.get("name") == "max_score")
    assert junit_total == total
    write_csv([Row(Student("alice", tmp_path), result)], list(course.exercises), tmp_path / "grades.csv")
    row = next(csv.DictReader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert Decimal(row["total"]) == total == _decimals(row[ex.id] for ex in course.exercises)


def test_hidden_checks_never_move_public_points_for_every_exercise(course):
    """A hidden check of weight 1 added to each exercise: its public checks are worth the same at final
    grading, in a run without hidden checks and in the student distribution (only weights recorded)."""
    for ex in course.exercises:
        public = [{"weight": c.weight, "hidden": False} for path in ex.checks for c in points.declared_checks(path)]
        final = points.split(ex, [*public, {"weight": 1.0, "hidden": True}])
        distribution = points.split(dataclasses.replace(ex, hidden_weights=(1.0,)), public)
        assert distribution.checks == final.checks[:-1], ex.id
        assert distribution.withheld == final.checks[-1:], ex.id
        assert points.exact_sum(final.checks) == ex.points
        assert points.exact_sum(distribution.checks) + distribution.withheld_points == ex.points


@pytest.mark.parametrize("lang, one, two", [
    ("en", "1.6 points in 1 hidden check at final grading", "3.2 points in 2 hidden checks at final grading"),
    ("pl", "1.6 pkt w 1 ukrytym sprawdzeniu przy ocenie końcowej", "3.2 pkt w 2 ukrytych sprawdzeniach"),
])
def test_the_total_says_what_hidden_checks_are_worth_with_plural_forms(lang, one, two):
    def result(hidden: int) -> GradeResult:
        ex = ExerciseResult(id="params", title="p", score=6.4, max_score=6.4, status="ok",
                            hidden_not_run=hidden, hidden_points=1.6 * hidden)
        return GradeResult(course="c", submission="s", exercises=[ex], seed=0, lang=lang, device="cpu")

    with i18n.using_language(lang):
        total, advice = report.next_step(result(1))
        assert one in total and "6.4" in total and "100%" in total
        assert two in report.next_step(result(2))[0]
        assert advice == i18n._("All public checks pass.")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    dist = tmp_path_factory.mktemp("bundle") / "dist"
    write_distribution(grader.load_course(ROOT / "course.yaml"), dist)
    return dist


def test_the_bundle_is_a_repository_with_its_own_readme(bundle):
    readme = (bundle / "README.md").read_text()
    assert readme != (ROOT / "README.md").read_text() and "convgrade grade solutions" not in readme
    assert readme.index("Po polsku") < readme.index("In English")  # the course language first
    for needed in ("convgrade check", "exercises/notebooks", "Colab", "mnist", "--skip-slow", "45 s"):
        assert needed in readme
    ignored = (bundle / ".gitignore").read_text().split()
    assert {".venv/", "__pycache__/", "report.html", "grade.json", "junit.xml"} <= set(ignored)
    workflow = yaml.safe_load((bundle / ".github" / "workflows" / "grade.yml").read_text())
    assert "convgrade grade exercises" in json.dumps(workflow)
    assert not (bundle / "solutions").exists() and not (bundle / "docs").exists()


def _bash_blocks(markdown: str) -> list[list[str]]:
    """The commands of each ```bash block, comments cut off."""
    blocks = re.findall(r"```bash\n(.*?)```", markdown, re.S)
    return [[line.split("  #")[0].strip() for line in block.splitlines() if line.strip()] for block in blocks]


def test_the_bundle_readme_commands_work_in_a_fresh_venv(bundle, tmp_path):
    """The README's install line, then its grade commands, in a venv made on top of this one (so pip
    finds the dependencies installed; the commands themselves are the README's, word for word)."""
    english = (bundle / "README.md").read_text().split("In English", 1)[1]
    install, grading = _bash_blocks(english)[:2]
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(bundle / ".venv")], check=True)
    site = next((bundle / ".venv" / "lib").glob("python3*/site-packages"))
    (site / "dev-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env.update(PIP_RETRIES="0", PIP_TIMEOUT="5", PYTHONNOUSERSITE="1")
    run = subprocess.run(["bash", "-c", install[0]], cwd=bundle, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "ready:" in run.stdout or "gotowe:" in run.stdout
    wanted = [c for c in grading if c.startswith("convgrade list") or c == "convgrade grade -e kernels"
              or c.startswith("convgrade grade kernels.py")]
    assert len(wanted) == 3
    for command, folder in [*((c, bundle) for c in wanted), ("convgrade grade -e kernels", bundle / "exercises")]:
        run = subprocess.run(["bash", "-c", f". {bundle}/.venv/bin/activate && {command}"], cwd=folder, env=env,
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, f"{command} in {folder}: {run.stdout}{run.stderr}"
        assert "kernels" in run.stdout


def test_check_reports_a_missing_exercise_file(bundle, tmp_path):
    course = grader.load_course(bundle / "course.yaml")
    from grader.bundle import check_bundle

    assert check_bundle(course) == []
    broken = dataclasses.replace(course.exercises[0], module="gone.py")
    assert "gone.py" in check_bundle(dataclasses.replace(course, exercises=(broken,)))[0]


def test_classroom_grades_with_a_pinned_course_the_student_cannot_edit():
    with pytest.raises(CourseError, match="--course-repo"):
        github_workflow(classroom=True)
    text = github_workflow(classroom=True, course_repo="teacher/cnn", course_ref="v1", token_secret="COURSE_TOKEN")
    steps = yaml.safe_load(text)["jobs"]["grade"]["steps"]
    pinned = steps[1]["with"]
    assert pinned == {"repository": "teacher/cnn", "ref": "v1", "path": ".convgrade-course",
                      "token": "${{ secrets.COURSE_TOKEN }}"}
    runs = [s.get("run", "") for s in steps]
    assert any(r.endswith("./.convgrade-course/") and r.startswith("pip install") for r in runs)
    assert any("--course .convgrade-course/course.yaml" in r and "--format classroom" in r for r in runs)


def test_gradescope_setup_gets_python_311_and_a_cpu_torch_and_locks_the_course(course, tmp_path):
    import zipfile

    gradescope_bundle(course, tmp_path / "a.zip", torch="2.6.0", exercises=["kernels"])
    with zipfile.ZipFile(tmp_path / "a.zip") as zf:
        setup, run = zf.read("setup.sh").decode(), zf.read("run_autograder").decode()
        names = zf.namelist()
    lines = [line for line in setup.splitlines() if line and not line.startswith("#")]
    assert lines[0] == "set -euo pipefail" and "sys.version_info < (3, 11)" in setup
    assert "ppa:deadsnakes/ppa" in setup and "python3.11-venv" in setup
    assert "torch==2.6.0 --index-url https://download.pytorch.org/whl/cpu" in setup
    assert "chmod -R go-rwx /autograder/source" in setup
    assert " ".join(GRADE_FLAGS) in run and "--exercise=kernels" in run and "--exercise=shapes" not in run
    assert "grader/checks/kernels.py" in names and "course.yaml" in names
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0


def test_commands_work_from_any_folder(course):
    exercises = course.root / "exercises"
    assert locate("kernels.py", course, cwd=course.root) == exercises / "kernels.py"
    assert locate("kernels.ipynb", course, cwd=course.root) == exercises / "notebooks" / "kernels.ipynb"
    assert locate(None, course, cwd=exercises) == exercises
    assert locate(None, course, cwd=course.root) == exercises
    assert locate(None, course, cwd=course.root / "docs") == exercises
    assert locate("nothing.py", course, cwd=course.root) == Path("nothing.py")  # "no such file" comes later


def test_a_name_in_both_student_folders_asks_which(course_copy):
    course = grader.load_course(course_copy)
    (course.root / "exercises" / "notebooks" / "kernels.py").write_text("")
    with pytest.raises(SubmissionError, match="did you mean exercises/kernels.py / exercises/notebooks/kernels.py"):
        locate("kernels.py", course, cwd=course.root)


def test_an_unknown_id_suggests_the_closest_in_the_course_language():
    run = CliRunner().invoke(main, ["grade", "-e", "kernel", "--course", str(ROOT / "course.yaml")])
    assert run.exit_code == 2
    assert "nie ma ćwiczenia 'kernel'; czy chodziło o kernels?" in run.output


def test_validate_reports_untranslated_messages_and_titles(course_copy):
    check = course_copy.parent / "grader" / "checks" / "kernels.py"
    check.write_text(check.read_text() + '\n\ndef _extra():\n    return _("a message nobody translated {x}")\n')
    course = grader.load_course(course_copy)
    kernels = dataclasses.replace(course.exercise("kernels"), title={"en": "Kernels"})
    problems = translation_problems([kernels])
    assert any("no pl title" in p for p in problems)
    assert any("a message nobody translated" in p for p in problems)
    assert translation_problems([course.exercise("shapes")]) == []


def test_new_takes_both_titles(course_copy):
    run = CliRunner().invoke(main, ["new", "pooling", "--title-pl", "Łączenie", "--title-en", "Pooling",
                                    "--course", str(course_copy)])
    assert run.exit_code == 0, run.output
    assert grader.load_course(course_copy).exercise("pooling").title == {"pl": "Łączenie", "en": "Pooling"}


def test_a_public_check_is_worth_the_same_in_the_bundle_and_at_final_grading(course_copy, tmp_path):
    check = course_copy.parent / "grader" / "checks" / "params.py"
    check.write_text(check.read_text() + "\n\n@pytest.mark.hidden\ndef test_secret(student):\n    assert True\n")
    course = grader.load_course(course_copy)
    final = grader.grade(ROOT / "solutions", course=course, exercises=["params"], lang="en")
    shipped = write_distribution(course, tmp_path / "dist")
    student = grader.grade(ROOT / "solutions", course=shipped, exercises=["params"], lang="en")
    at_final = {c.name: c.max_score for c in final.exercises[0].checks if not c.hidden}
    assert {c.name: c.max_score for c in student.exercises[0].checks} == at_final
    assert student.exercises[0].hidden_points + student.max_score == final.max_score == 8
    assert "in 1 hidden check at final grading" in report.next_step(student)[0]
