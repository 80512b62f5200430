"""An infinite loop at import, after forking a child that would outlive the exercise process.

Expected: a timeout with 0 points; the child is killed with the exercise's process group.
"""
import os
import time

child = os.fork()
if child == 0:
    time.sleep(600)
    os._exit(0)
print(f"HOSTILE child {child}", flush=True)
while True:
    pass
