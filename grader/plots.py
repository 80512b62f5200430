"""Plots that teach the chapter, drawn from the metrics a check records (``CheckResult.details``).

Each plotter looks for the keys its check records with ``outcome.metric(...)`` and returns None when
any is missing or unusable, so a check that recorded less (say, one that failed early) just has no
plot. Keys read here:

* 1cycle (``one_cycle``): ``student_lr``, ``reference_lr``, ``student_mom``, ``reference_mom``
  (one value per step; the student's may hold None where their function returned a non-number);
* training (``mnist``, ``fashion``, via ``grader/training.py``): ``train_loss`` and ``train_loss_every``,
  ``accuracy`` and ``thresholds``, ``confusion`` (rows = true class) and ``classes``, ``misclassified``
  (dicts with ``label``, ``predicted`` and, for a few, a 28x28 ``image`` of 0-255 values);
* activation statistics (``activation_stats``): ``layer_mean``, ``layer_std``, ``layer_near_zero`` (one
  list per watched layer, one value per batch) with ``layer_names``, and ``color_dim`` beside
  ``reference_color_dim`` (bins x batches, bin 0 = the smallest activations);
* the batch-norm order experiment (``bn_order``): ``order_loss`` (order label -> loss per point),
  ``order_loss_every`` and ``order_accuracy`` (order label -> held-out accuracy).

Figures are built with matplotlib's object API and the Agg renderer (no pyplot, no display, no global
backend switch), and come back as PNG bytes.
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.figure import Figure

from grader.i18n import _

STUDENT_COLOR, REFERENCE_COLOR, MISTAKE_COLOR = "#d9480f", "#1c7ed6", "#c92a2a"
STYLE = {"font.size": 9, "axes.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False,
         "axes.grid": True, "grid.alpha": 0.3, "legend.frameon": False, "figure.dpi": 100}


@dataclass(frozen=True)
class Plot:
    title: str
    caption: str  # what to look for in it
    png: bytes


@contextmanager
def _figure(width: float, height: float, **subplots: Any) -> Iterator[tuple[Figure, Any]]:
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=(width, height), layout="constrained")
        yield fig, fig.subplots(**subplots)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _numbers(values: Any) -> list[float] | None:
    """A list of floats (None and non-numbers become NaN), or None when ``values`` is not a list of them."""
    if not isinstance(values, list) or not values:
        return None
    out = []
    for value in values:
        try:
            out.append(float(value))
        except (TypeError, ValueError):
            out.append(math.nan)
    return out if any(math.isfinite(v) for v in out) else None


def _zoom(reference: list[float], yours: list[float]) -> tuple[float, float]:
    """Y limits showing both curves, but never so wide that one wild value flattens the reference."""
    low, high = min(reference), max(reference)
    margin = (high - low) * 0.5 or abs(high) * 0.5 or 1.0
    finite = [v for v in yours if math.isfinite(v)]
    return (max(min([low, *finite]), low - margin) - 0.05 * margin,
            min(max([high, *finite]), high + margin) + 0.05 * margin)


def _symmetric_limits(difference: list[float], span: float) -> tuple[float, float]:
    """At least 1% of the reference's range, so rounding noise (1e-23) never looks like a mistake."""
    largest = max([abs(d) for d in difference if math.isfinite(d)] + [0.01 * span or 1e-3])
    return -1.15 * largest, 1.15 * largest


def _first_difference(yours: list[float], reference: list[float], rel: float = 1e-6) -> int | None:
    for step, (got, expected) in enumerate(zip(yours, reference)):
        if not math.isclose(got, expected, rel_tol=rel, abs_tol=1e-12):
            return step
    return None


# -------------------------------------------------------------------------------------------- 1cycle
def one_cycle(details: dict[str, Any]) -> Plot | None:
    """The student's learning rate and momentum per step over PyTorch's, and below each their difference."""
    panels = [(label, _numbers(details.get(f"student_{key}")), _numbers(details.get(f"reference_{key}")))
              for key, label in (("lr", _("learning rate")), ("mom", _("momentum")))]
    panels = [panel for panel in panels if panel[2] is not None]
    if not panels:
        return None
    with _figure(4.2 * len(panels), 4.0, nrows=2, ncols=len(panels), squeeze=False, sharex="col",
                 height_ratios=[3, 1]) as (fig, axes):
        for column, (label, yours, reference) in enumerate(panels):
            top, bottom = axes[0][column], axes[1][column]
            top.plot(reference, color=REFERENCE_COLOR, linewidth=3, alpha=0.45, label=_("reference (OneCycleLR)"))
            top.set(title=label, ylim=_zoom(reference, yours or []))
            if yours is not None:
                top.plot(yours, color=STUDENT_COLOR, linewidth=1.3, label=_("yours"))
            top.legend(loc="best", fontsize=8)
            if yours is None:  # their function raised before returning anything: nothing to compare
                bottom.set_visible(False)
                continue
            bottom.set(xlabel=_("step"), ylabel=_("yours − reference"))
            difference = [y - r for y, r in zip(yours, reference)]
            bottom.axhline(0, color=REFERENCE_COLOR, linewidth=1)
            bottom.plot(difference, color=STUDENT_COLOR, linewidth=1.3)
            bottom.set_ylim(_symmetric_limits(difference, max(reference) - min(reference)))
            step = _first_difference(yours, reference)
            if step is not None:
                for ax in (top, bottom):
                    ax.axvline(step, color=MISTAKE_COLOR, linestyle=":", linewidth=1)
                top.annotate(_("first difference: step {step}").format(step=step), (step, 0.02),
                             xycoords=("data", "axes fraction"), xytext=(3, 0), textcoords="offset points",
                             color=MISTAKE_COLOR, fontsize=8)
        png = _png(fig)
    return Plot(_("Your 1cycle schedule against the reference"),
                _("The thick blue line is PyTorch's OneCycleLR, the thin orange one is yours, and the small plot "
                  "below shows yours minus the reference; a dotted line marks the first step that differs. The "
                  "learning rate warms up along a cosine to lr_max, then anneals to almost zero; the momentum "
                  "moves the opposite way."), png)


# -------------------------------------------------------------------------------------- MNIST/Fashion
def training_loss(details: dict[str, Any]) -> Plot | None:
    losses = _numbers(details.get("train_loss"))
    if losses is None:
        return None
    every = details.get("train_loss_every") or 1
    batches = [(i + 1) * every for i in range(len(losses))]
    with _figure(6.0, 2.8) as (fig, ax):
        ax.plot(batches, losses, color=STUDENT_COLOR, linewidth=1.2)
        ax.set(xlabel=_("batch"), ylabel=_("loss"), ylim=(0, None))
        png = _png(fig)
    caption = _("The loss your train() computed, batch by batch (cross-entropy, as the grader saw it). It "
                "should fall quickly, then flatten; a curve that stays flat or jumps up means the learning "
                "rate is too high or the data and labels do not match.")
    if every > 1:
        caption += " " + _("Each point is the mean of {n} batches.").format(n=every)
    return Plot(_("Training loss"), caption, png)


def held_out_accuracy(details: dict[str, Any]) -> Plot | None:
    accuracy, thresholds = details.get("accuracy"), details.get("thresholds")
    if (not isinstance(accuracy, (int, float)) or not isinstance(thresholds, list) or not thresholds
            or not all(isinstance(t, dict) and {"accuracy", "credit"} <= t.keys() for t in thresholds)):
        return None
    needed = [(float(t["accuracy"]), float(t["credit"])) for t in thresholds]
    low = max(0.0, min([accuracy, *(a for a, _c in needed)]) - 0.05)
    with _figure(6.0, 1.5) as (fig, ax):
        reached = any(accuracy >= a for a, _c in needed)
        ax.barh([0], [accuracy - low], left=low, height=0.5, color=REFERENCE_COLOR if reached else MISTAKE_COLOR)
        inside = accuracy - low > 0.5 * (1.0 - low)  # the number fits inside a long bar, else after it
        ax.text(accuracy, 0, f" {accuracy:.3f} ", va="center", ha="right" if inside else "left",
                color="white" if inside else "black", fontweight="bold")
        for index, (needed_accuracy, credit) in enumerate(sorted(needed)):
            ax.axvline(needed_accuracy, color="black", linestyle="--", linewidth=1)
            ax.annotate(_("{credit:.0%} of the points").format(credit=credit), (needed_accuracy, 1.0),
                        xycoords=("data", "axes fraction"), ha="left" if index == len(needed) - 1 else "right",
                        va="bottom", fontsize=8)
        ax.set(xlim=(low, 1.0), yticks=[], xlabel=_("accuracy on the held-out images"))
        ax.grid(axis="y", visible=False)
        png = _png(fig)
    return Plot(_("Held-out accuracy"),
                _("Accuracy of the trained model on images it never saw in training, against the thresholds "
                  "that earn points (dashed)."), png)


def _class_names(details: dict[str, Any], n: int) -> list[str]:
    classes = details.get("classes")
    return [str(c) for c in classes] if isinstance(classes, list) and len(classes) == n else [str(i) for i in range(n)]


def confusion(details: dict[str, Any]) -> Plot | None:
    matrix = details.get("confusion")
    n = len(matrix) if isinstance(matrix, list) else 0
    if not n or any(not isinstance(row, list) or len(row) != n for row in matrix):
        return None
    names = _class_names(details, n)
    mistakes = [[matrix[i][j] if i != j and matrix[i][j] else math.nan for j in range(n)] for i in range(n)]
    biggest = max((v for row in mistakes for v in row if not math.isnan(v)), default=1)
    with _figure(4.6, 4.4) as (fig, ax):
        ax.imshow(mistakes, cmap="Reds", vmin=0, vmax=biggest)
        for i in range(n):
            for j in range(n):
                if matrix[i][j]:
                    dark = i != j and matrix[i][j] > biggest * 0.6
                    ax.text(j, i, str(matrix[i][j]), ha="center", va="center", fontsize=7,
                            color="white" if dark else ("#2b8a3e" if i == j else "black"),
                            fontweight="bold" if i == j else "normal")
        ax.set_xticks(range(n), names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right")
        ax.set_yticks(range(n), names)
        ax.set(xlabel=_("predicted class"), ylabel=_("true class"))
        ax.grid(False)
        png = _png(fig)
    return Plot(_("Confusion matrix"),
                _("Rows are the true classes, columns the predicted ones. The diagonal (green numbers) counts "
                  "correct answers; every red cell is a kind of mistake, the darker the more often: which "
                  "classes does your network mix up?"), png)


def misclassified(details: dict[str, Any]) -> Plot | None:
    samples = [sample for sample in details.get("misclassified") or []
               if isinstance(sample, dict) and isinstance(sample.get("image"), list)]
    if not samples:
        return None
    names = _class_names(details, len(details.get("classes") or []) or 10)
    with _figure(1.5 * len(samples), 1.9, ncols=len(samples), squeeze=False) as (fig, axes):
        for ax, sample in zip(axes[0], samples):
            ax.imshow(sample["image"], cmap="gray_r", vmin=0, vmax=255)
            ax.set_title(_("true {label}\npredicted {predicted}").format(
                label=_name(names, sample.get("label")), predicted=_name(names, sample.get("predicted"))), fontsize=8)
            ax.set_axis_off()
        png = _png(fig)
    return Plot(_("Misclassified test images"),
                _("A few held-out images your network got wrong, with the true and the predicted class."), png)


def _name(names: list[str], index: Any) -> str:
    return names[index] if isinstance(index, int) and 0 <= index < len(names) else str(index)


# ------------------------------------------------------------------------------- activation statistics
def layer_statistics(details: dict[str, Any]) -> Plot | None:
    """fastai's plot_layer_stats: mean, std and near-zero fraction of every watched layer, batch by batch."""
    keys = (("mean", _("mean")), ("std", _("standard deviation")), ("near_zero", _("fraction near zero")))
    series = {key: details.get(f"layer_{key}") for key, _label in keys}
    if not all(isinstance(layers, list) and layers for layers in series.values()):
        return None
    names = details.get("layer_names")
    n_layers = len(series["mean"])
    if not isinstance(names, list) or len(names) != n_layers:
        names = [_("layer {index}").format(index=index) for index in range(n_layers)]
    with _figure(9.0, 2.9, ncols=3) as (fig, axes):
        for ax, (key, label) in zip(axes, keys):
            for name, batches in zip(names, series[key]):
                values = _numbers(batches)
                if values is not None:
                    ax.plot(values, linewidth=1.3, marker="o", markersize=3, label=str(name))
            ax.set(title=label, xlabel=_("batch"))
        axes[-1].set_ylim(0, 1)
        axes[0].legend(fontsize=7)
        png = _png(fig)
    return Plot(_("Activation statistics per layer"),
                _("Mean, standard deviation and the fraction of activations near zero (<= 0.05) of every layer, "
                  "batch by batch. Healthy training keeps the standard deviation away from zero; a fraction near "
                  "zero climbing towards 1 means the layer's activations are collapsing and it stops learning."), png)


def _matrix(value: Any) -> list[list[float]] | None:
    rows = value if isinstance(value, list) and value else None
    if rows is None or not all(isinstance(row, list) and len(row) == len(rows[0]) > 0 for row in rows):
        return None
    return [[v if isinstance(v, (int, float)) else math.nan for v in row] for row in rows]


def color_dim(details: dict[str, Any]) -> Plot | None:
    """fastai's colourful dimension: yours beside the reference (``torch.histc``), row 0 at the bottom."""
    panels = [(label, matrix) for label, matrix in ((_("yours"), _matrix(details.get("color_dim"))),
                                                    (_("reference (torch.histc)"),
                                                     _matrix(details.get("reference_color_dim"))))
              if matrix is not None]
    if not panels:
        return None
    with _figure(3.6 * len(panels), 3.0, ncols=len(panels), squeeze=False) as (fig, axes):
        for ax, (label, matrix) in zip(axes[0], panels):
            ax.imshow(matrix, origin="lower", aspect="auto", cmap="viridis", interpolation="nearest")
            ax.set(title=label, xlabel=_("batch"))
            ax.grid(False)
        axes[0][0].set_ylabel(_("activation size (histogram bin)"))
        png = _png(fig)
    return Plot(_("Colourful dimension: histogram of activations per batch"),
                _("Each column is the histogram of one batch's activations (log scale), smallest at the bottom. "
                  "A bright bottom row with dark rows above means most activations are near zero; rising and "
                  "collapsing again shows unstable training, a smooth spread shows healthy training."), png)


# ------------------------------------------------------------------------------------------ bn_order
def order_losses(details: dict[str, Any]) -> Plot | None:
    """The two trainings of the BN-order experiment, one loss curve each, labelled with their accuracy."""
    curves, accuracy = details.get("order_loss"), details.get("order_accuracy") or {}
    if not isinstance(curves, dict):
        return None
    lines = [(str(label), values) for label, values in ((k, _numbers(v)) for k, v in curves.items()) if values]
    if not lines:
        return None
    every = details.get("order_loss_every") or 1
    with _figure(6.0, 2.8) as (fig, ax):
        for (label, losses), color in zip(lines, (REFERENCE_COLOR, STUDENT_COLOR, MISTAKE_COLOR)):
            acc = accuracy.get(label) if isinstance(accuracy, dict) else None
            name = f"{label}: {acc:.3f}" if isinstance(acc, (int, float)) else label
            ax.plot([(i + 1) * every for i in range(len(losses))], losses, color=color, linewidth=1.2, label=name)
        ax.set(xlabel=_("batch"), ylabel=_("loss"), ylim=(0, None))
        ax.legend(title=_("order: held-out accuracy"))
        png = _png(fig)
    return Plot(_("Batch norm before or after ReLU: training loss"),
                _("The loss your train() computed for each order, batch by batch. Compare how fast each falls and "
                  "where it ends; the legend gives each network's accuracy on the held-out digits."), png)


PLOTTERS: tuple[Callable[[dict[str, Any]], Plot | None], ...] = (
    one_cycle, training_loss, held_out_accuracy, confusion, misclassified, layer_statistics, color_dim, order_losses)


def plots_for(details: dict[str, Any]) -> list[Plot]:
    """Every plot the recorded metrics allow, in a fixed order."""
    return [plot for plot in (plotter(details) for plotter in PLOTTERS) if plot is not None]
