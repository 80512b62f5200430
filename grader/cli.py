"""The ``convgrade`` command: a thin click layer over ``grader.grade`` and the reporters."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from rich.progress import (BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn,
                           TimeElapsedColumn, TimeRemainingColumn)

from grader import batch, class_insight, gradebook, report, similarity
from grader.assign import personal_forms, write_assignment, write_distribution
from grader.bundle import check_bundle
from grader.course import CourseError, LANGUAGES, load_course
from grader.export import GRADESCOPE_TORCH, VISIBILITIES, github_workflow, gradescope_bundle
from grader.grading import ConfigurationError, check_requirements
from grader.grading import grade as grade_submission
from grader.i18n import _, set_language
from grader.scaffold import new_exercise
from grader.submission import SubmissionError, locate
from grader.validate import validate
from grader.watch import watch

FORMATS = ["text", *report.FORMATS]


class _CleanErrors(click.Group):
    """Turn the library's expected errors into one line and exit status 2, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (CourseError, SubmissionError, ConfigurationError) as exc:
            click.echo(_("convgrade: error: {problem}").format(problem=exc), err=True)
            ctx.exit(2)


@click.group(cls=_CleanErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="convgrade")
def main():
    """Teach and autograde the CNN chapter (fastbook ch. 13)."""


course_option = click.option("--course", "course_path", type=click.Path(dir_okay=False),
                             help="course.yaml to use (default: the nearest one above the current folder)")


@main.command()
@click.argument("path", required=False, type=click.Path())
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
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default="after_published", show_default=True,
              help="with --format gradescope: when students see the results of hidden checks")
@click.option("--require-sandbox", type=click.Choice(["namespaces", "uid"]),
              help="refuse to grade (exit 2) where the student's code would get a weaker sandbox")
@click.option("--require-data", is_flag=True,
              help="refuse to grade (exit 2) when an exercise's dataset is missing, instead of leaving it out")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=os.cpu_count() or 1, show_default=True,
              help="quick exercises graded side by side (training exercises always run alone)")
def grade(path, exercises, course_path, fmt, output, junit, summary, fail_under, lang, device, mnist_dir, skip_slow,
          seed, list_only, hidden_visibility, require_sandbox, require_data, jobs):
    """Grade PATH (default: this student folder, or the course's exercises/) exercise by exercise.

    PATH is a folder laid out like exercises/, or one module file; a bare kernels.py not in this folder is
    looked up in the course's exercises/.
    """
    course = load_course(course_path)
    if list_only:
        _print_list(course, lang or course.language)
        return
    set_language(lang or course.language)  # the progress display and errors before grading speak it too
    path = locate(path, course)
    env = {"CONVGRADE_MNIST_DIR": str(Path(mnist_dir).resolve())} if mnist_dir else None
    with _progress(course, fmt, output) as display:
        result = grade_submission(path, course=course, exercises=list(exercises) or None, skip_slow=skip_slow,
                                  lang=lang, device=device, seed=seed, env=env, require_sandbox=require_sandbox,
                                  require_data=require_data, on_exercise=display.update if display else None,
                                  on_progress=display.progress_event if display else None, jobs=jobs)
    if fmt == "text":
        with (open(output, "w", encoding="utf-8") if output else nullcontext(sys.stdout)) as stream:
            report.write_text(result, stream, color=False if output else None)
    else:
        text = (report.to_gradescope(result, hidden_visibility) if fmt == "gradescope"
                else report.FORMATS[fmt](result))
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
        return self

    def update(self, exercise_id: str, result) -> None:
        if result is None:
            limit = self.course.exercise(exercise_id).time_limit
            self.current = exercise_id
            self.tasks[exercise_id] = self.progress.add_task(
                _("grading {exercise} (budget {limit:g} CPU s)").format(exercise=exercise_id, limit=limit), total=None)
        else:
            self.progress.update(self.tasks[exercise_id], total=1, completed=1, description=f"{exercise_id}: "
                                 f"{report.fmt_points(result.score)}/{report.fmt_points(result.max_score)}")

    def progress_event(self, event: dict) -> None:
        """The student's train() reported progress: show its latest epoch, batch, loss or line."""
        task = self.tasks.get(getattr(self, "current", ""))
        if task is not None:
            self.progress.update(task, description=f"{self.current}: {report.progress_line(event)}")

    def __exit__(self, *exc):
        self.progress.stop()


@main.command("watch")
@click.argument("path", default="exercises", type=click.Path())
@course_option
@click.option("--lang", type=click.Choice(LANGUAGES), help="language of messages (default: course.yaml)")
def watch_exercises(path, course_path, lang):
    """Grade PATH, then each exercise again whenever its file is saved, printing only what changed."""
    course = load_course(course_path)
    set_language(lang or course.language)
    try:
        watch(path, course, lang=lang, echo=lambda line: click.echo(line, nl=True) or sys.stdout.flush())
    except KeyboardInterrupt:
        pass


@main.command()
@click.option("-e", "--exercise", "exercises", multiple=True, help="exercise id (default: every slow exercise)")
@course_option
@click.option("--runs", type=click.IntRange(min=1), default=3, show_default=True, help="gradings per exercise")
@click.option("--save/--no-save", default=True, show_default=True,
              help="store the medians for this machine and torch version (budgets written like 3x use them)")
def calibrate(exercises, course_path, runs, save):
    """Grade each training exercise's reference solution a few times; print its CPU seconds and the margin
    to each budget."""
    from grader import calibration
    from grader.training import resolve_config

    course = load_course(course_path)
    set_language(course.language)
    ids = list(exercises) or [ex.id for ex in course.exercises if ex.slow]
    table = Table(title=_("reference CPU seconds on {machine}").format(machine=calibration.machine_key()))
    for heading in (_("exercise"), _("runs"), _("points"), _("exercise CPU s"), _("budget"), _("margin"),
                    _("train() CPU s"), _("budget"), _("margin")):
        table.add_column(heading, justify="left" if heading == _("exercise") else "right")
    found = calibration.measure(course, ids, runs)
    for m in found:
        exercise = course.exercise(m.exercise)
        train_limit = resolve_config(exercise.settings, exercise.settings.get("dataset", "mnist-embedded")
                                     ).train_time_limit if m.train_cpu else None
        table.add_row(m.exercise, str(m.runs), f"{report.fmt_points(m.score)}/{report.fmt_points(m.max_score)}",
                      f"{m.exercise_cpu:.1f}", f"{exercise.time_limit:g}", _margin(exercise.time_limit, m.exercise_cpu),
                      f"{m.train_cpu:.1f}" if m.train_cpu else "-", f"{train_limit:g}" if train_limit else "-",
                      _margin(train_limit, m.train_cpu))
    console = Console()
    if not console.is_terminal:
        console.width = 120  # a log or a file: the whole table, not columns cut to 80 characters
    console.print(table)
    if save:
        click.echo(_("stored in {path}").format(path=calibration.save(found)))


def _margin(budget: float | None, used: float) -> str:
    return f"{budget / used:.1f}x" if budget and used else "-"


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


@main.command("form")
@click.argument("student_id")
@course_option
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False), default=".", show_default=True,
              help="folder to write the form (quiz.py and quiz.ipynb) into")
def personal_form(student_id, course_path, out_dir):
    """Write a student's own quiz form: the options lettered in an order seeded by STUDENT_ID."""
    course = load_course(course_path)
    set_language(course.language)
    for path in personal_forms(course, student_id, out_dir):
        click.echo(_("wrote {path}").format(path=path))


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


@main.command("check")
@course_option
def check(course_path):
    """Say whether this copy of the course (a student repository) is complete and ready to grade."""
    course = load_course(course_path)
    set_language(course.language)
    problems = check_bundle(course)
    for problem in problems:
        click.echo(f"✗ {problem}")
    if problems:
        sys.exit(1)
    click.echo(_("ready: {n} exercises to work on in {path}; grade them with `convgrade grade`").format(
        n=len(course.exercises), path=course.root / "exercises"))


@main.command("new")
@click.argument("exercise_id")
@click.option("--title", help="the exercise's title in both languages (default: its id)")
@click.option("--title-pl", help="its Polish title (default: --title)")
@click.option("--title-en", help="its English title (default: --title)")
@click.option("--points", type=click.FloatRange(min=0, min_open=True), default=10, show_default=True,
              help="points the exercise is worth")
@course_option
def new(exercise_id, title, title_pl, title_en, points, course_path):
    """Scaffold exercise EXERCISE_ID: a solution with markers, a check file, its course.yaml entry, stub, notebook."""
    course = load_course(course_path)
    set_language(course.language)
    titles = {"pl": title_pl or title, "en": title_en or title}
    for rel in new_exercise(course, exercise_id, title=titles, points=points):
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
@click.option("--cache-dir", type=click.Path(file_okay=False),
              help="where results are kept between runs (default: ~/.cache/convgrade/<course>, or $XDG_CACHE_HOME)")
@click.option("--dask", "on_dask", is_flag=True,
              help="grade on a Dask cluster started here: --jobs worker processes, one thread each")
@click.option("--scheduler", metavar="ADDRESS",
              help="grade on the workers of this Dask scheduler, e.g. tcp://10.0.0.5:8786")
@click.option("--require-sandbox", type=click.Choice(["namespaces", "uid"]),
              help="refuse to grade (exit 2) where students' code would get a weaker sandbox")
@click.option("--require-data", is_flag=True, help="refuse to grade (exit 2) when an exercise's dataset is missing")
def grade_all(submissions, out_dir, jobs, force, exercises, course_path, lang, device, skip_slow, seed, cache_dir,
              on_dask, scheduler, require_sandbox, require_data):
    """Grade a class: every subfolder, .zip, .py or .ipynb in SUBMISSIONS is one student; writes grades.csv and
    checks.csv."""
    course = load_course(course_path)
    set_language(lang or course.language)
    check_requirements(course.select(list(exercises) or None, skip_slow=skip_slow), device=device,
                       require_sandbox=require_sandbox, require_data=require_data)
    options = batch.Options(exercises=tuple(exercises) or None, skip_slow=skip_slow, lang=lang, device=device,
                            seed=seed)
    with _grader(on_dask or bool(scheduler), scheduler, jobs) as grader, _BatchProgress(grader) as progress:
        rows = batch.grade_all(submissions, out_dir, course=course, force=force, options=options,
                               cache_dir=cache_dir, grader=grader, on_start=progress.start,
                               on_student=progress.advance)
    errors = [row for row in rows if row.result is None]
    for row in errors:
        click.echo(_("{student}: could not be graded: {error}").format(student=row.student.id, error=row.error),
                   err=True)
    click.echo(_("{graded} graded, {reused} unchanged since the last run, {errors} could not be graded: "
                 "{csv}").format(graded=sum(not row.reused for row in rows) - len(errors),
                                 reused=sum(row.reused for row in rows), errors=len(errors),
                                 csv=Path(out_dir) / batch.CSV_NAME))


@contextmanager
def _grader(on_dask: bool, scheduler: str | None, jobs: int):
    """Threads here, or Dask workers; a Dask that is missing or unreachable is one line, exit 2 or 1."""
    if not on_dask:
        yield batch.InThreads(jobs)
        return
    try:
        from grader import distributed
    except ImportError as exc:
        click.echo(_("convgrade: error: {problem}").format(problem=exc), err=True)
        sys.exit(2)
    try:
        with distributed.dask_grader(scheduler, workers=jobs) as grader:
            yield grader
    except distributed.ClusterError as exc:
        click.echo(f"convgrade: {exc}", err=True)
        sys.exit(1)


class _BatchProgress:
    """A bar with students done, workers busy, elapsed time and time left, on a terminal; nothing in a log."""

    def __init__(self, grader: batch.Grader):
        console = Console(stderr=True)
        self.grader = grader
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[workers]}"), TimeElapsedColumn(), TimeRemainingColumn(),
                                 console=console, disable=not console.is_terminal or bool(os.environ.get("CI")))
        self.task: TaskID | None = None

    def __enter__(self):
        self.progress.start()
        return self

    def start(self, to_grade: int, reused: int) -> None:
        self.task = self.progress.add_task(_("grading ({reused} unchanged)").format(reused=reused), total=to_grade,
                                           workers="")

    def advance(self, row) -> None:
        if self.progress.disable:  # no bar: do not ask the workers either
            return
        done = f"{row.student.id}: " + (_("error") if row.result is None else
                                         f"{report.fmt_points(row.result.score)}/{report.fmt_points(row.result.max_score)}")
        busy, workers = self.grader.workers_in_use()
        self.progress.update(self.task, advance=1, description=done,
                             workers=_("{busy}/{workers} workers busy").format(busy=busy, workers=workers))

    def __exit__(self, *exc):
        self.progress.stop()


grades_dir_argument = click.argument("grades_dir", type=click.Path(exists=True, file_okay=False))


def _load_class(grades_dir: str, lang: str | None) -> list[class_insight.StudentResult]:
    """The class of a grade-all folder; messages from here on in ``lang``, else the language it was graded in."""
    students = class_insight.load_class(grades_dir)
    set_language(lang or class_insight.graded_language(students))
    return students


@main.command("class-report")
@grades_dir_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="class.html", show_default=True,
              help="where to write the page")
@click.option("--similarity", "similarity_csv", type=click.Path(exists=True, dir_okay=False),
              help="also list the most similar pairs from this CSV (default: GRADES_DIR/similarity.csv when there)")
@click.option("--lang", type=click.Choice(LANGUAGES), help="language of the page (default: the one graded in)")
def class_report(grades_dir, output, similarity_csv, lang):
    """Write one page about the class of GRADES_DIR (a grade-all folder): points, pass rates, common mistakes."""
    students = _load_class(grades_dir, lang)
    default_csv = Path(grades_dir) / similarity.SIMILARITY_CSV
    similar_csv = similarity_csv or (default_csv if default_csv.is_file() else None)
    from grader.class_report import write_class_report  # matplotlib: 0.15 s, only this command needs it

    write_class_report(students, output, similar=similarity.read_csv(similar_csv) if similar_csv else None)
    click.echo(_("wrote {path}").format(path=output))


@main.command("similarity")
@click.argument("submissions", type=click.Path(exists=True, file_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=similarity.SIMILARITY_CSV, show_default=True,
              help="where to write the pairs")
@course_option
@click.option("-e", "--exercise", "exercises", multiple=True, help="compare only this exercise id (repeatable)")
@click.option("--threshold", type=click.FloatRange(0, 1), default=similarity.DEFAULT_THRESHOLD, show_default=True,
              help="list pairs at least this similar (0 to 1): your choice for the class and the exercise")
@click.option("--top", type=click.IntRange(min=1), default=similarity.DEFAULT_TOP, show_default=True,
              help="at most this many pairs per exercise")
def similarity_report(submissions, output, course_path, exercises, threshold, top):
    """List the most similar pairs of submissions per exercise (the stubs' text left out), to look at."""
    course = load_course(course_path)
    set_language(course.language)
    found = similarity.find_similar(submissions, course, list(exercises) or None, threshold=threshold, top=top)
    similarity.write_csv(found, output)
    for problem in found.skipped:
        click.echo(_("skipped: {problem}").format(problem=problem), err=True)
    click.echo(_("{n} pairs at least {threshold:.0%} similar: {path}").format(
        n=len(found.pairs), threshold=threshold, path=output))


@main.group()
def export():
    """Hand grading to the platforms that run it at scale (Gradescope, GitHub Actions), grades to an LMS."""


@export.command("gradescope")
@click.argument("out", type=click.Path(dir_okay=False))
@course_option
@click.option("--hidden-visibility", type=click.Choice(VISIBILITIES), default="after_published", show_default=True,
              help="when students see the results of hidden checks")
@click.option("-e", "--exercise", "exercises", multiple=True,
              help="only this exercise (repeatable): one Gradescope assignment per exercise")
@click.option("--torch", "torch_version", default=GRADESCOPE_TORCH, show_default=True,
              help="torch version setup.sh installs from PyTorch's CPU index")
def export_gradescope(out, course_path, hidden_visibility, exercises, torch_version):
    """Write OUT, the autograder .zip to upload to a Gradescope programming assignment."""
    course = load_course(course_path)
    set_language(course.language)
    names = gradescope_bundle(course, out, hidden_visibility=hidden_visibility, exercises=list(exercises) or None,
                              torch=torch_version)
    click.echo(_("wrote {out} ({n} files): upload it as the assignment's autograder (Ubuntu 22.04 or 24.04 base "
                 "image)").format(out=out, n=len(names)))


@export.command("github-actions")
@click.argument("path", default="exercises")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=".github/workflows/grade.yml",
              show_default=True, help="where to write the workflow")
@click.option("--fail-under", type=click.FloatRange(0, 100), help="fail the run when the total is below this percentage")
@click.option("--skip-slow", is_flag=True, help="leave out exercises tagged slow")
@click.option("--classroom", is_flag=True, help="also report the points to GitHub Classroom (its grading reporter)")
@click.option("--course-repo", help="grade with the course of this repository (OWNER/NAME), not the student's copy")
@click.option("--course-ref", help="the tag or commit of --course-repo to grade with")
@click.option("--course-token-secret", help="the secret holding a token that can read a private --course-repo")
def export_github_actions(path, output, fail_under, skip_slow, classroom, course_repo, course_ref,
                          course_token_secret):
    """Write a GitHub Actions workflow that grades PATH on every push, with reports and a summary table."""
    workflow = github_workflow(path, fail_under=fail_under, skip_slow=skip_slow, classroom=classroom,
                               course_repo=course_repo, course_ref=course_ref, token_secret=course_token_secret)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(workflow, encoding="utf-8")
    click.echo(_("wrote {path}").format(path=output))


roster_option = click.option("--roster", type=click.Path(exists=True, dir_okay=False),
                             help="CSV mapping each submission folder (column 'submission') to its LMS identifiers")
item_option = click.option("--item", help="name of the grade column (default: the course's title)")
per_exercise_option = click.option("--per-exercise", is_flag=True, help="one column per exercise instead of the total")


@export.command("moodle")
@grades_dir_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="moodle.csv", show_default=True)
@roster_option
@click.option("--id-field", type=click.Choice(list(gradebook.MOODLE_ID_FIELDS)), default="email", show_default=True,
              help="how Moodle identifies the user (Import > CSV file > Identify user by)")
@item_option
@per_exercise_option
def export_moodle(grades_dir, output, roster, id_field, item, per_exercise):
    """Write the points of GRADES_DIR (a grade-all folder) as a CSV for Moodle's grade import."""
    students = _load_class(grades_dir, None)
    gradebook.write_moodle(students, output, roster=roster, id_field=id_field, item=item, per_exercise=per_exercise)
    click.echo(_("wrote {path} ({n} students): in Moodle, Grades > Import > CSV file").format(path=output,
                                                                                          n=len(students)))


@export.command("canvas")
@grades_dir_argument
@click.option("-o", "--output", type=click.Path(dir_okay=False), default="canvas.csv", show_default=True)
@roster_option
@item_option
@per_exercise_option
def export_canvas(grades_dir, output, roster, item, per_exercise):
    """Write the points of GRADES_DIR (a grade-all folder) as a CSV for Canvas's gradebook import."""
    students = _load_class(grades_dir, None)
    gradebook.write_canvas(students, output, roster=roster, item=item, per_exercise=per_exercise)
    click.echo(_("wrote {path} ({n} students): in Canvas, Grades > Import").format(path=output, n=len(students)))
