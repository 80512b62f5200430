"""Prints 10 MB at import, colour codes, carriage returns and NUL bytes included; the functions are right.

Expected: full marks (printing is not wrong); the result keeps the head and tail of the output, as plain text.
"""
import sys

from kernels import apply_kernel, apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401

sys.stdout.write("\x1b[31mnoise\x1b[0m\r\x00 " * 500_000)
