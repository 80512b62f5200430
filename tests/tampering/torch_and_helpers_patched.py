"""Wrong answers (all zeros) behind patched torch.allclose/equal and patched grader.testing helpers."""
EXERCISE = "kernels"
BASE = "stub"
PASSES = ["test_apply_kernel_everywhere_does_not_call_conv2d"]  # honest: zeros call no conv2d

import sys  # noqa: E402

import torch  # noqa: E402

torch.allclose = lambda *args, **kwargs: True
torch.equal = lambda *args, **kwargs: True
torch.Tensor.__eq__ = lambda self, other: True
for name in ("grader.testing", "grader.plugin"):
    module = sys.modules.get(name)
    if module is not None:
        for helper in ("assert_close", "assert_equal", "assert_float", "fail", "expect_tensor", "explain"):
            if hasattr(module, helper):
                setattr(module, helper, lambda *args, **kwargs: None)


def apply_kernel(im, row, col, kernel):
    return torch.tensor(0.0)


def edge_kernels():
    return torch.zeros(4, 3, 3)


def apply_kernel_everywhere(im, kernel):
    k = kernel.shape[0]
    return torch.zeros(im.shape[0] - k + 1, im.shape[1] - k + 1)


def coord_grid(lo, hi):
    return []
