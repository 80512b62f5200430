"""Class insight from the per-student JSON of grade-all: checks.csv, the class page, similarity, LMS exports.

Results are built as GradeResult objects and written as grade-all writes them (one JSON per student and
grades.csv), so every count below is known; one test runs a real grade-all on two copies of solutions/.
"""
import csv
import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import batch, i18n
from grader.class_insight import CHECKS_COLUMNS, check_statistics, load_class, write_checks_csv
from grader.cli import main
from grader.gradebook import CANVAS_COLUMNS, CANVAS_POINTS_POSSIBLE, MOODLE_ID_FIELDS
from grader.results import NOT_IMPLEMENTED, OK, TIMEOUT, CheckResult, ExerciseResult, GradeResult
from grader.submission import SubmissionError

ROOT = Path(__file__).resolve().parents[1]
WRONG_4 = "conv_out_size(5, 4, 1, 2): expected 6, got 4. The formula is (n + 2*padding - ks) // stride + 1."
WRONG_5 = "conv_out_size(5, 4, 1, 2): expected 6, got 5. The formula is (n + 2*padding - ks) // stride + 1."
OTHER = "returned a list, expected a tensor"


@pytest.fixture(autouse=True)
def keep_language():
    with i18n.using_language(i18n.language()):
        yield


def exercise(ex_id: str, checks: dict[str, tuple[float, str]], *, status: str = OK, duration: float = 1.0,
             points: float = 4.0) -> ExerciseResult:
    """``checks``: name -> (credit 0..1, message); each check is worth ``points`` / len(checks)."""
    each = points / len(checks)
    results = [CheckResult(f"{ex_id}::{name}", round(credit * each, 4), each, credit >= 1, message,
                           details={"reason": NOT_IMPLEMENTED} if status == NOT_IMPLEMENTED else {})
               for name, (credit, message) in checks.items()]
    return ExerciseResult(ex_id, ex_id.title(), sum(c.score for c in results), points, status, checks=results,
                          duration=duration)


def student(*exercises: ExerciseResult, lang: str = "en") -> GradeResult:
    return GradeResult("CNN course", "", list(exercises), 0, lang, "cpu")


def write_class(folder: Path, students: dict[str, GradeResult | None]) -> Path:
    """One JSON per student and grades.csv, as grade-all writes them (None: the grader failed on them)."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, result in students.items():
        row = batch.Row(batch.Student(name, folder / name), result, error="" if result else "SyntaxError: boom")
        data = ({"student": name, **result.to_dict(), "cache_key": "k"} if result else
                {"student": name, "submission": name, "status": "error", "error": row.error})
        (folder / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
        rows.append(row)
    exercises = {ex.id for r in students.values() if r for ex in r.exercises}
    batch.write_csv(rows, [type("Ex", (), {"id": i})() for i in sorted(exercises)], folder / batch.CSV_NAME)
    return folder


def small_class(lang: str = "en") -> dict[str, GradeResult | None]:
    ok = {"textbook_cases": (1, ""), "random_cases": (1, "")}
    return {
        "alice": student(exercise("shapes", ok), exercise("kernels", {"edges": (1, "")}, duration=0.5), lang=lang),
        "bob": student(exercise("shapes", {"textbook_cases": (0, WRONG_4), "random_cases": (0.5, OTHER)}),
                       exercise("kernels", {"edges": (1, "")}), lang=lang),
        "carol": student(exercise("shapes", {"textbook_cases": (0, WRONG_5), "random_cases": (1, "")}),
                         exercise("kernels", {"edges": (0, "timed out after 30 s")}, status=TIMEOUT, duration=30),
                         lang=lang),
        "dave": student(exercise("shapes", {"textbook_cases": (0, "not implemented yet"),
                                            "random_cases": (0, "not implemented yet")}, status=NOT_IMPLEMENTED),
                        exercise("kernels", {"edges": (0, OTHER)}), lang=lang),
        "erin": None,
    }


def read_csv(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def by_check(path: Path) -> dict[str, dict[str, str]]:
    return {f"{row['exercise']}::{row['check']}": row for row in csv.DictReader(open(path, encoding="utf-8"))}


# ---------------------------------------------------------------------------------------------- checks.csv
def test_checks_csv_counts_each_outcome_and_groups_messages_that_differ_in_numbers(tmp_path):
    folder = write_class(tmp_path / "grades", small_class())
    path = write_checks_csv(folder)
    assert read_csv(path)[0] == CHECKS_COLUMNS
    rows = by_check(path)
    assert list(rows) == ["shapes::textbook_cases", "shapes::random_cases", "kernels::edges"]  # first-seen order
    textbook = rows["shapes::textbook_cases"]
    assert (textbook["students"], textbook["passed"], textbook["failed"], textbook["not_attempted"],
            textbook["timed_out"]) == ("4", "1", "2", "1", "0")
    assert textbook["points"] == "2" and textbook["mean_credit"] == "0.250"
    assert textbook["common_failure"] in (WRONG_4, WRONG_5) and textbook["common_failure_count"] == "2"
    random = rows["shapes::random_cases"]
    assert (random["passed"], random["failed"], random["mean_credit"]) == ("2", "1", "0.625")
    assert (random["common_failure"], random["common_failure_count"]) == (OTHER, "1")
    edges = rows["kernels::edges"]
    assert (edges["passed"], edges["failed"], edges["timed_out"], edges["common_failure"]) == ("2", "1", "1", OTHER)


def test_load_class_names_the_folder_without_grades_csv_and_a_broken_json(tmp_path):
    with pytest.raises(SubmissionError, match="grades.csv"):
        load_class(tmp_path)
    folder = write_class(tmp_path / "grades", small_class())
    (folder / "bob.json").write_text("{not json")
    with pytest.raises(SubmissionError, match="bob.json"):
        load_class(folder)


def test_grade_all_writes_checks_csv_from_its_results(tmp_path):
    submissions = tmp_path / "submissions"
    for name in ("ann", "ben"):
        shutil.copytree(ROOT / "solutions", submissions / name)
    (submissions / "ben" / "kernels.py").write_text("def apply_kernel(im, row, col, kernel):\n    return 0\n")
    out = tmp_path / "grades"
    run = CliRunner().invoke(main, ["grade-all", str(submissions), "-o", str(out), "-e", "kernels", "--course",
                                    str(ROOT / "course.yaml"), "--jobs", "2"])
    assert run.exit_code == 0, run.output
    rows = by_check(out / "checks.csv")
    assert rows and all(name.startswith("kernels::") for name in rows)
    assert all(row["students"] == "2" for row in rows.values())
    assert {row["passed"] for row in rows.values()} <= {"1"}  # ann passes everything, ben (almost) nothing
    failing = [row for row in rows.values() if row["common_failure"]]
    assert failing and all(row["common_failure_count"] == "1" for row in failing)
    stats = check_statistics(load_class(out))
    assert sum(s.passed for s in stats) == len(stats)


# ---------------------------------------------------------------------------------------------- class page
@pytest.mark.parametrize("lang, heading, two_students", [
    ("en", "Pass rate per check, worst first", "(2 students)"),
    ("pl", "Odsetek zaliczeń każdego sprawdzenia, od najgorszego", "(studenci: 2)")])
def test_class_report_draws_the_class_in_its_language(tmp_path, lang, heading, two_students):
    folder = write_class(tmp_path / "grades", small_class(lang="pl"))
    page = tmp_path / "class.html"
    run = CliRunner().invoke(main, ["class-report", str(folder), "-o", str(page), "--lang", lang])
    assert run.exit_code == 0, run.output
    html = page.read_text(encoding="utf-8")
    assert f'<html lang="{lang}">' in html and heading in html
    assert html.count('src="data:image/png;base64,') == 3  # histograms, pass rates, time per exercise
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script" not in html
    failing = html[html.index('id="failures"'):]
    assert failing.index("shapes::textbook_cases") < failing.index("shapes::random_cases")  # worst first
    assert two_students in failing and "erin" in html  # the grouped message; the student who could not be graded
    assert 'id="similarity"' not in html


def test_class_report_with_similarity_says_similar_never_copied(tmp_path, similar_subs):
    folder = write_class(tmp_path / "grades", small_class())
    pairs = tmp_path / "similarity.csv"
    run = CliRunner().invoke(main, ["similarity", str(similar_subs), "-o", str(pairs), "-e", "kernels",
                                    "--course", str(ROOT / "course.yaml"), "--threshold", "0"])
    assert run.exit_code == 0, run.output
    page = tmp_path / "class.html"
    run = CliRunner().invoke(main, ["class-report", str(folder), "-o", str(page), "--similarity", str(pairs)])
    assert run.exit_code == 0, run.output
    html = page.read_text(encoding="utf-8")
    shutil.copy(pairs, folder / "similarity.csv")  # found there without --similarity
    assert CliRunner().invoke(main, ["class-report", str(folder), "-o", str(page)]).exit_code == 0
    assert page.read_text(encoding="utf-8") == html
    section = html[html.index('id="similarity"'):]
    assert "Most similar submissions" in section and "alice" in section and "bob" in section
    for word in ("copied", "plagiar", "cheat"):
        assert word not in html.lower() and word not in run.output.lower()


# ---------------------------------------------------------------------------------------------- similarity
@pytest.fixture
def similar_subs(tmp_path):
    """alice: the solution; bob: alice's with other names and comments; carol: the stub; dave: own code."""
    subs = tmp_path / "subs"
    solution = (ROOT / "solutions" / "kernels.py").read_text(encoding="utf-8")
    for name, code in {"alice": solution,
                       "bob": solution.replace("kernel", "weights").replace("# ", "# note: "),
                       "carol": (ROOT / "exercises" / "kernels.py").read_text(encoding="utf-8")}.items():
        (subs / name).mkdir(parents=True)
        (subs / name / "kernels.py").write_text(code, encoding="utf-8")
    (subs / "dave.py").write_text("def apply_kernel(im, row, col, kernel):\n"
                                  "    total = 0.0\n    for i in range(3):\n        for j in range(3):\n"
                                  "            total += float(im[row - 1 + i, col - 1 + j]) * float(kernel[i][j])\n"
                                  "    return total\n", encoding="utf-8")
    return subs


def test_similarity_finds_the_renamed_copy_and_leaves_the_stub_text_out(tmp_path, similar_subs, course):
    pytest.importorskip("copydetect")
    from grader.similarity import find_similar

    report = find_similar(similar_subs, course, ["kernels"], threshold=0)
    pairs = {(p.student_a, p.student_b): p for p in report.pairs}
    assert ("alice", "bob") in pairs and pairs["alice", "bob"].similarity > 0.9
    assert pairs["alice", "bob"].lines_a and pairs["alice", "bob"].longest_passage.strip()
    assert not [p for p in report.pairs if "carol" in (p.student_a, p.student_b)]  # the stub alone shares nothing
    assert report.pairs == sorted(report.pairs, key=lambda p: -p.similarity)
    assert not report.skipped
    strict = find_similar(similar_subs, course, ["kernels"], threshold=0.99, top=1)
    assert [(p.student_a, p.student_b) for p in strict.pairs] == [("alice", "bob")]


def test_similarity_csv_reads_back(tmp_path, similar_subs, course):
    pytest.importorskip("copydetect")
    from grader import similarity

    report = similarity.find_similar(similar_subs, course, ["kernels"], threshold=0)
    similarity.write_csv(report, tmp_path / "s.csv")
    assert read_csv(tmp_path / "s.csv")[0] == similarity.COLUMNS
    again = similarity.read_csv(tmp_path / "s.csv")
    assert [(p.student_a, p.student_b, p.lines_a, round(p.similarity, 3)) for p in again] == [
        (p.student_a, p.student_b, p.lines_a, round(p.similarity, 3)) for p in report.pairs]


def test_similarity_without_copydetect_says_how_to_install_it(monkeypatch, tmp_path, similar_subs, course_copy):
    monkeypatch.setitem(sys.modules, "copydetect", None)
    run = CliRunner().invoke(main, ["similarity", str(similar_subs), "-o", str(tmp_path / "s.csv"),
                                    "--course", str(course_copy)])
    assert run.exit_code == 2
    assert run.output.strip().splitlines() == [
        "convgrade: error: the similarity report needs copydetect: pip install 'convgrade[similarity]'"]


# ---------------------------------------------------------------------------------------------- LMS exports
ROSTER = "submission,name,email,idnumber,username,canvas_id,sis_user_id,sis_login_id,section\n" + "".join(
    f"{s},{s.title()} Kowalska,{s}@uni.pl,{100 + i},{s}01,{900 + i},S{100 + i},{s}@uni.pl,Lab {1 + i % 2}\n"
    for i, s in enumerate(["alice", "bob", "carol", "dave", "erin"]))


def test_moodle_export_has_the_identifier_column_and_one_grade_column(tmp_path):
    folder = write_class(tmp_path / "grades", small_class())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "moodle.csv"
    run = CliRunner().invoke(main, ["export", "moodle", str(folder), "-o", str(out), "--roster", str(roster)])
    assert run.exit_code == 0, run.output
    rows = read_csv(out)
    assert rows[0] == ["Email address", "CNN course"]
    assert rows[1:] == [["alice@uni.pl", "8"], ["bob@uni.pl", "5"], ["carol@uni.pl", "2"], ["dave@uni.pl", "0"],
                        ["erin@uni.pl", ""]]  # erin could not be graded: empty leaves Moodle's grade as it is
    run = CliRunner().invoke(main, ["export", "moodle", str(folder), "-o", str(out), "--roster", str(roster),
                                    "--id-field", "idnumber", "--per-exercise", "--item", "Lab 3"])
    assert run.exit_code == 0, run.output
    rows = read_csv(out)
    assert rows[0] == [MOODLE_ID_FIELDS["idnumber"], "Lab 3: Shapes", "Lab 3: Kernels"]
    assert rows[2] == ["101", "1", "4"]


def test_moodle_export_without_roster_uses_the_folder_names(tmp_path):
    folder = write_class(tmp_path / "grades", small_class())
    out = tmp_path / "moodle.csv"
    run = CliRunner().invoke(main, ["export", "moodle", str(folder), "-o", str(out), "--id-field", "username"])
    assert run.exit_code == 0, run.output
    assert [row[0] for row in read_csv(out)] == ["Username", "alice", "bob", "carol", "dave", "erin"]


def test_canvas_export_follows_the_gradebook_layout_with_points_possible(tmp_path):
    folder = write_class(tmp_path / "grades", small_class())
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER)
    out = tmp_path / "canvas.csv"
    run = CliRunner().invoke(main, ["export", "canvas", str(folder), "-o", str(out), "--roster", str(roster),
                                    "--per-exercise"])
    assert run.exit_code == 0, run.output
    rows = read_csv(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Shapes", "Kernels"]
    assert rows[0][:5] == CANVAS_COLUMNS
    assert rows[1] == [CANVAS_POINTS_POSSIBLE, "", "", "", "", "4", "4"] and rows[1][0].strip() == "Points Possible"
    assert rows[2] == ["Alice Kowalska", "900", "S100", "alice@uni.pl", "Lab 1", "4", "4"]
    assert rows[-1][:5] == ["Erin Kowalska", "904", "S104", "erin@uni.pl", "Lab 1"] and rows[-1][5:] == ["", ""]
    assert len(rows) == 2 + 5


def test_exports_name_the_roster_and_the_student_it_lacks(tmp_path):
    folder = write_class(tmp_path / "grades", small_class())
    roster = tmp_path / "roster.csv"
    roster.write_text("\n".join(ROSTER.splitlines()[:3]) + "\n")  # alice and bob only
    for lms in ("moodle", "canvas"):
        run = CliRunner().invoke(main, ["export", lms, str(folder), "-o", str(tmp_path / "x.csv"),
                                        "--roster", str(roster)])
        assert run.exit_code == 2
        assert str(roster) in run.output and "carol, dave, erin" in run.output and len(run.output.splitlines()) == 1
    roster.write_text("email,name\nalice@uni.pl,Alice\n")
    run = CliRunner().invoke(main, ["export", "moodle", str(folder), "--roster", str(roster), "-o",
                                    str(tmp_path / "x.csv")])
    assert run.exit_code == 2 and "'submission' column" in run.output
