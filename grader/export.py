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

import importlib.metadata
import json
import stat
import zipfile
from pathlib import Path

import yaml

import grader
from grader.assign import DIST_EXTRAS
from grader.course import Course, CourseError, load_course
from grader.grading import grade
from grader.i18n import _
from grader.quiz import load_quiz
from grader.report import to_gradescope
from grader.submission import SubmissionError

AUTOGRADER_ROOT_ENV = "CONVGRADE_AUTOGRADER_ROOT"  # where run_autograder finds submission/ and results/
AUTOGRADER_PYTHON_ENV = "CONVGRADE_PYTHON"          # the interpreter it grades with
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")  # Gradescope's words
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = """\
#!/usr/bin/env bash
# Gradescope runs this once, as root, while it builds the autograder image (an Ubuntu base image).
# convgrade needs Python >= 3.11: pick a base image whose python3 is that recent (Ubuntu 24.04: 3.12).
# torch is pinned to the version the course was tested with ({torch}), as the CPU-only wheel from
# PyTorch's own index: a few hundred MB instead of the multi-GB CUDA build that plain pip would fetch.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip{apt_extra}
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install torch=={torch} --index-url {index}
/autograder/venv/bin/pip install /autograder/source
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
    "$root" {visibility}
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


def gradescope_bundle(course: Course, out: str | Path, *, hidden_visibility: str = "after_published") -> list[str]:
    """Write the Gradescope autograder zip to ``out``; returns the names of the files in it.

    ``hidden_visibility`` is one of :data:`VISIBILITIES`: when students see the hidden checks' results.
    """
    files = {**_grader_source(), "course.yaml": course.path}
    for exercise in course.exercises:
        for check in exercise.check_files(include_hidden=True):
            files[_inside_course(course, check)] = check
        if exercise.quiz is not None:
            for path in load_quiz(exercise.quiz).files:
                files[_inside_course(course, path)] = path
    scripts = {"setup.sh": _setup_script(course), "run_autograder": RUN_AUTOGRADER.format(
        visibility=hidden_visibility, root_env=AUTOGRADER_ROOT_ENV, python_env=AUTOGRADER_PYTHON_ENV)}
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


def _setup_script(course: Course) -> str:
    torch = importlib.metadata.version("torch").split("+")[0]  # 2.13.0+cpu -> 2.13.0
    uses_fashion = any("fashion-mnist" in check.read_text(encoding="utf-8")
                       for ex in course.exercises for check in ex.check_files())
    apt_extra = " dataset-fashion-mnist" if uses_fashion else ""
    return SETUP_SH.format(torch=torch, index=TORCH_CPU_INDEX, apt_extra=apt_extra)


def run_gradescope(root: str | Path = "/autograder", hidden_visibility: str = "after_published") -> None:
    """What ``run_autograder`` does: grade ``root/submission``, write ``root/results/results.json``.

    A submission that cannot be graded at all still gets a results.json (score 0 and the reason), since
    Gradescope shows students nothing but an "autograder failed" banner otherwise.
    """
    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    submitted = root / "submission"
    if (submitted / "exercises").is_dir():  # a whole repository was uploaded
        submitted = submitted / "exercises"
    try:
        result = grade(submitted, course=load_course(root / "source" / "course.yaml"))
        text = to_gradescope(result, hidden_visibility)
    except (CourseError, SubmissionError) as exc:
        text = json.dumps({"score": 0.0, "output": str(exc), "tests": []}, ensure_ascii=False)
    results.write_text(text + "\n", encoding="utf-8")


def github_workflow(path: str = "exercises", *, fail_under: float | None = None, skip_slow: bool = False,
                    classroom: bool = False) -> str:
    """The GitHub Actions workflow (YAML text) that grades ``path`` of the repository it lives in.

    ``classroom`` reports the points to GitHub Classroom too, through its grading reporter action, which
    reads the ``--format classroom`` JSON, base64-encoded, from the environment variable CONVGRADE_RESULTS.
    """
    report = "classroom.json" if classroom else "grade.json"
    grade = " ".join([f"convgrade grade {path}", *(["--skip-slow"] if skip_slow else []),
                      f"--format {'classroom' if classroom else 'json'} --output {report} --junit junit.xml",
                      '--summary "$GITHUB_STEP_SUMMARY"', *([f"--fail-under {fail_under:g}"] if fail_under is not None
                                                            else [])])
    always = "${{ !cancelled() }}"  # still run after the grade step failed --fail-under
    steps = [
        {"uses": "actions/checkout@v4"},
        {"uses": "actions/setup-python@v5",
         "with": {"python-version": "3.11", "cache": "pip", "cache-dependency-path": "pyproject.toml\nconstraints.txt\n"}},
        {"name": "Install convgrade with a CPU-only torch",
         "run": f"pip install -c constraints.txt --extra-index-url {TORCH_CPU_INDEX} ."},
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
                     "; the points also go to GitHub Classroom" if classroom else ""])
    return WORKFLOW_HEADER.format(path=path, extra=extra) + yaml.dump(workflow, Dumper=_WorkflowDumper,
                                                                      sort_keys=False, width=1000)
