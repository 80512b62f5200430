"""``grade()``: the one code path behind the CLI, the tests, notebooks and batch grading.

Exercises run in their own processes, so quick ones can run side by side (``jobs``: a thread pool that
only waits on those processes); exercises tagged ``slow`` train against the clock and run alone,
after the quick ones, as in batch grading. Results come back in course order whatever finished first.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from grader.course import Course, Exercise, load_course
from grader.i18n import _, using_language
from grader.points import withheld_weights
from grader.results import ExerciseResult, GradeResult
from grader.runner import require_sandbox as reached_sandbox
from grader.runner import run_exercise, sandbox
from grader.submission import prepare


class ConfigurationError(ValueError):
    """Grading cannot be done as asked on this machine (sandbox, data, device): one line, exit status 2."""


def grade(path: str | Path = "exercises", *, course: Course | str | Path | None = None,
          exercises: list[str] | tuple[str, ...] | None = None, skip_slow: bool = False,
          lang: str | None = None, device: str | None = None, seed: int | None = None,
          include_hidden: bool = True, env: dict[str, str] | None = None,
          require_sandbox: str | None = None, require_data: bool = False,
          on_exercise: Callable[[str, ExerciseResult | None], None] | None = None,
          on_progress: Callable[[dict], None] | None = None, jobs: int = 1) -> GradeResult:
    """Grade a submission (folder or single module file) exercise by exercise, each in its own processes.

    ``exercises`` limits the run (a single-file submission defaults to its own exercise); ``skip_slow``
    leaves out exercises tagged ``slow`` unless they were asked for by id. ``require_sandbox``
    ("namespaces" or "uid") and ``require_data`` turn a weaker sandbox or a missing dataset into a
    ConfigurationError before anything runs, as ``device="cuda"`` without CUDA does. ``on_exercise(id,
    result)`` is called with ``None`` when an exercise starts and with its result when it ends;
    ``on_progress(event)`` gets the student's training progress; with ``jobs`` > 1, up to that many quick
    exercises run at once and the calls come from their threads. Raises ``CourseError``,
    ``SubmissionError`` or ``ConfigurationError`` only when nothing at all can be graded.
    """
    course = course if isinstance(course, Course) else load_course(course)
    lang = lang or course.language
    with using_language(lang):  # the student's language for this run; the caller's again afterwards
        check_requirements([], device=device, require_sandbox=require_sandbox)
        seed = course.seed if seed is None else seed
        started = time.monotonic()
        with prepare(path, course) as submission:
            single = submission.single_module
            wanted = exercises or ([course.by_module(single).id] if single else None)
            chosen = course.select(wanted, skip_slow=skip_slow)
            check_requirements(chosen, require_data=require_data)

            def run(exercise):
                if on_exercise:
                    on_exercise(exercise.id, None)
                result = run_exercise(exercise, submission.folder, seed=seed, lang=lang, device=device,
                                      include_hidden=include_hidden, env=env, hidden=(str(course.root),),
                                      on_progress=on_progress)
                result.hidden_not_run = len(withheld_weights(exercise, include_hidden))
                if on_exercise:
                    on_exercise(exercise.id, result)
                return result

            results = [run(ex) for ex in chosen] if jobs <= 1 else _side_by_side(run, chosen, jobs)
            warnings = list(submission.warnings)
        level = min((r.sandbox for r in results if r.sandbox), key=sandbox.rank, default="")
        if level == "none":
            warnings.append(_("no sandbox on this machine: the student's code ran with this user's rights and could "
                              "read and write what this user can (run as root, or where user namespaces are allowed)"))
        return GradeResult(course=course.title_in(lang), submission=str(path), exercises=results, seed=seed, lang=lang,
                           device=device or "auto", course_version=course.version,
                           duration=round(time.monotonic() - started, 3), warnings=warnings, sandbox=level)


def check_requirements(exercises: list[Exercise], *, device: str | None = None, require_sandbox: str | None = None,
                       require_data: bool = False) -> None:
    """ConfigurationError (one line, exit 2 in the CLI) when grading cannot be done as asked here: a CUDA
    device that is not there, a sandbox below ``require_sandbox``, an exercise's data missing."""
    _check_device(device)
    if require_sandbox:
        try:
            reached_sandbox(require_sandbox)
        except sandbox.SandboxUnavailable as exc:
            raise ConfigurationError(str(exc)) from None
    if require_data:
        _check_data(exercises)


def _check_device(device: str | None) -> None:
    if device and device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise ConfigurationError(_("--device {device}: no CUDA device here (torch {version} sees none); use "
                                       "--device cpu or leave it out").format(device=device,
                                                                               version=torch.__version__))


def _check_data(exercises) -> None:
    from grader.training import missing_data

    for exercise in exercises:
        if "dataset" in exercise.settings or exercise.slow:
            why = missing_data(exercise.settings, exercise.settings.get("dataset", "mnist-embedded"))
            if why:
                raise ConfigurationError(_("exercise {id}: its data is missing here (--require-data): {why}")
                                         .format(id=exercise.id, why=why))


def _side_by_side(run: Callable[[Exercise], ExerciseResult], chosen: list[Exercise], jobs: int) -> list[ExerciseResult]:
    """``run`` over the quick exercises in a pool of ``jobs`` threads, then over the slow ones alone; course order."""
    quick = [ex for ex in chosen if not ex.slow]
    pool = ThreadPoolExecutor(max_workers=max(1, min(jobs, len(quick))), thread_name_prefix="convgrade-exercise")
    try:
        by_id = dict(zip((ex.id for ex in quick), pool.map(run, quick)))
    finally:  # interrupted: the exercises not started yet never start
        pool.shutdown(cancel_futures=True)
    by_id.update((ex.id, run(ex)) for ex in chosen if ex.slow)
    return [by_id[ex.id] for ex in chosen]
