"""``grade()``: the one code path behind the CLI, the tests, notebooks and batch grading."""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from grader.course import Course, load_course
from grader.i18n import using_language
from grader.points import withheld_weights
from grader.results import ExerciseResult, GradeResult
from grader.runner import run_exercise
from grader.submission import prepare


def grade(path: str | Path = "exercises", *, course: Course | str | Path | None = None,
          exercises: list[str] | tuple[str, ...] | None = None, skip_slow: bool = False,
          lang: str | None = None, device: str | None = None, seed: int | None = None,
          include_hidden: bool = True, env: dict[str, str] | None = None,
          on_exercise: Callable[[str, ExerciseResult | None], None] | None = None) -> GradeResult:
    """Grade a submission (folder or single module file) exercise by exercise, each in its own process.

    ``exercises`` limits the run (a single-file submission defaults to its own exercise); ``skip_slow``
    leaves out exercises tagged ``slow`` unless they were asked for by id. ``on_exercise(id, result)``
    is called with ``None`` when an exercise starts and with its result when it ends (progress bars).
    Raises ``CourseError`` or ``SubmissionError`` only when nothing at all can be graded.
    """
    course = course if isinstance(course, Course) else load_course(course)
    lang = lang or course.language
    with using_language(lang):  # the student's language for this run; the caller's again afterwards
        seed = course.seed if seed is None else seed
        started = time.monotonic()
        with prepare(path, course) as submission:
            single = submission.single_module
            wanted = exercises or ([course.by_module(single).id] if single else None)
            results = []
            for exercise in course.select(wanted, skip_slow=skip_slow):
                if on_exercise:
                    on_exercise(exercise.id, None)
                result = run_exercise(exercise, submission.folder, seed=seed, lang=lang, device=device,
                                      include_hidden=include_hidden, env=env)
                result.hidden_not_run = len(withheld_weights(exercise, include_hidden))
                results.append(result)
                if on_exercise:
                    on_exercise(exercise.id, result)
            warnings = list(submission.warnings)
        return GradeResult(course=course.title_in(lang), submission=str(path), exercises=results, seed=seed, lang=lang,
                           device=device or "auto", course_version=course.version,
                           duration=round(time.monotonic() - started, 3), warnings=warnings)
