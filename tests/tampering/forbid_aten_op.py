"""apply_kernel_everywhere calls the ATen convolution op directly (torch.ops.aten)."""
EXERCISE = "kernels"
BASE = "solution"
PASSES = "all but test_apply_kernel_everywhere_does_not_call_conv2d"

import torch  # noqa: E402


def apply_kernel_everywhere(im, kernel):
    return torch.ops.aten.convolution(im[None, None], kernel[None, None], None, [1, 1], [0, 0], [1, 1], False,
                                      [0, 0], 1)[0, 0]
