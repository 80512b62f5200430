"""The student distribution as a working repository: its README, ``.gitignore``, workflow, and ``check``.

``convgrade assign --dist`` writes the course students get (``grader.assign``); this module adds what
makes that folder a repository a student can push and work in: a README generated for students (how to
install, grade, use the notebooks and Colab, what the hidden checks are worth, what the training
exercises need), in the course's language with the other language below; a ``.gitignore`` for what
grading leaves behind; the GitHub Actions workflow that grades every push. ``check_bundle`` is the
student-side ``convgrade check``: is this copy complete and gradable, before any work is graded.
"""
from __future__ import annotations

import sys
from pathlib import Path
from string import Template

from grader.course import LANGUAGES, Course, CourseError, Exercise
from grader.i18n import _, ngettext, using_language
from grader.points import declared_split, exact_sum
from grader.report import fmt_points

TEMPLATES = Path(__file__).with_name("templates")
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
INSTALL = (f"python3 -m venv .venv && . .venv/bin/activate && pip install -q -c constraints.txt "
           f"--extra-index-url {TORCH_CPU_INDEX} -e . && convgrade check")
GITIGNORE = """\
# What installing and grading leave behind: never part of your work.
.venv/
__pycache__/
*.pyc
*.egg-info/
.ipynb_checkpoints/
.pytest_cache/
.hypothesis/
report.html
grade.json
classroom.json
junit.xml
/grades/
"""
WORKFLOW = Path(".github") / "workflows" / "grade.yml"
MIN_PYTHON = (3, 11)


def repository_files(course: Course) -> dict[Path, str]:
    """README.md, .gitignore and the workflow of the student repository of ``course`` (the distribution)."""
    from grader.export import github_workflow  # export imports grading; only the distribution needs it here

    return {Path("README.md"): readme(course), Path(".gitignore"): GITIGNORE,
            WORKFLOW: github_workflow("exercises")}


def readme(course: Course) -> str:
    """The students' README: the course language first, then the other one."""
    others = [lang for lang in LANGUAGES if lang != course.language]
    sections = [_readme_in(course, lang) for lang in [course.language, *others]]
    return f"# {course.title_in(course.language)}\n\n" + "\n---\n\n".join(sections)


def _readme_in(course: Course, lang: str) -> str:
    template = Template((TEMPLATES / f"student_readme.{lang}.md").read_text(encoding="utf-8"))
    with using_language(lang):
        splits = {ex.id: declared_split(ex) for ex in course.exercises}
        rows = [f"| `{ex.id}` | {ex.title_in(lang)} | {fmt_points(exact_sum(splits[ex.id].checks))} | "
                f"{_hidden_cell(splits[ex.id].withheld)} |" for ex in course.exercises]
        withheld = [w for s in splits.values() for w in s.withheld]
        hidden_text = (ngettext("{n} check, worth {points} points, runs only at final grading: the points above are "
                                "what the public checks are worth, and they stay the same then.",
                                "{n} checks, worth {points} points, run only at final grading: the points above "
                                "are what the public checks are worth, and they stay the same then.",
                                len(withheld)).format(n=len(withheld), points=fmt_points(exact_sum(withheld)))
                       if withheld else _("none: the points above are the whole grade."))
        training = "\n".join(_training_line(ex, lang) for ex in course.exercises if ex.slow) or _("none.")
        return template.substitute(title=course.title_in(lang), install=INSTALL, table="\n".join(rows),
                                   hidden_text=hidden_text, training=training)


def _hidden_cell(withheld: list[float]) -> str:
    return f"{len(withheld)} ({fmt_points(exact_sum(withheld))})" if withheld else "-"


def _training_line(exercise: Exercise, lang: str) -> str:
    settings = exercise.settings
    per_dataset = settings.get("datasets", {}).get(settings.get("dataset"), {})
    train = per_dataset.get("train_time_limit", settings.get("train_time_limit"))
    threads = _("every core") if exercise.threads == 0 else ngettext(
        "{n} CPU thread", "{n} CPU threads", exercise.threads).format(n=exercise.threads)
    text = _("- `{id}` ({title}): at most {limit:g} s in all, on {threads}; a GPU is used when present "
             "(`--skip-slow` leaves it out).").format(id=exercise.id, title=exercise.title_in(lang),
                                                       limit=exercise.time_limit, threads=threads)
    if train is not None:
        text += " " + _("Your train() may take up to {train:g} s of it.").format(train=train)
    return text


def check_bundle(course: Course) -> list[str]:
    """What keeps this copy of the course from grading a student's work, one sentence each (empty: ready)."""
    problems = []
    if sys.version_info < MIN_PYTHON:
        problems.append(_("Python {found} is too old: convgrade needs {needed} or newer").format(
            found=".".join(map(str, sys.version_info[:3])), needed=".".join(map(str, MIN_PYTHON))))
    for exercise in course.exercises:
        stub = course.root / "exercises" / exercise.module
        if not stub.is_file():
            problems.append(_("{path} is missing: exercise '{id}' has nowhere to write its solution").format(
                path=stub, id=exercise.id))
        try:
            declared_split(exercise)
        except CourseError as exc:
            problems.append(str(exc))
    return problems
