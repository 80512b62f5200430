"""Questions a check asks about an object, answered where the object lives.

A student's module or optimizer stays in the student process (grader.runner.proxy); a check that needs
its structure, its gradients or its parameter count asks with one of these functions, and the answer
comes back as data. The same functions work on the checker's own objects (a reference module), so a
check compares both sides with one call each. The implementations live in grader.runner.student.
"""
from __future__ import annotations

import math
from typing import Any

import torch

from grader.runner import proxy
from grader.runner import student as _student


def _ask(name: str, obj: Any, *args: Any) -> Any:
    if isinstance(obj, proxy.Handle):
        return proxy.current().query(name, obj, *args)
    return _student.QUERIES[name](None, obj, *args)


def describe(obj: Any) -> dict:
    """{"type", "mro", "is_module", "training", "parameters": [{name, shape, requires_grad, dtype}],
    "buffers": [{name, shape, dtype}], "modules": [{name, type, mro, leaf, training, own_params, attrs}]}."""
    return _ask("describe", obj)


def backward(obj: Any, inputs: tuple, grad_output: torch.Tensor) -> tuple:
    """(output, gradients of the inputs, {parameter name: gradient}) for upstream gradient ``grad_output``;
    both gradient parts are None when the output is not a differentiable tensor of that shape."""
    return _ask("backward", obj, list(inputs), grad_output)


def sgd_step(obj: Any, x: torch.Tensor, target: torch.Tensor, lr: float) -> torch.Tensor:
    """One plain SGD step on the cross-entropy of ``obj(x)``; returns that output."""
    return _ask("sgd_step", obj, x, target, lr)


def signature(obj: Any) -> list[str] | None:
    """A function's parameter names ("**" for ``**kwargs``), e.g. to know whether train() takes progress."""
    return _ask("signature", obj)


def set_tensors(obj: Any, values: dict[str, torch.Tensor]) -> None:
    """Copy values into existing parameters or buffers (dotted names), without autograd; a name that is not
    there, or a value of the wrong size, fails the check with a message that says so."""
    from grader.i18n import _
    from grader.testing import fail

    info = describe(obj)
    known = {t["name"]: t["shape"] for t in info["parameters"] + info["buffers"]}
    for name, value in values.items():
        if name not in known:
            fail(_("{kind} has no parameter or buffer named `{name}` (it has: {known}).").format(
                kind=info["type"], name=name, known=", ".join(known) or "-"),
                 _("Register it with nn.Parameter (trainable) or self.register_buffer (statistics)."))
        if math.prod(known[name]) != value.numel():
            fail(_("{kind}.{name} has shape {shape}; expected {n} numbers, one per channel.").format(
                kind=info["type"], name=name, shape=tuple(known[name]), n=value.numel()))
    _ask("set_tensors", obj, values)


def tensors(obj: Any) -> dict[str, torch.Tensor]:
    """Named parameters and buffers, as plain tensors."""
    return _ask("tensors", obj)


def leaf_outputs(obj: Any, *inputs: Any) -> list[dict]:
    """One forward pass; {name, type, shape} of the output of each leaf module that has parameters."""
    return _ask("leaf_outputs", obj, *inputs)


def held_numel(obj: Any) -> dict[str, int]:
    """Numbers the model holds: {"parameters", "buffers", "other"} (tensor attributes, lists of them)."""
    return _ask("held_numel", obj)


def evaluate(obj: Any, x: torch.Tensor, device: str = "cpu", batch: int = 1000) -> Any:
    """The model's outputs for ``x`` in eval mode without gradients, batch by batch, on the CPU."""
    return _ask("evaluate", obj, x, device, batch)


def record_losses(on: bool) -> list[float] | None:
    """Start recording the loss the student's code computes (F.cross_entropy, F.nll_loss), or stop and get it."""
    return proxy.current().query("record_losses", on)


def synchronize() -> None:
    """Wait for the student's queued CUDA work, so wall-clock timing on a GPU counts all of it."""
    proxy.current().query("synchronize")
