"""``convgrade new ID``: the files of a new exercise, consistent from the start.

It writes a reference solution with solution markers and a check file with one example check (both
from ``grader/templates``), adds the exercise to ``course.yaml`` (as text, so the file's comments and
layout stay), and generates the stub and notebook. The example passes ``convgrade validate``, so the
instructor replaces it piece by piece and validates as they go.
"""
from __future__ import annotations

import json
from pathlib import Path
from string import Template

from grader.assign import SOLUTIONS, write_assignment
from grader.course import LANGUAGES, Course, CourseError, load_course
from grader.i18n import _
from grader.submission import shadows_library

TEMPLATES = Path(__file__).with_name("templates")
CHECKS = Path("grader") / "checks"


def new_exercise(course: Course, exercise_id: str, *, title: dict[str, str] | None = None,
                 points: float = 10) -> list[Path]:
    """Create exercise ``exercise_id`` in ``course``; returns the files written, relative to the course root.

    ``title`` is by language (``{"pl": ..., "en": ...}``); a language left out gets the other's title, or the id.
    """
    if not exercise_id.isidentifier():
        raise CourseError(_("'{id}' cannot be an exercise id: use a Python module name such as 'pooling'")
                          .format(id=exercise_id))
    if any(exercise_id in (ex.id, ex.module_name) for ex in course.exercises):
        raise CourseError(_("{path}: exercise '{id}' already exists").format(path=course.path, id=exercise_id))
    if shadows_library(exercise_id, course):
        raise CourseError(_("'{id}' is the name of an installed module, which the student's {id}.py would hide; "
                            "choose another id").format(id=exercise_id))
    files = {SOLUTIONS / f"{exercise_id}.py": "solution.py.tmpl", CHECKS / f"{exercise_id}.py": "check.py.tmpl"}
    for rel in files:
        if (course.root / rel).exists():
            raise CourseError(_("{path} already exists: choose another id, or remove the file").format(
                path=course.root / rel))
    given = {lang: text for lang, text in (title or {}).items() if text}
    titles = {lang: given.get(lang) or next(iter(given.values()), exercise_id) for lang in LANGUAGES}
    values = {"title": titles["en"], "module": exercise_id}
    for rel, template in files.items():
        (course.root / rel).parent.mkdir(parents=True, exist_ok=True)
        text = Template((TEMPLATES / template).read_text(encoding="utf-8")).substitute(values)
        (course.root / rel).write_text(text, encoding="utf-8")
    try:
        _add_to_manifest(course.path, exercise_id, titles, points)
    except CourseError:
        for rel in files:
            (course.root / rel).unlink()
        raise
    updated = load_course(course.path)
    return [*files, course.path.relative_to(course.root),
            *write_assignment(updated, [updated.exercise(exercise_id)])]


def _add_to_manifest(manifest: Path, exercise_id: str, title: dict[str, str], points: float) -> None:
    """Append an entry to the ``exercises:`` list of ``manifest`` as text, keeping comments and layout."""
    original = manifest.read_text(encoding="utf-8")
    lines = original.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.startswith("exercises:")), None)
    if start is None or lines[start].split("#")[0].strip() != "exercises:":
        raise CourseError(_("{path}: cannot add the entry, because 'exercises:' is not a block list at the start of "
                            "a line; add it by hand").format(path=manifest))
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#-"):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    item = next((line for line in lines[start + 1:end] if line.lstrip().startswith("- ")), "  - ")
    indent = item[:len(item) - len(item.lstrip())]
    entry = (f"{indent}- id: {exercise_id}\n"
             f"{indent}  title: {json.dumps(title, ensure_ascii=False)}\n"
             f"{indent}  module: {exercise_id}.py\n"
             f"{indent}  checks: [{(CHECKS / f'{exercise_id}.py').as_posix()}]\n"
             f"{indent}  points: {points:g}\n")
    lines[end - 1] = lines[end - 1].rstrip("\n") + "\n"
    manifest.write_text("".join(lines[:end]) + entry + "".join(lines[end:]), encoding="utf-8")
    try:
        load_course(manifest)
    except CourseError:
        manifest.write_text(original, encoding="utf-8")
        raise
