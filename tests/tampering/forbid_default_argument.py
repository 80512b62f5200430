"""apply_kernel_everywhere keeps conv2d in a default argument, bound before any guard runs."""
EXERCISE = "kernels"
BASE = "solution"
PASSES = "all but test_apply_kernel_everywhere_does_not_call_conv2d"

import torch.nn.functional as F  # noqa: E402


def apply_kernel_everywhere(im, kernel, _conv=F.conv2d):
    return _conv(im[None, None], kernel[None, None])[0, 0]
