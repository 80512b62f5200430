"""Shared tools for writing checks: random inputs, comparison with a torch reference, forbidden calls.

Every failure raised here is a ``CheckFailed`` whose text says what was expected, what came back and
(through ``hint``) the likely mistake, so checks never hand a student a bare "tensors not close".
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import torch
from hypothesis import HealthCheck, Phase, settings

from grader.i18n import _
from grader.plugin import GradingMessage

# Randomized checks: deterministic (same examples every run), no example database written to disk,
# no timing deadline (a slow but correct student loop is not wrong; the exercise time limit guards),
# and no "explain" phase: the shrunk failing case is what the student needs, quickly.
randomized = settings(max_examples=25, derandomize=True, deadline=None, database=None, print_blob=False,
                      suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink])


class CheckFailed(GradingMessage):
    reason = "failed"


class ForbiddenCall(GradingMessage):
    reason = "forbidden_call"


def fail(message: str, hint: str = "") -> None:
    raise CheckFailed(f"{message} {hint}".strip())


def random_tensor(*shape: int, seed: int = 0, low: float = -1.0, high: float = 1.0,
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=generator, dtype=torch.float64) * (high - low) + low).to(dtype)


def summarize(value: Any, limit: int = 12) -> str:
    """Short text for a value in a message: small tensors in full, big ones by shape and a few numbers."""
    if isinstance(value, torch.Tensor):
        flat = value.detach().flatten()
        if flat.numel() <= limit:
            numbers = ", ".join(f"{v:.4g}" if value.is_floating_point() else str(int(v)) for v in flat.tolist())
            return f"tensor(shape {tuple(value.shape)}: [{numbers}])"
        head = ", ".join(f"{v:.4g}" for v in flat[:4].double().tolist())
        return f"tensor(shape {tuple(value.shape)}, dtype {str(value.dtype).removeprefix('torch.')}: [{head}, ...])"
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def expect_tensor(got: Any, *, call: str) -> torch.Tensor:
    if not isinstance(got, torch.Tensor):
        fail(_("{call} returned {kind}, expected a torch.Tensor.").format(call=call, kind=type(got).__name__),
             _("Build the result with torch operations instead of Python lists or numbers."))
    return got


def assert_close(got: Any, expected: torch.Tensor, *, call: str, hint: str = "",
                 atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """``got`` must be a tensor of ``expected``'s shape, finite where expected is, and allclose to it."""
    got = expect_tensor(got, call=call)
    if tuple(got.shape) != tuple(expected.shape):
        fail(_("{call}: expected shape {expected}, got {got}.").format(
            call=call, expected=tuple(expected.shape), got=tuple(got.shape)), hint)
    got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
    bad = ~torch.isfinite(got_d) & torch.isfinite(exp_d)
    if bad.any():
        fail(_("{call} returned NaN or infinite values (at index {index}).").format(
            call=call, index=tuple(int(i) for i in bad.nonzero()[0])), hint)
    if not torch.allclose(got_d, exp_d, atol=atol, rtol=rtol, equal_nan=True):
        diff = (got_d - exp_d).abs().nan_to_num(0.0)
        index = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape)) if diff.dim() else ()
        fail(_("{call}: expected {expected}, got {got} (largest difference {diff:.3g} at index {index}).").format(
            call=call, expected=summarize(expected), got=summarize(got), diff=diff.max().item(), index=index), hint)


def assert_equal(got: Any, expected: Any, *, call: str, hint: str = "") -> None:
    """Exact equality of plain values (ints, tuples, lists, nested): the type is checked first (``2.0`` is
    not ``2``), and only built-in types compare, so an object with a rigged ``__eq__`` cannot pass."""
    got = _plain(got)
    if type(got) is not type(expected):
        fail(_("{call} returned {kind} {got}, expected {expected_kind} {expected}.").format(
            call=call, kind=type(got).__name__, got=summarize(got), expected_kind=type(expected).__name__,
            expected=summarize(expected)), hint)
    if not _same(got, expected):
        fail(_("{call}: expected {expected}, got {got}.").format(
            call=call, expected=summarize(expected), got=summarize(got)), hint)


def _plain(value: Any) -> Any:
    """torch.Size -> tuple and a one-element integer tensor -> int; tuples and lists rebuilt item by item."""
    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point() \
            and value.dtype != torch.bool:
        return int(value.item())
    if isinstance(value, torch.Size):
        return tuple(int(v) for v in value)
    if type(value) in (tuple, list):
        return type(value)(_plain(v) for v in value)
    return value


def _same(got: Any, expected: Any) -> bool:
    if type(got) is not type(expected):
        return False
    if type(expected) in (tuple, list):
        return len(got) == len(expected) and all(map(_same, got, expected))
    return got == expected


def assert_float(got: Any, expected: float, *, call: str, hint: str = "", rel: float = 1e-6, abs_: float = 1e-12) -> None:
    if isinstance(got, torch.Tensor) and got.numel() == 1:
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, (int, float)):
        fail(_("{call} returned {kind}, expected a number.").format(call=call, kind=type(got).__name__), hint)
    if not math.isclose(got, expected, rel_tol=rel, abs_tol=abs_):
        fail(_("{call}: expected {expected:.6g}, got {got:.6g}.").format(call=call, expected=expected, got=got), hint)


@contextlib.contextmanager
def forbid(*targets: str, call: str, hint: str = "") -> Iterator[None]:
    """Make library functions (``"torch.nn.functional.conv2d"``) raise while the student's code runs."""
    patches = []
    for target in targets:
        owner_name, attr = target.rsplit(".", 1)
        owner = _resolve(owner_name)
        original = getattr(owner, attr)

        def refuse(*args, _target=target, **kwargs):
            raise ForbiddenCall(_("{call} called {target}, which this exercise asks you to implement yourself.")
                                .format(call=call, target=_target) + (" " + hint if hint else ""))

        patches.append((owner, attr, original))
        setattr(owner, attr, refuse)
    try:
        yield
    finally:
        for owner, attr, original in reversed(patches):
            setattr(owner, attr, original)


def _resolve(dotted: str) -> Any:
    """``"torch.nn.functional"`` -> the module, ``"torch.Tensor"`` -> the class."""
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)
