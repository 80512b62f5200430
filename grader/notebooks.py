"""Jupyter notebooks both ways: one notebook per exercise for students, and notebooks handed in as work.

A built notebook has the exercise text (the module docstring) as markdown, a setup cell tagged
``convgrade-setup`` (``import grader``: in a kernel it warms the grader up, see grader.jupyter), one code
cell per function or class to fill in, and a last cell, tagged ``convgrade-checks``, that grades the
code run in the kernel with the grader's own checks. Reading a notebook back keeps only its code cells,
without those two cells and without IPython syntax (``%magic``, ``%%cell magic``, ``!shell``), so a
notebook is graded exactly as the same code in a ``.py`` file would be, and editing the checks cell
changes nothing. Each cell's code starts with a marker comment naming the cell, and left-out lines stay
as blank lines, so a message about a line of the generated module can name the cell and its line
instead (grader.explain_student).
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
from nbformat import v4
from nbformat.validator import get_validator

from grader.course import Exercise
from grader.explain_student import CELL_MARKER
from grader.i18n import _
from grader.jupyter import CHECKS_MARK, SETUP_MARK
from grader.submission import SubmissionError

CHECKS_CELL = "convgrade-checks"    # id and tag of the cell that runs the checks
SETUP_CELL = "convgrade-setup"      # id and tag of the first code cell: import grader
GENERATED_CELLS = (SETUP_CELL, CHECKS_CELL)
MAX_NOTEBOOK_BYTES = 50_000_000     # saved outputs (plots) make notebooks far larger than their code
MAGIC_PREFIXES = ("%", "!")
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def build_notebook(exercise: Exercise, title: str, source: str) -> str:
    """The notebook (JSON text) for the exercise whose student module is ``source``; deterministic."""
    tree = ast.parse(source)
    intro = _("Fill in every function below that raises `NotImplementedError` and run its cell, then run the "
              "last cell: it grades the code you ran with this exercise's checks (no need to save).")
    text = "\n\n".join(part for part in (f"# {title}", ast.get_docstring(tree), f"*{intro}*") if part)
    cells = [v4.new_markdown_cell(text, id="exercise-text"),
             v4.new_code_cell(_setup_code(), id=SETUP_CELL, metadata={"tags": [SETUP_CELL]})]
    for number, code in enumerate(_code_chunks(source, tree), start=1):
        cells.append(v4.new_code_cell(code, id=f"code-{number}"))
    cells.append(v4.new_code_cell(checks_code(exercise), id=CHECKS_CELL,
                                  metadata={"tags": [CHECKS_CELL], "editable": False, "deletable": False}))
    notebook = v4.new_notebook(cells=cells, metadata={
        "kernelspec": KERNELSPEC, "language_info": {"name": "python"},
        "convgrade": {"exercise": exercise.id, "module": exercise.module_name}})
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def _setup_code() -> str:
    return "\n".join([
        f"{SETUP_MARK}: " + _("run this cell first: it starts the grader in the background, so checks answer "
                              "at once,"),
        "# " + _("and lets your code import the other exercises' notebooks (e.g. `from batchnorm import conv_bn`)."),
        "import grader",
    ])


def checks_code(exercise: Exercise) -> str:
    """The code of the last cell: grades what the student ran in this kernel, without saving."""
    return "\n".join([
        f"{CHECKS_MARK}: " + _("grades the code you have run in this notebook, no need to save."),
        "# " + _("The checks live in the grader, so editing this cell changes nothing."),
        "# " + _("Messages in English: {call}, or the environment variable CONVGRADE_LANG=en.").format(
            call=f'grader.check("{exercise.id}", lang="en")'),
        "import grader",
        "",
        f'grader.check("{exercise.id}")',
    ])


def _code_chunks(source: str, tree: ast.Module) -> list[str]:
    """The module after its docstring, cut into cells: one per function or class (with its decorators and
    the comments right above it), and one per run of other statements (imports, constants)."""
    lines = source.splitlines(keepends=True)
    has_docstring = ast.get_docstring(tree) is not None
    body = tree.body[1:] if has_docstring else tree.body
    if not body:
        return []
    starts = [tree.body[0].end_lineno if has_docstring else 0]
    for node in body[1:]:
        start = (node.decorator_list[0] if getattr(node, "decorator_list", None) else node).lineno - 1
        while start > starts[-1] and lines[start - 1].lstrip().startswith("#"):
            start -= 1
        starts.append(start)
    chunks: list[tuple[bool, str]] = []
    for node, start, end in zip(body, starts, [*starts[1:], len(lines)]):
        text = "".join(lines[start:end])
        definition = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if chunks and not definition and not chunks[-1][0]:
            chunks[-1] = (False, chunks[-1][1] + text)
        else:
            chunks.append((definition, text))
    return [text.strip("\n") for _definition, text in chunks if text.strip()]


def read_notebook(file: Path) -> tuple[str, str, list[str]]:
    """(module name, Python source, warnings) of a notebook handed in: the module named in its metadata
    (else the file name), and the code of its cells except the setup and checks cells, without IPython syntax."""
    notebook = _load(file)
    ours = notebook.metadata.get("convgrade")
    module = ours.get("module") if isinstance(ours, dict) else None
    if not isinstance(module, str) or not module.isidentifier():
        module = file.stem
    parts, dropped = [], []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code" or cell.get("id") in GENERATED_CELLS \
                or set(GENERATED_CELLS) & set(cell.metadata.get("tags", [])):
            continue
        code, magics = plain_python(_text(cell.source))
        if code.strip():
            parts.append(f"{CELL_MARKER}{number}\n{code}")
        dropped += magics
    warnings = []
    if dropped:
        shown = "; ".join(dropped[:3]) + ("; ..." if len(dropped) > 3 else "")
        warnings.append(_("{path}: left out {n} IPython magic or shell line(s), which the grader does not run: "
                          "{lines}").format(path=file, n=len(dropped), lines=shown))
    return module, "\n\n\n".join(parts) + "\n", warnings


def _load(file: Path) -> nbformat.NotebookNode:
    """The notebook, or one SubmissionError naming the file and what to do."""
    if file.stat().st_size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(_("{path}: larger than {mb} MB; clear the outputs (Edit > Clear All Outputs) and save")
                              .format(path=file, mb=MAX_NOTEBOOK_BYTES // 1_000_000))
    try:
        data = json.loads(file.read_bytes())
    except (ValueError, RecursionError) as exc:  # not UTF-8, not JSON, nested or numbers beyond what Python reads
        raise SubmissionError(_("{path}: not a notebook: the file is not valid JSON ({problem}); open it in Jupyter "
                                "and save it again, or hand in the .py file").format(path=file, problem=exc)) from None
    version = data.get("nbformat") if isinstance(data, dict) else None
    if version != 4:
        raise SubmissionError(_("{path}: notebook format version {version}, but the grader reads version 4; open it "
                                "in a current Jupyter and save it again").format(path=file, version=version))
    minor = data.get("nbformat_minor")
    schema = get_validator(version=4, version_minor=minor if isinstance(minor, int) else None)
    try:
        problem = next((e.message for e in schema.iter_errors(data)), None)  # the schema alone: nbformat.validate
        notebook = None if problem else nbformat.from_dict(data)                # may crash on junk
    except RecursionError:
        problem = "nested too deeply"
    if problem is not None:
        raise SubmissionError(_("{path}: not a valid Jupyter notebook ({problem}); open it in Jupyter and save it "
                                "again").format(path=file, problem=problem))
    return notebook


def _text(source: str | list[str]) -> str:
    """Cell source as one string (notebook files may store it as a list of lines)."""
    return source if isinstance(source, str) else "".join(source)


def plain_python(code: str) -> tuple[str, list[str]]:
    """(code without IPython syntax, the lines left out). A cell magic (``%%bash``) takes its whole cell;
    a line magic becomes a blank line (``pass`` when indented, so the block around it stays valid Python),
    which keeps every other line where the student wrote it."""
    lines = code.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return "", [lines[0].strip()]
    kept, dropped = [], []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(MAGIC_PREFIXES):
            dropped.append(stripped)
            indent = line[:len(line) - len(stripped)]
            kept.append(indent + "pass" if indent else "")
        else:
            kept.append(line)
    return "\n".join(kept), dropped
