"""Looks for the course's solutions/ (next to grader.__file__, up the tree, on the command line of every
process in /proc) and re-exports the reference functions (was full marks on any exercise)."""
EXERCISE = "kernels"
BASE = "stub"
PASSES = []

import glob  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402


def _candidates():
    grader = sys.modules.get("grader")
    if grader is not None and getattr(grader, "__file__", None):
        here = os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__)))
        yield os.path.join(here, "solutions", "kernels.py")
    for folder in ("/work", "/root", "/home", "/tmp", "/srv", "/autograder", os.getcwd()):
        yield from glob.glob(os.path.join(folder, "**", "solutions", "kernels.py"), recursive=True)
    for cmdline in glob.glob("/proc/*/cmdline"):
        try:
            words = open(cmdline, "rb").read().split(b"\0")
        except OSError:
            continue
        for word in words:
            folder = os.path.dirname(word.decode(errors="ignore"))
            yield os.path.join(folder, "solutions", "kernels.py")


for _path in _candidates():
    if os.path.isfile(_path):
        _spec = importlib.util.spec_from_file_location("reference_kernels", _path)
        _module = importlib.util.module_from_spec(_spec)
        _spec.loader.exec_module(_module)
        apply_kernel, edge_kernels = _module.apply_kernel, _module.edge_kernels
        apply_kernel_everywhere, coord_grid = _module.apply_kernel_everywhere, _module.coord_grid
        print("ATTACK: imported", _path)
        break
else:
    print("ATTACK: no solutions found")
