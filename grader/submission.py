"""Turns what a student handed in (a folder, a module file) into a private folder of modules to import.

The student's files are copied, never imported in place: grading cannot write to or modify the
student's folder, and a file that would shadow the grader's own imports (``pytest.py``, ``torch.py``,
``conftest.py``) is left out with a warning, so the checks always run against the real libraries.
"""
from __future__ import annotations

import contextlib
import importlib.util
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.course import Course
from grader.i18n import _

STUDENT_FOLDER = "exercises"  # where a course keeps the students' files
MAX_SOURCE_BYTES = 2_000_000
# Next to the modules: "<module>.problem" says why a handed-in file was left out, so that the exercise
# reports that (not a vague "kernels.py is not in the submission"); grader.plugin reads it.
PROBLEM_SUFFIX = ".problem"
ZIP_SUFFIX = ".zip"             # a zip is graded like the folder it holds
MAX_ZIP_BYTES = 50_000_000
MAX_ZIP_MEMBERS = 10_000


class SubmissionError(ValueError):
    """The submission cannot be graded at all (one line naming the path and what to do)."""


@dataclass
class Submission:
    source: Path            # what the student handed in
    folder: Path            # private copy the exercise processes import from
    modules: set[str]       # module names present in the copy
    single_module: str | None = None  # set when a single file was handed in
    warnings: list[str] = field(default_factory=list)


def locate(path: str | None, course: Course, cwd: Path | None = None) -> Path:
    """What ``convgrade grade [PATH]`` grades, from whichever folder it is run.

    No PATH: the current folder when it is a student folder inside the course (``exercises/``, or any
    folder below the course root with exercise files), else the course's ``exercises/``. A bare
    ``kernels.py`` or ``kernels.ipynb`` not in the current folder is looked up in ``exercises/`` and
    ``exercises/notebooks/``; found in both, the error names them.
    """
    here = (cwd or Path.cwd()).resolve()
    root = course.root.resolve()
    if path is None:
        inside = here != root and here.is_relative_to(root)
        if inside and any(course.by_module(f.stem) for f in here.iterdir() if f.suffix in SOURCE_READERS):
            return here
        return root / STUDENT_FOLDER
    given = Path(path)
    if (here / given).exists() or given.exists() or given.parent != Path(".") or given.suffix not in SOURCE_READERS:
        return given
    found = [folder / given for folder in (root / STUDENT_FOLDER, root / STUDENT_FOLDER / "notebooks")
             if (folder / given).is_file()]
    if len(found) > 1:
        names = " / ".join(str(f.relative_to(root)) for f in found)
        raise SubmissionError(_("{path}: not in this folder; did you mean {names}?").format(path=given, names=names))
    return found[0] if found else given


def shadows_library(stem: str, course: Course) -> bool:
    """True for a file name that would hide an installed module (or a conftest that pytest would load)."""
    if stem == "conftest":
        return True
    if course.by_module(stem) is not None:
        return False
    try:
        return importlib.util.find_spec(stem) is not None
    except (ImportError, ValueError):
        return False


@contextlib.contextmanager
def prepare(path: str | Path, course: Course) -> Iterator[Submission]:
    """Copy the submission into a temporary folder for the duration of the ``with`` block."""
    source = Path(path)
    if not source.exists():
        raise SubmissionError(_("{path}: no such file or folder").format(path=source))
    # Exercise processes can write here (it is on their sys.path): what they leave must not break the cleanup.
    with tempfile.TemporaryDirectory(prefix="convgrade-submission-", ignore_cleanup_errors=True) as tmp, \
            _as_folder(source, course) as folder:
        submission = Submission(source=source, folder=Path(tmp), modules=set())
        if folder is not None:
            for file in _listing(folder):
                if file.is_file() and file.suffix in SOURCE_READERS:
                    _add(submission, file, course, explicit=False)
        elif source.is_file() and source.suffix in SOURCE_READERS:
            submission.single_module = _add(submission, source, course, explicit=True)
        else:
            known = ", ".join(sorted([*SOURCE_READERS, ZIP_SUFFIX]))
            raise SubmissionError(_("{path}: cannot grade this kind of file (expected a folder or one of: {known})")
                                  .format(path=source, known=known))
        yield submission


@contextlib.contextmanager
def _as_folder(source: Path, course: Course) -> Iterator[Path | None]:
    """The folder whose files make up the submission: the folder itself, a zip unpacked, or None for one file."""
    if source.is_dir():
        yield source
    elif source.suffix == ZIP_SUFFIX:
        with tempfile.TemporaryDirectory(prefix="convgrade-zip-") as tmp:
            folder = Path(tmp) / source.name  # warnings then name "<tmp>/alice.zip/kernels.py"
            folder.mkdir()
            unzip_sources(source, folder, course)
            yield folder
    else:
        yield None


def unzip_sources(archive: Path, folder: Path, course: Course) -> None:
    """Extract into ``folder`` the source files of the archive's folder that holds the most exercise modules.

    So ``kernels.py``, ``alice/kernels.py`` and ``repo/exercises/kernels.py`` all work (ties: the
    shallowest). Only a member's base name is ever written, never its path, so ``../../x.py`` cannot
    escape ``folder``; each member is read with a size cap, so a zip bomb costs at most MAX_SOURCE_BYTES
    per file.
    """
    if archive.stat().st_size > MAX_ZIP_BYTES:
        raise SubmissionError(_("{path}: larger than {mb} MB; zip only your exercise files")
                              .format(path=archive, mb=MAX_ZIP_BYTES // 1_000_000))
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise SubmissionError(_("{path}: more than {n} entries; zip only your exercise files")
                                      .format(path=archive, n=MAX_ZIP_MEMBERS))
            sources = {}
            for info in members:
                name = PurePosixPath(info.filename.replace("\\", "/"))
                if (not info.is_dir() and name.suffix in SOURCE_READERS and not name.name.startswith(".")
                        and "__MACOSX" not in name.parts):
                    sources.setdefault(name.parent, []).append((name.name, info))
            for file_name, info in sources[_richest(sources, course)] if sources else ():
                with zf.open(info) as member:
                    (folder / file_name).write_bytes(member.read(MAX_SOURCE_BYTES + 1))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, UnicodeDecodeError, NotImplementedError,
            RuntimeError) as exc:
        raise SubmissionError(_("{path}: cannot unzip ({problem}); make a plain zip of your exercise files")
                              .format(path=archive, problem=exc)) from None


def _richest(sources: dict[PurePosixPath, list[tuple[str, zipfile.ZipInfo]]], course: Course) -> PurePosixPath:
    """The folder with the most exercise modules (a repository's exercises/, not its setup.py); ties: shallowest."""
    def rank(parent: PurePosixPath) -> tuple[int, int, str]:
        modules = sum(course.by_module(PurePosixPath(name).stem) is not None for name, _info in sources[parent])
        return -modules, len(parent.parts), str(parent)

    return min(sources, key=rank)


def _listing(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except OSError as exc:
        raise SubmissionError(_("{path}: cannot read this folder ({reason})")
                              .format(path=folder, reason=exc.strerror or exc)) from None


def _add(submission: Submission, file: Path, course: Course, *, explicit: bool) -> str | None:
    try:
        module, text, warnings = SOURCE_READERS[file.suffix](file)
        if not text.strip() and course.by_module(module) is not None:
            raise SubmissionError(_("{path}: the file is empty; save your work and grade again").format(path=file))
    except SubmissionError as exc:
        if explicit:
            raise
        submission.warnings.append(str(exc))
        (submission.folder / f"{file.stem}{PROBLEM_SUFFIX}").write_text(str(exc), encoding="utf-8")
        return None
    submission.warnings.extend(warnings)
    if explicit and course.by_module(module) is None:
        known = ", ".join(ex.module for ex in course.exercises)
        raise SubmissionError(_("{path}: {module}.py is not an exercise of this course (expected one of: {known})")
                              .format(path=file, module=module, known=known))
    if shadows_library(module, course):
        submission.warnings.append(_("{path}: ignored, because a file named {module}.py would hide the real "
                                     "`{module}` module from the grader").format(path=file, module=module))
        return None
    if module in submission.modules:
        submission.warnings.append(_("{path}: ignored, because {module} was already taken from another file")
                                   .format(path=file, module=module))
        return None
    (submission.folder / f"{module}.py").write_text(text, encoding="utf-8")
    submission.modules.add(module)
    return module


def read_python(file: Path) -> tuple[str, str, list[str]]:
    """(module name, source, warnings) of a .py file; the source must be UTF-8 text of a sane size."""
    try:
        with open(file, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        raise SubmissionError(_("{path}: cannot read this file ({reason})")
                              .format(path=file, reason=exc.strerror or exc)) from None
    if len(data) > MAX_SOURCE_BYTES:
        raise SubmissionError(_("{path}: larger than {mb} MB; a solution file is a few kilobytes")
                              .format(path=file, mb=MAX_SOURCE_BYTES // 1_000_000))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SubmissionError(_("{path}: not UTF-8 text (byte {pos}); save the file as UTF-8")
                              .format(path=file, pos=exc.start)) from None
    return file.stem, text, []


def read_notebook(file: Path) -> tuple[str, str, list[str]]:
    """(module name, source, warnings) of a .ipynb file: its code cells (see grader.notebooks)."""
    from grader.notebooks import read_notebook  # nbformat takes 0.2 s to import; only notebooks need it

    return read_notebook(file)


SOURCE_READERS = {".py": read_python, ".ipynb": read_notebook}
