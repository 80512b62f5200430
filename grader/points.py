"""Points per check: an exercise's points split over *all* its checks, hidden ones included, by weight.

Why its own module: a public check must be worth the same wherever it is scored (in the student
distribution, where hidden checks are absent and only their weights are recorded in ``course.yaml``; in
a run that leaves hidden checks out; at final grading), and every report must add up exactly. So the
split always runs over the full check set, public checks first, and rounds by largest remainder to
:data:`DECIMALS` places, in exact fractions: the per-check points sum to the exercise's points to the
last digit. The weights of checks that do not run are read from the check files without running them
(``@pytest.mark.points(n)``, default 1, times the cases of ``@pytest.mark.parametrize``).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from grader.course import CourseError, Exercise
from grader.i18n import _

DECIMALS = 4
_UNITS = 10 ** DECIMALS


def allocate(weights: list[float], total: float) -> list[float]:
    """``total`` split in proportion to ``weights``, each share rounded to DECIMALS places, summing exactly.

    Largest remainder: every share is first rounded down, then the units left over go to the largest
    remainders (ties: the earlier weight). A zero total weight gives every share 0.
    """
    exact = [Fraction(w) for w in weights]
    whole = sum(exact)
    if not exact or whole == 0:
        return [0.0] * len(exact)
    target = round(Fraction(total) * _UNITS)
    quotas = [w * target / whole for w in exact]
    units = [int(q) for q in quotas]  # quotas are >= 0: int() rounds down
    by_remainder = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - units[i]), i))
    for i in by_remainder[:target - sum(units)]:
        units[i] += 1
    return [u / _UNITS for u in units]


def exact_sum(values: Iterable[float]) -> float:
    """The sum of point values that have DECIMALS places, without float drift (3.3333 * 3 + 0.0001 is 10)."""
    return sum(round(Fraction(v) * _UNITS) for v in values) / _UNITS


@dataclass(frozen=True)
class Split:
    """Points of the checks that ran (in their order) and of the hidden checks that did not."""

    checks: list[float]
    withheld: list[float]

    @property
    def withheld_points(self) -> float:
        return exact_sum(self.withheld)


def split(exercise: Exercise, collected: list[dict], *, include_hidden: bool = True) -> Split:
    """Points per collected check (``{"weight", "hidden"}`` dicts, as the plugin reports them).

    The hidden checks that are not in ``collected`` count as well (:func:`withheld_weights`), so a
    public check gets the same points with and without them.
    """
    withheld = withheld_weights(exercise, include_hidden)
    order = sorted(range(len(collected)), key=lambda i: collected[i]["hidden"])  # public first, stable
    weights = [collected[i]["weight"] for i in order] + withheld
    total = exercise.points if exercise.points is not None else float(sum(map(Fraction, weights)))
    shares = allocate(weights, total)
    checks = [0.0] * len(collected)
    for position, i in enumerate(order):
        checks[i] = shares[position]
    return Split(checks=checks, withheld=shares[len(collected):])


def declared_split(exercise: Exercise, *, include_hidden: bool = True) -> Split:
    """The split as a run will make it, from the check files alone (before anything ran, or when nothing did)."""
    hidden_files = set(exercise.hidden_checks)
    collected = [{"weight": c.weight, "hidden": c.hidden or path in hidden_files}
                 for path in exercise.check_files(include_hidden) for c in declared_checks(path)]
    return split(exercise, [c for c in collected if include_hidden or not c["hidden"]], include_hidden=include_hidden)


def withheld_weights(exercise: Exercise, include_hidden: bool) -> list[float]:
    """Weights of the exercise's hidden checks that a run does not collect.

    Those recorded in ``hidden_weights`` (the student distribution, where they are absent) always;
    with ``include_hidden=False`` also those in its check files (marked hidden, or in ``hidden_checks``).
    """
    recorded = list(exercise.hidden_weights)
    return recorded if include_hidden else recorded + hidden_weights(exercise)


def hidden_weights(exercise: Exercise) -> list[float]:
    """Weights of every hidden check in the exercise's files, in file order, read without running them."""
    public = [c.weight for path in exercise.checks for c in declared_checks(path) if c.hidden]
    return public + [c.weight for path in exercise.hidden_checks for c in declared_checks(path)]


@dataclass(frozen=True)
class Declared:
    """One check as pytest will collect it (a parametrized function is one per case)."""

    name: str
    weight: float
    hidden: bool


def declared_checks(path: Path) -> list[Declared]:
    """The checks of a check file, each case of a parametrized function separately, read with ``ast``."""
    tree = parse_checks(path)
    module_marks = _pytestmark(tree.body)
    found: list[Declared] = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_marks = [*node.decorator_list, *_pytestmark(node.body)]
            for member in node.body:
                if _is_test(member):
                    found += _cases(path, member, [*member.decorator_list, *class_marks, *module_marks])
        elif _is_test(node):
            found += _cases(path, node, [*node.decorator_list, *module_marks])
    return found


def parse_checks(path: Path) -> ast.Module:
    try:
        return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as exc:
        raise CourseError(_("{path}:{line}: SyntaxError: {msg}").format(path=path, line=exc.lineno, msg=exc.msg)) \
            from None


def is_hidden_marker(expr: ast.expr) -> bool:
    """``pytest.mark.hidden``, ``mark.hidden`` or either called, in a decorator or a ``pytestmark`` value."""
    return any(isinstance(n, ast.Attribute) and n.attr == "hidden" for n in ast.walk(expr))


def _is_test(node: ast.stmt) -> bool:
    return isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test")


def _pytestmark(body: list[ast.stmt]) -> list[ast.expr]:
    """The marks of ``pytestmark = ...`` (one mark or a list of them) in a module or class body."""
    marks: list[ast.expr] = []
    for node in body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            marks += node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
    return marks


def _mark(expr: ast.expr, name: str) -> ast.Call | None:
    """``expr`` when it is a call of the mark ``name`` (``pytest.mark.name(...)``), else None."""
    return expr if (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
                    and expr.func.attr == name) else None


def _cases(path: Path, node: ast.FunctionDef | ast.AsyncFunctionDef, marks: list[ast.expr]) -> list[Declared]:
    """The checks one test function declares; ``marks`` nearest first, as pytest's get_closest_marker reads them."""
    hidden = any(is_hidden_marker(mark) for mark in marks)
    weight = next((_literal_weight(path, node, call) for call in (_mark(m, "points") for m in marks) if call), 1.0)
    cases = 1
    for call in filter(None, (_mark(m, "parametrize") for m in marks)):
        values = call.args[1] if len(call.args) > 1 else next(
            (k.value for k in call.keywords if k.arg == "argvalues"), None)
        if not isinstance(values, (ast.List, ast.Tuple)):
            raise CourseError(_("{path}:{line}: {name}: write the parametrize values as a literal list, so the "
                                "grader can count its checks without running them").format(
                path=path, line=node.lineno, name=node.name))
        cases *= len(values.elts)
    return [Declared(name=node.name, weight=weight, hidden=hidden) for _case in range(cases)]


def _literal_weight(path: Path, node: ast.AST, call: ast.Call) -> float:
    try:
        weight = ast.literal_eval(call.args[0])
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise ValueError
        return float(weight)
    except (ValueError, IndexError, SyntaxError, TypeError):
        raise CourseError(_("{path}:{line}: {name}: @pytest.mark.points takes a number, e.g. "
                            "@pytest.mark.points(2)").format(path=path, line=call.lineno, name=node.name)) from None
