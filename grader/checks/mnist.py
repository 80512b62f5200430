"""Checks for mnist.py: a CNN that really works, trained by the student's own train() (GPU optional).

The data, training, evaluation and credit live in ``grader/training.py`` (shared with ``fashion``); the
dataset (``mnist-embedded`` by default: 8,000 training / 2,000 held-out digits shipped with the
grader), the accuracy thresholds and the parameter budget come from the exercise's settings.
"""
import pytest

from grader import training

DATASET = "mnist-embedded"  # used when the settings name no `dataset`


@pytest.mark.points(1)
def test_model_output_shape(student):
    training.check_output_shape(student)


@pytest.mark.points(1)
def test_parameter_budget(student, outcome, exercise_settings):
    training.check_parameter_budget(student, exercise_settings, DATASET, outcome)


@pytest.mark.points(4)
def test_held_out_accuracy(student, outcome, device, exercise_settings):
    training.check_accuracy(student, outcome, device, exercise_settings, DATASET)
