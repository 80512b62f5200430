"""apply_kernel asks for a 32 GiB tensor (a shape multiplied where it should have been added).

Expected: the checks that call it fail with an out-of-memory message naming the limit; the others pass.
"""
import torch

from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401 - the honest rest


def apply_kernel(im, row, col, kernel):
    return torch.ones(1 << 33).sum()
