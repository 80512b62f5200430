"""Grading a class on Dask distributed: ``grade-all --dask`` (a cluster here) or ``--scheduler ADDRESS``.

One machine grades a large class in hours when a model is trained per student; Dask runs the same client
code on a laptop (``LocalCluster``), on machines that joined a scheduler, on Kubernetes
(dask-kubernetes) and on HPC queues (dask-jobqueue). What travels: the course once per run (the manifest
object and the bytes of its check files, never ``solutions/``; scattered to every worker), then per
student a task for its quick exercises and one for its training exercises, each with that student's
gradable files as bytes (each capped as locally) and the grading options. A worker writes them to a
private folder and grades them with ``grader.batch.grade_student``, through its own warm fork server
(the state of its process), with the sandbox and limits of a local run, and returns the row as JSON; the
client alone records rows, JSON, cache and ``grades.csv`` (``grader.batch.grade_all``). Every worker
offers the resource ``machine=1``: quick tasks take a 1/1024 share of it, so they share a worker up to
its threads, and a training task takes all of it, so it has the worker to itself. A worker that dies
mid-task costs nothing but time: the scheduler gives the task to another, up to its
``allowed-failures``; a student whose grading keeps killing workers becomes an error row. Losing the
scheduler ends the run with every finished row written (a rerun takes them from the cache).
"""
from __future__ import annotations

import atexit
import json
import logging
import multiprocessing
import os
import shutil
import tempfile
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import CancelledError
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from grader import batch
from grader.course import Course
from grader.i18n import _
from grader.notebooks import MAX_NOTEBOOK_BYTES
from grader.quiz import load_quiz
from grader.runner import start_server
from grader.submission import MAX_SOURCE_BYTES, MAX_ZIP_BYTES, SOURCE_READERS, ZIP_SUFFIX, SubmissionError

try:
    import dask
    from distributed import Client, KilledWorker, LocalCluster, as_completed
except ImportError:  # the CLI turns this into one line
    raise ImportError(_('grading on Dask needs the dask extra: pip install "convgrade[dask]"')) from None

RESOURCE = "machine"          # every worker offers machine=1 (dask worker --resources machine=1)
QUICK_SHARE = 2 ** -10        # a power of two: shares add up exactly, so a freed worker has all of machine=1 again
ALLOWED_FAILURES = 2          # on the embedded cluster: a task whose worker dies is tried on 2 more, then an error row
CAPS = {".py": MAX_SOURCE_BYTES, ".ipynb": MAX_NOTEBOOK_BYTES, ZIP_SUFFIX: MAX_ZIP_BYTES}
MAX_STUDENT_BYTES = 64_000_000  # more than any one capped file, so one file always gets its own message
WORKER_WAIT_SECONDS = 60
CONNECT_SECONDS = 10
CONFIG = {
    "distributed.worker.daemon": False,  # a daemonic worker process may not start exercise processes
    "distributed.scheduler.allowed-failures": ALLOWED_FAILURES,
    "distributed.worker.profile.enabled": False,  # its sampling every 10 ms takes CPU from the checks
}


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or was lost (one line; the finished rows are written)."""


@dataclass(frozen=True)
class CourseBundle:
    """The course as it travels: the loaded manifest and the bytes of each check file, by its path here."""

    course: Course
    checks: dict[str, bytes]
    grader: str  # batch.grader_fingerprint() of the client: a worker with another grader refuses

    @classmethod
    def of(cls, course: Course) -> "CourseBundle":
        files = {str(path): path.read_bytes() for ex in course.exercises for path in ex.check_files()}
        for ex in course.exercises:  # a quiz's questions and pictures, which its check reads
            if ex.quiz is not None:
                files.update((str(path), path.read_bytes()) for path in {ex.quiz, *load_quiz(ex.quiz).files})
        return cls(course, files, batch.grader_fingerprint())

    def unpack(self, folder: Path) -> Course:
        """The same course with its files under ``folder`` (each keeps its name, so check names stay; a quiz
        keeps its folder, so its pictures stay beside it)."""
        placed = {}
        for index, (original, data) in enumerate(sorted(self.checks.items())):
            placed[original] = folder / str(index) / Path(original).name
            placed[original].parent.mkdir(parents=True)
            placed[original].write_bytes(data)
        for ex in self.course.exercises:
            if ex.quiz is not None:
                home = folder / f"quiz-{ex.id}"
                for original in self.checks:
                    if Path(original).is_relative_to(ex.quiz.parent):
                        placed[original] = home / Path(original).relative_to(ex.quiz.parent)
                        placed[original].parent.mkdir(parents=True, exist_ok=True)
                        placed[original].write_bytes(self.checks[original])

        def moved(ex):
            quiz = placed[str(ex.quiz)] if ex.quiz is not None else None
            return replace(ex, checks=tuple(placed[str(p)] for p in ex.checks),
                           hidden_checks=tuple(placed[str(p)] for p in ex.hidden_checks), quiz=quiz,
                           settings={**ex.settings, "quiz_file": str(quiz)} if quiz else ex.settings)

        return replace(self.course, exercises=tuple(moved(ex) for ex in self.course.exercises))


@dataclass(frozen=True)
class StudentFiles:
    """One student's gradable files as bytes: a folder's top-level modules, or the one file handed in."""

    id: str
    source: str                 # the path on the client, put back into the result's messages
    folder: bool
    files: dict[str, bytes]     # name -> bytes (a file longer than its cap is cut one byte past it)

    @classmethod
    def read(cls, student: batch.Student) -> "StudentFiles":
        path = student.path
        entries = [path] if path.is_file() else sorted(f for f in path.iterdir() if f.suffix in SOURCE_READERS
                                                       and f.is_file())
        files, total = {}, 0
        for entry in entries:
            with open(entry, "rb") as f:  # past the cap, the worker's reader reports "larger than" as locally
                files[entry.name] = f.read(CAPS[entry.suffix] + 1)
            total += len(files[entry.name])
            if total > MAX_STUDENT_BYTES:
                raise SubmissionError(_("{path}: more than {mb} MB to grade; hand in only your exercise files")
                                      .format(path=path, mb=MAX_STUDENT_BYTES // 1_000_000))
        return cls(student.id, str(path), path.is_dir(), files)

    def unpack(self, folder: Path) -> Path:
        """The files under ``folder``, named as the student named them; the path to grade."""
        target = folder / Path(self.source).name
        if self.folder:
            target.mkdir()
            for name, data in self.files.items():
                (target / name).write_bytes(data)
        else:
            target.write_bytes(next(iter(self.files.values())))
        return target


_worker_courses: dict[str, Course] = {}  # the state of a worker process: courses unpacked, by version
_worker_lock = threading.Lock()


def grade_on_worker(bundle: CourseBundle, files: StudentFiles, options: batch.Options) -> dict:
    """Runs on a worker: grade one student exactly as ``grade-all`` does locally; the row as JSON data."""
    if bundle.grader != batch.grader_fingerprint():
        raise RuntimeError(_("this worker's convgrade ({version}, {mine}) is not the client's ({theirs}): install "
                             "the same convgrade on every worker").format(
            version=batch.GRADER_VERSION, mine=batch.grader_fingerprint(), theirs=bundle.grader))
    if multiprocessing.current_process().daemon:
        raise RuntimeError(_("this Dask worker is a daemonic process, which cannot start exercise processes: "
                             "start it with DASK_DISTRIBUTED__WORKER__DAEMON=False (or --no-nanny)"))
    course = _worker_course(bundle)
    with tempfile.TemporaryDirectory(prefix="convgrade-student-", ignore_cleanup_errors=True) as tmp:
        path = files.unpack(Path(tmp))
        row = batch.grade_student(batch.Student(files.id, path), course, options)  # resources decide who runs beside
        text = json.dumps(batch.row_data(row), ensure_ascii=False)
    return json.loads(text.replace(json.dumps(str(path))[1:-1], json.dumps(files.source)[1:-1]))


def _worker_course(bundle: CourseBundle) -> Course:
    with _worker_lock:
        version = bundle.course.version
        if version not in _worker_courses:
            folder = Path(tempfile.mkdtemp(prefix=f"convgrade-course-{version}-"))
            atexit.register(shutil.rmtree, folder, True)
            _worker_courses[version] = bundle.unpack(folder)
            start_server()
        return _worker_courses[version]


class OnDask:
    """A ``batch.Grader`` over a Dask client: a quick and a training task per student, two per worker thread queued."""

    def __init__(self, client: Client):
        self.client = client
        self.address = client.scheduler.address

    def __call__(self, students: list[batch.Student], course: Course, options: batch.Options) -> Iterator[batch.Row]:
        self._wait_for_workers()
        bundle = self.client.scatter(CourseBundle.of(course), broadcast=True, hash=False)
        order = [ex.id for ex in course.select(options.exercises, skip_slow=options.skip_slow)]
        parts = _parts(course, options, order)
        waiting, running = iter(students), as_completed()
        by_future: dict = {}                 # future -> (student, which part)
        done: dict[batch.Student, list] = {}  # the rows of a student's parts, as they come

        def submit_more() -> Iterator[batch.Row]:
            """Keep two tasks per worker thread queued; a student whose files cannot be read is a row at once."""
            threads = max(1, sum(self.client.nthreads().values()))
            while running.count() < 2 * threads and (student := next(waiting, None)) is not None:
                try:
                    files = StudentFiles.read(student)
                except (OSError, SubmissionError) as exc:
                    yield batch.Row(student, error=str(exc) if isinstance(exc, SubmissionError) else
                                    _("cannot read {path}: {reason}").format(path=student.path,
                                                                             reason=exc.strerror or exc))
                    continue
                mine = parts if files.folder or student.path.suffix == ZIP_SUFFIX else [(options, parts[-1][1])]
                done[student] = [None] * len(mine)
                for index, (part_options, share) in enumerate(mine):
                    future = self.client.submit(grade_on_worker, bundle, files, part_options,
                                                resources={RESOURCE: share},
                                                key=f"convgrade-{student.id}-{index}-{os.urandom(4).hex()}")
                    by_future[future] = student, index
                    running.add(future)

        try:
            yield from submit_more()
            for future in running:
                student, index = by_future.pop(future)
                done[student][index] = _row(student, future)
                if all(row is not None for row in done[student]):
                    yield _merged(done.pop(student), order)
                yield from submit_more()
        except (OSError, CancelledError, TimeoutError) as exc:
            raise ClusterError(_("lost the Dask scheduler at {address} ({reason}); every student graded so far is "
                                 "written, run grade-all again to grade the rest")
                               .format(address=self.address, reason=type(exc).__name__)) from None
        finally:
            for future in by_future:
                future.cancel()

    def workers_in_use(self) -> tuple[int, int]:
        try:
            processing = self.client.processing()
        except OSError:  # the scheduler is gone: the next row says so
            return 0, 0
        return sum(bool(keys) for keys in processing.values()), len(processing)

    def _wait_for_workers(self) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WORKER_WAIT_SECONDS)
        except TimeoutError:
            raise ClusterError(_("no Dask worker joined the scheduler at {address} within {seconds} s")
                               .format(address=self.address, seconds=WORKER_WAIT_SECONDS)) from None
        workers = self.client.scheduler_info(n_workers=-1)["workers"].values()
        if not any(worker.get("resources", {}).get(RESOURCE, 0) >= 1 for worker in workers):
            raise ClusterError(_("no Dask worker offers the resource {resource}: start the workers with "
                                 "--resources {resource}=1").format(resource=RESOURCE))


def _parts(course: Course, options: batch.Options, order: list[str]) -> list[tuple[batch.Options, float]]:
    """How a student is split: quick exercises on a share of a worker, training ones on a whole worker."""
    quick = tuple(i for i in order if not course.exercise(i).slow)
    slow = tuple(i for i in order if course.exercise(i).slow)
    if quick and slow:
        return [(replace(options, exercises=quick), QUICK_SHARE), (replace(options, exercises=slow), 1)]
    return [(options, 1 if slow else QUICK_SHARE)]


def _merged(rows: list[batch.Row], order: list[str]) -> batch.Row:
    """A student's parts as one row, exercises in the course's order; any part that failed is the row."""
    failed = next((row for row in rows if row.result is None), None)
    if failed is not None or len(rows) == 1:
        return failed or rows[0]
    exercises = sorted((ex for row in rows for ex in row.result.exercises), key=lambda ex: order.index(ex.id))
    return batch.Row(rows[0].student, replace(rows[0].result, exercises=exercises,
                                              duration=round(sum(row.result.duration for row in rows), 3)))


def _row(student: batch.Student, future) -> batch.Row:
    """The student's row from a finished task; a task that killed its workers, or raised, is an error row."""
    try:
        return batch.row_from_data(student, future.result())
    except KilledWorker:
        return batch.Row(student, error=_("grading this student stopped every Dask worker that tried it; "
                                          "grade it alone with convgrade grade to see why"))
    except (OSError, CancelledError, TimeoutError):
        raise
    except Exception as exc:  # noqa: BLE001 - the task failed on its worker: this student's row, never the batch
        return batch.Row(student, error=f"{type(exc).__name__}: {exc}".splitlines()[0],
                         trace="".join(traceback.format_exception(exc)))


@contextmanager
def dask_grader(scheduler: str | None = None, *, workers: int | None = None) -> Iterator[OnDask]:
    """A grader on the scheduler at ``scheduler``, else on a cluster of ``workers`` processes here (a thread each)."""
    with dask.config.set(CONFIG):  # for the whole run: the embedded cluster's nanny restarts workers with it
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError) as exc:
                raise ClusterError(_("cannot reach the Dask scheduler at {address}: {reason}")
                                   .format(address=scheduler, reason=exc)) from None
            with client:
                yield OnDask(client)
            return
        with LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                          resources={RESOURCE: 1}, dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
                Client(cluster) as client:
            yield OnDask(client)
