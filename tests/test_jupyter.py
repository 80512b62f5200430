"""Notebooks in a real Jupyter kernel (nbclient): the checks cell grades the code that was run, not the saved
file; the training notebooks import the student's sibling notebooks; and the pieces behind it."""
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import grader
from grader import i18n
from grader.jupyter import kernel_source
from grader.notebooks import CHECKS_CELL, SETUP_CELL, build_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "exercises" / "notebooks"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


@pytest.fixture(autouse=True)
def keep_language():
    before = i18n.language()
    yield
    i18n.set_language(before)


def with_solution_cells(stub_path: Path, course, exercise_id: str, edit=lambda code: code) -> nbformat.NotebookNode:
    """The saved stub notebook with its code cells replaced, in memory only, by the reference solution's."""
    exercise = course.exercise(exercise_id)
    solution = nbformat.reads(build_notebook(exercise, exercise.id, (ROOT / "solutions" / exercise.module).read_text()),
                              as_version=4)
    notebook = nbformat.read(stub_path, as_version=4)
    code = [cell for cell in solution.cells if cell.cell_type == "code" and cell.id not in (SETUP_CELL, CHECKS_CELL)]
    first = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code" and cell.id != SETUP_CELL)
    notebook.cells[first:-1] = [nbformat.v4.new_code_cell(edit(cell.source)) for cell in code]
    return notebook


def run_in_kernel(notebook: nbformat.NotebookNode, folder: Path) -> str:
    """Execute every cell in a fresh kernel started in ``folder``; the checks cell's output as plain text."""
    NotebookClient(notebook, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    outputs = notebook.cells[-1].outputs
    return ANSI.sub("", "".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in outputs))


@pytest.mark.parametrize("lang, total", [("pl", "Razem: 10/10"), ("en", "Total: 10/10")])
def test_the_checks_cell_grades_what_was_run_in_the_kernel(course, monkeypatch, lang, total):
    """kernels.ipynb on disk is the stub (0/10); the cells run are the solution: the check gives 10/10.
    A scratch cell that raised is left out (imported, it would break the module)."""
    monkeypatch.setenv("CONVGRADE_LANG", lang)
    notebook = with_solution_cells(NOTEBOOKS / "kernels.ipynb", course, "kernels")
    notebook.cells.insert(-1, nbformat.v4.new_code_cell("apply_kernel(None, 0, 0, None)",
                                                        metadata={"tags": ["raises-exception"]}))
    output = run_in_kernel(notebook, NOTEBOOKS)
    assert total in output and "import" not in output, output
    assert grader.grade(NOTEBOOKS / "kernels.ipynb", course=course).score == 0  # the saved file: still the stub


def test_the_mnist_notebook_imports_and_grades_with_the_sibling_notebooks(course_copy, monkeypatch):
    """mnist.ipynb's first cell imports conv_bn, Flatten and OneCycle from batchnorm.ipynb, model.ipynb and
    one_cycle.ipynb beside it, and its check grades the run cells (one quick epoch) together with those."""
    monkeypatch.delenv("CONVGRADE_LANG", raising=False)
    copy = grader.load_course(course_copy)
    folder = course_copy.parent / "exercises" / "notebooks"
    for exercise_id in ("batchnorm", "model", "one_cycle"):
        exercise = copy.exercise(exercise_id)
        solution = (ROOT / "solutions" / exercise.module).read_text()
        (folder / f"{exercise.module_name}.ipynb").write_text(build_notebook(exercise, exercise.id, solution))
    notebook = with_solution_cells(folder / "mnist.ipynb", copy, "mnist",
                                   edit=lambda code: re.sub(r"(?m)^EPOCHS = .*$", "EPOCHS = 1", code))
    output = run_in_kernel(notebook, folder)
    score = re.search(r"Total: ([\d.]+)/12", output)
    assert score and float(score.group(1)) > 0 and "could not be imported" not in output, output


def test_the_kernel_source_is_the_cells_that_ran_in_order_without_checks_and_magics():
    cells = [
        "# convgrade-setup: ...\nimport grader",
        "%matplotlib inline\nimport math\n!pip install torch",
        "def area(r):\n    return 0",
        "def broken(:",                      # a cell that does not even parse
        "grader.check('circle')",              # a check the student typed in
        "# convgrade-checks: ...\nimport grader\ngrader.check('circle')",
        "def area(r):\n    return math.pi * r * r",   # edited and run again: the later one wins
    ]
    namespace = {}
    source = kernel_source(cells)
    exec(compile(source, "circle.py", "exec"), namespace)
    assert namespace["area"](1) == pytest.approx(3.14159, abs=1e-5)
    assert "grader" not in source and "%" not in source and "!" not in source and "broken" not in source


def test_an_unknown_language_is_one_clear_error(course, monkeypatch):
    monkeypatch.setenv("CONVGRADE_LANG", "de")
    with pytest.raises(grader.CourseError, match="CONVGRADE_LANG"):
        grader.check("kernels", course=course)
