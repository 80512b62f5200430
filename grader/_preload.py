"""Imported once by the fork server, so that every exercise process starts with these already loaded."""
import hypothesis  # noqa: F401
import numpy  # noqa: F401
import pytest  # noqa: F401
import torch  # noqa: F401
import torch.nn.functional  # noqa: F401

import grader.plugin  # noqa: F401
import grader.testing  # noqa: F401
