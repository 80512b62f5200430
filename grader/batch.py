"""Grading a whole class: ``convgrade grade-all SUBMISSIONS`` -> ``grades.csv`` and one JSON per student.

Every entry of the submissions folder is one student: a subfolder (laid out like ``exercises/``), a
``.zip`` of one, or a single ``.py``/``.ipynb`` file. Students are graded in parallel by a pool of
threads, each calling :func:`grader.grade`: the threads only wait on exercise processes forked from the
one fork server, so nothing that ran torch is ever forked, and each exercise keeps the isolation and
limits of the core. Exercises tagged ``slow`` (training, timed against the whole machine) run one at a
time with nothing beside them, so a student's accuracy never depends on who was graded alongside.
Whatever goes wrong with one student (even a bug in the grader) becomes that student's error row; the
batch always finishes. A student whose files, course version, grading options and grader are unchanged
since the last run is not graded again (``force`` redoes everyone): that cache lives outside the output
folder (``default_cache_dir``), so a JSON rewritten there is never trusted. Only the grader writes the
output, each file atomically under a fresh unpredictable name; a failed write is that student's error
row, and ``grades.csv`` is written however the run ends. Where the students are graded is a ``Grader``:
threads here (``InThreads``), Dask workers in ``grader.distributed``; recording is the same for both.
"""
from __future__ import annotations

import contextlib
import csv
import functools
import hashlib
import importlib.metadata
import io
import json
import os
import shutil
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from grader import class_insight
from grader.course import Course, Exercise
from grader.grading import grade
from grader.i18n import _
from grader.results import OK, GradeResult
from grader.runner import start_server
from grader.submission import SOURCE_READERS, ZIP_SUFFIX, SubmissionError

CSV_NAME = "grades.csv"
GRADER_VERSION = importlib.metadata.version("convgrade")


@dataclass(frozen=True)
class Student:
    id: str     # the subfolder's name or the file's stem
    path: Path


@dataclass
class Row:
    """One student's line of the gradebook: a result, or the error that stopped the grader."""

    student: Student
    result: GradeResult | None = None
    error: str = ""
    trace: str = ""       # the traceback, when the grader itself failed
    reused: bool = False  # taken from the previous run: nothing changed


@dataclass(frozen=True)
class Options:
    """What grade() is asked for every student; part of the cache key, since it changes the result."""

    exercises: tuple[str, ...] | None = None
    skip_slow: bool = False
    lang: str | None = None
    device: str | None = None
    seed: int | None = None
    include_hidden: bool = True


class Turns:
    """Quick exercises share the machine; a slow one waits for it to empty and then has it alone."""

    def __init__(self):
        self._changed = threading.Condition()
        self._quick = 0          # quick exercises running
        self._slow = False       # a slow exercise running
        self._slow_waiting = 0   # slow exercises waiting: quick ones let them go first, so they are not starved

    def enter(self, slow: bool) -> None:
        with self._changed:
            if slow:
                self._slow_waiting += 1
                self._changed.wait_for(lambda: not self._slow and not self._quick)
                self._slow_waiting -= 1
                self._slow = True
            else:
                self._changed.wait_for(lambda: not self._slow and not self._slow_waiting)
                self._quick += 1

    def leave(self, slow: bool) -> None:
        with self._changed:
            if slow:
                self._slow = False
            else:
                self._quick -= 1
            self._changed.notify_all()


def find_students(folder: Path, exclude: Path | None = None) -> list[Student]:
    """Every subfolder, zip, .py or .ipynb file of ``folder`` (hidden entries and ``exclude`` left out)."""
    if not folder.is_dir():
        raise SubmissionError(_("{path}: not a folder of submissions (one subfolder or file per student)")
                              .format(path=folder))
    students = [Student(entry.stem if entry.is_file() else entry.name, entry) for entry in sorted(folder.iterdir())
                if not entry.name.startswith(".") and (exclude is None or entry.resolve() != exclude.resolve())
                and (entry.is_dir() or entry.suffix in SOURCE_READERS or entry.suffix == ZIP_SUFFIX)]
    seen: dict[str, Path] = {}
    for student in students:
        if student.id in seen:
            raise SubmissionError(_("{path} and {other} would both be student '{student}'; rename one of them")
                                  .format(path=student.path, other=seen[student.id], student=student.id))
        seen[student.id] = student.path
    return students


def content_hash(path: Path) -> str:
    """sha256 of what grading reads: a file's bytes, or a folder's top-level gradable files."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(
        f for f in path.iterdir() if f.is_file() and (f.suffix in SOURCE_READERS or f.suffix == ZIP_SUFFIX))
    for file in files:
        digest.update(file.name.encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.cache
def grader_fingerprint() -> str:
    """The grader's version and a hash of its own source files: an edited grader grades everyone again."""
    package = Path(__file__).parent
    digest = hashlib.sha256(GRADER_VERSION.encode() + b"\0")
    for file in sorted(package.rglob("*.py")):
        digest.update(file.relative_to(package).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_key(student: Student, course: Course, options: Options) -> str:
    """Changes with the student's files, the checks and manifest (course.version), the options, the grader."""
    text = json.dumps([content_hash(student.path), course.version, options.__dict__, grader_fingerprint()],
                      sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_cache_dir(course: Course) -> Path:
    """``$XDG_CACHE_HOME/convgrade/<course>/`` (else ``~/.cache/...``): never inside the output folder."""
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "convgrade" / hashlib.sha256(str(course.path.resolve()).encode()).hexdigest()[:16]


class Grader(Protocol):
    """Where students are graded: rows come back as each student is done, in any order."""

    def __call__(self, students: list[Student], course: Course, options: Options) -> Iterator[Row]: ...

    def workers_in_use(self) -> tuple[int, int]:
        """(busy, all) of whatever grades the students, for the progress bar."""


class InThreads:
    """``jobs`` threads on this machine, each waiting on exercise processes of the one fork server."""

    def __init__(self, jobs: int = 1):
        self.jobs = max(1, jobs)
        self._futures: list[Future] = []

    def __call__(self, students: list[Student], course: Course, options: Options) -> Iterator[Row]:
        start_server()  # import torch in the fork server once, before the threads queue up behind it
        turns = Turns()
        pool = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="convgrade-student")
        try:
            self._futures = [pool.submit(grade_student, student, course, options, turns) for student in students]
            for future in as_completed(self._futures):
                yield future.result()
        finally:
            pool.shutdown(cancel_futures=True)

    def workers_in_use(self) -> tuple[int, int]:
        return sum(future.running() for future in self._futures), self.jobs


def grade_all(folder: str | Path, out_dir: str | Path, *, course: Course, jobs: int = 1, force: bool = False,
              options: Options = Options(), cache_dir: str | Path | None = None, grader: Grader | None = None,
              on_start: Callable[[int, int], None] | None = None,
              on_student: Callable[[Row], None] | None = None) -> list[Row]:
    """Grade every student of ``folder``; write ``out_dir/grades.csv`` and one JSON per student.

    ``grader`` decides where (default: ``InThreads(jobs)``). ``on_start(to_grade, reused)`` is called
    once the unchanged students are known, ``on_student(row)`` after each student graded (progress
    bars). Rows come back in the students' order; a student the run never reached (it was interrupted)
    is an error row that says so, in the returned rows and in grades.csv alike.
    """
    exercises = course.select(options.exercises, skip_slow=options.skip_slow)  # unknown ids fail here, not later
    out = Path(out_dir)
    students = find_students(Path(folder), exclude=out)
    cache = Path(cache_dir) if cache_dir else default_cache_dir(course)
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    keys = {student: cache_key(student, course, options) for student in students}
    rows: dict[Student, Row] = {}
    try:
        for student in students:
            previous = None if force else _cached_result(cache / f"{student.id}.json", keys[student])
            if previous is not None:
                rows[student] = _record(Row(student, previous, reused=True), out, cache, keys[student])
        todo = [s for s in students if s not in rows]
        if on_start:
            on_start(len(todo), len(rows))
        if todo:
            with contextlib.closing((grader or InThreads(jobs))(todo, course, options)) as graded:
                for row in graded:
                    rows[row.student] = _record(row, out, cache, keys[row.student])
                    if on_student:
                        on_student(rows[row.student])
    finally:  # whatever stopped the run, the gradebook says who was graded and who was not
        ordered = [rows.get(s) or Row(s, error=_("not graded: the run stopped before this student; run grade-all "
                                                  "again to grade the rest")) for s in students]
        write_csv(ordered, exercises, out / CSV_NAME)
        class_insight.write_checks_csv(out, [class_insight.StudentResult(r.student.id, r.result, r.error)
                                             for r in ordered])
    return ordered


def grade_student(student: Student, course: Course, options: Options, turns: Turns | None = None) -> Row:
    """One student's row; with ``turns``, each exercise waits for its turn on the machine (see ``Turns``)."""
    if turns is None:
        turns = Turns()  # a Turns of its own: nobody else to wait for
    running: list[bool] = []  # whether the exercise now running is slow, while it holds its turn

    def take_turns(exercise_id: str, result) -> None:
        if result is None:
            running.append(course.exercise(exercise_id).slow)
            turns.enter(running[-1])
        else:
            turns.leave(running.pop())

    try:
        with _as_exercise_file(student.path, course, options.exercises) as path:
            result = grade(path, course=course, exercises=options.exercises, skip_slow=options.skip_slow,
                           lang=options.lang, device=options.device, seed=options.seed,
                           include_hidden=options.include_hidden, on_exercise=take_turns)
        return Row(student, replace(result, submission=str(student.path)))
    except SubmissionError as exc:  # nothing in the files can be graded: the message says why, in one line
        return Row(student, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in the grader costs this student's row, never the batch
        first_line = f"{type(exc).__name__}: {exc}".splitlines()[0]
        return Row(student, error=first_line, trace=traceback.format_exc())
    finally:
        for slow in running:  # an exercise that raised never reported its end: give its turn back
            turns.leave(slow)


@contextmanager
def _as_exercise_file(path: Path, course: Course, exercises: tuple[str, ...] | None) -> Iterator[Path]:
    """A single-file student (``alice.py``) graded as the one exercise asked for, under its module name."""
    wanted = exercises or tuple(ex.id for ex in course.exercises)
    if not (path.is_file() and path.suffix in SOURCE_READERS and len(wanted) == 1):
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="convgrade-student-") as tmp:
        staged = Path(tmp) / f"{course.exercise(wanted[0]).module_name}{path.suffix}"
        shutil.copyfile(path, staged)
        yield staged


def _cached_result(path: Path, key: str) -> GradeResult | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return GradeResult.from_dict(data) if data.get("cache_key") == key else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # no usable previous result: grade again


def row_data(row: Row) -> dict:
    """The student's JSON: the GradeResult, or the error (and the grader's traceback, if it failed)."""
    if row.result is not None:
        return {"student": row.student.id, **row.result.to_dict()}
    return {"student": row.student.id, "submission": str(row.student.path), "status": "error",
            "error": row.error, **({"traceback": row.trace} if row.trace else {})}


def row_from_data(student: Student, data: dict) -> Row:
    """``row_data`` read back (what a Dask worker returns)."""
    if data.get("status") == "error":
        return Row(student, error=data["error"], trace=data.get("traceback", ""))
    return Row(student, GradeResult.from_dict(data))


def _record(row: Row, out: Path, cache: Path, key: str) -> Row:
    """Write the student's JSON, and a new result's cache entry; a write that fails is the student's error row.

    Error rows get no cache entry, so they are graded again next time.
    """
    data = row_data(row)
    target = cache / f"{row.student.id}.json"
    try:
        if row.result is not None and not row.reused:
            write_atomic(target, json.dumps({**data, "cache_key": key}, ensure_ascii=False) + "\n")
        target = out / f"{row.student.id}.json"
        write_atomic(target, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        return Row(row.student, error=_("cannot write {path}: {reason}").format(path=target,
                                                                                reason=exc.strerror or exc))
    return row


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` all at once, through a fresh file beside it (O_EXCL, random name, fsync).

    Nobody sees half a file, and there is no predictable temporary name that someone could create first.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_csv(rows: list[Row], exercises: list[Exercise], path: Path) -> None:
    """One row per student: points per exercise, total, and what went wrong (exercise statuses, errors)."""
    ids = [ex.id for ex in exercises]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["student", *ids, "total", "max_score", "percent", "status", "problems", "error"])
    for row in rows:
        if row.result is None:
            writer.writerow([row.student.id, *[""] * len(ids), "", "", "", "error", "", row.error])
            continue
        by_id = {ex.id: ex for ex in row.result.exercises}
        scores = [_number(by_id[i].score) if i in by_id else "" for i in ids]
        problems = "; ".join(f"{ex.id}: {ex.status}" for ex in row.result.exercises if ex.status != OK)
        writer.writerow([row.student.id, *scores, _number(row.result.score), _number(row.result.max_score),
                         f"{row.result.percent:.1f}", "graded", problems, ""])
    write_atomic(path, text.getvalue())


def _number(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")
