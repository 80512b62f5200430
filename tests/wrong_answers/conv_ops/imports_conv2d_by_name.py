"""conv2d_unfold calls conv2d imported by name (`from torch.nn.functional import conv2d`), hiding the library call."""
from torch.nn.functional import conv2d


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    return conv2d(x, weight, bias, stride, padding)


CAUGHT_BY = ["test_conv2d_unfold_does_not_call_conv2d"]
MISTAKE = "library_call"
