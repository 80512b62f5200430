"""Notebooks: the generated ones are valid and grade themselves; a handed-in notebook is graded as its code."""
import ast
import json
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import grader
from grader import i18n
from grader.assign import assignment_files, solution_file
from grader.cli import main
from grader.notebooks import CHECKS_CELL, build_notebook, read_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "exercises" / "notebooks"


@pytest.fixture(autouse=True)
def keep_language():
    """grade() switches this process's language to the course's; leave it as other tests expect."""
    before = i18n.language()
    yield
    i18n.set_language(before)


def solution_notebook(course, exercise_id: str, folder: Path) -> Path:
    """The notebook a student who solved the exercise would hand in."""
    exercise = course.exercise(exercise_id)
    source = (ROOT / "solutions" / exercise.module).read_text(encoding="utf-8")
    path = folder / f"{exercise.module_name}.ipynb"
    path.write_text(build_notebook(exercise, exercise.id, source), encoding="utf-8")
    return path


def test_generated_notebooks_are_valid_and_end_with_the_checks_cell(course):
    for exercise in course.exercises:
        path = NOTEBOOKS / f"{exercise.module_name}.ipynb"
        if not path.exists():  # an exercise still being written; test_assign says when assign is due
            continue
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert notebook.metadata.convgrade.module == exercise.module_name
        assert notebook.cells[0].cell_type == "markdown"
        assert notebook.cells[-1].id == CHECKS_CELL and f'grader.check("{exercise.id}")' in notebook.cells[-1].source


def test_a_notebook_holds_exactly_the_code_of_its_stub(course, tmp_path):
    """So a notebook is graded as the .py would be: read back, it has the stub's statements, nothing dropped."""
    ready = [ex for ex in course.exercises if solution_file(course, ex).is_file()]
    files = assignment_files(course, ready)
    for exercise in ready:
        path = tmp_path / f"{exercise.module_name}.ipynb"
        path.write_text(files[Path("exercises") / "notebooks" / path.name], encoding="utf-8")
        module, code, warnings = read_notebook(path)
        stub = ast.parse(files[Path("exercises") / exercise.module])
        stub.body = stub.body[1:] if ast.get_docstring(stub) is not None else stub.body  # the markdown cell
        assert (module, warnings) == (exercise.module_name, [])
        assert ast.dump(ast.parse(code)) == ast.dump(stub), f"{path.name} differs from {exercise.module}"


def test_the_module_name_falls_back_to_the_file_name(tmp_path):
    path = tmp_path / "shapes.ipynb"
    path.write_text(nbformat.writes(nbformat.v4.new_notebook(metadata={"convgrade": "edited by hand"})))
    assert read_notebook(path)[0] == "shapes"


def test_solution_notebooks_get_full_marks_and_stub_notebooks_zero(course, tmp_path):
    solution_notebook(course, "kernels", tmp_path)
    (tmp_path / "shapes.ipynb").write_text((NOTEBOOKS / "shapes.ipynb").read_text())
    result = grader.grade(tmp_path, course=course, exercises=["kernels", "shapes"], lang="en")
    kernels, shapes = result.exercises
    assert kernels.score == kernels.max_score > 0 and kernels.status == "ok"
    assert shapes.score == 0 and shapes.status == "not_implemented"
    assert not result.warnings


def test_editing_the_checks_cell_or_metadata_changes_nothing(course, tmp_path):
    """The stub notebook with the whole solution pasted into its checks cell still scores zero."""
    notebook = json.loads((NOTEBOOKS / "kernels.ipynb").read_text())
    checks = notebook["cells"][-1]
    checks["source"] = (ROOT / "solutions" / "kernels.py").read_text()
    checks["metadata"] = {"editable": True}  # tag gone; the cell id still names it
    notebook["metadata"]["convgrade"]["points"] = 100
    edited = tmp_path / "kernels.ipynb"
    edited.write_text(json.dumps(notebook))
    result = grader.grade(edited, course=course, lang="en")
    assert result.score == 0 and result.exercises[0].status == "not_implemented"


def test_the_checks_cell_grades_the_saved_notebook(monkeypatch, capsys):
    """What a student sees when running the last cell (in the notebook's folder, as Jupyter runs it)."""
    monkeypatch.chdir(NOTEBOOKS)
    checks_cell = nbformat.read(NOTEBOOKS / "kernels.ipynb", as_version=4).cells[-1].source
    exec(compile(checks_cell, "checks cell", "exec"), {})
    output = capsys.readouterr().out
    assert "kernels" in output and "0/10" in output


def test_magics_and_shell_lines_are_left_out_with_a_warning(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("%matplotlib inline\n!pip install torch\nimport math"),
        nbformat.v4.new_code_cell("%%bash\necho hi"),
        nbformat.v4.new_code_cell("def area(r):\n    %time math.pi\n    return math.pi * r * r"),
    ], metadata={"convgrade": {"module": "circle"}})
    path = tmp_path / "work.ipynb"
    path.write_text(nbformat.writes(notebook))
    module, code, warnings = read_notebook(path)
    namespace = {}
    exec(compile(code, "circle.py", "exec"), namespace)
    assert module == "circle" and namespace["area"](1) == pytest.approx(3.14159, abs=1e-5)
    assert "echo" not in code and "%" not in code and "!" not in code
    assert len(warnings) == 1 and "4 IPython magic" in warnings[0] and "%matplotlib inline" in warnings[0]


@pytest.mark.parametrize("content, problem", [
    ("{not json", "not valid JSON"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {}}), "format version 3"),
    (json.dumps(["a", "list"]), "format version None"),
    (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}}), "not a valid Jupyter notebook"),
])
def test_a_broken_notebook_is_one_clear_error(course, tmp_path, content, problem):
    path = tmp_path / "kernels.ipynb"
    path.write_text(content)
    with pytest.raises(grader.SubmissionError, match=problem) as error:
        grader.grade(path, course=course, lang="en")
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_the_cli_reports_a_broken_notebook_in_one_line(course, tmp_path):
    path = tmp_path / "kernels.ipynb"
    path.write_text("{")
    result = CliRunner().invoke(main, ["grade", str(path), "--course", str(course.path)])
    assert result.exit_code == 2 and str(path) in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_a_broken_notebook_in_a_folder_is_a_warning(course, tmp_path):
    (tmp_path / "kernels.ipynb").write_text("{")
    result = grader.grade(tmp_path, course=course, exercises=["kernels"], lang="en")
    assert result.exercises[0].score == 0
    assert any("kernels.ipynb" in warning and "not valid JSON" in warning for warning in result.warnings)
