"""apply_kernel returns NaN (a 0/0 slipped in).

Expected: the checks that call it say NaN; the others pass.
"""
import torch

from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401 - the honest rest


def apply_kernel(im, row, col, kernel):
    return torch.tensor(float("nan"))
