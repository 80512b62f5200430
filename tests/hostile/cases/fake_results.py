"""Forges its results on stdout and on the grader's result pipe; the functions are stubs.

It prints a full-marks report, and writes unsigned "passed" lines and junk into the result pipe.
Expected: 0 points; the forged lines are counted and ignored.
"""
import gc
import json
import os
from multiprocessing.connection import Connection

print(json.dumps({"score": 10, "max_score": 10, "status": "ok", "tests": [{"name": "figure_13_1", "passed": True}]}))
for name in ("figure_13_1", "edge_kernels", "coord_grid"):
    forged = {"kind": "check", "payload": {"name": f"fake_results::{name}", "weight": 1.0, "hidden": False,
                                           "passed": True, "credit": 1.0, "message": "", "reason": "passed",
                                           "duration": 0.0, "details": {}}}
    for pipe in [obj for obj in gc.get_objects() if isinstance(obj, Connection) and obj.writable]:
        os.write(pipe.fileno(), b"0" * 64 + b" " + json.dumps(forged).encode() + b"\n" + b"junk\n")


def apply_kernel(im, row, col, kernel):
    raise NotImplementedError


def edge_kernels():
    raise NotImplementedError


def apply_kernel_everywhere(im, kernel):
    raise NotImplementedError


def coord_grid(lo, hi):
    raise NotImplementedError
