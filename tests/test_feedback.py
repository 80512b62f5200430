"""Feedback that keeps the teaching when the student's code raises, and names notebook cells, not generated lines."""
from pathlib import Path

import nbformat

import grader
from grader import explain_student, mistakes
from grader.i18n import using_language
from grader.notebooks import read_notebook

ROOT = Path(__file__).resolve().parents[1]


def test_an_unexpected_exception_says_what_the_check_expected(tmp_path, course):
    """A bounds check that raises IndexError: the student reads that ValueError was expected, what came, and where."""
    solution = (ROOT / "solutions" / "kernels.py").read_text()
    wrong = solution + '''

def apply_kernel(im, row, col, kernel):
    r = kernel.shape[0] // 2
    if row - r < 0 or col - r < 0 or row + r >= im.shape[0] or col + r >= im.shape[1]:
        raise IndexError("window outside")
    return (im[row - r:row + r + 1, col - r:col + r + 1] * kernel).sum()
'''
    (tmp_path / "kernels.py").write_text(wrong)
    line = wrong.splitlines().index('        raise IndexError("window outside")') + 1
    result = grader.grade(tmp_path, course=course, exercises=["kernels"], lang="en")
    check = next(c for c in result.checks() if c.name == "kernels::window_outside_image_raises")
    assert not check.passed
    assert "a window outside the image must raise ValueError" in check.message
    assert "IndexError: window outside" in check.message and f"kernels.py, line {line}" in check.message


def test_an_unfilled_placeholder_is_named(tmp_path):
    try:
        Ellipsis * 3
    except TypeError as exc:
        error = exc
    where = {"type": "TypeError", "file": "mnist.py", "line": 7, "function": "train"}
    with using_language("en"):
        text = explain_student.student_error(error, where, tmp_path)
        other = explain_student.student_error(ValueError("bad"), {**where, "type": "ValueError"}, tmp_path)
    assert "still `...`" in text and "mnist.py, line 7" in text
    assert "still `...`" not in other and "raised ValueError: bad (mnist.py, line 7)" in other


def test_a_notebook_line_is_named_by_its_cell(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Kernels"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch"),
        nbformat.v4.new_code_cell("def f(x):\n    y = x + 1\n    return y / 0"),
    ], metadata={"convgrade": {"module": "kernels"}})
    path = tmp_path / "kernels.ipynb"
    path.write_text(nbformat.writes(notebook))
    module, code, _warnings = read_notebook(path)
    (tmp_path / "kernels.py").write_text(code)
    line = code.splitlines().index("    return y / 0") + 1
    with using_language("en"):
        assert explain_student.place({"file": "kernels.py", "line": line}, tmp_path) == "notebook cell 3, line 3"
        assert explain_student.place({"file": "kernels.py", "line": line}, None) == f"kernels.py, line {line}"
    import_line = code.splitlines().index("import torch") + 1
    with using_language("en"):
        assert explain_student.place({"file": "kernels.py", "line": import_line}, tmp_path) == "notebook cell 2, line 2"


def test_every_mistake_completes_the_sentence():
    """`when` completes "your result equals what you get when ..." (a clause, no full stop)."""
    with using_language("en"):
        known = mistakes.catalogue()
    assert len(known) >= 80
    for key, mistake in known.items():
        assert mistake.when.strip() and not mistake.when.endswith("."), (key, mistake.when)


def test_a_mistake_is_named_only_when_it_reproduces_the_output():
    doubled = mistakes.Mistake("test", "doubled", "the value is doubled", lambda x: 2 * x)
    same = lambda a, b: a == b  # noqa: E731
    assert mistakes.explaining(6, 4, [doubled.on(3)], same) == [doubled]
    assert mistakes.explaining(7, 4, [doubled.on(3)], same) is None
    assert mistakes.explaining(4, 4, [doubled.on(2)], same) is None  # gives the right answer here: explains nothing
