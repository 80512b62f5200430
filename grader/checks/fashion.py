"""Checks for fashion.py: the same network and train() API on Fashion-MNIST (official 60,000 / 10,000).

Everything but the dataset is shared with ``mnist`` (``grader/training.py``). The data come from the
Debian package ``dataset-fashion-mnist``; where it is not installed the accuracy check is skipped
(with the apt command in the reason), never crashed.
"""
import pytest

from grader import training

DATASET = "fashion-mnist"


@pytest.mark.points(1)
def test_model_output_shape(student):
    training.check_output_shape(student)


@pytest.mark.points(1)
def test_parameter_budget(student, outcome, exercise_settings):
    training.check_parameter_budget(student, exercise_settings, DATASET, outcome)


@pytest.mark.points(4)
def test_held_out_accuracy(student, outcome, device, exercise_settings):
    training.check_accuracy(student, outcome, device, exercise_settings, DATASET)
