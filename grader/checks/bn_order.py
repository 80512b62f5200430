"""Checks for bn_order.py: the chapter's CNN with batch norm before and after the ReLU, both trained.

The structure is read with ``grader.queries.describe`` (the order of the leaf layers); training and
evaluation reuse ``grader/training.py`` (the same data, timing and held-out accuracy as ``mnist``),
once per order. Settings: those of ``grader/training.py`` (``thresholds`` here mean "clearly trained").
"""
import types

import pytest
import torch

from grader import queries, training
from grader.i18n import _
from grader.testing import assert_equal, fail, shown

DATASET = "mnist-embedded"
ORDERS = {True: "BN -> ReLU", False: "ReLU -> BN"}


def layer_kinds(description: dict) -> list[str]:
    """The leaf layers of a described model in order, as 'conv', 'bn', 'relu' or their class name."""
    kinds = []
    for module in description["modules"]:
        if not module["leaf"] or module["name"] == "":
            continue
        name = module["type"]
        kinds.append("conv" if name.startswith("Conv") else "bn" if "BatchNorm" in name
                     else "relu" if name == "ReLU" else name)
    return kinds


def pairs(kinds: list[str], first: str, second: str) -> int:
    return sum(a == first and b == second for a, b in zip(kinds, kinds[1:]))


def build(student, bn_first: bool):
    return student.build_model(bn_first=bn_first)


@pytest.mark.points(1)
def test_output_shape(student):
    for bn_first in ORDERS:
        model = build(student, bn_first)
        model.eval()
        with torch.no_grad():
            out = model(torch.rand(4, 1, 28, 28))
        assert_equal(tuple(out.shape), (4, 10), call=f"build_model(bn_first={bn_first})({shown('batch', (4, 1, 28, 28))})",
                     hint=_("Both networks are the chapter's CNN: five stride-2 blocks (28 -> 14 -> 7 -> 4 -> 2 -> 1) "
                            "and Flatten, 10 logits per image."))


@pytest.mark.points(2)
def test_orders_really_differ(student):
    for bn_first, label in ORDERS.items():
        kinds = layer_kinds(queries.describe(build(student, bn_first)))
        relus = kinds.count("relu")
        wanted, unwanted = (("bn", "relu"), ("relu", "bn")) if bn_first else (("relu", "bn"), ("bn", "relu"))
        if relus == 0 or kinds.count("bn") == 0:
            fail(_("build_model(bn_first={flag}) has layers {kinds}: expected batch norm and ReLU layers.").format(
                flag=bn_first, kinds=kinds), _("Build each block from nn.Conv2d, nn.BatchNorm2d and nn.ReLU."))
        if pairs(kinds, *wanted) != relus or pairs(kinds, *unwanted):
            fail(_("build_model(bn_first={flag}) has layers {kinds}: expected every ReLU {where} (order {label}).")
                 .format(flag=bn_first, kinds=kinds, label=label,
                         where=_("right after a batch norm") if bn_first else _("right before a batch norm")),
                 _("conv_block must put nn.BatchNorm2d before nn.ReLU when bn_first is true, and after it when "
                   "it is false."))


@pytest.mark.points(1)
def test_only_the_order_differs(student):
    described = [queries.describe(build(student, flag)) for flag in ORDERS]
    kinds = [sorted(layer_kinds(info)) for info in described]
    params = [sum(torch.Size(p["shape"]).numel() for p in info["parameters"]) for info in described]
    if kinds[0] != kinds[1] or params[0] != params[1]:
        fail(_("the two networks differ in more than the order: layers {a} against {b}, {p:,} parameters against "
               "{q:,}.").format(a=kinds[0], b=kinds[1], p=params[0], q=params[1]),
             _("For a fair comparison both use the same convolutions and batch norms (same channels and kernels); "
               "only the place of the ReLU changes."))


@pytest.mark.points(4)
def test_both_orders_trained(student, outcome, device, exercise_settings):
    config = training.resolve_config(exercise_settings, DATASET)
    split = training.load_split(config)
    curves, accuracy, seconds, credits = {}, {}, {}, []
    seed = torch.initial_seed()  # the grading seed, set before every check
    for bn_first, label in ORDERS.items():
        one_order = types.SimpleNamespace(build_model=lambda flag=bn_first: build(student, flag), train=student.train)
        torch.manual_seed(seed)  # both orders start from the same random state
        run = training.run_training(one_order, config, device, split)
        curves[label], accuracy[label] = run.loss_curve, round(run.accuracy, 4)
        seconds[label] = round(run.train_seconds, 2)
        credits.append(training.credit_for(run.accuracy, config.thresholds))
        if run.loss_curve:
            outcome.metric(order_loss_every=run.loss_every)
    outcome.metric(order_loss=curves, order_accuracy=accuracy, order_train_seconds=seconds, dataset=split.name,
                   n_test=int(len(split.y_test)))
    summary = "; ".join(_("{label}: accuracy {acc:.3f} after {s:.1f} s").format(
        label=label, acc=accuracy[label], s=seconds[label]) for label in ORDERS.values())
    limit = config.train_time_limit
    slow = [label for label in ORDERS.values() if limit is not None and seconds[label] > limit]
    if slow:
        fail(_("train() took longer than the {limit:g} s allowed for {labels} ({summary}).").format(
            limit=limit, labels=", ".join(slow), summary=summary),
            _("Train for fewer epochs or use a larger batch size."))
    needed = config.thresholds[0][0]
    if min(credits) == 0:
        fail(_("not both networks were trained: {summary}; each needs at least {needed:g} on held-out digits.")
             .format(summary=summary, needed=needed),
             _("Train both with the same train() from mnist.py; a network stuck near 0.1 is guessing (is the "
               "learning rate too high, or is batch norm missing from one of them?)."))
    outcome.credit(sum(credits) / len(credits), summary)
