"""What class insight costs for a large class: checks.csv, the class page, the Moodle and Canvas exports.

Writes --students synthetic results (the course's exercises and check names, random outcomes, messages
and times) as grade-all writes them, then times each step --repeat times from the files on disk (every
step reads the JSON again, as the commands do) and prints the medians. With --similar N it also times
``convgrade similarity`` on N variants of solutions/kernels.py (copydetect installed).
"""
import argparse
import ast
import json
import random
import tempfile
import time
from pathlib import Path

import grader
from html_report import median_seconds  # bench/ is on sys.path when a bench runs
from grader import batch, class_insight, gradebook, similarity
from grader.class_report import write_class_report
from grader.results import NOT_IMPLEMENTED, OK, TIMEOUT, CheckResult, ExerciseResult, GradeResult

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = ["expected {a}, got {b}", "returned shape ({a}, {b}), expected (1, {a})",
            "differs from torch at index {b}: expected {a}.5, got {b}.25",
            "raised IndexError: index {a} is out of bounds"]


def check_names(exercise) -> list[str]:
    tree = ast.parse(exercise.checks[0].read_text(encoding="utf-8"))
    return [node.name.removeprefix("test_") for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")]


def synthetic_result(course, names: dict[str, list[str]], rng: random.Random) -> GradeResult:
    exercises = []
    for ex in course.exercises:
        status = rng.choices([OK, NOT_IMPLEMENTED, TIMEOUT], [0.85, 0.1, 0.05])[0]
        skill = rng.random()
        each = (ex.points or 10) / len(names[ex.id])
        checks = []
        for name in names[ex.id]:
            passed = status == OK and rng.random() < skill
            message = "" if passed else rng.choice(MESSAGES).format(a=rng.randint(1, 9), b=rng.randint(1, 9))
            checks.append(CheckResult(f"{ex.id}::{name}", each if passed else 0.0, each, passed, message))
        seconds = ex.time_limit if status == TIMEOUT else rng.lognormvariate(0, 0.7)
        exercises.append(ExerciseResult(ex.id, ex.title_in("pl"), sum(c.score for c in checks), ex.points or 10,
                                        status, checks=checks, duration=seconds))
    return GradeResult(course.title_in("pl"), "", exercises, 0, "pl", "cpu")


def write_class(course, folder: Path, students: int) -> None:
    rng = random.Random(0)
    names = {ex.id: check_names(ex) or ["only"] for ex in course.exercises}
    rows = []
    for i in range(students):
        student = batch.Student(f"s{i:04d}", folder / f"s{i:04d}")
        result = synthetic_result(course, names, rng)
        data = {"student": student.id, **result.to_dict(), "cache_key": "synthetic"}
        (folder / f"{student.id}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        rows.append(batch.Row(student, result))
    batch.write_csv(rows, list(course.exercises), folder / batch.CSV_NAME)


def kernels_variants(folder: Path, n: int) -> None:
    rng = random.Random(1)
    lines = (ROOT / "solutions" / "kernels.py").read_text(encoding="utf-8").splitlines()
    for i in range(n):
        kept = [line for line in lines if rng.random() > 0.15]  # each student drops different lines
        (folder / f"s{i:04d}").mkdir(parents=True)
        (folder / f"s{i:04d}" / "kernels.py").write_text("\n".join(kept) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--similar", type=int, default=0, help="also time similarity on this many kernels.py")
    args = parser.parse_args()
    course = grader.load_course(ROOT / "course.yaml")
    with tempfile.TemporaryDirectory(prefix="convgrade-bench-") as tmp:
        grades = Path(tmp) / "grades"
        grades.mkdir()
        start = time.perf_counter()
        write_class(course, grades, args.students)
        size = sum(f.stat().st_size for f in grades.glob("*.json"))
        checks = sum(len(check_names(ex)) for ex in course.exercises)
        print(f"{args.students} synthetic results, {len(course.exercises)} exercises, {checks} checks: "
              f"{size / 2**20:.0f} MiB of JSON, written in {time.perf_counter() - start:.1f} s")
        steps = {
            "read the JSON (load_class)": lambda: class_insight.load_class(grades),
            "checks.csv": lambda: class_insight.write_checks_csv(grades),
            "class-report": lambda: write_class_report(class_insight.load_class(grades), Path(tmp) / "class.html"),
            "export moodle": lambda: gradebook.write_moodle(class_insight.load_class(grades), Path(tmp) / "m.csv"),
            "export canvas": lambda: gradebook.write_canvas(class_insight.load_class(grades), Path(tmp) / "c.csv",
                                                            per_exercise=True),
        }
        for name, action in steps.items():
            print(f"  {name:<28} median {median_seconds(action, args.repeat):6.2f} s  (of {args.repeat})")
        print(f"  class.html: {(Path(tmp) / 'class.html').stat().st_size / 1024:.0f} KiB")
        if args.similar:
            subs = Path(tmp) / "subs"
            kernels_variants(subs, args.similar)
            seconds = median_seconds(lambda: similarity.find_similar(subs, course, ["kernels"]), args.repeat)
            pairs = args.similar * (args.similar - 1) // 2
            print(f"  similarity, kernels, {args.similar} students ({pairs} pairs): median {seconds:6.2f} s")


if __name__ == "__main__":
    main()
