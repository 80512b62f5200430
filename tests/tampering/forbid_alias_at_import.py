"""apply_kernel_everywhere calls conv2d through a name bound at import, which a runtime patch cannot see."""
EXERCISE = "kernels"
BASE = "solution"
PASSES = "all but test_apply_kernel_everywhere_does_not_call_conv2d"

from torch.nn.functional import conv2d as _c  # noqa: E402


def apply_kernel_everywhere(im, kernel):
    return _c(im[None, None], kernel[None, None])[0, 0]
