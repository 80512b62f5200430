"""Finds, in the student's source, every way a guarded function reaches a library op it must not use.

The runtime guard (``forbid`` patches the op in the student process) misses a name bound before it
ran: ``from torch.nn.functional import conv2d as c``, a default argument ``_conv=F.conv2d``, or the op
reached through ``torch.ops.aten`` or ``torch._C``. This scan reads the source (never runs it): it
follows imports and aliases, starts at the guarded functions and everything at module level they
name, resolves each dotted name against the real libraries, and reports a use when it is one of the
forbidden objects (or their class, for a method), a private op namespace, or a dynamic lookup that
could hide one (``eval``, ``exec``, ``__import__``, ``importlib``, a ``getattr`` with a computed name).
"""
from __future__ import annotations

import ast
import importlib
from collections.abc import Iterable
from dataclasses import dataclass

PRIVATE = ("torch.ops", "torch._C", "torch._VF", "torch._ops")
DYNAMIC = {"eval", "exec", "compile", "__import__", "importlib.import_module", "importlib.__import__"}


@dataclass(frozen=True)
class Use:
    line: int
    name: str        # what the source names, resolved: "torch.nn.functional.conv2d"
    alias_line: int | None = None  # where an alias for it was bound (an import), if any


def forbidden_uses(source: str, targets: Iterable[str], functions: Iterable[str] = ()) -> list[Use]:
    """Uses of ``targets`` (dotted names of library functions or methods) reachable from ``functions``
    (top-level names of the module; all of it when none of them is defined there)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    aliases = _aliases(tree)
    defs = _top_level(tree)
    start = [name for name in functions if name in defs]
    nodes = _reachable(start, defs) if start else [tree]
    forbidden = [obj for obj in (_resolve(t) for t in targets) if obj is not None]
    owners = [obj for obj in (_resolve(t.rsplit(".", 1)[0]) for t in targets if _is_method(t)) if obj is not None]
    uses: dict[int, Use] = {}  # per line, the longest name found (``torch.ops.aten.x``, not ``torch.ops``)
    for node in nodes:
        for sub in ast.walk(node):
            if _computed_getattr(sub, aliases):
                found = Use(sub.lineno, "getattr(...)")
            else:
                name = _dotted(sub, aliases)
                if name is None or not (name[0] in DYNAMIC or _bad(name[0], forbidden, owners)):
                    continue
                found = Use(sub.lineno, *name)
            if sub.lineno not in uses or len(found.name) > len(uses[sub.lineno].name):
                uses[sub.lineno] = found
    return sorted(uses.values(), key=lambda u: u.line)


def _aliases(tree: ast.Module) -> dict[str, tuple[str, int]]:
    """Local name -> (dotted library name, line of the import), from every import in the file."""
    found: dict[str, tuple[str, int]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                found[local] = (alias.name if alias.asname else local, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    found[alias.asname or alias.name] = (f"{node.module}.{alias.name}", node.lineno)
    return found


def _top_level(tree: ast.Module) -> dict[str, ast.AST]:
    defs: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defs[node.name] = node
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        defs[name.id] = node
    return defs


def _reachable(start: list[str], defs: dict[str, ast.AST]) -> list[ast.AST]:
    """The guarded definitions and every top-level definition they name, transitively."""
    todo, seen = list(start), set(start)
    while todo:
        for sub in ast.walk(defs[todo.pop()]):
            if isinstance(sub, ast.Name) and sub.id in defs and sub.id not in seen:
                seen.add(sub.id)
                todo.append(sub.id)
    return [defs[name] for name in seen]


def _dotted(node: ast.AST, aliases: dict[str, tuple[str, int]]) -> tuple[str, int | None] | None:
    """``F.conv2d`` -> ("torch.nn.functional.conv2d", import line); ``getattr(F, "conv2d")`` likewise."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr" \
            and len(node.args) >= 2:
        owner = _dotted(node.args[0], aliases)
        attr = node.args[1]
        if owner and isinstance(attr, ast.Constant) and isinstance(attr.value, str):
            return f"{owner[0]}.{attr.value}", owner[1]
        return None
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    if node.id in aliases:
        base, line = aliases[node.id]
    elif node.id in DYNAMIC and not parts:
        base, line = node.id, None
    else:
        return None
    return ".".join([base, *reversed(parts)]), line


def _bad(dotted: str, forbidden: list, owners: list) -> bool:
    if any(dotted == p or dotted.startswith(p + ".") for p in PRIVATE):
        return True
    obj = _resolve(dotted)
    return obj is not None and (any(obj is f for f in forbidden) or any(obj is o for o in owners))


def _computed_getattr(node: ast.AST, aliases: dict) -> bool:
    """``getattr(F, "conv" + "2d")``: a library attribute whose name is computed, so no scan can follow it."""
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant)
            and _dotted(node.args[0], aliases) is not None)


def _is_method(target: str) -> bool:
    owner = _resolve(target.rsplit(".", 1)[0])
    return isinstance(owner, type)


def _resolve(dotted: str):
    """The library object a dotted name stands for (only names under torch and math), else None."""
    parts = dotted.split(".")
    if parts[0] not in ("torch", "math"):
        return None
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return None
        return obj
    return None
