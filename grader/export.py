"""Handing grading to the platforms that already run it at scale: Gradescope and GitHub Actions.

``gradescope_bundle`` writes the autograder zip Gradescope builds its image from: ``setup.sh`` (run once:
a venv with the CPU-only torch the course was tested with, then this package and its dependencies),
``run_autograder`` (run per submission: grades ``/autograder/submission`` into
``/autograder/results/results.json``), the grader's source, ``course.yaml`` and every check file,
hidden ones included; students see a hidden check's result only as its visibility allows.

``github_workflow`` writes a GitHub Actions workflow that grades a folder on every push, keeps the JSON
and JUnit reports as artifacts, puts a table of points on the run's summary page and fails below a
percentage; with ``classroom`` it also hands the ``--format classroom`` JSON to GitHub Classroom's
grading reporter, so a Classroom assignment shows the points.
"""
from __future__ import annotations

import contextlib
import io
import json
import stat
import sys
import zipfile
from pathlib import Path

import click
import yaml

import grader
from grader.assign import DIST_EXTRAS
from grader.bundle import TORCH_CPU_INDEX
from grader.course import Course, CourseError, Exercise
from grader.i18n import _
from grader.quiz import load_quiz

AUTOGRADER_ROOT_ENV = "CONVGRADE_AUTOGRADER_ROOT"  # where run_autograder finds submission/ and results/
AUTOGRADER_PYTHON_ENV = "CONVGRADE_PYTHON"          # the interpreter it grades with
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")  # Gradescope's words

GRADESCOPE_TORCH = "2.7.1"  # on PyTorch's CPU index for CPython 3.11 and 3.12, linux x86_64 (torch-2.7.1+cpu)
GRADE_FLAGS = ("--require-sandbox", "namespaces", "--require-data")  # refuse to grade without isolation or data

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (an Ubuntu base image).
set -euo pipefail
# convgrade needs Python >= 3.11. Ubuntu 22.04 ships 3.10: there, 3.11 comes from the deadsnakes PPA.
export DEBIAN_FRONTEND=noninteractive
apt-get update
if python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip{apt_extra}
    python=python3
elif grep -qx 'ID=ubuntu' /etc/os-release; then
    apt-get install -y --no-install-recommends software-properties-common gpg-agent
    add-apt-repository -y ppa:deadsnakes/ppa
    apt-get update
    apt-get install -y --no-install-recommends python3.11 python3.11-venv{apt_extra}
    python=python3.11
else
    echo "convgrade needs Python >= 3.11, and this base image has neither it nor Ubuntu's deadsnakes PPA:" \
         "choose an Ubuntu 22.04 or 24.04 base image" >&2
    exit 1
fi
"$python" -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
# torch {torch}, the CPU-only wheel from PyTorch's index: a few hundred MB, not the multi-GB CUDA build.
/autograder/venv/bin/pip install torch=={torch} --index-url {index}
/autograder/venv/bin/pip install /autograder/source
# Checks, data and the course are root's alone: student code, run as an unprivileged user, cannot read them.
chmod -R go-rwx /autograder/source
package=$(/autograder/venv/bin/python -c 'import grader, os; print(os.path.dirname(grader.__file__))')
chmod -R go-rwx "$package/checks" "$package/data"
"""

RUN_AUTOGRADER = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade /autograder/submission with course.yaml, hidden
# checks included (their visibility: {visibility}), into /autograder/results/results.json.
# {root_env} and {python_env} let a test run it against a fake /autograder tree.
set -euo pipefail
root="${{{root_env}:-/autograder}}"
python="${{{python_env}:-$root/venv/bin/python}}"
cd "$root/source"
exec "$python" -c 'import sys; from grader.export import run_gradescope; run_gradescope(*sys.argv[1:])' \\
    "$root" {visibility} {grade_flags}
"""

WORKFLOW_HEADER = """\
# Written by `convgrade export github-actions`: run it again rather than editing this file.
# On every push: grade {path}/, keep the reports as the run's artifacts, put a table of points on the
# run's summary page{extra}.
"""


class _WorkflowDumper(yaml.SafeDumper):
    """Writes YAML the way people write workflows: lists indented under their key, scripts as ``|`` blocks."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


_WorkflowDumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def gradescope_bundle(course: Course, out: str | Path, *, hidden_visibility: str = "after_published",
                      exercises: list[str] | tuple[str, ...] | None = None, torch: str = GRADESCOPE_TORCH,
                      grade_flags: tuple[str, ...] = GRADE_FLAGS) -> list[str]:
    """Write the Gradescope autograder zip to ``out``; returns the names of the files in it.

    ``hidden_visibility`` is one of :data:`VISIBILITIES`: when students see the hidden checks' results.
    ``exercises``: only these (one Gradescope assignment per exercise: a student uploads just that file).
    ``torch``: the version installed from PyTorch's CPU index; ``grade_flags`` go to ``convgrade grade``.
    """
    chosen = course.select(exercises)
    files = {**_grader_source(), "course.yaml": course.path}
    for exercise in chosen:
        for check in exercise.check_files(include_hidden=True):
            files[_inside_course(course, check)] = check
        if exercise.quiz is not None:
            for path in load_quiz(exercise.quiz).files:
                files[_inside_course(course, path)] = path
    flags = [*grade_flags, *(f"--exercise={ex.id}" for ex in chosen if exercises)]
    scripts = {"setup.sh": _setup_script(chosen, torch), "run_autograder": RUN_AUTOGRADER.format(
        visibility=hidden_visibility, root_env=AUTOGRADER_ROOT_ENV, python_env=AUTOGRADER_PYTHON_ENV,
        grade_flags=" ".join(flags)).replace(" \n", "\n")}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in scripts.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFREG | 0o755) << 16  # executable once unzipped
            bundle.writestr(info, text, zipfile.ZIP_DEFLATED)
        for name, path in sorted(files.items()):
            bundle.write(path, name)
    return [*scripts, *sorted(files)]


def _grader_source() -> dict[str, Path]:
    """The grader package (data and translations included) and what ``pip install`` needs beside it."""
    package = Path(grader.__file__).parent
    project = package.parent
    if not (project / "pyproject.toml").is_file():
        raise CourseError(_("{path}: no pyproject.toml beside the grader package; export the bundle from a source "
                            "checkout of convgrade (pip install -e .)").format(path=project))
    files = {name: project / name for name in DIST_EXTRAS if (project / name).is_file()}
    for path in sorted(package.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(project).as_posix()] = path
    return files


def _inside_course(course: Course, check: Path) -> str:
    try:
        return check.relative_to(course.root).as_posix()
    except ValueError:
        raise CourseError(_("{path}: check file {check} lies outside the course folder, so the bundle cannot keep "
                            "its path; move it under {root}").format(path=course.path, check=check,
                                                                     root=course.root)) from None


def _setup_script(exercises: list[Exercise], torch: str) -> str:
    uses_fashion = any("fashion-mnist" in check.read_text(encoding="utf-8")
                       for ex in exercises for check in ex.check_files())
    apt_extra = " dataset-fashion-mnist" if uses_fashion else ""
    return SETUP_SH.format(torch=torch, index=TORCH_CPU_INDEX, apt_extra=apt_extra)


def run_gradescope(root: str | Path = "/autograder", hidden_visibility: str = "after_published",
                   *grade_args: str) -> None:
    """What ``run_autograder`` does: ``convgrade grade root/submission ...`` into ``root/results/results.json``.

    ``grade_args`` are more ``convgrade grade`` options (:data:`GRADE_FLAGS`, ``--exercise``). A submission
    that cannot be graded at all still gets a results.json (score 0 and the reason), since Gradescope shows
    students nothing but an "autograder failed" banner otherwise.
    """
    from grader.cli import main  # the CLI imports this module

    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.unlink(missing_ok=True)
    submitted = root / "submission"
    if (submitted / "exercises").is_dir():  # a whole repository was uploaded
        submitted = submitted / "exercises"
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        try:
            main(["grade", str(submitted), "--course", str(root / "source" / "course.yaml"), "--format",
                  "gradescope", "--hidden-visibility", hidden_visibility, "--output", str(results), *grade_args],
                 standalone_mode=False)
        except click.ClickException as exc:  # an option this grader does not know: the bundle and grader differ
            print(_("convgrade: error: {problem}").format(problem=exc.format_message()), file=sys.stderr)
    sys.stderr.write(errors.getvalue())
    if not results.is_file():
        reason = errors.getvalue().strip().removeprefix("convgrade: error: ") or _("the grader wrote no results")
        results.write_text(json.dumps({"score": 0.0, "output": reason, "tests": []}, ensure_ascii=False) + "\n",
                           encoding="utf-8")


COURSE_CHECKOUT = ".convgrade-course"  # where a Classroom workflow checks out the pinned course


def github_workflow(path: str = "exercises", *, fail_under: float | None = None, skip_slow: bool = False,
                    classroom: bool = False, course_repo: str | None = None, course_ref: str | None = None,
                    token_secret: str | None = None) -> str:
    """The GitHub Actions workflow (YAML text) that grades ``path`` of the repository it lives in.

    ``classroom`` reports the points to GitHub Classroom too, through its grading reporter action, which
    reads the ``--format classroom`` JSON, base64-encoded, from the environment variable CONVGRADE_RESULTS.
    It grades with the course (grader, checks, course.yaml) of ``course_repo`` at ``course_ref`` (a tag
    or commit), checked out beside the student's files, never with the copy in the student's repository,
    which the student can edit; ``token_secret`` names the secret that can read a private course repository.
    """
    if classroom and not (course_repo and course_ref):
        raise CourseError(_("a Classroom workflow grades with a pinned copy of the course the student cannot edit: "
                            "give --course-repo OWNER/NAME and --course-ref TAG (docs/instructors.md)"))
    pinned = bool(course_repo)
    report = "classroom.json" if classroom else "grade.json"
    grade = " ".join([f"convgrade grade {path}", *([f"--course {COURSE_CHECKOUT}/course.yaml"] if pinned else []),
                      *(["--skip-slow"] if skip_slow else []),
                      f"--format {'classroom' if classroom else 'json'} --output {report} --junit junit.xml",
                      '--summary "$GITHUB_STEP_SUMMARY"', *([f"--fail-under {fail_under:g}"] if fail_under is not None
                                                            else [])])
    source = f"{COURSE_CHECKOUT}/" if pinned else ""
    always = "${{ !cancelled() }}"  # still run after the grade step failed --fail-under
    steps = [{"uses": "actions/checkout@v4"}]
    if pinned:
        checkout = {"repository": course_repo, "ref": course_ref, "path": COURSE_CHECKOUT}
        if token_secret:
            checkout["token"] = f"${{{{ secrets.{token_secret} }}}}"
        steps.append({"name": "Check out the course at a pinned ref", "uses": "actions/checkout@v4",
                      "with": checkout})
    steps += [
        {"uses": "actions/setup-python@v5",
         "with": {"python-version": "3.11", "cache": "pip",
                  "cache-dependency-path": f"{source}pyproject.toml\n{source}constraints.txt\n"}},
        {"name": "Install convgrade with a CPU-only torch",
         "run": f"pip install -c {source}constraints.txt --extra-index-url {TORCH_CPU_INDEX} {'./' + source if pinned else '.'}"},
        {"name": f"Grade {path}", "run": grade},
        {"name": "Keep the reports", "if": always, "uses": "actions/upload-artifact@v4",
         "with": {"name": "convgrade-reports", "path": f"{report}\njunit.xml\n"}},
    ]
    permissions = {"contents": "read"}
    if classroom:
        steps += [{"name": "Encode the results for GitHub Classroom", "id": "convgrade", "if": always,
                   "run": f'echo "result=$(base64 -w0 {report})" >> "$GITHUB_OUTPUT"'},
                  {"name": "Report to GitHub Classroom", "if": always,
                   "uses": "classroom-resources/autograding-grading-reporter@v1",
                   "env": {"CONVGRADE_RESULTS": "${{ steps.convgrade.outputs.result }}"}, "with": {"runners": "convgrade"}}]
        permissions = {"checks": "write", "actions": "read", "contents": "read"}
    job = {"runs-on": "ubuntu-latest", "timeout-minutes": 30, "steps": steps}
    if classroom:
        job = {"if": "github.actor != 'github-classroom[bot]'", **job}  # Classroom's own setup commits
    workflow = {"name": "convgrade", "on": ["push", "pull_request", "workflow_dispatch"], "permissions": permissions,
                "jobs": {"grade": job}}
    extra = "".join([f", and fail below {fail_under:g}%" if fail_under is not None else "",
                     "; the points also go to GitHub Classroom" if classroom else "",
                     f".\n# The grader and checks come from {course_repo} at {course_ref}, not from this repository"
                     if pinned else ""])
    return WORKFLOW_HEADER.format(path=path, extra=extra) + yaml.dump(workflow, Dumper=_WorkflowDumper,
                                                                      sort_keys=False, width=1000)
