"""max_pool2d delegates to nn.MaxPool2d: right numbers, but the exercise is to take the window maxima yourself."""
from torch import nn


def max_pool2d(x, ks=2, stride=None):
    return nn.MaxPool2d(ks, stride)(x)


CAUGHT_BY = ["test_max_pool2d_does_not_call_max_pool2d"]
MISTAKE = "library_call"
