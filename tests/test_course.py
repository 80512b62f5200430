"""course.yaml -> typed model: valid manifests load, every mistake is one line naming file, exercise, field."""
from pathlib import Path

import pytest

from grader.course import CourseError, find_course, load_course

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "grader" / "checks" / "kernels.py"


def write(tmp_path, text: str) -> Path:
    (tmp_path / "checks").mkdir(exist_ok=True)
    (tmp_path / "checks" / "kernels.py").write_text(CHECK.read_text())
    path = tmp_path / "course.yaml"
    path.write_text(text)
    return path


GOOD = """
title: {pl: Kurs, en: Course}
language: pl
exercises:
  - id: kernels
    title: Kernels
    module: kernels.py
    checks: [checks/kernels.py]
    points: 10
    time_limit: 5
    tags: [quick]
"""


def test_repository_course_loads(course):
    assert course.language == "pl"
    assert [ex.id for ex in course.exercises][:2] == ["kernels", "shapes"]
    assert all(ex.checks and all(p.is_file() for p in ex.checks) for ex in course.exercises)
    assert len(course.version) == 16


def test_valid_manifest_becomes_typed_objects(tmp_path):
    course = load_course(write(tmp_path, GOOD))
    ex = course.exercise("kernels")
    assert (ex.module_name, ex.points, ex.time_limit, ex.tags) == ("kernels", 10, 5.0, ("quick",))
    assert ex.title_in("pl") == "Kernels" and course.title_in("en") == "Course"
    assert ex.checks == ((tmp_path / "checks" / "kernels.py").resolve(),)


@pytest.mark.parametrize("change,words", [
    (("time_limit: 5", "time_limt: 5"), ["exercise 'kernels'", "field 'time_limt'", "unknown key"]),
    (("checks: [checks/kernels.py]", "checks: [checks/nope.py]"), ["exercise 'kernels'", "field 'checks'",
                                                                  "checks/nope.py does not exist"]),
    (("points: 10", "points: -3"), ["exercise 'kernels'", "field 'points'", "zero or more"]),
    (("points: 10", "points: ten"), ["field 'points'", "must be a number"]),
    (("language: pl", "language: de"), ["field 'language'"]),
    (("module: kernels.py", "module: ../kernels.py"), ["field 'module'"]),
    (("tags: [quick]", "tags: quick"), ["field 'tags'"]),
])
def test_mistakes_name_file_exercise_and_field(tmp_path, change, words):
    path = write(tmp_path, GOOD.replace(*change))
    with pytest.raises(CourseError) as info:
        load_course(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    for word in words:
        assert word in message


def test_duplicate_id(tmp_path):
    entry = GOOD.split("exercises:\n")[1]
    path = write(tmp_path, GOOD + entry.replace("module: kernels.py", "module: other.py"))
    with pytest.raises(CourseError, match="exercise 'kernels', field 'id': duplicate id"):
        load_course(path)


@pytest.mark.parametrize("text,words", [
    ("title: [unclosed", "invalid YAML at line 1"),
    ("- just\n- a list\n", "top level must be a mapping"),
    ("title: x\nexercises: []\n", "non-empty list"),
    ("a: &a [1]\nb: *a\n", "aliases"),
    ("title: !!python/object/apply:os.system ['true']\n", "invalid YAML"),
])
def test_broken_yaml_is_one_clear_line(tmp_path, text, words):
    path = tmp_path / "course.yaml"
    path.write_text(text)
    with pytest.raises(CourseError, match=words):
        load_course(path)


def test_not_utf8_and_missing_file(tmp_path):
    path = tmp_path / "course.yaml"
    path.write_bytes(b"title: \xff\xfe\n")
    with pytest.raises(CourseError, match="not UTF-8"):
        load_course(path)
    with pytest.raises(CourseError, match="cannot read"):
        load_course(tmp_path / "missing.yaml")


def test_find_course_walks_up(tmp_path):
    path = write(tmp_path, GOOD)
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_course(nested) == path
