"""Property tests: whatever arrives as course.yaml or as a notebook, the answer is one clean error
(CourseError, SubmissionError) or something the grader can use, never another exception.

Inputs run from random bytes, through random YAML/JSON documents, to valid files with one field
replaced by a random value, which is where validation code is most likely to have a gap.
"""
import json
import math
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.course import CourseError, load_course
from grader.submission import SOURCE_READERS, SubmissionError

ROOT = Path(__file__).resolve().parents[1]
CHECKS = str(ROOT / "grader" / "checks" / "kernels.py")
VALID_COURSE = {"title": "t", "language": "en", "seed": 1, "defaults": {"time_limit": 5, "memory_limit_mb": 2048},
                "exercises": [{"id": "kernels", "title": {"en": "k"}, "module": "kernels.py", "checks": [CHECKS],
                               "points": 10, "time_limit": 5, "tags": ["quick"], "settings": {}}]}
VALID_NOTEBOOK = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                  "cells": [{"cell_type": "code", "id": "c1", "metadata": {}, "execution_count": None,
                             "outputs": [], "source": "def f():\n    return 1\n"},
                            {"cell_type": "markdown", "id": "m1", "metadata": {}, "source": "# text"}]}

fuzz = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
           | st.sampled_from([CHECKS, "kernels.py", "../x.py", "a\x00b", "pl", "en", 2**64, -1, float("inf")]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.text(max_size=8) | st.sampled_from(["id", "title", "checks", "module", "exercises", "cells", "source"]),
    inner, max_size=4), max_leaves=20)


def paths_in(document):
    """Every path to a value inside a nested dict/list document, as a list of keys and indexes."""
    yield []
    items = document.items() if isinstance(document, dict) else enumerate(document) if isinstance(document, list) \
        else ()
    for key, value in items:
        for rest in paths_in(value):
            yield [key, *rest]


@st.composite
def one_field_changed(draw, valid):
    """``valid`` (a nested document) with one value, anywhere in it, replaced by a random one."""
    document = json.loads(json.dumps(valid))
    path = draw(st.sampled_from(list(paths_in(document))))
    if not path:
        return draw(values)
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = draw(values)
    return document


def load_course_text(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "course.yaml"
        path.write_bytes(data)
        try:
            course = load_course(path)
        except CourseError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
    assert 0 <= course.seed < 2**32
    for ex in course.exercises:
        assert math.isfinite(ex.time_limit) and ex.time_limit > 0
        assert ex.points is None or math.isfinite(ex.points)
        assert 0 < ex.memory_limit_mb < 2**40


def read_notebook_bytes(data: bytes):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "kernels.ipynb"
        path.write_bytes(data)
        try:
            module, source, warnings = SOURCE_READERS[".ipynb"](path)
        except SubmissionError as exc:
            assert "\n" not in str(exc) and str(path) in str(exc)
            return
    assert module == "kernels" and isinstance(source, str) and all(isinstance(w, str) for w in warnings)


@fuzz
@given(st.binary(max_size=400))
@example(b"\xff\xfe\x00")
@example(b"[" * 5000)
def test_random_bytes_as_course(data):
    load_course_text(data)


@fuzz
@given(values)
def test_random_yaml_documents_as_course(document):
    load_course_text(yaml.safe_dump(document).encode())


@fuzz
@given(one_field_changed(VALID_COURSE))
def test_valid_course_with_one_field_changed(document):
    load_course_text(yaml.safe_dump(document, allow_unicode=True).encode())


@pytest.mark.parametrize("text", [
    # alias bomb ("billion laughs"): refused at the first alias, long before it could expand
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b]\n",
    "title: !!python/object/apply:os.system ['echo owned']\nexercises: []\n",
    "!!python/name:os.system\n",
    "{" * 3000,
    "title: t\n\x00\n",
    "title: t\nexercises: [{id: k, checks: [CHECKS]}]\nunknown_key: 1\n",
    "title: t\nseed: 99999999999999999999999\nexercises: [{id: k, checks: [CHECKS]}]\n",
    "title: t\nexercises: [{id: k, checks: [CHECKS], time_limit: .inf}]\n",
    "title: t\nexercises: [{id: k, checks: [CHECKS], points: .nan}]\n",
    "title: t\nexercises: [{id: k, checks: [CHECKS], memory_limit_mb: 1.0e+300}]\n",
    'title: t\nexercises: [{id: k, checks: ["a\\0b.py"]}]\n',
])
def test_hostile_yaml_is_a_clean_error(text):
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "course.yaml").write_text(text.replace("CHECKS", CHECKS))
        with pytest.raises(CourseError):
            load_course(Path(tmp) / "course.yaml")


@fuzz
@given(st.binary(max_size=400))
@example(b"")
@example(b"[" * 100_000)
@example(b'{"nbformat": 4, "nbformat_minor": 1' + b"9" * 5000 + b"}")
@example(b'{"nbformat": 4, "nbformat_minor": 5, "cells": [], "metadata": ' + b'{"a": ' * 900 + b"1" + b"}" * 901)
def test_random_bytes_as_notebook(data):
    read_notebook_bytes(data)


@fuzz
@given(values)
def test_random_json_documents_as_notebook(document):
    read_notebook_bytes(json.dumps(document, allow_nan=True).encode())


@fuzz
@given(one_field_changed(VALID_NOTEBOOK))
def test_valid_notebook_with_one_field_changed(document):
    read_notebook_bytes(json.dumps(document).encode())
