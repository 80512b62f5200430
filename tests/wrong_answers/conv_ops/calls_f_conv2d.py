"""conv2d_unfold just calls F.conv2d: right numbers, but the exercise is to build it from unfold and a matmul."""
import torch.nn.functional as F


def conv2d_unfold(x, weight, bias=None, stride=1, padding=0):
    return F.conv2d(x, weight, bias, stride, padding)


CAUGHT_BY = ["test_conv2d_unfold_does_not_call_conv2d"]
MISTAKE = "library_call"
