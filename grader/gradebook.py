"""Grades into the university's LMS: CSV files that Moodle's and Canvas's gradebook importers read.

Both are written from the per-student JSON of a ``grade-all`` folder, as :func:`grader.class_insight.load_class`
reads it.

* **Moodle** (Grades > Import > CSV file): one identifier column, matched under "Identify user by" to
  the user's email address, ID number or username (its header is the name Moodle's own export uses),
  then one column of points per grade item, mapped to an existing or a new grade item.
* **Canvas** (Grades > Import): the gradebook export's layout, ``Student, ID, SIS User ID, SIS Login
  ID, Section`` and one column per assignment, with the ``Points Possible`` row under the header, so an
  assignment the file creates gets the right maximum. Canvas matches students by ID, SIS User ID or SIS
  Login ID; a header ``Name (123)`` updates the existing assignment with id 123.

Submission folders rarely carry those identifiers, so a roster CSV maps them: a ``submission`` column
(the student's name in ``grades.csv``) and any of :data:`ROSTER_COLUMNS`. Without a roster the folder
name is the identifier (the Moodle identifier, or Canvas's Student and SIS Login ID). By default each
student gets one grade, the total; ``per_exercise`` gives one column per exercise instead. A student
the grader could not grade gets an empty cell: both importers leave such a grade unchanged.
"""
from __future__ import annotations

import csv
from pathlib import Path

from grader.class_insight import StudentResult
from grader.i18n import _
from grader.report import fmt_points
from grader.submission import SubmissionError

MOODLE_ID_FIELDS = {"email": "Email address", "idnumber": "ID number", "username": "Username"}
CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
CANVAS_POINTS_POSSIBLE = "    Points Possible"  # the first cell of the row, as Canvas's own export writes it
ROSTER_KEY = "submission"
ROSTER_COLUMNS = ("name", "email", "idnumber", "username", "canvas_id", "sis_user_id", "sis_login_id", "section")
_CANVAS_FROM_ROSTER = ("name", "canvas_id", "sis_user_id", "sis_login_id", "section")  # in CANVAS_COLUMNS' order
_NAMED_BY_FOLDER = ("name", "email", "idnumber", "username", "sis_login_id")  # without a roster


def read_roster(path: str | Path) -> dict[str, dict[str, str]]:
    """submission name -> its LMS identifiers, from a CSV with a ``submission`` column."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:  # -sig: a roster saved by Excel
            reader = csv.DictReader(f)
            fields = [name.strip() for name in reader.fieldnames or []]
            if ROSTER_KEY not in fields:
                raise SubmissionError(_("{path}: the roster needs a '{key}' column (the student's folder name in "
                                        "grades.csv) and any of: {columns}").format(
                    path=path, key=ROSTER_KEY, columns=", ".join(ROSTER_COLUMNS)))
            reader.fieldnames = fields
            return {row[ROSTER_KEY].strip(): {column: (row.get(column) or "").strip() for column in ROSTER_COLUMNS}
                    for row in reader if (row.get(ROSTER_KEY) or "").strip()}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise SubmissionError(_("{path}: cannot read the roster ({problem})").format(path=path, problem=exc)) from None


def _identities(students: list[StudentResult], roster: str | Path | None) -> list[dict[str, str]]:
    """Each student's roster row; without a roster, the submission's name is the name and every login-like id."""
    if roster is None:
        return [{**dict.fromkeys(ROSTER_COLUMNS, ""), **dict.fromkeys(_NAMED_BY_FOLDER, s.student)} for s in students]
    rows = read_roster(roster)
    missing = [s.student for s in students if s.student not in rows]
    if missing:
        raise SubmissionError(_("{path}: no roster row for {students}; add them (column '{key}')").format(
            path=roster, students=", ".join(missing), key=ROSTER_KEY))
    return [rows[s.student] for s in students]


def _columns(students: list[StudentResult], item: str | None,
             per_exercise: bool) -> list[tuple[str, str | None, float]]:
    """(header, exercise id or None for the total, points possible) of each grade column."""
    graded = [s.result for s in students if s.result is not None]
    if not per_exercise:
        name = item or (graded[0].course if graded else "convgrade")
        return [(name, None, max((r.max_score for r in graded), default=0.0))]
    columns: dict[str, tuple[str, str, float]] = {}
    for result in graded:
        for ex in result.exercises:
            header, _id, points = columns.get(ex.id, (ex.title, ex.id, 0.0))
            columns[ex.id] = (header, ex.id, max(points, ex.max_score))
    return [(f"{item}: {header}" if item else header, ex_id, points) for header, ex_id, points in columns.values()]


def _points(student: StudentResult, exercise: str | None) -> str:
    if student.result is None:
        return ""
    if exercise is None:
        return fmt_points(student.result.score)
    return next((fmt_points(ex.score) for ex in student.result.exercises if ex.id == exercise), "")


def write_moodle(students: list[StudentResult], out: str | Path, *, roster: str | Path | None = None,
                 id_field: str = "email", item: str | None = None, per_exercise: bool = False) -> None:
    """Write the Moodle grade-import CSV; ``id_field`` is one of :data:`MOODLE_ID_FIELDS`."""
    columns = _columns(students, item, per_exercise)
    rows = []
    for student, who in zip(students, _identities(students, roster)):
        if not who[id_field]:
            raise SubmissionError(_("{path}: {student} has no '{field}' in the roster").format(
                path=roster, student=student.student, field=id_field))
        rows.append([who[id_field], *(_points(student, ex_id) for _header, ex_id, _p in columns)])
    _write(out, [[MOODLE_ID_FIELDS[id_field], *(header for header, _id, _p in columns)], *rows])


def write_canvas(students: list[StudentResult], out: str | Path, *, roster: str | Path | None = None,
                 item: str | None = None, per_exercise: bool = False) -> None:
    """Write the Canvas gradebook-import CSV (with its Points Possible row)."""
    columns = _columns(students, item, per_exercise)
    rows = [[*CANVAS_COLUMNS, *(header for header, _id, _p in columns)],
            [CANVAS_POINTS_POSSIBLE, *[""] * (len(CANVAS_COLUMNS) - 1), *(fmt_points(p) for _h, _id, p in columns)]]
    for student, who in zip(students, _identities(students, roster)):
        people = [who[key] for key in _CANVAS_FROM_ROSTER]
        if not any(people[1:4]):
            raise SubmissionError(_("{path}: {student} has none of canvas_id, sis_user_id, sis_login_id, so "
                                    "Canvas could not match them").format(path=roster, student=student.student))
        rows.append([*people, *(_points(student, ex_id) for _header, ex_id, _p in columns)])
    _write(out, rows)


def _write(out: str | Path, rows: list[list[str]]) -> None:
    with open(out, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
