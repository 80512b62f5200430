"""How fast the checks cell answers inside a Jupyter kernel, against otter-grader's in-kernel check (~30 ms).

For --kernels fresh kernels (nbclient), kernels.ipynb runs its setup cell and code cells (the imports:
torch), then its check call is timed once (the first check, right after the imports ran) and --repeat
more times (warm checks), inside the kernel (what a student waits for) and as nbclient's round trip
(which adds nbclient's own per-cell cost: an empty cell's round trip is printed too); the kernel's
shutdown is timed as well. Prints medians and the ratio to otter's ~30 ms.
Targets (issue 17): warm <= 0.3 s median, first <= 1 s.
"""
import re
import argparse
import statistics
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "exercises" / "notebooks" / "kernels.ipynb"
OTTER_CHECK_S = 0.030  # otter-grader 7.0 `grader.check("q1")`, warm, measured on this machine (issue 17)


TIMED_CHECK = ("import time as _time\n_start = _time.perf_counter()\n{call}\n"
               "print(f'in-kernel {{_time.perf_counter() - _start:.4f}}')")


def one_kernel(repeat: int) -> dict[str, list[float]]:
    """Seconds per measurement ("first", "warm", their round trips, "empty", "shutdown") in one fresh kernel."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    call = notebook.cells[-1].source.splitlines()[-1]  # grader.check("kernels")
    notebook.cells[-1] = nbformat.v4.new_code_cell(TIMED_CHECK.format(call=call))
    notebook.cells.append(nbformat.v4.new_code_cell("pass"))
    client = NotebookClient(notebook, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOK.parent)}})
    times: dict[str, list[float]] = {}
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells[:-2]):
            if cell.cell_type == "code":
                client.execute_cell(cell, index)
        for run in range(repeat + 1):
            kind = "first" if run == 0 else "warm"
            start = time.perf_counter()
            cell = client.execute_cell(notebook.cells[-2], len(notebook.cells) - 2)
            times.setdefault(kind + " round trip", []).append(time.perf_counter() - start)
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
            times.setdefault(kind, []).append(float(re.findall(r"in-kernel ([\d.]+)", text)[-1]))
            start = time.perf_counter()
            client.execute_cell(notebook.cells[-1], len(notebook.cells) - 1)
            times.setdefault("empty cell round trip", []).append(time.perf_counter() - start)
        closing = time.perf_counter()
    times["shutdown"] = [time.perf_counter() - closing]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = [one_kernel(args.repeat) for _ in range(args.kernels)]
    targets = {"first": "target <= 1 s", "warm": "target <= 0.3 s"}
    for kind in ("first", "warm", "first round trip", "warm round trip", "empty cell round trip", "shutdown"):
        values = [t for run in runs for t in run[kind]]
        median = statistics.median(values)
        notes = [f"n={len(values)}", f"min {min(values):.3f}", f"max {max(values):.3f}"]
        if kind in targets:
            notes += [targets[kind], f"ratio to otter's {OTTER_CHECK_S * 1000:.0f} ms: {median / OTTER_CHECK_S:.1f}x"]
        print(f"{kind + ' check' if kind in targets else kind:<24}: {median:6.3f} s  ({'; '.join(notes)})")

if __name__ == "__main__":
    main()
