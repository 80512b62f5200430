"""A fork bomb at import: every process forks for as long as it can, then keeps trying.

Expected where processes are limited (a cgroup, or RLIMIT_NPROC for a grader that is not root): forks
fail at the limit, the exercise times out with 0 points, and every process of the bomb is killed.
"""
import os
import time

print(f"HOSTILE group {os.getpid()}", flush=True)  # the student process leads the bomb's process group
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.05)
