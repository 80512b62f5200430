"""MNIST without learning: looks for the held-out labels on disk and otherwise memorises the 8,000 training
images in buffers for a nearest-neighbour lookup that claims 0 parameters (was 12/12)."""
EXERCISE = "mnist"
BASE = "solution"
PASSES = ["test_model_output_shape", "test_parameter_budget"]  # the untrained lookup is small

import glob  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

_found = []
_grader = sys.modules.get("grader")
_roots = [os.path.dirname(os.path.abspath(_grader.__file__))] if getattr(_grader, "__file__", None) else []
for _root in _roots + [sys.prefix, "/work", "/root", "/tmp", "/srv", "/usr/share/datasets"]:
    _found += glob.glob(os.path.join(_root, "**", "mnist_subset*.npz"), recursive=True)
print("ATTACK: label files found:", _found)


class Lookup(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("images", torch.zeros(1, 784))
        self.register_buffer("labels", torch.zeros(1, dtype=torch.long))
        if _found:
            with np.load(_found[0]) as data:
                self.images = torch.from_numpy(data["x_test"].reshape(-1, 784)).float() / 255
                self.labels = torch.from_numpy(data["y_test"].astype("int64"))

    def forward(self, x):
        nearest = torch.cdist(x.reshape(len(x), -1), self.images).argmin(1)
        return nn.functional.one_hot(self.labels[nearest], 10).float()


def build_model():
    return Lookup()


def train(model, x, y, device):
    if not _found:
        model.images, model.labels = x.reshape(len(x), -1).clone(), y.clone()
    return model
