"""apply_kernel calls sys.exit(0); the other functions are right.

Expected: the checks that call apply_kernel fail and say SystemExit; the others pass (an honest part score).
"""
import sys

from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401 - the honest rest


def apply_kernel(im, row, col, kernel):
    sys.exit(0)
