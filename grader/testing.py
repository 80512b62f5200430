"""Shared tools for writing checks: random inputs, comparison with a torch reference, forbidden calls.

What the student's code returns arrives as data (plain tensors, numbers, tuples) or as a handle to an
object that stays in the student process (grader.runner.proxy); ``type_name`` names either in messages.

Every failure raised here is a ``CheckFailed`` whose text says what was expected and what came back. The
comparisons take ``mistakes=`` (grader.mistakes: known wrong implementations bound to the call's arguments):
when one of them reproduces the student's output, the message names it; otherwise it adds ``hint``, which
restates what is expected and never guesses a cause.
"""
from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
from hypothesis import HealthCheck, Phase, settings

from grader.explain_student import out_of_memory, place, unexpected_exception
from grader.forbid_scan import forbidden_uses
from grader.i18n import _
from grader.mistakes import Candidate, Explanation, Mistake, explaining
from grader.plugin import GradingMessage
from grader.runner import proxy
from grader.runner.proxy import is_module, type_name  # noqa: F401 - for check files

# Randomized checks: deterministic (same examples every run), no example database written to disk,
# no timing deadline (a slow but correct student loop is not wrong; the exercise time limit guards),
# and no "explain" phase: the shrunk failing case is what the student needs, quickly.
randomized = settings(max_examples=25, derandomize=True, deadline=None, database=None, print_blob=False,
                      suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink])


# Detected by ``forbid`` in every exercise that asks for an op to be written by hand.
LIBRARY_CALL = Mistake("*", "library_call", _("the library function does the work that this exercise asks you "
                                              "to implement yourself"))


class CheckFailed(GradingMessage):
    reason = "failed"


class ForbiddenCall(GradingMessage):
    reason = "forbidden_call"


def fail(message: str, hint: str = "", mistake: Mistake | Explanation | None = None) -> None:
    """A named ``mistake`` replaces the hint: the student reads what their output shows and how to fix it."""
    raise CheckFailed(f"{message} {mistake.sentence() if mistake else hint}".strip())


class Transposed(torch.nn.Module):
    """Swaps dims 1 and 3: sent to the student process (``send(nn.Sequential(Transposed(), ...))``) it hands the
    next layer a tensor whose memory is not contiguous, which data crossing the wire never is."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.transpose(1, 3)


def random_tensor(*shape: int, seed: int = 0, low: float = -1.0, high: float = 1.0,
                  dtype: torch.dtype = torch.float32) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return (torch.rand(*shape, generator=generator, dtype=torch.float64) * (high - low) + low).to(dtype)


def shown(kind: str, shape: Any) -> str:
    """How a message shows an argument the check made: ``shown("image", (7, 7))`` is '<image of shape (7, 7)>'."""
    templates = {"image": _("<image of shape {shape}>"), "images": _("<images of shape {shape}>"),
                 "kernel": _("<kernel of shape {shape}>"), "weight": _("<weight of shape {shape}>"),
                 "batch": _("<batch of shape {shape}>"), "tensor": _("<tensor of shape {shape}>")}
    return templates[kind].format(shape=tuple(int(n) for n in shape))


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
        fail(_("{call} returned {kind}, expected a torch.Tensor.").format(call=call, kind=type_name(got)),
             _("Build the result with torch operations instead of Python lists or numbers."))
    return got


def assert_close(got: Any, expected: torch.Tensor, *, call: str, hint: str = "",
                 mistakes: list[Candidate] | None = None, atol: float = 1e-5, rtol: float = 1e-5) -> None:
    """``got`` must be a tensor of ``expected``'s shape, finite where expected is, and allclose to it."""
    got = expect_tensor(got, call=call)
    if same_tensor(got, expected, atol, rtol):
        return
    mistake = explaining(got, expected, mistakes, lambda a, b: same_tensor(a, b, atol, rtol))
    if tuple(got.shape) != tuple(expected.shape):
        fail(_("{call}: expected shape {expected}, got {got}.").format(
            call=call, expected=tuple(expected.shape), got=tuple(got.shape)), hint, mistake)
    got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
    bad = ~torch.isfinite(got_d) & torch.isfinite(exp_d)
    if bad.any():
        fail(_("{call} returned NaN or infinite values (at index {index}).").format(
            call=call, index=tuple(int(i) for i in bad.nonzero()[0])), hint, mistake)
    diff = (got_d - exp_d).abs().nan_to_num(0.0)
    index = tuple(int(i) for i in torch.unravel_index(diff.argmax(), diff.shape)) if diff.dim() else ()
    fail(_("{call}: expected {expected}, got {got} (largest difference {diff:.3g} at index {index}).").format(
        call=call, expected=summarize(expected), got=summarize(got), diff=diff.max().item(), index=index),
        hint, mistake)


def same_tensor(got: Any, expected: Any, atol: float, rtol: float) -> bool:
    """Both tensors, of one shape, finite where ``expected`` is, and allclose."""
    if not (isinstance(got, torch.Tensor) and isinstance(expected, torch.Tensor)) or got.shape != expected.shape:
        return False
    got_d, exp_d = got.detach().double().cpu(), expected.detach().double().cpu()
    if (~torch.isfinite(got_d) & torch.isfinite(exp_d)).any():
        return False
    return torch.allclose(got_d, exp_d, atol=atol, rtol=rtol, equal_nan=True)


def assert_equal(got: Any, expected: Any, *, call: str, hint: str = "",
                 mistakes: list[Candidate] | None = None) -> None:
    """Exact equality of plain values (ints, tuples, lists, nested): the type is checked first (``2.0`` is
    not ``2``), and only built-in types compare, so an object with a rigged ``__eq__`` cannot pass."""
    got = _plain(got)
    if _same(got, expected):
        return
    mistake = explaining(got, expected, mistakes, lambda a, b: _same(a, _plain(b)))
    if type(got) is not type(expected):
        fail(_("{call} returned {kind} {got}, expected {expected_kind} {expected}.").format(
            call=call, kind=type_name(got), got=summarize(got), expected_kind=type(expected).__name__,
            expected=summarize(expected)), hint, mistake)
    fail(_("{call}: expected {expected}, got {got}.").format(
        call=call, expected=summarize(expected), got=summarize(got)), hint, mistake)


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


def assert_float(got: Any, expected: float, *, call: str, hint: str = "", rel: float = 1e-6,
                 abs_: float = 1e-12, mistakes: list[Candidate] | None = None) -> None:
    number = _number(got)
    if number is None:
        fail(_("{call} returned {kind}, expected a number.").format(call=call, kind=type_name(got)), hint)
    got = number
    if math.isclose(got, expected, rel_tol=rel, abs_tol=abs_):
        return
    mistake = explaining(got, expected, mistakes,
                         lambda a, b: _number(b) is not None and math.isclose(a, _number(b), rel_tol=rel, abs_tol=abs_))
    fail(_("{call}: expected {expected:.6g}, got {got:.6g}.").format(call=call, expected=expected, got=got),
         hint, mistake)


def _number(value: Any) -> float | None:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value


@contextlib.contextmanager
def expect_exception(kind: type[BaseException], *, call: str, expected: str) -> Iterator[None]:
    """The student's code in the body must raise ``kind``. Any other error from the student's code fails the
    check with what was ``expected`` ("a window outside the image must raise ValueError"), the exception and
    the student's line. Not reworded: a stub's NotImplementedError, running out of memory, exit() and the
    grader's own messages, which grader.plugin words."""
    try:
        yield
    except kind:
        return
    except NotImplementedError:
        raise
    except Exception as exc:  # noqa: BLE001 - only the student's ordinary errors are reworded
        where = getattr(exc, "student", None)
        if not where or isinstance(exc, GradingMessage) or out_of_memory(exc, where):
            raise
        source = proxy.current().source_path
        raise CheckFailed(unexpected_exception(expected, exc, where, Path(source).parent if source else None)) \
            from None


@contextlib.contextmanager
def forbid(*targets: str, call: str, hint: str = "", functions: tuple[str, ...] = ()) -> Iterator[None]:
    """The student's code must not use these library functions (``"torch.nn.functional.conv2d"``).

    Two guards, either of which fails the check with a message naming the line: a scan of the student's
    source from the guarded functions (``functions``, else the names in ``call``) that sees aliases,
    default arguments and ``torch.ops``/``torch._C`` (grader.forbid_scan), and, while the body runs, the
    targets patched to raise in the student process.
    """
    session = proxy.current()
    source = _student_source(session)
    names = functions or tuple(re.findall(r"[A-Za-z_]\w*", call))
    for use in forbidden_uses(source, targets, names)[:1]:
        file = Path(session.source_path or "")
        where = (_(" (bound at line {line})").format(line=use.alias_line)
                 if use.alias_line and use.alias_line != use.line else "")
        raise ForbiddenCall(_("{call}: your code uses {name} ({place}){where}: {mistake}.").format(
            call=call, name=use.name, place=place({"file": file.name, "line": use.line}, file.parent), where=where,
            mistake=LIBRARY_CALL.when) + (" " + hint if hint else ""))
    session.request("forbid", targets=list(targets))
    try:
        yield
    except proxy.ForbiddenRaised as exc:
        raise ForbiddenCall(_("{call} called {target}: {mistake}.").format(
            call=call, target=exc.target, mistake=LIBRARY_CALL.when) + (" " + hint if hint else "")) from None
    finally:
        session.request("allow")


def _student_source(session: proxy.Session) -> str:
    try:
        with open(session.source_path or "", encoding="utf-8") as f:
            return f.read()
    except OSError:
        return ""
