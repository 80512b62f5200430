"""apply_kernel is missing (the student named it apply_kernal).

Expected: the checks that need it say "`apply_kernel` not found in missing_function.py"; the others pass.
"""
from kernels import apply_kernel as apply_kernal  # noqa: F401
from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401
