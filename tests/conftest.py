"""Shared fixtures: the course of this repository and its folders."""
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
