"""Shared logic of the training checks (``mnist`` and ``fashion``): load a split, train, evaluate, award credit.

The check files stay thin; each of their checks calls one function here:

* :func:`check_output_shape` - ``build_model()`` maps (N, 1, 28, 28) to (N, 10) logits;
* :func:`check_parameter_budget` - at most ``max_params`` parameters (setting, default 100,000);
* :func:`check_accuracy` - ``train(model, x_train, y_train, device)`` on the training split only, timed
  in CPU seconds of the student's processes (wall-clock on CUDA), then the held-out images are sent in
  batches and their logits come back; accuracy, the confusion matrix and the misclassified digits are
  computed here, in the checker, which alone holds the labels.

The student's model lives in the student process (grader.runner.proxy); the parameter budget counts
every parameter, buffer and other tensor attribute it holds (grader.queries.held_numel).

Settings (the exercise's ``settings:`` in ``course.yaml``)::

    dataset: mnist-embedded            # mnist-embedded | mnist-idx | fashion-mnist
    max_params: 100000
    thresholds: [{accuracy: 0.95, credit: 0.5}, {accuracy: 0.97, credit: 1.0}]
    train_time_limit: 45               # CPU seconds train() may use (none: only the exercise time_limit)
    data_dir: /srv/mnist               # folder with the IDX files (mnist-idx, fashion-mnist)
    datasets:                          # per-dataset values, used when that dataset is chosen
      mnist-idx: {thresholds: [...], train_time_limit: 150}

A key at the top level wins over the same key under ``datasets.<chosen>``, which wins over the
built-in :data:`DATASET_DEFAULTS`. Metrics recorded for reports: ``dataset``, ``n_train``, ``n_test``,
``accuracy``, ``train_seconds``, ``device``, ``params``, ``confusion`` (10x10, rows = true class),
``misclassified`` (a few held-out examples with their images), ``classes`` and, when the student's
code computes its loss with ``F.cross_entropy``/``F.nll_loss`` (``nn.CrossEntropyLoss`` does), the
per-batch training loss it computed (``train_loss``, averaged into at most 500 points), which also picks
the hint for a weak model (still falling: capacity or epochs; diverged or flat: the learning rate).
"""
from __future__ import annotations

import functools
import math
import os
import time
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from grader import datasets, queries
from grader.i18n import _
from grader.plugin import GradingMessage
from grader.runner import proxy
from grader.testing import fail, is_module, type_name

DEFAULT_MAX_PARAMS = 100_000
DATASET_DEFAULTS: dict[str, dict[str, Any]] = {
    "mnist-embedded": {"thresholds": [{"accuracy": 0.95, "credit": 0.5}, {"accuracy": 0.97, "credit": 1.0}],
                       "train_time_limit": 45},
    "mnist-idx": {"thresholds": [{"accuracy": 0.985, "credit": 0.5}, {"accuracy": 0.99, "credit": 1.0}],
                  "train_time_limit": 150},
    "fashion-mnist": {"thresholds": [{"accuracy": 0.88, "credit": 0.5}, {"accuracy": 0.90, "credit": 1.0}],
                      "train_time_limit": 150},
}
MAX_LOSS_POINTS = 500
EVAL_BATCH = 1000


class SetupError(GradingMessage):
    """The grader's side is wrong (settings in course.yaml, damaged data files), not the student's code."""

    reason = "check_error"


@dataclass(frozen=True)
class TrainingConfig:
    dataset: str
    thresholds: tuple[tuple[float, float], ...]  # (accuracy, credit), ascending by accuracy
    max_params: int
    train_time_limit: float | None
    data_settings: dict[str, Any]


def resolve_config(settings: dict[str, Any] | None, default_dataset: str = "mnist-embedded") -> TrainingConfig:
    """The exercise's settings merged over the defaults of the chosen dataset; mistakes name the setting."""
    settings = dict(settings or {})
    name = settings.get("dataset", default_dataset)
    if name not in datasets.DATASETS:
        raise SetupError(_("course.yaml: setting `dataset` is {name!r}; choose one of {known}.")
                         .format(name=name, known=", ".join(datasets.DATASETS)))
    per_dataset = (settings.get("datasets") or {}).get(name) or {}
    if not isinstance(per_dataset, dict):
        raise SetupError(_("course.yaml: setting `datasets.{name}` must be a mapping.").format(name=name))
    merged = {**DATASET_DEFAULTS[name], **per_dataset,
              **{k: v for k, v in settings.items() if k not in ("dataset", "datasets")}}
    thresholds = []
    for entry in merged.get("thresholds") or []:
        try:
            accuracy, credit = float(entry["accuracy"]), float(entry["credit"])
        except (TypeError, KeyError, ValueError):
            raise SetupError(_("course.yaml: every threshold must look like {{accuracy: 0.97, credit: 1.0}}, "
                               "got {entry!r}.").format(entry=entry)) from None
        if not (0 < accuracy <= 1 and 0 < credit <= 1):
            raise SetupError(_("course.yaml: threshold {entry!r} needs 0 < accuracy <= 1 and 0 < credit <= 1.")
                             .format(entry=entry))
        thresholds.append((accuracy, credit))
    if not thresholds:
        raise SetupError(_("course.yaml: setting `thresholds` is empty for dataset {name}.").format(name=name))
    limit = merged.get("train_time_limit")
    max_params = merged.get("max_params", DEFAULT_MAX_PARAMS)
    if not isinstance(max_params, int) or isinstance(max_params, bool) or max_params <= 0:
        raise SetupError(_("course.yaml: setting `max_params` must be a positive integer, got {value!r}.")
                         .format(value=max_params))
    return TrainingConfig(dataset=name, thresholds=tuple(sorted(thresholds)), max_params=max_params,
                          train_time_limit=float(limit) if limit else None,
                          data_settings={k: merged[k] for k in ("data_dir",) if merged.get(k)})


# ---------------------------------------------------------------------------------------------- data
@functools.lru_cache(maxsize=2)
def _load(name: str, data_dir: str | None, env: tuple[str | None, ...]) -> datasets.Split:
    return datasets.load_dataset(name, {"data_dir": data_dir} if data_dir else {})


class DataMissing(GradingMessage):
    """The dataset is not installed here: not the student's fault, so the exercise is not graded here."""

    reason = "data_missing"


def missing_data(settings: dict[str, Any] | None, default_dataset: str = "mnist-embedded") -> str | None:
    """Why the exercise's dataset cannot be loaded here (with the install command), or None."""
    config = resolve_config(settings, default_dataset)
    return datasets.unavailable(config.dataset, config.data_settings)


def load_split(config: TrainingConfig) -> datasets.Split:
    """The chosen dataset (cached per process); not installed -> not graded here, damaged -> error."""
    env = (os.environ.get(datasets.MNIST_DIR_ENV), os.environ.get(datasets.FASHION_DIR_ENV))
    try:
        return _load(config.dataset, config.data_settings.get("data_dir"), env)
    except datasets.DatasetUnavailable as exc:
        raise DataMissing(str(exc)) from None
    except datasets.DatasetError as exc:
        raise SetupError(_("the grader's data files are damaged: {error}").format(error=exc)) from None


def to_tensors(images, labels) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 (N, 28, 28) and labels -> float32 (N, 1, 28, 28) in [0, 1] and int64 (N,): fresh CPU tensors."""
    x = torch.from_numpy(images.copy()).float().div_(255).unsqueeze(1)
    y = torch.from_numpy(labels.astype("int64"))
    return x, y


def count_params(model) -> int:
    """Every number the model holds: parameters (trainable or frozen), buffers and other tensor attributes,
    so neither a frozen feature extractor nor a lookup table in a buffer escapes the budget."""
    return sum(queries.held_numel(model).values())


def _item_noun(config: TrainingConfig) -> str:
    return _("digits") if config.dataset.startswith("mnist") else _("clothing images")


# ---------------------------------------------------------------------------------------- the checks
def _build(student) -> nn.Module:
    model = student.build_model()
    if not is_module(model):
        fail(_("build_model() returned {kind}, expected an nn.Module.").format(kind=type_name(model)),
             _("Return the network itself, e.g. `return nn.Sequential(...)`."))
    return model


def check_output_shape(student) -> None:
    """``build_model()`` is an nn.Module mapping a (4, 1, 28, 28) float batch to (4, 10) float logits."""
    model = _build(student)
    x = torch.rand(4, 1, 28, 28)
    model.eval()
    out = model(x)
    call = "build_model()(<batch of shape (4, 1, 28, 28)>)"
    if not isinstance(out, torch.Tensor):
        fail(_("{call} returned {kind}, expected a tensor of logits.").format(call=call, kind=type_name(out)),
             _("The forward pass must return the raw scores (logits) as one tensor."))
    if tuple(out.shape) != (4, 10):
        hint = (_("Flatten the (N, 10, 1, 1) output of the last convolution (the chapter's Flatten).")
                if out.dim() == 4 and out.shape[1] == 10 else
                _("The last layer needs 10 outputs (one per class) and the spatial size must shrink to 1x1 "
                  "(28 -> 14 -> 7 -> 4 -> 2 -> 1 with five stride-2 convolutions), then Flatten."))
        fail(_("{call}: expected shape (4, 10), got {shape}.").format(call=call, shape=tuple(out.shape)), hint)
    if not out.is_floating_point():
        fail(_("{call} returned dtype {dtype}, expected float logits.").format(call=call, dtype=out.dtype))


def _budget_message(params: int, limit: int, what: str) -> tuple[str, str]:
    return (_("{what} holds {params:,} numbers (parameters, buffers and other tensors), over the budget of "
              "{limit:,}.").format(what=what, params=params, limit=limit),
            _("Use fewer or narrower layers: the chapter's conv + batch-norm CNN has about 30,000 parameters; "
              "a fully connected layer on 28x28 pixels alone costs 7,840 weights per output."))


def check_parameter_budget(student, settings: dict[str, Any] | None, default_dataset: str = "mnist-embedded",
                           outcome=None) -> None:
    config = resolve_config(settings, default_dataset)
    params = count_params(_build(student))
    if outcome is not None:
        outcome.metric(params=params, max_params=config.max_params)
    if params > config.max_params:
        fail(*_budget_message(params, config.max_params, "build_model()"))
    if outcome is not None:
        outcome.note(_("{params:,} parameters and buffers (budget {limit:,})").format(params=params, limit=config.max_params))


def loss_curve(values: list[float], max_points: int = MAX_LOSS_POINTS) -> tuple[list[float], int]:
    """(losses, batches per point): every batch, or averages of equal runs of batches when too many."""
    if not values:
        return [], 0
    per_point = max(1, math.ceil(len(values) / max_points))
    usable = len(values) // per_point * per_point or len(values)
    points = [sum(values[i:i + per_point]) / len(values[i:i + per_point]) for i in range(0, usable, per_point)]
    return [round(v, 4) for v in points], per_point


def loss_trend(curve: list[float]) -> str | None:
    """"falling" (still going down at the end), "diverged" (NaN or ending above its start), "flat", or None."""
    if len(curve) < 5:
        return None
    if any(v != v for v in curve) or curve[-1] > curve[0] * 1.05:
        return "diverged"
    fifth = max(1, len(curve) // 5)
    start, before, end = (sum(part) / len(part) for part in (curve[:fifth], curve[-2 * fifth:-fifth], curve[-fifth:]))
    if end > start * 0.9:
        return "flat"
    return "falling" if end < before * 0.97 else None


def predict(model, x: torch.Tensor, device: str, n_classes: int = 10) -> torch.Tensor:
    """Predicted classes for ``x``: the images go to the student process in batches, logits come back."""
    out = queries.evaluate(model, x, device, EVAL_BATCH)
    if not isinstance(out, torch.Tensor) or tuple(out.shape) != (len(x), n_classes):
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type_name(out)
        fail(_("the trained model returned {shape} for {n} test images, expected ({n}, {k}).")
             .format(shape=shape, n=len(x), k=n_classes),
             _("train() must return the model itself, still mapping (N, 1, 28, 28) to (N, 10)."))
    return out.argmax(1)


def confusion_matrix(y_true: torch.Tensor, y_pred: torch.Tensor, n_classes: int = 10) -> list[list[int]]:
    counts = torch.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes)
    return counts.view(n_classes, n_classes).tolist()


def credit_for(accuracy: float, thresholds: tuple[tuple[float, float], ...]) -> float:
    """Credit of the highest threshold reached (0 below the lowest)."""
    return max((credit for needed, credit in thresholds if accuracy >= needed), default=0.0)


@dataclass
class TrainingRun:
    accuracy: float
    train_seconds: float
    params: int
    device: str
    dataset: str
    n_train: int
    n_test: int
    predictions: torch.Tensor
    loss_curve: list[float]
    loss_every: int


def run_training(student, config: TrainingConfig, device: str, split: datasets.Split | None = None,
                 n_train: int | None = None) -> TrainingRun:
    """Build, train on the training split only (timed), evaluate on the held-out split.

    ``n_train`` trains on the first n training images (benchmarks); the checks always use all of them.
    """
    split = split if split is not None else load_split(config)
    x_train, y_train = to_tensors(split.x_train[:n_train], split.y_train[:n_train])
    x_test, y_test = to_tensors(split.x_test, split.y_test)
    model = _build(student)
    params = count_params(model)
    if params > config.max_params:
        message, hint = _budget_message(params, config.max_params, "build_model()")
        fail(_("not trained: {message}").format(message=message), hint)

    session = proxy.current()
    cuda = str(device).startswith("cuda")
    kwargs = {"progress": proxy.PROGRESS} if {"progress", "**"} & set(queries.signature(student.train) or ()) else {}
    queries.record_losses(True)
    start_cpu, start_wall = session.cpu.seconds(), time.perf_counter()
    trained = student.train(model, x_train, y_train, device, **kwargs)
    if cuda:
        queries.synchronize()
    seconds = time.perf_counter() - start_wall if cuda else session.cpu.seconds() - start_cpu
    losses = queries.record_losses(False)
    if not is_module(trained):
        fail(_("train(model, x, y, device) returned {kind}, expected the trained model (an nn.Module).")
             .format(kind=type_name(trained)),
             _("End train() with `return model`."))
    params = count_params(trained)
    if params > config.max_params:
        fail(*_budget_message(params, config.max_params, _("the model returned by train()")))
    predictions = predict(trained, x_test, device, len(split.classes))
    accuracy = (predictions == y_test).double().mean().item()
    curve, every = loss_curve([float(v) for v in losses or [] if isinstance(v, (int, float))])
    return TrainingRun(accuracy=accuracy, train_seconds=seconds, params=params, device=str(device),
                       dataset=split.name, n_train=len(y_train), n_test=len(y_test), predictions=predictions,
                       loss_curve=curve, loss_every=every)


def _misclassified(split: datasets.Split, predictions: torch.Tensor, limit: int = 6, images: int = 4) -> list[dict]:
    wrong = (predictions != torch.from_numpy(split.y_test.astype("int64"))).nonzero().flatten()[:limit].tolist()
    return [{"index": i, "label": int(split.y_test[i]), "predicted": int(predictions[i]),
             **({"image": split.x_test[i].tolist()} if n < images else {})} for n, i in enumerate(wrong)]


def check_accuracy(student, outcome, device: str, settings: dict[str, Any] | None,
                   default_dataset: str = "mnist-embedded") -> TrainingRun:
    """The main training check: train, evaluate, record metrics, award credit by the thresholds."""
    config = resolve_config(settings, default_dataset)
    split = load_split(config)
    run = run_training(student, config, device, split)
    metrics: dict[str, Any] = dict(
        accuracy=round(run.accuracy, 4), train_seconds=round(run.train_seconds, 3), device=run.device,
        params=run.params, dataset=run.dataset, n_train=run.n_train, n_test=run.n_test,
        confusion=confusion_matrix(torch.from_numpy(split.y_test.astype("int64")), run.predictions),
        misclassified=_misclassified(split, run.predictions), classes=list(split.classes),
        thresholds=[{"accuracy": a, "credit": c} for a, c in config.thresholds],
        train_time_limit=config.train_time_limit)
    if run.loss_curve:
        metrics.update(train_loss=run.loss_curve, train_loss_every=run.loss_every)
    outcome.metric(**metrics)

    unit = _("s") if run.device.startswith("cuda") else _("CPU s")
    summary = _("accuracy {accuracy:.3f} on {n:,} held-out {items} after {seconds:.1f} {unit} of training on {device}, "
                "{params:,} parameters and buffers").format(accuracy=run.accuracy, n=run.n_test, items=_item_noun(config),
                                                seconds=run.train_seconds, unit=unit, device=run.device,
                                                params=run.params)
    if config.train_time_limit is not None and run.train_seconds > config.train_time_limit:
        fail(_("train() used {seconds:.1f} {unit}, more than its budget of {limit:g} {unit} ({summary}).")
             .format(seconds=run.train_seconds, unit=unit, limit=config.train_time_limit, summary=summary),
             _("Train for fewer epochs, use a smaller model or a larger batch size; 1cycle reaches high accuracy "
               "in a few epochs. CPU seconds count only your own processes' work, not how busy the machine is."))
    credit = credit_for(run.accuracy, config.thresholds)
    lowest, full = config.thresholds[0][0], next(a for a, c in config.thresholds if c == max(
        c for _a, c in config.thresholds))
    if credit == 0:
        fail(_("accuracy {accuracy:.3f} below threshold {needed:g} ({summary}).")
             .format(accuracy=run.accuracy, needed=lowest, summary=summary), weak_model_hint(run.loss_curve))
    if run.accuracy >= full:
        outcome.credit(credit, summary)
    else:
        outcome.credit(credit, _("{summary}: {credit:.0%} of the points; {full:g} earns full marks. {hint}")
                       .format(summary=summary, credit=credit, full=full, hint=weak_model_hint(run.loss_curve)))
    return run


def weak_model_hint(curve: list[float]) -> str:
    """What to change, chosen by the evidence in the student's own loss curve."""
    trend = loss_trend(curve)
    if trend == "falling":
        return _("Your loss was still falling when training stopped: train for more epochs, or give the model more "
                 "capacity (more channels), within the time budget.")
    if trend == "diverged":
        return _("Your loss went up or became NaN: the learning rate is too high for this model; lower lr_max (or "
                 "add batch norm, which makes high learning rates safe).")
    if trend == "flat":
        return _("Your loss barely moved: check that the optimizer steps the model's parameters, that labels match "
                 "the images, and that the learning rate is not far too small.")
    return _("The chapter's conv + batch-norm CNN trained for a few epochs with 1cycle gets there; make sure the "
             "loss goes down (no loss was recorded: compute it with F.cross_entropy or nn.CrossEntropyLoss so the "
             "report can show it).") if not curve else _(
        "Your loss went down and levelled off: a wider model, batch norm or one or two more epochs usually add the "
        "last points.")
