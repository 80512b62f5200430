"""``convgrade validate``: proof that every exercise is gradable before students see it.

For each exercise: its reference solution exists and its markers are sound, ``exercises/`` is what
``convgrade assign`` writes, the solution gets full marks, the stub gets zero, and every check is worth
points and fails on the stub (a check that cannot fail gives points for nothing). Hidden checks are
included, and so are translations: both titles, and a Polish text with the same fields for every
message of the checks (babel, the ``authoring`` extra). A quiz (key and blank form) is graded in every
language, since its feedback is its own text. The result is a list of one-sentence problems; empty
means the course is ready.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from grader.assign import EXERCISES, SOLUTIONS, solution_file, stale_files, stub_source
from grader.course import LANGUAGES, Course, CourseError, Exercise
from grader.grading import grade
from grader.i18n import _
from grader.results import NOT_IMPLEMENTED, OK, ExerciseResult


def validate(course: Course, exercise_ids: list[str] | None = None, *, skip_slow: bool = False) -> list[str]:
    """Everything that keeps the chosen exercises (default: all) from being gradable, one sentence each."""
    problems = [] if exercise_ids else _solutions_not_in_course(course)
    ready, stubs = [], {}
    for exercise in course.select(exercise_ids, skip_slow=skip_slow):
        try:
            stubs[exercise.module] = stub_source(course, exercise)
        except CourseError as exc:  # no solution file, or broken markers
            problems.append(str(exc))
            continue
        ready.append(exercise)
    if not ready:
        return problems
    problems += [_("{path} is out of date: run `convgrade assign`").format(path=course.root / rel)
                 for rel in stale_files(course, ready)]
    # every exercise in the course's language; a quiz, whose feedback is its own text, in every language
    runs = [(course.language, ready)] + [(lang, [ex for ex in ready if ex.quiz is not None])
                                         for lang in LANGUAGES if lang != course.language]
    with tempfile.TemporaryDirectory(prefix="convgrade-stubs-") as folder:
        for module, text in {**_other_stubs(course), **stubs}.items():  # a stub may import another (mnist: batchnorm)
            (Path(folder) / module).write_text(text, encoding="utf-8")
        for lang, exercises in runs:
            if not exercises:
                continue
            ids = [exercise.id for exercise in exercises]
            solved = grade(course.root / SOLUTIONS, course=course, exercises=ids, lang=lang)
            unsolved = grade(folder, course=course, exercises=ids, lang=lang)
            for exercise, solution, stub in zip(exercises, solved.exercises, unsolved.exercises):
                problems += [problem for problem in _exercise_problems(course, exercise, solution, stub)
                             if problem not in problems]
    return problems + translation_problems(ready)


def translation_problems(exercises: list[Exercise]) -> list[str]:
    """Titles without a Polish or English text, and the checks' messages the Polish catalogue lacks or breaks."""
    problems = [_("exercise '{id}': no {lang} title; give it `title: {{pl: ..., en: ...}}` in course.yaml").format(
        id=exercise.id, lang=lang) for exercise in exercises for lang in LANGUAGES if not exercise.title.get(lang)]
    try:
        from grader import i18n_tools
    except ImportError:  # babel: an authoring tool, not needed to grade
        return [*problems, _("the translation checks need babel: pip install 'convgrade[authoring]'")]
    checks = sorted({path for exercise in exercises for path in exercise.check_files()})
    template = i18n_tools.extract_files(checks)
    return problems + [line for lang in i18n_tools.translated_languages() for line in i18n_tools.problems(lang, template)]


def _other_stubs(course: Course) -> dict[str, str]:
    stubs = {}
    for exercise in course.exercises:
        try:
            stubs[exercise.module] = stub_source(course, exercise)
        except CourseError:  # reported when that exercise itself is validated
            continue
    return stubs


def _solutions_not_in_course(course: Course) -> list[str]:
    modules = {exercise.module for exercise in course.exercises}
    return [_("{path} is not an exercise in {course}: add an entry there (`convgrade new` scaffolds one) or delete "
              "the file").format(path=path, course=course.path)
            for path in sorted((course.root / SOLUTIONS).glob("*.py"))
            if path.name not in modules and not path.name.startswith("_")]


def budget_problems(exercise: Exercise, solution: ExerciseResult) -> list[str]:
    """A reference that uses more than half of a CPU budget leaves students too little margin (machines of
    one kind differ in speed): raise the budget, or make the reference cheaper."""
    problems = []
    if solution.time_limit and solution.cpu_seconds > solution.time_limit / 2:
        problems.append(_("{id}: the reference used {used:.1f} of the exercise's {limit:g} CPU seconds, more than "
                          "half: raise time_limit or make the reference cheaper (`convgrade calibrate -e {id}`)")
                        .format(id=exercise.id, used=solution.cpu_seconds, limit=solution.time_limit))
    for check in solution.checks:
        used, limit = check.details.get("train_seconds"), check.details.get("train_time_limit")
        if used is not None and limit and used > limit / 2:
            problems.append(_("{id}: the reference's train() used {used:.1f} of its {limit:g} CPU seconds, more than "
                              "half: raise train_time_limit or make the reference cheaper").format(
                                  id=exercise.id, used=used, limit=limit))
    return problems


def _exercise_problems(course: Course, exercise: Exercise, solution: ExerciseResult,
                       stub: ExerciseResult) -> list[str]:
    solution_path, stub_path = solution_file(course, exercise), EXERCISES / exercise.module
    if solution.status != OK:
        return [_("{path} does not get full marks: {message}").format(path=solution_path, message=solution.message)]
    if not solution.checks:
        return [_("{id}: no checks ran; does each check file define test_ functions, and does it import?")
                .format(id=solution.id)]
    problems = []
    for check in solution.checks:
        if check.max_score <= 0:
            problems.append(_("{check} is worth no points: give it @pytest.mark.points(n) with n > 0, and the "
                              "exercise points > 0").format(check=check.name))
        elif check.score < check.max_score:
            problems.append(_("{check} fails on the solution {path}: {message}").format(
                check=check.name, path=solution_path, message=check.message))
    problems += budget_problems(exercise, solution)
    if stub.status not in (OK, NOT_IMPLEMENTED):
        problems.append(_("the stub {path} cannot be graded: {message}").format(path=stub_path, message=stub.message))
    for check in stub.checks:
        if check.passed or check.score > 0:
            problems.append(_("{check} passes on the stub {path}, so it gives points for nothing: make it call the "
                              "student's functions and compare with a reference").format(check=check.name, path=stub_path))
    return problems
