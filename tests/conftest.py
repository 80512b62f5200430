"""Shared fixtures: the course of this repository and its folders."""
import re
import shutil
from pathlib import Path

import pytest

import grader

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def course():
    return grader.load_course(ROOT / "course.yaml")


@pytest.fixture(scope="session")
def quick_exercises(course):
    """Every exercise that is not tagged slow (the MNIST-style training exercises are)."""
    return [ex.id for ex in course.exercises if not ex.slow]


@pytest.fixture
def course_copy(tmp_path):
    """course.yaml of a copy of this course (solutions, exercises, check files, quizzes) that a test may change.

    The copy speaks English (``language: en``), so tests read the grader's messages in English. Its grader/
    holds only grader/checks: the grader package under test stays the installed one.
    """
    for folder in ("solutions", "exercises", "grader/checks", "quizzes"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    manifest = (ROOT / "course.yaml").read_text(encoding="utf-8")
    (tmp_path / "course.yaml").write_text(re.sub(r"(?m)^language: \w+", "language: en", manifest), encoding="utf-8")
    return tmp_path / "course.yaml"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """grade-all's cache of every test in a folder of its own, never the user's ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
