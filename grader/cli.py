"""The ``convgrade`` command: a thin click layer over ``grader.grade`` and the reporters."""
from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from pathlib import Path

import click
from rich.console import Console
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from grader import batch, report
from grader.assign import write_assignment, write_distribution
from grader.course import CourseError, LANGUAGES, load_course
from grader.export import VISIBILITIES, github_workflow, gradescope_bundle
from grader.grading import grade as grade_submission
from grader.i18n import _, set_language
from grader.scaffold import new_exercise
from grader.submission import SubmissionError
from grader.validate import validate

FORMATS = ["text", *report.FORMATS]


class _CleanErrors(click.Group):
    """Turn the library's expected errors into one line and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (CourseError, SubmissionError) as exc:
            click.echo(_("convgrade: error: {problem}").format(problem=exc), err=True)
            ctx.exit(2)


@click.group(cls=_CleanErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="convgrade")
def main():
    """Teach and autograde the CNN chapter (fastbook ch. 13)."""


course_option = click.option("--course", "course_path", type=click.Path(dir_okay=False),
                             help="course.yaml to use (default: the nearest one above the current folder)")


@main.command()
@click.argument("path", default="exercises", type=click.Path())
@click.option("-e", "--exercise", "exercises", multiple=True, help="grade only this exercise id (repeatable)")
@course_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="write the report to this file")
@click.option("--junit", type=click.Path(dir_okay=False), help="also write JUnit XML to this file")
@click.option("--summary", type=click.Path(dir_okay=False),
              help="also append a Markdown table of points to this file (e.g. \"$GITHUB_STEP_SUMMARY\")")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="exit 1 when the total is below this percentage")
@click.option("--lang", type=click.Choice(LANGUAGES), help="language of messages (default: course.yaml)")
@click.option("--device", help="device for training checks, e.g. cpu or cuda (default: cuda when available)")
@click.option("--mnist-dir", type=click.Path(file_okay=False), envvar="CONVGRADE_MNIST_DIR",
              help="folder with the full MNIST IDX files (env: CONVGRADE_MNIST_DIR)")
@click.option("--skip-slow", is_flag=True, help="leave out exercises tagged slow (unless named with -e)")
@click.option("--seed", type=int, help="seed for every check (default: course.yaml)")
@click.option("--list", "list_only", is_flag=True, help="list the exercises and their points, grade nothing")
def grade(path, exercises, course_path, fmt, output, junit, summary, fail_under, lang, device, mnist_dir, skip_slow,
          seed, list_only):
    """Grade PATH (a folder laid out like exercises/, or one module file) exercise by exercise."""
    course = load_course(course_path)
    if list_only:
        _print_list(course, lang or course.language)
        return
    set_language(lang or course.language)  # the progress display and errors before grading speak it too
    env = {"CONVGRADE_MNIST_DIR": str(Path(mnist_dir).resolve())} if mnist_dir else None
    with _progress(course, fmt, output) as on_exercise:
        result = grade_submission(path, course=course, exercises=list(exercises) or None, skip_slow=skip_slow,
                                  lang=lang, device=device, seed=seed, env=env, on_exercise=on_exercise)
    if fmt == "text":
        with (open(output, "w", encoding="utf-8") if output else nullcontext(sys.stdout)) as stream:
            report.write_text(result, stream, color=False if output else None)
    else:
        text = report.FORMATS[fmt](result)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
        else:
            click.echo(text)
    if output:
        click.echo(_("{total} Report written to {path}.").format(total=report.next_step(result)[0], path=output),
                   err=True)
    if junit:
        Path(junit).write_text(report.to_junit(result) + "\n", encoding="utf-8")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(report.to_markdown(result) + "\n")
    if fail_under is not None and result.percent < fail_under:
        click.echo(_("convgrade: total {percent:.1f}% is below --fail-under {limit:g}%").format(
            percent=result.percent, limit=fail_under), err=True)
        sys.exit(1)


def _progress(course, fmt: str, output: str | None):
    """Which exercise runs and for how long (MNIST trains for a minute), only for people at a terminal."""
    console = Console(stderr=True)
    if not console.is_terminal or (fmt != "text" and not output) or os.environ.get("CI"):
        return nullcontext(None)
    return _ExerciseProgress(console, course)


class _ExerciseProgress:
    """One line per exercise: a spinner and the elapsed time while it runs, its score once done; gone at the end."""

    def __init__(self, console: Console, course):
        self.course = course
        self.progress = Progress(SpinnerColumn(finished_text=" "), TextColumn("{task.description}"),
                                 TimeElapsedColumn(), console=console, transient=True)
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self):
        self.progress.start()
        return self.update

    def update(self, exercise_id: str, result) -> None:
        if result is None:
            limit = self.course.exercise(exercise_id).time_limit
            self.tasks[exercise_id] = self.progress.add_task(
                _("grading {exercise} (time limit {limit:g} s)").format(exercise=exercise_id, limit=limit), total=None)
        else:
            self.progress.update(self.tasks[exercise_id], total=1, completed=1, description=f"{exercise_id}: "
                                 f"{report.fmt_points(result.score)}/{report.fmt_points(result.max_score)}")

    def __exit__(self, *exc):
        self.progress.stop()


@main.command("list")
@course_option
@click.option("--lang", type=click.Choice(LANGUAGES), help="language of titles (default: course.yaml)")
def list_exercises(course_path, lang):
    """List the course's exercises with points, time limits and tags."""
    course = load_course(course_path)
    _print_list(course, lang or course.language)


def _print_list(course, lang: str) -> None:
    set_language(lang)
    click.echo(course.title_in(lang))
    for ex in course.exercises:
        points = f"{ex.points:g}" if ex.points is not None else "?"
        tags = f"  [{', '.join(ex.tags)}]" if ex.tags else ""
        click.echo(f"  {ex.id:<18} {points:>5} pts  {ex.time_limit:>5g} s  {ex.title_in(lang)}{tags}")
    total = sum(ex.points or 0 for ex in course.exercises)
    click.echo(_("  total {points:g} points").format(points=total))


@main.command("assign")
@course_option
@click.option("--dist", type=click.Path(file_okay=False),
              help="instead, write what students get (stubs, notebooks, public checks, the grader) into this new folder")
def assign_exercises(course_path, dist):
    """Regenerate exercises/ (stubs and notebooks) from the solution markers in solutions/."""
    course = load_course(course_path)
    set_language(course.language)
    if dist:
        shipped = write_distribution(course, dist)
        click.echo(_("wrote the student distribution to {dest}: {n} exercises, {hidden} hidden checks left out").format(
            dest=dist, n=len(shipped.exercises), hidden=sum(ex.hidden_count for ex in shipped.exercises)))
        return
    changed = write_assignment(course)
    for rel in changed:
        click.echo(_("wrote {path}").format(path=rel))
    click.echo(_("exercises/ is up to date ({n} files changed)").format(n=len(changed)))


@main.command("validate")
@click.option("-e", "--exercise", "exercises", multiple=True, help="validate only this exercise id (repeatable)")
@click.option("--skip-slow", is_flag=True, help="leave out exercises tagged slow (unless named with -e)")
@course_option
def validate_course(exercises, skip_slow, course_path):
    """Prove the course gradable: solutions get full marks, stubs zero, every check can fail, exercises/ is current."""
    course = load_course(course_path)
    set_language(course.language)
    problems = validate(course, list(exercises) or None, skip_slow=skip_slow)
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        click.echo(_("{n} problem(s): fix them and run `convgrade validate` again").format(n=len(problems)))
        sys.exit(1)
    click.echo(_("ready: solutions get full marks, stubs get zero, every check can fail, exercises/ is up to date"))


@main.command("new")
@click.argument("exercise_id")
@click.option("--title", help="the exercise's title (default: its id)")
@click.option("--points", type=click.FloatRange(min=0, min_open=True), default=10, show_default=True,
              help="points the exercise is worth")
@course_option
def new(exercise_id, title, points, course_path):
    """Scaffold exercise EXERCISE_ID: a solution with markers, a check file, its course.yaml entry, stub, notebook."""
    course = load_course(course_path)
    set_language(course.language)
    for rel in new_exercise(course, exercise_id, title=title, points=points):
        click.echo(_("wrote {path}").format(path=rel))
    click.echo(_("Next: write the solution and its checks, run `convgrade assign`, then `convgrade validate -e {id}` "
                 "(docs/instructors.md).").format(id=exercise_id))


@main.command("grade-all")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default="grades", show_default=True,
              help="folder for grades.csv and one JSON per student")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="students graded at the same time (more than the cores only stretches the time limits)")
@click.option("--force", is_flag=True, help="grade every student again, even those unchanged since the last run")
@click.option("-e", "--exercise", "exercises", multiple=True, help="grade only this exercise id (repeatable)")
@course_option
@click.option("--lang", type=click.Choice(LANGUAGES), help="language of messages (default: course.yaml)")
@click.option("--device", help="device for training checks, e.g. cpu or cuda (default: cuda when available)")
@click.option("--skip-slow", is_flag=True, help="leave out exercises tagged slow (unless named with -e)")
@click.option("--seed", type=int, help="seed for every check (default: course.yaml)")
def grade_all(submissions, out_dir, jobs, force, exercises, course_path, lang, device, skip_slow, seed):
    """Grade a class: every subfolder, .zip, .py or .ipynb in SUBMISSIONS is one student; writes grades.csv."""
    course = load_course(course_path)
    set_language(lang or course.language)
    options = batch.Options(exercises=tuple(exercises) or None, skip_slow=skip_slow, lang=lang, device=device,
                            seed=seed)
    with _BatchProgress() as progress:
        rows = batch.grade_all(submissions, out_dir, course=course, jobs=jobs, force=force, options=options,
                               on_start=progress.start, on_student=progress.advance)
    errors = [row for row in rows if row.result is None]
    for row in errors:
        click.echo(_("{student}: could not be graded: {error}").format(student=row.student.id, error=row.error),
                   err=True)
    click.echo(_("{graded} graded, {reused} unchanged since the last run, {errors} could not be graded: "
                 "{csv}").format(graded=sum(not row.reused for row in rows) - len(errors),
                                 reused=sum(row.reused for row in rows), errors=len(errors),
                                 csv=Path(out_dir) / batch.CSV_NAME))


class _BatchProgress:
    """A bar with students done, elapsed time and time left, on a terminal; nothing in a log."""

    def __init__(self):
        console = Console(stderr=True)
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TimeRemainingColumn(), console=console,
                                 disable=not console.is_terminal or bool(os.environ.get("CI")))
        self.task: TaskID | None = None

    def __enter__(self):
        self.progress.start()
        return self

    def start(self, to_grade: int, reused: int) -> None:
        self.task = self.progress.add_task(_("grading ({reused} unchanged)").format(reused=reused), total=to_grade)

    def advance(self, row) -> None:
        done = f"{row.student.id}: " + (_("error") if row.result is None else
                                         f"{report.fmt_points(row.result.score)}/{report.fmt_points(row.result.max_score)}")
        self.progress.update(self.task, advance=1, description=done)

    def __exit__(self, *exc):
        self.progress.stop()


@main.group()
def export():
    """Hand grading to the platforms that run it at scale: Gradescope, GitHub Actions."""


@export.command("gradescope")
@click.argument("out", type=click.Path(dir_okay=False))
@course_option
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default="after_published", show_default=True,
              help="when students see the results of hidden checks")
def export_gradescope(out, course_path, hidden_visibility):
    """Write OUT, the autograder .zip to upload to a Gradescope programming assignment."""
    course = load_course(course_path)
    set_language(course.language)
    names = gradescope_bundle(course, out, hidden_visibility=hidden_visibility)
    click.echo(_("wrote {out} ({n} files): upload it as the assignment's autograder, on a base image whose python3 "
                 "is 3.11 or newer").format(out=out, n=len(names)))


@export.command("github-actions")
@click.argument("path", default="exercises")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=".github/workflows/grade.yml",
              show_default=True, help="where to write the workflow")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="fail the run when the total is below this percentage")
@click.option("--skip-slow", is_flag=True, help="leave out exercises tagged slow")
@click.option("--classroom", is_flag=True, help="also report the points to GitHub Classroom (its grading reporter)")
def export_github_actions(path, output, fail_under, skip_slow, classroom):
    """Write a GitHub Actions workflow that grades PATH on every push, with reports and a summary table."""
    workflow = github_workflow(path, fail_under=fail_under, skip_slow=skip_slow, classroom=classroom)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(workflow, encoding="utf-8")
    click.echo(_("wrote {path}").format(path=output))
