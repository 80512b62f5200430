"""Grading from inside a Jupyter kernel: the code the student ran, checked in isolation, no save needed.

A student edits a cell, runs it and runs the checks cell; grading the saved file would grade what they
had before. So ``import grader`` in an IPython kernel calls :func:`attach`, which records every cell that
ran without an error (IPython's ``post_run_cell`` event; cells run before it come from the kernel's
input history), lets ``import batchnorm`` load the sibling notebook ``batchnorm.ipynb`` (the training
notebooks reuse the student's own ``conv_bn``, ``Flatten`` and ``OneCycle``), and starts the fork server
in a background thread, so the first check finds torch already imported there. The server lives as
long as the kernel and is stopped at its exit. :func:`check` builds the exercise's module from the
recorded cells in execution order (without checks cells and IPython syntax), writes it into a private
folder with the sibling modules it imports, and grades that folder through :func:`grader.grade`.
"""
from __future__ import annotations

import ast
import atexit
import importlib.abc
import importlib.util
import os
import shutil
import sys
import tempfile
import threading
from dataclasses import replace
from pathlib import Path

from grader.course import LANGUAGES, Course, CourseError, load_course
from grader.i18n import _, using_language

LANG_ENV = "CONVGRADE_LANG"
SETUP_MARK, CHECKS_MARK = "# convgrade-setup", "# convgrade-checks"  # first line of the generated cells
NOTEBOOK_SUFFIX = ".ipynb"


class _Session:
    """The cells that ran without an error in this kernel, in execution order."""

    def __init__(self, shell):
        history = shell.history_manager.input_hist_raw  # [0] is empty; [-1] is the cell running now
        self.cells = list(history[1:-1])  # ran before this: whether they failed is unknown
        shell.events.register("post_run_cell", self._ran)

    def _ran(self, result) -> None:
        if result.success:
            self.cells.append(result.info.raw_cell)


_session: _Session | None = None


def in_kernel():
    """The IPython shell of the Jupyter kernel this runs in, else None (costs a dict lookup outside one)."""
    if "ipykernel" not in sys.modules:
        return None
    from IPython import get_ipython

    shell = get_ipython()
    return shell if shell is not None and hasattr(shell, "kernel") else None


def attach() -> None:
    """Record the cells, find sibling notebooks and warm the grader up, once per kernel (no-op elsewhere)."""
    global _session
    shell = in_kernel()
    if shell is None or _session is not None:
        return
    _session = _Session(shell)
    sys.meta_path.append(_SiblingNotebooks())
    threading.Thread(target=_keep_server, name="convgrade-server", daemon=True).start()
    atexit.register(_stop_server)


def _keep_server() -> None:
    """Start the fork server; when it dies (the kernel shutting down), reap it and its resource tracker at once.

    At shutdown ipykernel sends SIGTERM to its children and waits, re-checking for up to 2.5 s, until none
    is left. A dead server that nobody reaps stays its child (a zombie), and multiprocessing's resource
    tracker ignores SIGTERM and ends only when every copy of its pipe is closed; left alone, both keep
    the kernel from exiting until it is killed.
    """
    from multiprocessing import forkserver

    from grader.runner import start_server

    start_server()
    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is not None:
        os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)  # wait for its death without reaping it
        _stop_server()


def _stop_server() -> None:
    """Stop the fork server and the resource tracker: close their pipes and reap them (also at kernel exit).

    multiprocessing has no public call for this; ``_stop`` is the one its own tests use. The next check
    starts both again.
    """
    from multiprocessing import forkserver, resource_tracker

    forkserver._forkserver._stop()
    resource_tracker._resource_tracker._stop()


def check(exercise: str, *, lang: str | None = None, course: Course | str | Path | None = None) -> None:
    """Grade ``exercise`` (id or module name) with the code run in this kernel, and print the report.

    ``lang`` (else the environment variable ``CONVGRADE_LANG``, else the course's) sets the language.
    Outside a Jupyter kernel it grades the saved notebook ``<module>.ipynb`` in the current folder.
    """
    from grader.grading import grade
    from grader.report import write_text

    lang = lang or os.environ.get(LANG_ENV) or None
    if lang is not None and lang not in LANGUAGES:
        raise CourseError(_("language {lang!r} (from the lang argument or {env}) is not one of: {known}")
                          .format(lang=lang, env=LANG_ENV, known=", ".join(LANGUAGES)))
    course = course if isinstance(course, Course) else load_course(course)
    wanted = course.by_module(exercise) or course.exercise(exercise)
    if in_kernel() is None or _session is None:
        write_text(grade(f"{wanted.module_name}{NOTEBOOK_SUFFIX}", course=course, lang=lang))
        return
    source = kernel_source(_session.cells)
    with tempfile.TemporaryDirectory(prefix="convgrade-kernel-") as tmp:
        folder = Path(tmp)
        (folder / wanted.module).write_text(source, encoding="utf-8")
        for sibling in _sibling_files(source, course, wanted.module_name):
            shutil.copyfile(sibling, folder / sibling.name)
        result = grade(folder, course=course, exercises=[wanted.id], lang=lang, on_progress=_show_progress)
    with using_language(result.lang):
        where = _("{module}: the code run in this kernel").format(module=wanted.module_name)
    write_text(replace(result, submission=where))


def _show_progress(event: dict) -> None:
    """The student's training progress, one line per event the grader passes on (at most 10 a second)."""
    from grader.report import progress_line

    print(progress_line(event), flush=True)


def kernel_source(cells: list[str]) -> str:
    """One module from the cells, in the order they ran, without the generated setup and checks cells, any
    cell that calls ``grader.check``, and IPython syntax (magics, shell lines)."""
    from grader.notebooks import plain_python

    parts = []
    for cell in cells:
        if cell.lstrip().startswith((SETUP_MARK, CHECKS_MARK)):
            continue
        code = plain_python(cell)[0]
        if code.strip() and _parses(code) and not _calls_check(code):
            parts.append(code)
    return "\n\n\n".join(parts) + "\n"


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True


def _calls_check(code: str) -> bool:
    return any(isinstance(node, ast.Attribute) and node.attr == "check" and isinstance(node.value, ast.Name)
               and node.value.id == "grader" for node in ast.walk(ast.parse(code)))


def _sibling_files(source: str, course: Course, own_module: str) -> list[Path]:
    """The files the kernel imports other exercises' modules from: ``<name>.py`` in the current folder,
    else ``<name>.ipynb`` (as :class:`_SiblingNotebooks` finds it)."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    files = []
    for name in sorted(names - {own_module}):
        if course.by_module(name) is None:
            continue
        found = next((f for f in (Path(f"{name}.py"), Path(f"{name}{NOTEBOOK_SUFFIX}")) if f.is_file()), None)
        if found is not None:
            files.append(found)
    return files


class _SiblingNotebooks(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import batchnorm`` loads ``batchnorm.ipynb`` of the current folder: its code cells, as the grader reads
    them. Last on ``sys.meta_path``, so an installed module or a ``batchnorm.py`` always wins."""

    def find_spec(self, fullname, path=None, target=None):
        notebook = Path(f"{fullname}{NOTEBOOK_SUFFIX}")
        if path is not None or not notebook.is_file():
            return None
        return importlib.util.spec_from_file_location(fullname, notebook.resolve(), loader=self)

    def create_module(self, spec):
        return None

    def exec_module(self, module) -> None:
        from grader.notebooks import read_notebook

        _name, source, _warnings = read_notebook(Path(module.__file__))
        exec(compile(source, module.__file__, "exec"), module.__dict__)
