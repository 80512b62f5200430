"""Words for an exception raised by the student's code: where it happened and what it most likely means.

Where: a line of the student's file, or, for a notebook handed in, the cell of the notebook and the line in
that cell (grader.notebooks marks each cell in the module it generates; the student never sees that
module). What: an unfilled ``...`` (``EPOCHS = ...`` then used in arithmetic raises a TypeError about
'ellipsis') is named as unfilled. grader.plugin.explain words student exceptions with ``student_error``;
checks that expected a particular exception use ``unexpected_exception``.
"""
from __future__ import annotations

import functools
from pathlib import Path

from grader.i18n import _

CELL_MARKER = "# convgrade: notebook cell "  # first line of each cell's code in a notebook's generated module


def place(where: dict, student_dir: Path | None) -> str:
    """'kernels.py, line 12', or 'notebook cell 3, line 2' when the file was generated from a notebook."""
    file, line = where.get("file"), where.get("line")
    cell = _cell_of(str(Path(student_dir) / file), line) if student_dir and file and line else None
    if cell is not None:
        return _("notebook cell {cell}, line {line}").format(cell=cell[0], line=cell[1])
    return _("{file}, line {line}").format(file=file, line=line if line else "?")


@functools.lru_cache(maxsize=32)
def _markers(path: str) -> tuple[tuple[int, int], ...]:
    """(line of the marker, cell number) for each cell marked in the generated module, in order."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ()
    return tuple((number, int(text[len(CELL_MARKER):])) for number, text in enumerate(lines, start=1)
                 if text.startswith(CELL_MARKER) and text[len(CELL_MARKER):].isdigit())


def _cell_of(path: str, line: int) -> tuple[int, int] | None:
    found = None
    for marker_line, cell in _markers(path):
        if marker_line < line:
            found = (cell, line - marker_line)
    return found


def out_of_memory(exc: BaseException, where: dict | None) -> bool:
    """MemoryError, or torch's allocator refusing (a RuntimeError, or OutOfMemoryError on a GPU)."""
    kind = (where or {}).get("type") or type(exc).__name__
    return kind in ("MemoryError", "OutOfMemoryError") or (isinstance(exc, RuntimeError)
                                                            and "can't allocate memory" in _text(exc))


def unfilled(exc: BaseException) -> bool:
    """The exception comes from computing with a ``...`` the student was meant to replace."""
    return isinstance(exc, TypeError) and "'ellipsis'" in _text(exc)


def student_error(exc: BaseException, where: dict, student_dir: Path | None) -> str:
    """The message for a student exception that no check expected."""
    if unfilled(exc):
        return _("`{func}` computes with a value that is still `...` ({place}): replace the `...` placeholder with "
                 "a real value ({kind}: {msg})").format(func=where.get("function") or "?",
                                                         place=place(where, student_dir), kind=where.get("type"),
                                                         msg=_text(exc))
    return _("`{func}` raised {kind}: {msg} ({place})").format(
        func=where.get("function") or "?", kind=where.get("type"), msg=_text(exc), place=place(where, student_dir))


def unexpected_exception(expected: str, exc: BaseException, where: dict, student_dir: Path | None) -> str:
    """A check expected one thing (``expected``: "a window outside the image must raise ValueError") and the
    student's code raised something else: both, and where."""
    return _("{expected}; got {detail}").format(expected=expected, detail=student_error(exc, where, student_dir))


def _text(exc: BaseException) -> str:
    try:
        return str(exc)
    except Exception:  # noqa: BLE001 - student code may raise anything
        return f"<{type(exc).__name__}>"
