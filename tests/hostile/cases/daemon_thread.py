"""Starts a daemon thread that prints for ever and a plain thread that never ends; the functions are right.

Expected: full marks, and the exercise process still ends as soon as its checks are done.
"""
import threading
import time

from kernels import apply_kernel, apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401


def chatter():
    while True:
        print("still here")
        time.sleep(0.01)


threading.Thread(target=chatter, daemon=True).start()
threading.Thread(target=time.sleep, args=(600,)).start()
