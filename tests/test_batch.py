"""Batch grading: a folder of students -> grades.csv and one JSON each; no student can stop the batch.

A tiny course written into a temp folder (two one-line exercises, a short time limit) keeps this fast;
the real checks are proven elsewhere. The fork server is shared with the rest of the session.
"""
import csv
import json
import zipfile

import pytest
from click.testing import CliRunner

from grader import batch
from grader.cli import main
from grader.course import load_course
from grader.results import CRASHED, MISSING, NOT_IMPLEMENTED, OK, TIMEOUT
from grader.submission import MAX_SOURCE_BYTES, prepare

CHECKS = """\
import pytest


@pytest.mark.points(1)
def test_doubles_positive(student):
    assert student.double(2) == 4


@pytest.mark.points(3)
def test_doubles_negative(student):
    assert student.double(-3) == -6
"""
RIGHT = "def double(x):\n    return 2 * x\n"
WRONG = "def double(x):\n    return 2 * abs(x)\n"   # loses test_doubles_negative only
STUB = "def double(x):\n    raise NotImplementedError\n"
CRASH = "import os\nos._exit(3)\n"
LOOP = "while True:\n    pass\n"


@pytest.fixture
def course(tmp_path):
    (tmp_path / "checks").mkdir()
    for name in ("alpha", "beta"):  # not checks/alpha.py: pytest would import it as the module `alpha`
        (tmp_path / "checks" / f"check_{name}.py").write_text(CHECKS)
    (tmp_path / "course.yaml").write_text(
        "title: batch test\nlanguage: en\ndefaults: {time_limit: 4}\nexercises:\n"
        "  - {id: alpha, checks: [checks/check_alpha.py], points: 10}\n"
        "  - {id: beta, checks: [checks/check_beta.py], points: 10}\n")
    return load_course(tmp_path / "course.yaml")


def student(folder, name, **modules):
    (folder / name).mkdir(parents=True)
    for module, text in modules.items():
        (folder / name / f"{module}.py").write_text(text)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_a_mixed_class_is_graded_into_a_gradebook_that_matches_the_json(course, tmp_path, monkeypatch):
    subs = tmp_path / "submissions"
    student(subs, "full", alpha=RIGHT, beta=RIGHT)
    student(subs, "partial", alpha=WRONG, beta=RIGHT)
    student(subs, "stub", alpha=STUB, beta=STUB)
    student(subs, "crash", alpha=CRASH, beta=RIGHT)
    student(subs, "loop", alpha=RIGHT, beta=LOOP)
    student(subs, "only_alpha", alpha=RIGHT)
    student(subs, "empty")
    with zipfile.ZipFile(subs / "zipped.zip", "w") as zf:
        zf.writestr("zipped/alpha.py", RIGHT)
        zf.writestr("zipped/beta.py", WRONG)
    (subs / "broken.zip").write_bytes(b"not a zip archive")
    student(subs, "bug", alpha=RIGHT, beta=RIGHT)
    real_grade = batch.grade

    def grade_with_a_bug(path, **kwargs):
        if path.name == "bug":
            raise RuntimeError("a bug in the grader")
        return real_grade(path, **kwargs)

    monkeypatch.setattr(batch, "grade", grade_with_a_bug)
    out = tmp_path / "grades"

    rows = batch.grade_all(subs, out, course=course, jobs=2)

    assert [row.student.id for row in rows] == sorted(["full", "partial", "stub", "crash", "loop", "only_alpha",
                                                       "empty", "zipped", "broken", "bug"])
    table = read_csv(out / batch.CSV_NAME)
    assert len(table) == 10
    for name, line in table.items():
        data = json.loads((out / f"{name}.json").read_text())
        assert data["student"] == name
        if line["status"] == "error":
            assert data["status"] == "error" and line["error"] == data["error"] and line["total"] == ""
            continue
        assert float(line["total"]) == pytest.approx(data["score"])
        for exercise in data["exercises"]:
            assert float(line[exercise["id"]]) == pytest.approx(exercise["score"])
    totals = {name: float(line["total"]) for name, line in table.items() if line["status"] == "graded"}
    assert totals == {"full": 20, "partial": 12.5, "stub": 0, "crash": 10, "loop": 10, "only_alpha": 10,
                      "empty": 0, "zipped": 12.5}
    statuses = {row.student.id: {ex.id: ex.status for ex in row.result.exercises} for row in rows if row.result}
    assert statuses["crash"] == {"alpha": CRASHED, "beta": OK}
    assert statuses["loop"] == {"alpha": OK, "beta": TIMEOUT}
    assert statuses["stub"] == {"alpha": NOT_IMPLEMENTED, "beta": NOT_IMPLEMENTED}
    assert statuses["only_alpha"]["beta"] == MISSING
    assert table["loop"]["problems"] == "beta: timeout"
    assert "cannot unzip" in table["broken"]["error"]
    assert table["bug"]["error"] == "RuntimeError: a bug in the grader"
    assert "Traceback" in json.loads((out / "bug.json").read_text())["traceback"]


def test_unchanged_students_are_not_graded_again_unless_forced(course, tmp_path, monkeypatch):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    student(subs, "ann", alpha=RIGHT)
    student(subs, "bob", alpha=WRONG)
    graded = []
    real_grade = batch.grade
    monkeypatch.setattr(batch, "grade", lambda path, **kw: graded.append(path.name) or real_grade(path, **kw))
    alpha = batch.Options(exercises=("alpha",))

    first = batch.grade_all(subs, out, course=course, options=alpha)
    (subs / "bob" / "alpha.py").write_text(RIGHT)
    second = batch.grade_all(subs, out, course=course, options=alpha)
    other_options = batch.grade_all(subs, out, course=course, options=batch.Options(exercises=("beta",)))
    forced = batch.grade_all(subs, out, course=course, options=alpha, force=True)

    assert sorted(graded) == ["ann", "ann", "ann", "bob", "bob", "bob", "bob"]
    assert [row.reused for row in second] == [True, False]
    assert [row.result.score for row in first] == [10, 2.5] and [row.result.score for row in second] == [10, 10]
    assert not any(row.reused for row in other_options + forced)


def test_cli_grades_single_file_students_as_the_chosen_exercise(course, tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    subs.mkdir()
    (subs / "carol.py").write_text(RIGHT)
    student(subs, "dave", alpha=WRONG)

    run = CliRunner().invoke(main, ["grade-all", str(subs), "--course", str(course.path), "-o", str(out),
                                    "-e", "alpha", "--jobs", "1"])

    assert run.exit_code == 0, run.output
    assert "2 graded, 0 unchanged since the last run, 0 could not be graded" in run.output
    table = read_csv(out / batch.CSV_NAME)
    assert list(table["carol"]) == ["student", "alpha", "total", "max_score", "percent", "status", "problems",
                                    "error"]
    assert (table["carol"]["total"], table["dave"]["total"]) == ("10", "2.5")
    assert json.loads((out / "carol.json").read_text())["submission"] == str(subs / "carol.py")


TIMED = """\
import time


def test_records_when_it_ran(student, exercise_settings):
    start = time.time()
    time.sleep(0.3)
    with open(exercise_settings["log"], "a") as log:
        log.write(f"{exercise_settings['kind']} {start} {time.time()}\\n")
"""


def test_slow_exercises_run_alone_while_quick_ones_share_the_machine(tmp_path):
    """A training exercise is timed against the whole machine, so nothing may run beside it."""
    (tmp_path / "checks").mkdir()
    (tmp_path / "checks" / "check_timed.py").write_text(TIMED)
    log = tmp_path / "ran.log"
    (tmp_path / "course.yaml").write_text(
        "title: turns\nlanguage: en\nexercises:\n" + "".join(
            f"  - {{id: {name}, checks: [checks/check_timed.py], tags: [{'slow' if kind == 'slow' else 'quick'}], "
            f"settings: {{log: '{log}', kind: {kind}}}}}\n"
            for name, kind in (("first", "quick"), ("train", "slow"), ("last", "quick"))))
    subs = tmp_path / "submissions"
    for name in "abcd":
        student(subs, name, first=RIGHT, train=RIGHT, last=RIGHT)

    batch.grade_all(subs, tmp_path / "grades", course=load_course(tmp_path / "course.yaml"), jobs=3)

    assert_slow_ran_alone_and_quick_shared(log, expected_runs=12)


def assert_slow_ran_alone_and_quick_shared(log, expected_runs: int) -> None:
    """From the TIMED check's log: nothing overlapped a slow (training) run, and some quick runs overlapped."""
    runs = [(kind, float(start), float(end)) for kind, start, end in map(str.split, log.read_text().splitlines())]
    assert len(runs) == expected_runs
    for kind, start, end in runs:
        overlapping = [other for other in runs if other[1] < end and start < other[2]]
        assert kind == "quick" or len(overlapping) == 1, f"a slow exercise ran beside {overlapping}"
    quick = [run for run in runs if run[0] == "quick"]
    assert any(a[1] < b[2] and b[1] < a[2] for a in quick for b in quick if a != b), "quick ones never shared"


def test_two_entries_for_one_student_stop_before_grading(course, tmp_path):
    subs = tmp_path / "submissions"
    student(subs, "erin", alpha=RIGHT)
    (subs / "erin.py").write_text(RIGHT)

    run = CliRunner().invoke(main, ["grade-all", str(subs), "--course", str(course.path), "-o", str(tmp_path / "g")])

    assert run.exit_code == 2
    assert "would both be student 'erin'; rename one of them" in run.output
    assert not (tmp_path / "g").exists()


def test_a_zip_is_unpacked_by_base_name_only_and_with_a_size_cap(course, tmp_path):
    archive = tmp_path / "student.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("repo/exercises/alpha.py", RIGHT)
        zf.writestr("repo/exercises/beta.py", "x = 1\n" * MAX_SOURCE_BYTES)  # compresses to a few kB
        zf.writestr("repo/exercises/../../../../escaped.py", RIGHT)
        zf.writestr("repo/setup.py", RIGHT)
        zf.writestr("__MACOSX/repo/._alpha.py", "junk")

    with prepare(archive, course) as submission:
        assert submission.modules == {"alpha"}
        assert any("beta.py: larger than" in warning for warning in submission.warnings)
    assert not list(tmp_path.rglob("escaped.py"))


def test_a_predictable_temp_name_or_an_unwritable_json_costs_one_row_not_the_batch(course, tmp_path):
    """What a student process could prepare in the output folder, before the lead's sandbox hides it."""
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    for name in ("ann", "bob", "cid"):
        student(subs, name, alpha=RIGHT)
    (out / "ann.json.tmp").mkdir(parents=True)   # the old fixed temporary name, made a folder
    (out / "bob.json" / "inside").mkdir(parents=True)  # the JSON itself: a folder that cannot be replaced

    rows = batch.grade_all(subs, out, course=course, options=batch.Options(exercises=("alpha",)))

    table = read_csv(out / batch.CSV_NAME)
    assert (table["ann"]["total"], table["cid"]["total"]) == ("10", "10")
    assert json.loads((out / "ann.json").read_text())["score"] == 10
    assert table["bob"]["status"] == "error" and table["bob"]["error"].startswith(f"cannot write {out / 'bob.json'}:")
    assert [row.result is None for row in rows] == [False, True, False]
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") and p.name != "ann.json.tmp"]


def test_a_rewritten_json_in_the_output_folder_is_never_taken_as_the_cache(course, tmp_path):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    student(subs, "bob", alpha=WRONG)
    alpha = batch.Options(exercises=("alpha",))
    batch.grade_all(subs, out, course=course, options=alpha)
    forged = json.loads((out / "bob.json").read_text())
    cached = json.loads((batch.default_cache_dir(course) / "bob.json").read_text())
    for exercise in forged["exercises"]:
        exercise["score"] = exercise["max_score"]
    forged.update(score=10, percent=100, cache_key=cached["cache_key"])
    (out / "bob.json").write_text(json.dumps(forged))

    again = batch.grade_all(subs, out, course=course, options=alpha)

    assert again[0].reused and again[0].result.score == 2.5
    assert read_csv(out / batch.CSV_NAME)["bob"]["total"] == "2.5"
    assert json.loads((out / "bob.json").read_text())["score"] == 2.5  # the grader's copy is put back


def test_an_edited_grader_grades_everyone_again(course, tmp_path, monkeypatch):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    student(subs, "ann", alpha=RIGHT)
    alpha = batch.Options(exercises=("alpha",))
    batch.grade_all(subs, out, course=course, options=alpha)
    monkeypatch.setattr(batch, "grader_fingerprint", lambda: "an edited grader")

    assert not batch.grade_all(subs, out, course=course, options=alpha)[0].reused


def test_grades_csv_is_written_when_the_run_is_interrupted(course, tmp_path, monkeypatch):
    subs, out = tmp_path / "submissions", tmp_path / "grades"
    for name in ("ann", "bob", "cid"):
        student(subs, name, alpha=RIGHT)
    real_grade = batch.grade

    def interrupted_at_bob(path, **kwargs):
        if path.name == "bob":
            raise KeyboardInterrupt
        return real_grade(path, **kwargs)

    monkeypatch.setattr(batch, "grade", interrupted_at_bob)

    with pytest.raises(KeyboardInterrupt):
        batch.grade_all(subs, out, course=course, jobs=1, options=batch.Options(exercises=("alpha",)))

    table = read_csv(out / batch.CSV_NAME)
    assert table["ann"]["total"] == "10"
    assert table["bob"]["status"] == table["cid"]["status"] == "error"
    assert table["cid"]["error"].startswith("not graded: the run stopped before this student")
    assert not (out / "cid.json").exists()
