"""The training checks (grader/training.py, used by mnist and fashion): settings, credit, and wrong answers.

One grading run (``grader.grade``) covers the reference solution and the broken trainers at once: a
temporary course lists each variant as its own exercise using the real ``grader/checks/mnist.py``.
Only the reference trains for real (once, 5 epochs on the embedded 8,000 digits); every broken variant
trains for one epoch at most or not at all, so the whole file stays within seconds of CPU time.
"""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import grader
from grader import training
from grader.runner.student import LossRecorder
from grader.training import SetupError, credit_for, resolve_config

ROOT = Path(__file__).resolve().parents[1]
CHECKS = ROOT / "grader" / "checks" / "mnist.py"


# ------------------------------------------------------------------------------------------- settings
def test_defaults_per_dataset():
    config = resolve_config({})
    assert config.dataset == "mnist-embedded"
    assert config.thresholds == ((0.95, 0.5), (0.97, 1.0))
    assert config.max_params == 100_000
    fashion = resolve_config({}, "fashion-mnist")
    assert fashion.thresholds == ((0.88, 0.5), (0.90, 1.0))


def test_settings_override_in_order():
    settings = {"dataset": "mnist-idx", "max_params": 50_000, "data_dir": "/data/mnist",
                "datasets": {"mnist-idx": {"thresholds": [{"accuracy": 0.99, "credit": 1}], "train_time_limit": 200},
                             "mnist-embedded": {"train_time_limit": 5}}}
    config = resolve_config(settings)
    assert config.dataset == "mnist-idx"
    assert config.thresholds == ((0.99, 1.0),)
    assert config.train_time_limit == 200
    assert config.max_params == 50_000
    assert config.data_settings == {"data_dir": "/data/mnist"}
    top = resolve_config({**settings, "train_time_limit": 30})  # a top-level key wins over datasets.<name>
    assert top.train_time_limit == 30


@pytest.mark.parametrize("settings,mentions", [
    ({"dataset": "cifar10"}, "mnist-embedded, mnist-idx, fashion-mnist"),
    ({"thresholds": [{"accuracy": 97, "credit": 1}]}, "0 < accuracy <= 1"),
    ({"thresholds": [0.97]}, "accuracy: 0.97, credit: 1.0"),
    ({"thresholds": []}, "empty"),
    ({"max_params": "lots"}, "positive integer"),
])
def test_bad_settings_name_the_setting(settings, mentions):
    with pytest.raises(SetupError, match=mentions.replace("(", r"\(")):
        resolve_config(settings)


def test_credit_for_thresholds():
    thresholds = ((0.95, 0.5), (0.97, 1.0))
    assert credit_for(0.5, thresholds) == 0
    assert credit_for(0.95, thresholds) == 0.5
    assert credit_for(0.969, thresholds) == 0.5
    assert credit_for(0.99, thresholds) == 1.0


def test_loss_recorder_sees_the_students_training_loss_only():
    model = nn.Linear(3, 4)
    x, y = torch.randn(8, 3), torch.randint(0, 4, (8,))
    recorder = LossRecorder()
    recorder.start()
    for _ in range(3):
        nn.CrossEntropyLoss()(model(x), y).backward()            # recorded (through F.cross_entropy)
    F.nll_loss(F.log_softmax(model(x), 1), y).backward()         # recorded
    with torch.no_grad():
        F.cross_entropy(model(x), y)                             # validation: not recorded
    F.cross_entropy(model(x), y, reduction="none")               # not a scalar: not recorded
    values = recorder.stop()
    assert F.cross_entropy.__name__ == "cross_entropy" and not hasattr(F.cross_entropy, "__wrapped__")
    curve, every = training.loss_curve(values)
    assert len(curve) == 4 and every == 1
    curve, every = training.loss_curve([float(i) for i in range(1001)], max_points=500)
    assert every == 3 and len(curve) == 333 and curve[0] == 1.0


@pytest.mark.parametrize("curve, trend", [
    ([2.3, 1.5, 1.0, 0.8, 0.6, 0.5, 0.42, 0.36, 0.31, 0.27], "falling"),
    ([2.3, 2.3, 2.31, 2.29, 2.3, 2.3, 2.31, 2.3, 2.3, 2.3], "flat"),
    ([2.3, 5.0, 9.0, float("nan"), 2.0, 2.0, 2.0, 2.0, 2.0, 2.0], "diverged"),
    ([2.3, 0.8, 0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3], None),
])
def test_the_loss_curve_picks_the_hint(curve, trend):
    assert training.loss_trend(curve) == trend


def test_confusion_matrix_rows_are_true_classes():
    matrix = training.confusion_matrix(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 1]), 3)
    assert matrix == [[1, 1, 0], [0, 1, 0], [0, 1, 0]]


# ------------------------------------------------------------------------------ grading, end to end
VARIANTS = {
    # id: (module source, extra settings)
    "reference": ("from mnist import build_model, train\n", {}),
    "lr_10": ("""
        from mnist import build_model, train as reference_train

        def train(model, x, y, device):
            return reference_train(model, x, y, device, epochs=1, lr_max=10.0)  # learning rate far too high
        """, {}),
    "shuffled_labels": ("""
        import torch
        from mnist import build_model, train as reference_train

        def train(model, x, y, device):
            return reference_train(model, x, y[torch.randperm(len(y))], device, epochs=1)  # labels lost
        """, {}),
    "over_budget": ("""
        from torch import nn
        from mnist import train

        def build_model():
            return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
        """, {}),
    "returns_none": ("""
        from mnist import build_model

        def train(model, x, y, device):
            model.to(device)  # ... but forgets `return model`
        """, {}),
    "crashes": ("""
        from mnist import build_model

        def train(model, x, y, device):
            return model(x.view(len(x), -1))  # wrong shape for a conv net
        """, {}),
    "too_slow": ("""
        import time
        from mnist import build_model

        def train(model, x, y, device):
            end = time.process_time() + 0.3
            while time.process_time() < end:  # CPU seconds count, not sleep
                pass
            return model
        """, {"train_time_limit": 0.1}),
    "bad_output": ("""
        from torch import nn
        from mnist import build_model as reference_model

        def build_model():
            return nn.Sequential(*list(reference_model())[:-1])  # forgot Flatten: (N, 10, 1, 1)

        def train(model, x, y, device):
            return model
        """, {}),
    "fashion_not_installed": ("from fashion import build_model, train\n",
                              {"dataset": "fashion-mnist", "data_dir": "/nonexistent/fashion-mnist"}),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """One grade() over a course whose exercises are the variants above, each using grader/checks/mnist.py."""
    root = tmp_path_factory.mktemp("training")
    submission = root / "submission"
    shutil.copytree(ROOT / "solutions", submission, ignore=shutil.ignore_patterns("__pycache__"))
    entries = []
    for name, (source, settings) in VARIANTS.items():
        (submission / f"variant_{name}.py").write_text(textwrap.dedent(source))
        # generous limits: the reference may share two CPU cores with other test processes
        checks = CHECKS.with_name("fashion.py") if name.startswith("fashion") else CHECKS
        entries.append({"id": f"variant_{name}", "module": f"variant_{name}.py", "checks": [str(checks)],
                        "points": 12, "time_limit": 600, "tags": ["slow"],
                        "settings": {"dataset": "mnist-embedded", "train_time_limit": 600, **settings}})
    course = root / "course.yaml"
    course.write_text(json.dumps({"title": "training checks", "language": "en", "seed": 0, "exercises": entries}))
    env = {"CONVGRADE_FASHION_MNIST_DIR": ""}  # the setting data_dir decides, whatever the caller's environment
    return {ex.id.removeprefix("variant_"): ex
            for ex in grader.grade(submission, course=course, lang="en", env=env).exercises}


def _checks(exercise) -> dict:
    return {c.name.split("::", 1)[1]: c for c in exercise.checks}


def test_reference_gets_full_marks_with_metrics(graded):
    exercise = graded["reference"]
    assert exercise.score == exercise.max_score == 12, [(c.name, c.message) for c in exercise.checks]
    accuracy = _checks(exercise)["held_out_accuracy"]
    details = accuracy.details
    assert details["accuracy"] >= 0.97
    assert details["dataset"] == "mnist-embedded" and details["n_train"] == 8000 and details["n_test"] == 2000
    assert details["params"] == 30_802 and details["device"] in ("cpu", "cuda")  # 30,542 parameters + BN buffers
    assert sum(map(sum, details["confusion"])) == 2000 and len(details["confusion"]) == 10
    assert sum(details["confusion"][i][i] for i in range(10)) == round(details["accuracy"] * 2000)
    assert details["misclassified"] and len(details["misclassified"][0]["image"]) == 28
    assert len(details["train_loss"]) == 5 * 63 and details["train_loss_every"] == 1  # every batch
    assert details["train_loss"][-1] < details["train_loss"][0] / 5
    assert accuracy.message.startswith(f"accuracy {details['accuracy']:.3f} on 2,000 held-out digits after ")
    assert "30,802 parameters and buffers" in accuracy.message


@pytest.mark.parametrize("variant", ["lr_10", "shuffled_labels"])
def test_broken_training_is_below_threshold(graded, variant):
    checks = _checks(graded[variant])
    assert checks["model_output_shape"].passed and checks["parameter_budget"].passed
    accuracy = checks["held_out_accuracy"]
    assert not accuracy.passed and accuracy.score == 0
    assert "below threshold 0.95" in accuracy.message, accuracy.message
    assert accuracy.details["accuracy"] < 0.95


def test_over_budget_model_is_caught_before_training(graded):
    checks = _checks(graded["over_budget"])
    assert not checks["parameter_budget"].passed
    assert "holds 203,530 numbers (parameters, buffers and other tensors), over the budget of 100,000" \
        in checks["parameter_budget"].message
    assert not checks["held_out_accuracy"].passed
    assert checks["held_out_accuracy"].message.startswith("not trained: build_model() holds 203,530 numbers")
    assert graded["over_budget"].score == 12 * 1 / 6  # only the output-shape check


def test_train_returning_none_is_explained(graded):
    accuracy = _checks(graded["returns_none"])["held_out_accuracy"]
    assert not accuracy.passed
    assert "returned NoneType, expected the trained model (an nn.Module)" in accuracy.message
    assert "return model" in accuracy.message


def test_crashing_train_names_the_function_and_the_error(graded):
    accuracy = _checks(graded["crashes"])["held_out_accuracy"]
    assert not accuracy.passed
    assert "`train` raised RuntimeError" in accuracy.message and "variant_crashes.py" in accuracy.message


def test_time_limit(graded):
    accuracy = _checks(graded["too_slow"])["held_out_accuracy"]
    assert not accuracy.passed
    assert "more than its budget of 0.1 CPU s" in accuracy.message
    assert accuracy.details["train_seconds"] >= 0.3


def test_missing_flatten_is_caught_by_the_shape_check(graded):
    checks = _checks(graded["bad_output"])
    assert not checks["model_output_shape"].passed
    assert "expected shape (4, 10), got (4, 10, 1, 1)" in checks["model_output_shape"].message
    assert "Flatten" in checks["model_output_shape"].message
    assert "for 2000 test images, expected (2000, 10)" in checks["held_out_accuracy"].message


def test_fashion_without_the_debian_package_is_not_graded_here(graded):
    exercise = graded["fashion_not_installed"]
    assert exercise.status == "not_graded" and exercise.score == exercise.max_score == 0, exercise.message
    assert "not graded here" in exercise.message and "apt-get install dataset-fashion-mnist" in exercise.message
