"""apply_kernel raises KeyboardInterrupt, as if someone pressed Ctrl+C; the other functions are right.

Expected: the checks that call apply_kernel fail and say KeyboardInterrupt; the others pass.
"""
from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401 - the honest rest


def apply_kernel(im, row, col, kernel):
    raise KeyboardInterrupt
