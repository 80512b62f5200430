"""From reference solutions to student stubs: solution markers are replaced, everything else is kept.

Markers (nbgrader/otter style, in ``solutions/*.py``):

* ``# BEGIN SOLUTION`` ... ``# END SOLUTION``: the block becomes ``raise NotImplementedError`` at the
  block's indentation, preceded by the block's ``# PROMPT <text>`` lines as ``<text>``.
* ``lhs = expression  # SOLUTION``: becomes ``lhs = ...  # TODO``.
"""
from __future__ import annotations

import re

BEGIN, END, PROMPT, LINE = "# BEGIN SOLUTION", "# END SOLUTION", "# PROMPT", "# SOLUTION"


class MarkerError(ValueError):
    """Unbalanced or misplaced solution markers (the message names the file and line)."""


def strip_solutions(source: str, filename: str = "<solution>") -> str:
    out: list[str] = []
    block_start: int | None = None
    prompts: list[str] = []
    indent = ""
    for number, line in enumerate(source.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if stripped == BEGIN:
            if block_start is not None:
                raise MarkerError(f"{filename}:{number}: BEGIN SOLUTION inside the block opened at line {block_start}")
            block_start, prompts, indent = number, [], line[: len(line) - len(line.lstrip())]
        elif stripped == END:
            if block_start is None:
                raise MarkerError(f"{filename}:{number}: END SOLUTION without a BEGIN SOLUTION")
            out.extend(f"{indent}{p}\n" for p in prompts)
            out.append(f"{indent}raise NotImplementedError\n")
            block_start = None
        elif block_start is not None:
            if stripped.startswith(PROMPT):
                prompts.append(stripped[len(PROMPT):].strip())
        elif re.search(r"#\s*SOLUTION\s*$", line):
            match = re.match(r"^(\s*[^=#]+?)\s*=(?!=)", line)
            if not match:
                raise MarkerError(f"{filename}:{number}: '# SOLUTION' marks an assignment like 'lr = 1e-3  # SOLUTION'")
            out.append(f"{match.group(1)} = ...  # TODO\n")
        else:
            out.append(line)
    if block_start is not None:
        raise MarkerError(f"{filename}:{block_start}: BEGIN SOLUTION is never closed with END SOLUTION")
    return "".join(out)
