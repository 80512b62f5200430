"""Questions a check may ask about the student's objects, answered with plain data.

Student code is moving into a separate process, where a check holds only a proxy: it may call the
student's functions and the objects they return, and read back tensors, numbers and strings, but it
cannot ``isinstance`` a student object, hook it, backpropagate through it or walk its ``.modules()``.
Everything beyond plain calls goes through these five functions, so that only their insides change
when the student's objects live elsewhere. Today they run in the checking process.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from grader.i18n import _
from grader.testing import fail

MODULE_ATTRS = ("kernel_size", "stride", "padding", "dilation", "groups", "in_channels", "out_channels",
                "in_features", "out_features", "eps", "momentum", "affine", "track_running_stats",
                "num_features", "num_groups", "num_channels", "normalized_shape", "elementwise_affine")
MISSING = object()


def _plain(value: Any) -> Any:
    """A built-in copy of a plain value (bool, int, float, str, None, tuples and lists of them), else MISSING."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, (tuple, list, torch.Size)):
        items = [_plain(v) for v in value]
        if any(item is MISSING for item in items):
            return MISSING
        return items if isinstance(value, list) else tuple(items)
    return MISSING


def _attrs(module: nn.Module) -> dict[str, Any]:
    found = {}
    for name in MODULE_ATTRS:
        value = _plain(getattr(module, name, MISSING))
        if value is not MISSING:
            found[name] = value
    return found


def describe(obj: Any) -> dict:
    """What the object is: class, base classes and, for an nn.Module, its mode, parameters, buffers and
    every submodule (``name`` "" is the object itself) with the plain hyperparameters it carries."""
    kind = type(obj)
    info: dict[str, Any] = {"type": kind.__name__, "mro": [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__],
                            "is_module": isinstance(obj, nn.Module), "training": None,
                            "parameters": [], "buffers": [], "modules": []}
    if not isinstance(obj, nn.Module):
        return info
    info["training"] = bool(obj.training)
    info["parameters"] = [{"name": name, "shape": tuple(p.shape), "requires_grad": bool(p.requires_grad),
                           "dtype": str(p.dtype).removeprefix("torch.")} for name, p in obj.named_parameters()]
    info["buffers"] = [{"name": name, "shape": tuple(b.shape), "dtype": str(b.dtype).removeprefix("torch.")}
                       for name, b in obj.named_buffers()]
    info["modules"] = [{"name": name, "type": type(m).__name__, "leaf": next(m.children(), None) is None,
                        "attrs": _attrs(m)} for name, m in obj.named_modules()]
    return info


def backward(obj: Any, inputs: tuple, grad_output: torch.Tensor
             ) -> tuple[torch.Tensor, list[torch.Tensor | None], dict[str, torch.Tensor | None]]:
    """One forward and backward pass of ``obj(*inputs)`` with upstream gradient ``grad_output``.

    Returns the output (detached), the gradient of every tensor input (None for other inputs, or when
    the output does not depend on it) and the gradient of every named parameter. The object's own
    parameter gradients are cleared before and after, so the call leaves no trace in it.
    """
    leaves = tuple(x.detach().clone().requires_grad_(x.is_floating_point()) if isinstance(x, torch.Tensor) else x
                   for x in inputs)
    params = dict(obj.named_parameters()) if isinstance(obj, nn.Module) else {}
    for p in params.values():
        p.grad = None
    out = obj(*leaves)
    if not isinstance(out, torch.Tensor):
        fail(_("the call returned {kind}, expected a tensor.").format(kind=type(out).__name__))
    if tuple(out.shape) != tuple(grad_output.shape):
        fail(_("expected an output of shape {expected}, got {got}.").format(
            expected=tuple(grad_output.shape), got=tuple(out.shape)))
    if out.requires_grad:
        (out * grad_output.to(out.dtype)).sum().backward()  # = out.backward(grad_output), without sympy's import
    grads = [x.grad if isinstance(x, torch.Tensor) else None for x in leaves]
    param_grads = {name: (p.grad.detach().clone() if p.grad is not None else None) for name, p in params.items()}
    for p in params.values():
        p.grad = None
    return out.detach(), grads, param_grads


def _named_tensors(obj: Any) -> dict[str, torch.Tensor]:
    if not isinstance(obj, nn.Module):
        return {}
    return {**dict(obj.named_parameters()), **dict(obj.named_buffers())}


def set_tensors(obj: Any, values: dict[str, torch.Tensor]) -> None:
    """Copy each value into the existing parameter or buffer of that dotted name, under no_grad.

    A missing name or a different number of elements fails the check with a message naming it; a
    value with the same number of elements is reshaped to the tensor's own shape.
    """
    existing = _named_tensors(obj)
    for name, value in values.items():
        target = existing.get(name)
        if target is None:
            fail(_("{kind} has no parameter or buffer named `{name}` (it has: {found}).").format(
                kind=type(obj).__name__, name=name, found=", ".join(sorted(existing)) or _("none")))
        if target.numel() != value.numel():
            fail(_("{kind}.{name} has shape {got}, expected {n} numbers (shape {expected}).").format(
                kind=type(obj).__name__, name=name, got=tuple(target.shape), n=value.numel(),
                expected=tuple(value.shape)))
        with torch.no_grad():
            target.copy_(value.reshape(target.shape))


def tensors(obj: Any) -> dict[str, torch.Tensor]:
    """Named parameters and buffers, as detached copies."""
    return {name: t.detach().clone() for name, t in _named_tensors(obj).items()}


def leaf_outputs(obj: Any, *inputs: Any) -> list[dict]:
    """One forward pass of ``obj(*inputs)`` under no_grad; for each leaf module with parameters, in
    ``modules()`` order: its name, its type and the shape of its output (None when not a tensor)."""
    seen: list[dict] = []
    handles = []
    for name, module in obj.named_modules():
        if next(module.children(), None) is None and next(module.parameters(), None) is not None:
            def record(module, args, output, _name=name):
                shape = tuple(output.shape) if isinstance(output, torch.Tensor) else None
                seen.append({"name": _name, "type": type(module).__name__, "shape": shape})
            handles.append(module.register_forward_hook(record))
    try:
        with torch.no_grad():
            obj(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    return seen
