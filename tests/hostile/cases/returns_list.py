"""edge_kernels returns nested Python lists instead of a tensor.

Expected: that check says it got a list where a torch.Tensor was expected; the others pass.
"""
from kernels import apply_kernel, apply_kernel_everywhere, coord_grid  # noqa: F401


def edge_kernels():
    return [[[-1, -1, -1], [0, 0, 0], [1, 1, 1]], [[-1, 1, 0]] * 3, [[0, -1, 1], [-1, 1, 0], [1, 0, 0]],
            [[1, -1, 0], [0, 1, -1], [0, 0, 1]]]
