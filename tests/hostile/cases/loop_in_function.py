"""apply_kernel loops for ever, after starting a thread and a child process that leaves the process group.

Expected: a timeout with 0 points; the child is killed too where the exercise has a cgroup (it left
the process group, so only the cgroup can find it).
"""
import os
import subprocess
import sys
import threading
import time

from kernels import apply_kernel_everywhere, coord_grid, edge_kernels  # noqa: F401 - the honest rest


def apply_kernel(im, row, col, kernel):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
    print(f"HOSTILE session {child.pid}", flush=True)
    threading.Thread(target=time.sleep, args=(600,)).start()
    while True:
        pass
