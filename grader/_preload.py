"""Imported once by the fork server, so that every exercise process starts with these already loaded.

Only imports and one-time set-up here, never a tensor operation: a child forked after OpenMP ran
would deadlock (see grader/runner.py).
"""
import gc

import hypothesis
import hypothesis.internal.entropy
import numpy  # noqa: F401
import pytest  # noqa: F401
import torch  # noqa: F401
import torch.nn.functional  # noqa: F401

import grader.forbid_scan  # noqa: F401
import grader.plugin  # noqa: F401
import grader.queries  # noqa: F401
import grader.runner.student  # noqa: F401
import grader.testing  # noqa: F401
import grader.training  # noqa: F401  (data loading stays lazy: nothing of the course's data is read here)

# hypothesis registers its random generators on first use, with a full gc.collect() (~150 ms a process).
with hypothesis.internal.entropy.deterministic_PRNG():
    pass
gc.freeze()  # what the server imported stays out of every child's garbage collections
