"""convgrade assign: stubs and notebooks come from the solutions, and the student distribution holds no
solution code and no hidden check."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import grader
from grader.assign import (BEGIN, END, MarkerError, assignment_files, public_checks, solution_file,
                           strip_solutions, write_distribution)
from grader.course import CourseError
from grader.points import declared_checks

ROOT = Path(__file__).resolve().parents[1]
HIDDEN_IN_PUBLIC_FILE = '''

@pytest.mark.hidden
@pytest.mark.points(1)
def test_secret_empty_grid(student):
    assert student.coord_grid(3, 3) == []
'''
HIDDEN_FILE = '''"""Hidden checks for kernels.py: they run at final grading only."""


def test_secret_wide_grid(student):
    assert len(student.coord_grid(0, 30)) == 30
'''
SECRET_NAMES = ("secret_empty_grid", "secret_wide_grid", "kernels_hidden")


def test_block_becomes_its_prompt_and_raise():
    source = "def f(x):\n    # BEGIN SOLUTION\n    # PROMPT # add one\n    return x + 1\n    # END SOLUTION\n"
    assert strip_solutions(source) == "def f(x):\n    # add one\n    raise NotImplementedError\n"


def test_solution_line_becomes_todo():
    assert strip_solutions("EPOCHS = 5  # SOLUTION\n") == "EPOCHS = ...  # TODO\n"


@pytest.mark.parametrize("source, line", [
    (f"{BEGIN}\nx = 1\n", 1), (f"x = 1\n{END}\n", 2), (f"{BEGIN}\n{BEGIN}\n{END}\n", 2), ("f(x)  # SOLUTION\n", 1)])
def test_broken_markers_name_the_line(source, line):
    with pytest.raises(MarkerError, match=rf"^sol\.py:{line}: "):
        strip_solutions(source, "sol.py")


def test_committed_exercises_equal_what_assign_writes(course):
    """exercises/ is generated: run `convgrade assign` after changing a solution (others may still be writing
    theirs, so only exercises whose solution exists are compared)."""
    ready = [ex for ex in course.exercises if solution_file(course, ex).is_file()]
    assert ready
    for rel, text in assignment_files(course, ready).items():
        path = ROOT / rel
        assert path.is_file() and path.read_text(encoding="utf-8") == text, f"{rel} is stale: run `convgrade assign`"


def code_in_markers(source: str) -> list[list[str]]:
    """The solution's code, block by block: lines between the markers and `x = value  # SOLUTION` lines."""
    blocks, block = [], None
    for line in source.splitlines():
        stripped = line.strip()
        if stripped == BEGIN:
            block = []
        elif stripped == END:
            blocks.append(block)
            block = None
        elif block is not None and stripped and not stripped.startswith("#"):
            block.append(stripped)
        elif re.search(r"#\s*SOLUTION\s*$", line):
            blocks.append([line.split("#")[0].strip()])
    return blocks


def stripped_lines(path: Path) -> list[str]:
    """A file's stripped lines; a notebook's are those of its cells."""
    if path.suffix == ".ipynb":
        text = "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text())["cells"])
    else:
        text = path.read_text(encoding="utf-8", errors="replace")
    return [line.strip() for line in text.splitlines()]


@pytest.fixture(scope="module")
def dist(course, tmp_path_factory):
    dest = tmp_path_factory.mktemp("dist") / "course"
    write_distribution(course, dest)
    return dest


def test_distribution_has_no_solution_code(course, dist):
    assert not (dist / "solutions").exists()
    text_files = [p for p in dist.rglob("*") if p.is_file() and p.suffix in (".py", ".ipynb", ".yaml", ".md", ".tmpl")]
    everywhere = {p: "\n".join(stripped_lines(p)) for p in text_files}
    for ex in course.exercises:
        if ex.quiz is not None:  # a quiz's key is its quiz file, whose hidden questions stay out (test_quiz.py)
            continue
        source = solution_file(course, ex).read_text(encoding="utf-8")
        blocks = code_in_markers(source)
        assert blocks, f"{ex.module}: no solution markers"
        outside = set(strip_solutions(source).splitlines())  # what the stub keeps on purpose
        shipped = set(stripped_lines(dist / "exercises" / ex.module))
        shipped |= set(stripped_lines(dist / "exercises" / "notebooks" / f"{ex.module_name}.ipynb"))
        for line in {line for block in blocks for line in block} - {line.strip() for line in outside}:
            assert line not in shipped, f"solution code of {ex.module} in its stub or notebook: {line}"
        for block in (b for b in blocks if len(b) > 1):
            leaks = [p for p, text in everywhere.items() if "\n".join(block) in text]
            assert not leaks, f"a solution block of {ex.module} is in {leaks}"


def test_distribution_is_a_loadable_course_with_notebooks(course, dist):
    shipped = grader.load_course(dist / "course.yaml")
    assert [ex.id for ex in shipped.exercises] == [ex.id for ex in course.exercises]
    assert (dist / "grader" / "__init__.py").is_file() and (dist / "pyproject.toml").is_file()
    for ex in shipped.exercises:
        assert (dist / "exercises" / "notebooks" / f"{ex.module_name}.ipynb").is_file()
        assert all(check.is_relative_to(dist) for check in ex.checks)


@pytest.fixture
def hidden_course(course_copy):
    """The course copy with two hidden checks for kernels: one marked in the public file, one hidden file."""
    checks = course_copy.parent / "grader" / "checks"
    with (checks / "kernels.py").open("a", encoding="utf-8") as f:
        f.write(HIDDEN_IN_PUBLIC_FILE)
    (checks / "kernels_hidden.py").write_text(HIDDEN_FILE, encoding="utf-8")
    manifest = course_copy.read_text(encoding="utf-8")
    entry = "    checks: [grader/checks/kernels.py]\n"
    assert entry in manifest
    course_copy.write_text(manifest.replace(entry, entry + "    hidden_checks: [grader/checks/kernels_hidden.py]\n"))
    return grader.load_course(course_copy)


def test_hidden_checks_stay_out_of_the_distribution(hidden_course, tmp_path):
    shipped = write_distribution(hidden_course, tmp_path / "dist")
    assert shipped.exercise("kernels").hidden_count == 2
    for path in (tmp_path / "dist").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(name.encode() in data for name in SECRET_NAMES), f"hidden check named in {path}"
    manifest = yaml.safe_load((tmp_path / "dist" / "course.yaml").read_text())
    assert all("hidden_checks" not in entry for entry in manifest["exercises"])
    public = (tmp_path / "dist" / "grader" / "checks" / "kernels.py").read_text()
    assert public == (ROOT / "grader" / "checks" / "kernels.py").read_text(), "the rest must stay byte for byte"


def test_students_see_how_many_hidden_checks_wait(hidden_course, tmp_path):
    """Run from the distribution alone, as a student would: all public checks pass, and the report says
    hidden checks remain instead of "Everything passes"."""
    dist = tmp_path / "dist"
    write_distribution(hidden_course, dist)
    run = subprocess.run([sys.executable, "-m", "grader", "grade", str(ROOT / "solutions"), "-e", "kernels",
                          "--lang", "en"], cwd=dist, env={**os.environ, "PYTHONPATH": str(dist)},
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    text = " ".join(run.stdout.split())  # the report wraps long lines
    assert "Everything passes" not in text and "All public checks pass." in text
    assert "in 2 hidden checks at final grading" in text


def test_a_fully_hidden_file_counts_all_its_checks(tmp_path):
    file = tmp_path / "checks.py"
    file.write_text("import pytest\npytestmark = pytest.mark.hidden\n\n\ndef test_a():\n    pass\n\n\n"
                    "def test_b():\n    pass\n")
    assert public_checks(file) is None
    assert [c.hidden for c in declared_checks(file)] == [True, True]


def test_the_distribution_needs_an_empty_folder(course, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(CourseError, match="not an empty folder"):
        write_distribution(course, tmp_path)
