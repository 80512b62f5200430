"""Known mistakes: the typical wrong implementations of what a check tests, written as trusted checker code.

Why: a fixed hint per check guesses the cause and is often wrong (an im2col ``view`` without ``permute``
told "do not flip the kernel"). A check instead declares the mistakes it knows, each as a function that
computes the WRONG answer from the same arguments the student's code got. When the student's output
differs from the reference, the comparison helpers in grader.testing evaluate these on the same input, and
only a mistake that reproduces the student's output is named ("your result equals what you get when the
kernel is flipped"); with no match the message states the observed difference and no cause.

A mistake that a check detects directly (a hook left registered, a library call) has no ``wrong``
function; the check names it with ``fail(..., mistake=...)``. Every mistake is registered under its
exercise, so ``catalogue()`` lists them all (the wrong-answer suite asserts the diagnosis with it).
"""
from __future__ import annotations

import importlib
import pkgutil
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grader.i18n import _

_REGISTRY: dict[tuple[str, str], "Mistake"] = {}


@dataclass(frozen=True, eq=False)
class Mistake:
    exercise: str                            # the exercise module whose checks know it ("kernels")
    id: str                                  # short and stable ("flipped_kernel")
    when: str                                # translated clause completing "... what you get when <when>"
    wrong: Callable[..., Any] | None = None  # computes the wrong answer from the student's arguments
    fix: str = ""                            # translated: what to do instead

    def __post_init__(self):
        _REGISTRY[(self.exercise, self.id)] = self

    def on(self, *args: Any, **kwargs: Any) -> "Candidate":
        return Candidate(self, args, kwargs)

    def after(self, transform: Callable[[Any], Any]) -> "Mistake":
        """The same mistake seen through ``transform`` of its answer (e.g. the variance of a wrong output)."""
        wrong = self.wrong
        return Mistake(self.exercise, self.id, self.when, lambda *a, **k: transform(wrong(*a, **k)), self.fix)

    def sentence(self) -> str:
        """The words a message adds once this mistake is known to explain the student's output."""
        opening = (_("Your result equals what you get when {when}.") if self.wrong is not None else
                   _("This is what happens when {when}.")).format(when=self.when)
        return f"{opening} {self.fix}".strip()


@dataclass(frozen=True)
class Candidate:
    """A mistake bound to the arguments of one call of the student's function."""

    mistake: Mistake
    args: tuple
    kwargs: dict

    def answer(self) -> Any:
        return self.mistake.wrong(*self.args, **self.kwargs)


class Known(tuple):
    """The mistakes one comparison looks for, all called with the same arguments."""

    def on(self, *args: Any, **kwargs: Any) -> list[Candidate]:
        return [m.on(*args, **kwargs) for m in self if m.wrong is not None]


def known(*mistakes: Mistake) -> Known:
    return Known(mistakes)


def explaining(got: Any, expected: Any, candidates: list[Candidate] | None,
               same: Callable[[Any, Any], bool]) -> "Explanation | None":
    """The candidates whose wrong answer equals ``got`` (by ``same``) and differs from ``expected`` (a
    mistake that gives the right answer on this input explains nothing); None when none does."""
    found = []
    for candidate in candidates or ():
        try:
            wrong = candidate.answer()
            if same(got, wrong) and not same(expected, wrong) and candidate.mistake not in found:
                found.append(candidate.mistake)
        except Exception:  # noqa: BLE001 - a mistake that cannot even run on this input does not match
            continue
    return Explanation(found) if found else None


class Explanation(list):
    """Mistakes that all reproduce the student's output; more than one when this input cannot tell them apart."""

    def after(self, transform: Callable[[Any], Any]) -> "Mistake":
        """The same mistake seen through ``transform`` of its answer (e.g. the variance of a wrong output)."""
        wrong = self.wrong
        return Mistake(self.exercise, self.id, self.when, lambda *a, **k: transform(wrong(*a, **k)), self.fix)

    def sentence(self) -> str:
        if len(self) == 1:
            return self[0].sentence()
        return _("Your result equals what you get when {first}, and also when {others}.").format(
            first=self[0].when, others=_(", or when ").join(m.when for m in self[1:]))


def catalogue() -> dict[tuple[str, str], Mistake]:
    """Every mistake the checks know, keyed by (exercise, id); imports the check files to collect them."""
    import grader.checks

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the checks' markers (points, hidden) exist only under the grader plugin
        for info in pkgutil.iter_modules(grader.checks.__path__):
            importlib.import_module(f"grader.checks.{info.name}")
    return dict(_REGISTRY)
