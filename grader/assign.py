"""From reference solutions to what students get: stubs, notebooks and the student distribution.

Instructors write a solution once; ``write_assignment`` regenerates ``exercises/`` (stubs and one
notebook per exercise) from ``solutions/``, so a stub is never edited by hand and cannot drift.
``write_distribution`` writes the folder handed to students: stubs, notebooks, public checks, a
``course.yaml`` without hidden entries, the grader, and what makes it a repository (``grader.bundle``:
its own README, ``.gitignore``, workflow); never the solutions or hidden checks.

Markers (nbgrader/otter style, in ``solutions/*.py``):

* ``# BEGIN SOLUTION`` ... ``# END SOLUTION``: the block becomes ``raise NotImplementedError`` at the
  block's indentation, preceded by the block's ``# PROMPT <text>`` lines as ``<text>``.
* ``lhs = expression  # SOLUTION``: becomes ``lhs = ...  # TODO``.

Hidden checks (``@pytest.mark.hidden`` on a check, or a file under ``hidden_checks:``) are cut out of
the distribution and only weighed: its ``course.yaml`` records ``hidden_weights`` per exercise, so a
public check is worth the same points there as at final grading (``grader.points``) and the student's
report can say how many checks, worth how many points, will run at final grading.
"""
from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import yaml

import grader
from grader import quiz as quizzes
from grader.course import Course, CourseError, Exercise, load_course
from grader.i18n import _, using_language
from grader.points import hidden_weights, is_hidden_marker, parse_checks

BEGIN, END, PROMPT, LINE = "# BEGIN SOLUTION", "# END SOLUTION", "# PROMPT", "# SOLUTION"
SOLUTIONS, EXERCISES, NOTEBOOKS = Path("solutions"), Path("exercises"), Path("exercises") / "notebooks"
DIST_EXTRAS = ("pyproject.toml", "README.md", "constraints.txt")  # so `pip install -e .` works in the dist
DIST_HEADER = ("# Student distribution, written by `convgrade assign --dist`. Hidden checks are left out and\n"
               "# weighed in hidden_weights: they run at final grading.\n")


class MarkerError(CourseError):
    """Unbalanced or misplaced solution markers (the message names the file and line)."""


def strip_solutions(source: str, filename: str = "<solution>") -> str:
    out: list[str] = []
    block_start: int | None = None
    prompts: list[str] = []
    indent = ""
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if block_start is not None:
                raise MarkerError(f"{filename}:{number}: BEGIN SOLUTION inside the block opened at line {block_start}")
            block_start, prompts, indent = number, [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if block_start is None:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without a BEGIN SOLUTION")
            out.extend(f"{indent}{p}\n" for p in prompts)
            out.append(f"{indent}raise NotImplementedError\n")
            block_start = None
        elif block_start is not None:
            if stripped.startswith(PROMPT):
                prompts.append(stripped[len(PROMPT):].strip())
        elif re.search(r"#\s*SOLUTION\s*$", line):
            match = re.match(r"^(\s*[^=#]+?)\s*=(?!=)", line)
            if not match:
                raise MarkerError(f"{filename}:{number}: '# SOLUTION' marks an assignment like 'lr = 1e-3  # SOLUTION'")
            out.append(f"{match.group(1)} = ...  # TODO\n")
        else:
            out.append(line)
    if block_start is not None:
        raise MarkerError(f"{filename}:{block_start}: BEGIN SOLUTION is never closed with END SOLUTION")
    return "".join(out)


def solution_file(course: Course, exercise: Exercise) -> Path:
    return course.root / SOLUTIONS / exercise.module


def stub_source(course: Course, exercise: Exercise) -> str:
    """The student stub of ``exercise``, generated from its reference solution (a quiz: its blank form)."""
    if exercise.quiz is not None:
        return quiz_files(course, exercise, course.seed, with_key=False)[EXERCISES / exercise.module]
    path = solution_file(course, exercise)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CourseError(_("{path}: exercise '{id}' has no reference solution; write it there "
                            "(`convgrade new {id}` scaffolds one)").format(path=path, id=exercise.id)) from None
    return strip_solutions(source, str(path))


def assignment_files(course: Course, exercises: list[Exercise] | None = None) -> dict[Path, str]:
    """Every file ``write_assignment`` writes, relative to the course root: a stub and a notebook per exercise."""
    from grader.notebooks import build_notebook  # nbformat takes 0.2 s to import; grading never needs it

    files = {}
    with using_language(course.language):  # notebooks speak the course's language, whoever builds them
        for exercise in course.exercises if exercises is None else exercises:
            if exercise.quiz is not None:
                files.update(quiz_files(course, exercise, course.seed, with_key=True))
                continue
            stub = stub_source(course, exercise)
            files[EXERCISES / exercise.module] = stub
            files[NOTEBOOKS / f"{exercise.module_name}.ipynb"] = build_notebook(
                exercise, exercise.title_in(course.language), stub)
    return files


def quiz_files(course: Course, exercise: Exercise, seed: int, *, with_key: bool) -> dict[Path, str]:
    """A quiz exercise's form (module and notebook) for ``seed`` and, ``with_key``, its answer key in
    solutions/; the options are lettered by ``seed`` (the course's, or a student's: ``personal_forms``)."""
    from grader.notebooks import checks_code  # nbformat takes 0.2 s to import; grading never needs it

    questions, root = quizzes.load_quiz(exercise.quiz), course.root.resolve()
    intro = quizzes.intro(questions)
    with using_language(course.language):  # the form's own words (headings, how to answer)
        files = {EXERCISES / exercise.module: quizzes.form_source(questions, seed, intro, root=root),
                 NOTEBOOKS / f"{exercise.module_name}.ipynb": quizzes.form_notebook(
                     questions, seed, intro, checks_code(exercise),
                     {"exercise": exercise.id, "module": exercise.module_name})}
        if with_key:
            source = exercise.quiz.relative_to(root).as_posix() if exercise.quiz.is_relative_to(root) \
                else exercise.quiz.name
            files[SOLUTIONS / exercise.module] = quizzes.key_source(
                questions, seed, _("Answer key of {file}, written by `convgrade assign`: edit the quiz file, not "
                                   "this one.").format(file=source) + "\n\n" + intro, root=root)
    return files


def personal_forms(course: Course, student_id: str, dest: str | Path) -> list[Path]:
    """Write each quiz exercise's form with the options in the order of ``student_id``'s own seed."""
    if not student_id.strip():
        raise CourseError(_("the student id is empty; pass the id that the student's form should be seeded by"))
    written = []
    for exercise in course.exercises:
        if exercise.quiz is not None:
            for rel, text in quiz_files(course, exercise, quizzes.seed_for(student_id), with_key=False).items():
                _write(Path(dest) / rel.name, text)
                written.append(Path(dest) / rel.name)
    if not written:
        raise CourseError(_("{path}: no exercise has a `quiz:` file, so there is no form to personalise")
                          .format(path=course.path))
    return written


def stale_files(course: Course, exercises: list[Exercise] | None = None) -> list[Path]:
    """The files under exercises/ that differ from what ``write_assignment`` would write."""
    return [rel for rel, text in assignment_files(course, exercises).items() if _differs(course.root / rel, text)]


def write_assignment(course: Course, exercises: list[Exercise] | None = None) -> list[Path]:
    """Regenerate the stubs and notebooks in exercises/; returns the files that changed."""
    changed = []
    for rel, text in assignment_files(course, exercises).items():
        if _differs(course.root / rel, text):
            _write(course.root / rel, text)
            changed.append(rel)
    return changed


def _differs(path: Path, text: str) -> bool:
    return not path.is_file() or path.read_text(encoding="utf-8") != text


def write_distribution(course: Course, dest: str | Path) -> Course:
    """Write what students get into the new or empty folder ``dest``; returns that folder's course."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise CourseError(_("{dest}: not an empty folder; write the distribution into a new one").format(dest=dest))
    from grader.bundle import repository_files

    manifest, checks = _student_manifest(course)  # every error comes before anything is written
    students_get = {rel: text for rel, text in assignment_files(course).items() if rel.parts[0] != SOLUTIONS.name}
    files = {**students_get, **checks, Path("course.yaml"): manifest}
    _copy_grader(dest / "grader")
    for name in DIST_EXTRAS:  # the instructors' README is replaced by the students' one below
        if (course.root / name).is_file():
            shutil.copyfile(course.root / name, dest / name)
    for rel, text in files.items():
        _write(dest / rel, text)
    shipped = load_course(dest / "course.yaml")
    for rel, text in repository_files(shipped).items():
        _write(dest / rel, text)
    return shipped


def _student_manifest(course: Course) -> tuple[str, dict[Path, str | bytes]]:
    """The students' course.yaml (hidden checks left out and counted) and their check files (and quiz
    files), by path."""
    manifest = yaml.safe_load(course.path.read_text(encoding="utf-8"))
    checks = {}
    for entry in manifest["exercises"]:
        exercise = course.exercise(entry["id"])
        public, withheld = [], [*exercise.hidden_weights, *hidden_weights(exercise)]
        for check in exercise.checks:
            text = public_checks(check)
            if text is not None:
                rel = _relative(course, exercise, check)
                checks[rel] = text
                public.append(rel.as_posix())
        if not public:
            raise CourseError(_("{path}: exercise '{id}': every check is hidden, so students could not check "
                                "anything; make at least one public").format(path=course.path, id=exercise.id))
        if exercise.quiz is not None:  # the quiz file without its hidden questions, and its pictures
            questions = quizzes.load_quiz(exercise.quiz)
            checks[Path(entry["quiz"])], hidden_questions = quizzes.public_text(questions)
            withheld += hidden_questions
            for question in questions.questions:
                if question.image is not None and not question.hidden:
                    checks[Path(entry["quiz"]).parent / question.image.relative_to(exercise.quiz.parent)] = \
                        question.image.read_bytes()
        entry["checks"] = public
        entry.pop("hidden_checks", None)
        entry.pop("hidden_weights", None)
        if withheld:
            entry["hidden_weights"] = [int(w) if w.is_integer() else w for w in withheld]
    return DIST_HEADER + yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False, width=120), checks


def _copy_grader(target: Path) -> None:
    """The installed grader package, without caches and without any check file (public ones are added)."""
    package = Path(grader.__file__).parent
    checks = package / "checks"

    def leave_out(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n == "__pycache__" or n.endswith(".pyc")
                or (Path(folder) == checks and n != "__init__.py")]

    shutil.copytree(package, target, ignore=leave_out)


def _write(path: Path, content: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")


def _relative(course: Course, exercise: Exercise, check: Path) -> Path:
    try:
        return check.relative_to(course.root.resolve())
    except ValueError:
        raise CourseError(_("{path}: exercise '{id}': check file {check} lies outside the course folder, so it "
                            "cannot be shipped to students").format(path=course.path, id=exercise.id,
                                                                     check=check)) from None


def public_checks(path: Path) -> str | None:
    """The check file without its ``@pytest.mark.hidden`` checks (None: all of it is hidden).

    Whole functions and classes are cut by line range, so the rest of the file stays byte for byte.
    """
    tree = parse_checks(path)
    if any(_marks_module_hidden(node) for node in tree.body):
        return None
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for node in reversed(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and any(is_hidden_marker(d) for d in node.decorator_list):
            end = node.end_lineno
            while end < len(lines) and not lines[end].strip():
                end += 1
            del lines[node.decorator_list[0].lineno - 1:end]
    return "".join(lines).rstrip("\n") + "\n"


def _marks_module_hidden(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
            and is_hidden_marker(node.value))
